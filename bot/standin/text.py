"""Message text as Telegram stores it: parsed for its parse mode, trimmed, length-checked, auto-linked.

sendMessage and editMessageText share this, so both refuse the same texts with the same descriptions.
"""

from __future__ import annotations

import re
from typing import Any

from bot.standin.errors import bad_request
from bot.standin.html import EntityParseError, Parsed, has_astral, parse_html, trim, utf16_len
from bot.standin.markdown import parse_markdown, parse_markdown_v2

MAX_TEXT = 4096
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_URL = re.compile(r"https?://[^\s<>\"]+")
_OPAQUE = frozenset({"code", "pre", "text_link"})


def format_text(text: str | None, parse_mode: str | None, entities: Any = None) -> Parsed:
    """Parse a message text as Telegram does and enforce 1-4096 UTF-16 units after entity parsing."""
    if not text:
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            parsed = parse_html(text)
        elif mode == "markdownv2":
            parsed = parse_markdown_v2(text)
        elif mode == "markdown":
            parsed = parse_markdown(text)
        elif mode == "":
            parsed = Parsed(text, _given_entities(text, entities))
        else:
            raise bad_request("unsupported parse_mode")
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    parsed = trim(parsed)
    if not parsed.text:
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    _add_auto_entities(parsed)
    return parsed


def _given_entities(text: str, entities: Any) -> list[dict]:
    if not entities:
        return []
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    out = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length <= 0:
            raise bad_request("can't parse MessageEntity: wrong offset or length")
        if offset + length <= total:
            out.append(dict(entity))
    return out


def _add_auto_entities(parsed: Parsed) -> None:
    """Telegram marks hashtags and bare URLs itself; do the same outside code, pre and links."""
    text = parsed.text
    matches = list(_HASHTAG.finditer(text)) if "#" in text else []
    if "://" in text:
        matches += _URL.finditer(text)
    if not matches:
        return
    astral = has_astral(text)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in parsed.entities if e["type"] in _OPAQUE]
    for m in matches:
        start, end = m.span()
        if astral:
            start = utf16_len(text[:start])
            end = start + utf16_len(m.group())
        if taken and any(a < end and start < b for a, b in taken):
            continue
        kind = "url" if m.re is _URL else "hashtag"
        parsed.entities.append({"type": kind, "offset": start, "length": end - start})
    parsed.entities.sort(key=_entity_order)


def _entity_order(entity: dict) -> tuple[int, int]:
    return entity["offset"], -entity["length"]
