"""Search: one page of ranked hits for what a user typed, as the bot and the command line show it.

Ranking is BM25 with the title boosted (weights in bot.search.document), scores kept to four
decimals (bot.search.query.QUANTA: a word in more than half of all articles gets FTS5's idf
of 1e-6, so its score is noise below that); equal scores go to the article with a query word
in its title, then to the newer article (publication date, then ingest order). The backends
do the ordering (bot.search.sqlite, bot.search.postgres) and agree on it; a hit's `score` is
the kept one.

When a query matches more than `rank_window` articles (300 by default), the matches are
ranked in windows of that size, newest window first: the best of the latest 300 matches come
first, then the best of the 300 before those, and so on. Every match still appears exactly
once; what is saved is scoring 100,000 matches of a word like 发展 for one page of five (and
most of the time of a search is scoring its window). Such a query's matches are counted up
to `total_cap` (1,000) only: beyond, the result says "at least 1,000" (`total_capped`), which
becomes exact once paging reaches the last window (or with `exact_total=True`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, bindparam, select

from bot.search.index import backend, rebuild
from bot.search.query import Notice, Plan, Query, Term, compile_query, parse
from bot.search.snippets import Snippet, highlight, make_snippet
from bot.store.articles import keyword_words
from bot.store.db import Store
from bot.store.models import Article, Block, Page

DEFAULT_PAGE_SIZE = 5
DEFAULT_SNIPPET_CHARS = 120
RANK_WINDOW = 300  # matches ranked together, newest first
TOTAL_CAP = 1000  # matches counted at most (beyond: "1000+")
Row = tuple[int, float, str | None]  # (article id, score (higher is better), publication date)


@dataclass
class Hit:
    id: int
    title: str
    kind: str
    byline: str | None
    published_on: str | None
    source: str
    score: float
    snippet: Snippet
    title_parts: Snippet
    keywords: list[str] = field(default_factory=list)
    shared_keywords: list[str] = field(default_factory=list)  # related(): keywords in common

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "byline": self.byline,
            "published_on": self.published_on,
            "source": self.source,
            "score": float(f"{self.score:.6g}"),
            "snippet": self.snippet.marked(),
            "snippet_parts": self.snippet.to_list(),
            "title_parts": self.title_parts.to_list(),
            "keywords": self.keywords,
            "shared_keywords": self.shared_keywords,
        }


@dataclass
class SearchResult:
    query: str
    terms: tuple[Term, ...]
    page: int
    page_size: int
    total: int
    hits: list[Hit]
    notices: tuple[Notice, ...] = ()
    total_capped: bool = False  # True: `total` is a lower bound ("1000+"), more may follow

    @property
    def pages(self) -> int:
        """Pages of results (a lower bound too when the total is capped)."""
        return math.ceil(self.total / self.page_size) if self.total else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.total_capped and self.page == self.pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "terms": [t.to_dict() for t in self.terms],
            "page": self.page,
            "page_size": self.page_size,
            "total": self.total,
            "total_capped": self.total_capped,
            "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
            "notices": [n.to_dict() for n in self.notices],
        }


@contextmanager
def _reading(store: Store) -> Iterator[Connection]:
    """One consistent snapshot for the ranking and the hit details."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _page(
    conn: Connection, be: ModuleType, plan: Plan, offset: int, limit: int, window: int
) -> tuple[list[Row], int | None, bool]:
    """Rows offset..offset+limit of the ranked matches, the total and whether it is capped.

    The total is exact when the windows read include the last (a window with room to spare);
    otherwise it is a lower bound (every match up to the end of the last window read) and
    capped. None: the offset lies past the last match, so the windows say nothing."""
    picked: list[Row] = []
    w, skip = divmod(offset, window)
    after_full = w == 0  # the window before this one is known to be full (or there is none)
    while True:
        rows, size = be.ranked(conn, plan, w * window, window, skip, limit - len(picked))
        picked += rows
        if size < window:
            return picked, (w * window + size if size or after_full else None), False
        if len(picked) >= limit:
            return picked, (w + 1) * window, True
        w, skip, after_full = w + 1, 0, True


def _ranked(
    conn: Connection,
    be: ModuleType,
    plan: Plan,
    offset: int,
    limit: int,
    window: int,
    count: Callable[[Connection], int] | None = None,
) -> tuple[list[Row], int]:
    """Rows offset..offset+limit of the ranked matches, and the exact number of matches
    (from `count`, or counted, when the windows read do not tell it)."""
    rows, total, capped = _page(conn, be, plan, offset, limit, window)
    if total is None or capped:
        total = count(conn) if count else be.count(conn, plan)
    return rows, total


_A, _P, _B = Article.__table__, Page.__table__, Block.__table__
_DETAILS = (  # built once: what a hit shows
    select(
        _A.c.id,
        _A.c.title,
        _A.c.kind,
        _A.c.byline,
        _A.c.kicker,
        _A.c.subtitle,
        _A.c.keywords,
        _A.c.published_on,
        _P.c.source,
    )
    .join(_P, _P.c.id == _A.c.page_id)
    .where(_A.c.id.in_(bindparam("ids", expanding=True)))
)
_BLOCKS = (
    select(_B.c.article_id, _B.c.type, _B.c.text)
    .where(_B.c.article_id.in_(bindparam("ids", expanding=True)))
    .order_by(_B.c.article_id, _B.c.position)
)


def _hits(
    conn: Connection,
    rows: Sequence[Row],
    keys: Sequence[str],
    snippet_chars: int,
) -> list[Hit]:
    if not rows:
        return []
    ids = [r[0] for r in rows]
    details = {r.id: r for r in conn.execute(_DETAILS, {"ids": ids})}
    texts: dict[int, list[str]] = {i: [] for i in ids}
    lead: dict[int, int] = {}
    for r in conn.execute(_BLOCKS, {"ids": ids}):
        if r.type == "paragraph" and r.article_id not in lead:
            lead[r.article_id] = len(texts[r.article_id])
        texts[r.article_id].append(r.text)
    hits = []
    for article_id, score, _ in rows:
        d = details.get(article_id)
        if d is None:  # deleted between ranking and now (not possible inside one snapshot)
            continue
        body = texts[article_id] or [t for t in (d.subtitle, d.kicker) if t]
        hits.append(
            Hit(
                id=d.id,
                title=d.title or "",
                kind=d.kind,
                byline=d.byline,
                published_on=d.published_on.isoformat() if d.published_on else None,
                source=d.source,
                score=score,
                snippet=make_snippet(body, keys, snippet_chars, lead.get(article_id, 0)),
                title_parts=highlight(d.title or "", keys),
                keywords=keyword_words(d.keywords),
            )
        )
    return hits


def search(
    store: Store,
    query: str,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    *,
    snippet_chars: int = DEFAULT_SNIPPET_CHARS,
    rank_window: int = RANK_WINDOW,
    total_cap: int = TOTAL_CAP,
    exact_total: bool = False,
) -> SearchResult:
    """One page of ranked hits for what a user typed. Raises only QueryError (for the user).

    The total is exact up to `total_cap` matches; beyond, it is "at least" (`total_capped`)
    unless `exact_total`, which counts every match."""
    parsed: Query = parse(query)
    query = parsed.text  # what no store or message can hold already replaced (usable_text)
    plan = compile_query(parsed)
    page_size = max(1, int(page_size))
    page = max(1, int(page))
    window = max(1, int(rank_window))
    with _reading(store) as conn:
        be = backend(conn)
        rows, total, capped = _page(conn, be, plan, (page - 1) * page_size, page_size, window)
        if total is None or (capped and exact_total):
            total, capped = be.count(conn, plan), False
        elif capped and total < total_cap:  # count on, up to the cap
            total = be.count(conn, plan, limit=total_cap + 1)
            total, capped = (total_cap, True) if total > total_cap else (total, False)
        last = max(1, math.ceil(total / page_size))
        if not capped and page > last:  # a stale ▶ after the results shrank: show the last page instead
            page = last
            rows, _, _ = _page(conn, be, plan, (page - 1) * page_size, page_size, window)
        hits = _hits(conn, rows, parsed.highlight_keys(), snippet_chars)
    return SearchResult(query, parsed.terms, page, page_size, total, hits, parsed.notices, capped)


# -- maintenance --------------------------------------------------------------------------


def rebuild_index(store: Store, progress: Callable[[int], None] | None = None) -> int:
    """Index every article again from scratch (after changing tokenisation or weights)."""
    with store.engine.begin() as conn:
        return rebuild(conn, progress)
