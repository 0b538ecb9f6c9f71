"""Text normalisation and search tokens, shared by the index writer, the query parser and snippets.

Both sides of a look-up go through the same three steps, so what is indexed and what is asked
for always agree:

* `normalize`: NFC, then per character NFKC (full-width -> half-width, ① -> 1), lower case;
  everything that is not a letter, digit or combining mark (punctuation, symbols, emoji,
  control characters, spaces) becomes a single space;
* `tokens`: jieba's search mode (every word plus the dictionary words inside it, so 机器人
  also yields 机器) over the normalised text, with jieba's HMM off: new-word guessing depends on
  the surrounding text, and a query must segment the way the article did; runs of single
  characters (unknown names) add their character pairs instead;
* `squash`: the normalised text with the spaces removed, the form in which a phrase must occur.

Keyword markers (`§` + the squashed keyword) live only in the keywords field; `§` is punctuation,
so no typed query can produce one except through `#keyword`.
"""

from __future__ import annotations

import unicodedata

from bot.nlp.segment import search_words
from bot.nlp.segment import words as segment_words

MAX_TOKEN_CHARS = 64  # longer runs (URLs, base64, long Latin words) are cut, at index and query time
KEYWORD_MARK = "§"


class _CharTable(dict[int, str]):
    """str.translate table, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        out = []
        for ch in unicodedata.normalize("NFKC", chr(code)).lower():
            out.append(ch if unicodedata.category(ch)[0] in "LNM" else " ")
        value = "".join(out)
        self[code] = value
        return value


class _AlignedTable(dict[int, str]):
    """The same folding with one character out for each character in: what folds to spaces only
    (punctuation, and … which NFKC makes ...) is one space. `several` holds the characters that
    fold to more than one letter (NFKC: ㈱ -> (株), ﬁ -> fi), which cannot be aligned."""

    def __init__(self) -> None:
        super().__init__()
        self.several: set[str] = set()

    def __missing__(self, code: int) -> str:
        value = _TABLE[code]
        if not value.strip():
            value = " "
        elif len(value) != 1:
            self.several.add(chr(code))
        self[code] = value
        return value


_TABLE = _CharTable()
_ALIGNED = _AlignedTable()


def fold_char(ch: str) -> str:
    """One character's normalised form: '' or spaces for punctuation, else its folded letters."""
    return _TABLE[ord(ch)].replace(" ", "")


def fold_aligned(text: str) -> str | None:
    """Per-character folding with punctuation and spaces as one space each, so that character i
    of the result comes from character i of `text` (removing the spaces gives `fold`); None
    when some character folds to several letters."""
    spaced = text.translate(_ALIGNED)
    if _ALIGNED.several and not _ALIGNED.several.isdisjoint(text):
        return None
    return spaced


def fold(text: str) -> str:
    """Per-character folding without NFC or space handling: what snippets search in."""
    return text.translate(_TABLE).replace(" ", "")


def normalize(text: str) -> str:
    """Lower-cased, half-width letters and digits, runs of anything else as one space."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).translate(_TABLE).split())


def squash(text: str) -> str:
    """The normalised text without spaces: how phrases are compared."""
    return normalize(text).replace(" ", "")


def tokens(text: str) -> list[str]:
    """jieba search-mode tokens of the normalised text, in order, repeats kept.

    Where jieba knows no word and falls back to single characters (names such as 沈东, 大寰),
    each adjacent pair (spaces and punctuation aside) is added as a token too: a two-character
    name is then one token, found through the index alone, the same way at index and query time."""
    norm = normalize(text)
    if not norm:
        return []
    out: list[str] = []
    seen: dict[str, str] = {}  # one string object per distinct token: a long text stays small
    previous = ""  # the single character just emitted, if the last token was one
    for tok in search_words(norm):
        if tok.isspace():  # punctuation does not break a pair: 点“绿” pairs like 点绿
            continue
        tok = tok[:MAX_TOKEN_CHARS]
        out.append(seen.setdefault(tok, tok))
        if len(tok) == 1:
            if previous:
                pair = previous + tok
                out.append(seen.setdefault(pair, pair))
            previous = tok
        else:
            previous = ""
    return out


def query_tokens(text: str) -> list[str]:
    """The tokens a query term is looked up by: jieba's words (precise mode, no sub-words),
    with runs of single characters replaced by their pairs - a subset of what `tokens` gives
    the same text, so fewer index look-ups and BM25 terms for the same matches."""
    norm = normalize(text)
    if not norm:
        return []
    out: list[str] = []
    run: list[str] = []
    words = [w[:MAX_TOKEN_CHARS] for w in segment_words(norm, hmm=False) if not w.isspace()]
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) == 1:
            out.append(run[0])
        out.extend(a + b for a, b in zip(run, run[1:], strict=False))
        run = []
        if word:
            out.append(word)
    return out


def keyword_key(word: str) -> str:
    return squash(word)


def keyword_token(word: str) -> str | None:
    """The marker token for an article keyword (None if the keyword has no letters or digits)."""
    key = keyword_key(word)
    return (KEYWORD_MARK + key)[:MAX_TOKEN_CHARS] if key else None
