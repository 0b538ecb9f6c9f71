"""Snippets: a short window of an article around its best match, with the matches marked.

Matching is done on the normalised form of each character (case, width and punctuation
folded, as in the index), and the marks are put back on the original text, so 武高新点“绿”成金
is marked whole when the query was 武高新点绿成金. A snippet is a tuple of (text, is_match)
parts: the bot HTML-escapes each part and bolds the matches; `marked()` gives a plain string
with ** around matches for the command line and JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.search.tokens import fold, fold_aligned, fold_char

ELLIPSIS = "…"
SENTENCE_ENDS = "。！？!?；;"
CLAUSE_ENDS = "，,、；;：:"


@dataclass(frozen=True)
class Snippet:
    parts: tuple[tuple[str, bool], ...] = ()

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)

    def marked(self, start: str = "**", end: str = "**") -> str:
        return "".join(f"{start}{t}{end}" if m else t for t, m in self.parts)

    def to_list(self) -> list[list[object]]:
        return [[t, m] for t, m in self.parts]

    def __len__(self) -> int:
        return len(self.text)


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """The squashed form of `text` and, for each of its characters, the index it came from."""
    spaced = fold_aligned(text)
    if spaced is not None:  # one character (or a space) for each: the common case, done in C
        squashed = spaced.replace(" ", "")
        if len(squashed) == len(text):
            return squashed, range(len(text))
        return squashed, [i for i, ch in enumerate(spaced) if ch != " "]
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):  # some character folds to several (NFKC: ㈱ -> (株))
        folded = fold_char(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    return "".join(chars), origin


def find_spans(text: str, keys: Sequence[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, key) spans of `text` whose folded form equals a key, longest
    keys first, in text order."""
    keys = sorted({k for k in keys if k}, key=len, reverse=True)
    if not keys or not text:
        return []
    squashed, origin = _folded(text)
    taken = bytearray(len(squashed))
    found: list[tuple[int, int, str]] = []
    for key in keys:
        at = squashed.find(key)
        while at != -1:
            end = at + len(key)
            if not any(taken[at:end]):
                taken[at:end] = b"\x01" * len(key)
                found.append((origin[at], origin[end - 1] + 1, key))
            at = squashed.find(key, at + 1)
    found.sort()
    return found


def _parts(text: str, spans: list[tuple[int, int, str]], lo: int, hi: int) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    pos = lo
    for start, end, _ in spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end or start < pos:
            continue
        if start > pos:
            parts.append((text[pos:start], False))
        parts.append((text[start:end], True))
        pos = end
    if pos < hi:
        parts.append((text[pos:hi], False))
    return parts


def highlight(text: str, keys: Sequence[str]) -> Snippet:
    """The whole text with matches marked (titles)."""
    return Snippet(tuple(_merge(_parts(text, find_spans(text, keys), 0, len(text)))))


def _best_window(text: str, spans: list[tuple[int, int, str]], size: int) -> int:
    lead = size // 5
    best: tuple[int, int, int] | None = None
    best_start = 0
    for first, _, _ in spans:
        start = max(0, first - lead)
        inside = [s for s in spans if s[0] >= start and s[1] <= start + size]
        score = (len({s[2] for s in inside}), len(inside), -start)
        if best is None or score > best:
            best, best_start = score, start
    # begin at a sentence start when one is close before the first match, else at a clause
    # start, so a snippet does not open in the middle of a word (…本根据法规 for 原本根据法规)
    first_match = next((s[0] for s in spans if s[0] >= best_start), best_start)
    for ends in (SENTENCE_ENDS, CLAUSE_ENDS):
        cut = max(text.rfind(ch, best_start, first_match) for ch in ends)
        if cut >= 0:
            return cut + 1
    return best_start


def make_snippet(texts: Sequence[str], keys: Sequence[str], max_chars: int = 120, lead: int = 0) -> Snippet:
    """A window of at most `max_chars` characters (ellipses included) from the block with the
    most distinct matches; block `lead` (the first paragraph) when nothing matches."""
    blocks = [" ".join(t.split()) for t in texts]
    if not any(blocks):
        return Snippet()
    wanted = [k for k in keys if k]
    first = blocks[lead] if 0 <= lead < len(blocks) and blocks[lead] else next(b for b in blocks if b)
    best_block, best_score = first, (0, 0)
    for block in blocks:  # the block with the most distinct keys, then the most matches
        if not block:
            continue
        squashed = fold(block)
        counts = [squashed.count(k) for k in wanted]
        score = (sum(1 for c in counts if c), sum(counts))
        if score > best_score:
            best_block, best_score = block, score
    text = best_block
    spans = find_spans(text, wanted) if best_score[0] else []
    if len(text) <= max_chars:
        return Snippet(tuple(_merge(_parts(text, spans, 0, len(text)))))
    start = _best_window(text, spans, max_chars - 2) if spans else 0
    budget = max_chars - (1 if start > 0 else 0)
    end = min(len(text), start + budget)
    if end < len(text):
        end -= 1  # room for the trailing ellipsis
    parts = _parts(text, spans, start, end)
    if start > 0:
        parts.insert(0, (ELLIPSIS, False))
    if end < len(text):
        parts.append((ELLIPSIS, False))
    return Snippet(tuple(_merge(parts)))


def _merge(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for t, m in parts:
        if out and out[-1][1] == m:
            out[-1] = (out[-1][0] + t, m)
        else:
            out.append((t, m))
    return out
