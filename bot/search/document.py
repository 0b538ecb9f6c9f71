"""What the index holds for one article: token streams per field, its phrase text, its statistics.

The same `IndexDoc` feeds both backends: SQLite's FTS5 table indexes the six token streams,
PostgreSQL stores the distinct tokens as a tsvector plus the weighted term frequencies BM25 needs.
`plain` is one line per field or block of squashed text; a phrase must occur inside one line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.search.tokens import keyword_token, keyword_words, squash, tokens

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


@dataclass
class IndexDoc:
    article_id: int
    streams: dict[str, list[str]]
    plain: str

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


def _tokens_of(texts: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text:
            out.extend(tokens(text))
    return out


def build_doc(article: ArticleText) -> IndexDoc:
    words = keyword_words(article.keywords)
    keyword_stream: list[str] = []
    for word in words:
        marker = keyword_token(word)
        if marker:
            keyword_stream.append(marker)
        keyword_stream.extend(tokens(word))
    streams = {
        "title": _tokens_of([article.title]),
        "lead": _tokens_of([article.kicker, article.subtitle]),
        "headings": _tokens_of(t for kind, t in article.blocks if kind == "heading"),
        "body": _tokens_of(t for kind, t in article.blocks if kind != "heading"),
        "byline": _tokens_of([article.byline]),
        "keywords": keyword_stream,
    }
    texts = [article.title, article.kicker, article.subtitle, *(t for _, t in article.blocks), article.byline, *words]
    lines = [line for line in (squash(t) for t in texts if t) if line]
    return IndexDoc(article.id, streams, "\n".join(lines))
