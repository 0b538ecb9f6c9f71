"""What the index holds for one article: token streams per field, its phrase text, its statistics.

The same `IndexDoc` feeds both backends: SQLite's FTS5 table indexes the six token streams,
PostgreSQL stores the distinct tokens as a tsvector plus the weighted term frequencies BM25 needs.
`plain` is one line per field or block of squashed text; a phrase must occur inside one line,
so every three-character piece of it (`trigrams`) is among the article's. `day` (publication
date) is kept beside the index for the recency tie-break.
Text past the first MAX_INDEX_CHARS characters of an article is not indexed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.search.tokens import keyword_token, squash, tokens
from bot.store.articles import keyword_words

# An article's text is indexed up to this many characters, as summaries read it (bot.nlp.summarizer
# MAX_CHARS): a book-length "article" costs the index what 100 pages do, not 5 MB of tokens.
MAX_INDEX_CHARS = 200_000

# Indexed fields in FTS5 column order, with their BM25 weights (the title is boosted).
FIELDS: tuple[str, ...] = ("title", "lead", "headings", "body", "byline", "keywords")
WEIGHTS: dict[str, float] = {
    "title": 10.0,
    "lead": 4.0,
    "headings": 3.0,
    "body": 1.0,
    "byline": 3.0,
    "keywords": 3.0,
}


@dataclass
class ArticleText:
    """The parts of an article the index reads (from the store or from a test)."""

    id: int
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (type, text) in order
    keywords: object = None  # the raw JSON column
    published_on: date | None = None


@dataclass
class IndexDoc:
    article_id: int
    streams: dict[str, list[str]]
    plain: str
    day: date | None = None

    @property
    def doc_len(self) -> int:
        """Token count over all fields: FTS5's document length, kept for PostgreSQL."""
        return sum(len(s) for s in self.streams.values())

    def field_text(self, name: str) -> str:
        return " ".join(self.streams[name])

    def term_set(self) -> set[str]:
        return {t for s in self.streams.values() for t in s}

    def weighted_tf(self) -> dict[str, float]:
        """term -> sum over fields of weight * occurrences (FTS5 bm25's per-phrase frequency)."""
        out: dict[str, float] = {}
        for name, stream in self.streams.items():
            w = WEIGHTS[name]
            for term, n in Counter(stream).items():
                out[term] = out.get(term, 0.0) + w * n
        return out

    def lines(self) -> list[str]:
        return self.plain.split("\n") if self.plain else []

    def trigrams(self) -> set[str]:
        """Every three-character piece of every line: a phrase of 3+ characters occurs only where
        all of its own are present."""
        return {line[i : i + 3] for line in self.lines() for i in range(len(line) - 2)}


def _tokens_of(texts: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text:
            out.extend(tokens(text))
    return out


def _capped(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The blocks up to MAX_INDEX_CHARS characters of text (a longer one is cut there)."""
    out, total = [], 0
    for kind, text in blocks:
        if total + len(text) > MAX_INDEX_CHARS:
            out.append((kind, text[: MAX_INDEX_CHARS - total]))
            break
        out.append((kind, text))
        total += len(text)
    return out


def build_doc(article: ArticleText) -> IndexDoc:
    words = keyword_words(article.keywords)
    blocks = _capped(article.blocks)
    keyword_stream: list[str] = []
    for word in words:
        marker = keyword_token(word)
        if marker:
            keyword_stream.append(marker)
        keyword_stream.extend(tokens(word))
    streams = {
        "title": _tokens_of([article.title]),
        "lead": _tokens_of([article.kicker, article.subtitle]),
        "headings": _tokens_of(t for kind, t in blocks if kind == "heading"),
        "body": _tokens_of(t for kind, t in blocks if kind != "heading"),
        "byline": _tokens_of([article.byline]),
        "keywords": keyword_stream,
    }
    texts = [article.title, article.kicker, article.subtitle, *(t for _, t in blocks), article.byline, *words]
    lines = [line for line in (squash(t) for t in texts if t) if line]
    return IndexDoc(article.id, streams, "\n".join(lines), article.published_on)
