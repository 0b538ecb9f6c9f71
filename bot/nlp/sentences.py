"""Split Chinese news paragraphs into whole sentences a reader can be shown on their own.

A sentence ends at 。！？!?；; or an ellipsis (… or ……), together with any run of further
end marks and the closing quotes and brackets after them, so `…。”` stays one sentence and no
sentence starts with `”`. End marks inside a quotation or bracket that closes later in the same
paragraph do not split (`“不行！”他说。` is one sentence, and so is a quoted speech), because a
piece that opens a quote it never closes, or closes one it never opened, reads as a fragment.
ASCII `?!;` followed directly by a letter or digit (URLs, `3;4`) do not split either; `.` and
`+` never end a sentence, so `3.5` and `1+8+5` are safe. Headings are not sentences: callers
pass paragraphs only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENDERS = frozenset("。！？!?；;…")
OPENERS = {"“": "”", "‘": "’", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "《": "》", "〈": "〉"}
CLOSERS = frozenset(OPENERS.values()) | {'"', "'"}
_ASCII_ENDERS = frozenset("!?;")
_SPACE = " \t\u3000\u00a0\r\n"
# a piece this short right after a quotation that ended a sentence (`“不行！”他说。`) belongs to it
_TAIL_CHARS = 6


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph: its text and where it sits."""

    text: str
    paragraph: int  # index of the paragraph it came from
    start: int  # offset of text[0] in that paragraph
    end: int  # offset just past the sentence
    complete: bool  # ends with an end mark (not a lead-in ending with ':' or a cut paragraph)
    balanced: bool  # every quote/bracket it opens it also closes, and the reverse

    def __len__(self) -> int:
        return len(self.text)


_E = re.escape("".join(sorted(ENDERS)))
_C = re.escape("".join(sorted(CLOSERS - {"'"})))
_MARKS = re.compile("[" + re.escape("".join(OPENERS)) + _C + "]")
_EVENTS = re.compile("[" + re.escape("".join(OPENERS)) + _C + _E + "]")
_END_RUN = re.compile(f"[{_E}]+[{_C}]*")
_CLOSE_RUN = re.compile(f"[{_C}]*")
_CLOSER_CHARS = "".join(CLOSERS)
_PLAIN_CLOSERS = "".join(sorted(CLOSERS - {'"', "'"}))  # closers that can never open a quote


def _closing_positions(text: str) -> dict[int, int]:
    """For each opener that is closed later, its index -> the index of its closer.

    A simple bracket stack; ASCII `"` alternates open/close; a closer with no open match is
    ignored.
    """
    match: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    for m in _MARKS.finditer(text):
        ch, i = m.group(), m.start()
        if ch == '"':
            if stack and stack[-1][0] == '"':
                match[stack.pop()[1]] = i
            else:
                stack.append(('"', i))
        elif ch in OPENERS:
            stack.append((OPENERS[ch], i))
        else:
            for depth in range(len(stack) - 1, -1, -1):  # pop to the matching opener, if any
                if stack[depth][0] == ch:
                    match[stack[depth][1]] = i
                    del stack[depth:]
                    break
    return match


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for m in _MARKS.finditer(text):
        ch = m.group()
        if ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
            else:
                stack.append('"')
        elif ch in OPENERS:
            stack.append(OPENERS[ch])
        elif not stack or stack.pop() != ch:
            return False
    return not stack


def _run_end(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Where a run of marks starting at `at` ends (the patterns match the empty run too)."""
    m = pattern.match(text, at)
    return m.end() if m is not None else at


def _cut_points(text: str) -> list[tuple[int, bool]]:
    """(offset, after_quote) where sentences end, in order; the paragraph end is not included.

    `after_quote` marks a cut made because a quotation closed on an end mark.
    """
    match = _closing_positions(text)
    cuts: list[tuple[int, bool]] = []
    n = len(text)
    open_until = -1  # while i < open_until we are inside a quote/bracket that closes later
    pos = 0
    while True:
        m = _EVENTS.search(text, pos)
        if m is None:
            break
        i, ch = m.start(), m.group()
        pos = i + 1
        if i == open_until:  # the protecting quotation closes here
            k = i
            while k > 0 and text[k - 1] in CLOSERS:
                k -= 1
            if k > 0 and text[k - 1] in ENDERS:
                j = _run_end(_CLOSE_RUN, text, i + 1)
                cuts.append((j, True))
                pos = j
            continue
        if i in match:
            open_until = pos = match[i]  # skip to where the quotation closes
            continue
        if ch in ENDERS:
            j = _run_end(_END_RUN, text, i)
            if ch in _ASCII_ENDERS and j == i + 1 and j < n and text[j].isascii() and text[j].isalnum():
                continue  # `a.php?id=3`, `3;4`: not a sentence end
            cuts.append((j, False))
            pos = j
    return cuts


def _ends(text: str) -> bool:
    core = text.rstrip(_CLOSER_CHARS + _SPACE)
    return bool(core) and core[-1] in ENDERS


def split_paragraph(text: str, paragraph: int = 0) -> list[Sentence]:
    """The sentences of one paragraph, with offsets; whitespace between them is dropped."""
    spans: list[tuple[int, int, bool]] = []
    start, soft = 0, False
    for cut, after_quote in [*_cut_points(text), (len(text), False)]:
        if cut > start:
            spans.append((start, cut, soft))
        start, soft = cut, after_quote
    # strip spaces; fold tiny tails after a quotation (`“……！”他说。`) into the sentence before
    pieces: list[tuple[int, int]] = []
    for s, e, follows_quote in spans:
        while s < e and text[s] in _SPACE:
            s += 1
        while e > s and text[e - 1] in _SPACE:
            e -= 1
        if s == e:
            continue
        if pieces and text[s] in _PLAIN_CLOSERS:  # `。 ”` with a space: the closer goes back
            k = last = s
            while k < e and text[k] in _PLAIN_CLOSERS + _SPACE:
                if text[k] in _PLAIN_CLOSERS:
                    last = k + 1  # the sentence ends at its last closer, not on a space after it
                k += 1
            pieces[-1] = (pieces[-1][0], last)
            while k < e and text[k] in _SPACE:
                k += 1
            s = k
            if s == e:
                continue
        if pieces and ((follows_quote and e - s <= _TAIL_CHARS) or not _has_words(text[s:e])):
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    out = []
    for s, e in pieces:
        sentence = text[s:e]
        out.append(Sentence(sentence, paragraph, s, e, _ends(sentence), _balanced(sentence)))
    return out


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    """All sentences of an article body, paragraph by paragraph."""
    out: list[Sentence] = []
    for index, paragraph in enumerate(paragraphs):
        out.extend(split_paragraph(paragraph, index))
    return out
