"""Telegram HTML messages: escaping, measuring and splitting under the 4096 limit.

Messages are built from blocks whose tags are balanced inside the block, so a message can be
cut between any two blocks without ever cutting inside a tag. Telegram counts the limit in
UTF-16 code units of the visible text (after tags and entities), and so do we.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[。！？!?；;…\n][”’」』）)\"']*$")
_SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’」』）)\"']*|\n|$)")


def escape(text: str | None) -> str:
    """Escape corpus or user text for parse_mode=HTML (quotes too: safe inside attributes)."""
    return html.escape(text or "", quote=True)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_text(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def visible_len(markup: str) -> int:
    return utf16_len(visible_text(markup))


def plain_text(markup: str) -> str:
    """What a reader sees: for terminals and previews."""
    return visible_text(markup)


def clip(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters, at the last sentence or clause end that fits
    (else at the limit), with "…" when anything was cut: for summaries inside a digest entry,
    an alert or an article card, which must never push a message past 4096."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = max(head.rfind(mark) for mark in "。！？!?；;，,、")
    return (head[: cut + 1] if cut >= limit // 2 else head) + "…"


def split_sentences_for_display(text: str) -> list[str]:
    """Cut plain text after sentence ends (closing quotes stay attached)."""
    return [m for m in _SENTENCE.findall(text) if m]


def _hard_split(text: str, limit: int) -> list[str]:
    out, current = [], ""
    for ch in text:
        if utf16_len(current + ch) > limit:
            out.append(current)
            current = ""
        current += ch
    return out + ([current] if current else [])


def split_plain(text: str, limit: int = LIMIT) -> list[str]:
    """Split plain (unescaped) text into pieces whose escaped form fits, at sentence ends."""
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences_for_display(text):
        for chunk in [sentence] if utf16_len(sentence) <= limit else _hard_split(sentence, limit):
            if current and utf16_len(current + chunk) > limit:
                pieces.append(current)
                current = ""
            current += chunk
    if current:
        pieces.append(current)
    return pieces


def button_dict(label: str, data: str) -> dict[str, str]:
    """A button as Bot API JSON: a URL button when `data` is a link, else a callback button."""
    from bot.ui.buttons import is_link

    return {"text": label, "url": data} if is_link(data) else {"text": label, "callback_data": data}


@dataclass
class Message:
    """One outgoing message: HTML text plus inline buttons (rows of (label, callback_data), or
    (label, URL) for a link button: see bot.ui.buttons.link)."""

    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "parse_mode": "HTML",
            "buttons": [[button_dict(t, d) for t, d in row] for row in self.buttons],
        }


def group_blocks(blocks: list[str], separator: str = "\n\n", limit: int = LIMIT) -> list[list[int]]:
    """Indices of the blocks that go into each message; a block never straddles two."""
    groups: list[list[int]] = []
    used, sep_len = 0, visible_len(separator)
    for i, block in enumerate(blocks):
        size = visible_len(block)
        if groups and used + sep_len + size <= limit:
            groups[-1].append(i)
            used += sep_len + size
        else:
            groups.append([i])
            used = size
    return groups


MIN_FILL = 200  # an oversized paragraph first fills the current message if this much room is left


def pack(blocks: list[str], separator: str = "\n\n", limit: int = LIMIT) -> list[str]:
    """Join HTML blocks into as few messages as fit, never cutting inside a block's tags.

    A block longer than the limit on its own must be plain escaped text; it is split at
    sentence ends (see `split_plain`), its first piece filling what is left of the current
    message, so a title is not sent alone before a long first paragraph.
    """
    messages: list[str] = []
    current: list[str] = []
    used = 0
    sep = visible_len(separator)

    def add(piece: str, size: int) -> None:
        nonlocal used
        used += size + (sep if current else 0)
        current.append(piece)

    def flush() -> None:
        nonlocal current, used
        if current:
            messages.append(separator.join(current))
        current, used = [], 0

    for block in blocks:
        size = visible_len(block)
        room = limit - used - (sep if current else 0)
        if size <= room:
            add(block, size)
            continue
        if size <= limit:
            flush()
            add(block, size)
            continue
        text = visible_text(block)
        if current and room >= MIN_FILL:
            first = split_plain(text, room)[0]
            if ends_sentence_piece(first):
                add(escape(first), utf16_len(first))
                text = text[len(first) :]
        flush()
        pieces = split_plain(text, limit)
        if not pieces:
            continue
        for piece in pieces[:-1]:
            messages.append(escape(piece))
        add(escape(pieces[-1]), utf16_len(pieces[-1]))
    flush()
    return messages


def ends_sentence_piece(text: str) -> bool:
    """Did `split_plain` end this piece at a sentence end (not a hard cut)?"""
    return bool(_SENTENCE_END.search(text))
