"""Search, related articles and corpus keywords: what the bot and the command line call.

Ranking is BM25 with the title boosted (weights in bot.search.document), ties to the newer
article (publication date, then ingest order). When a query matches more than `rank_window`
articles (1,000 by default), the matches are ranked in windows of that size, newest window
first: the best of the latest 1,000 matches come first, then the best of the 1,000 before
those, and so on. Every match still appears exactly once and the total is exact; what is
saved is scoring 100,000 matches of a word like 发展 for one page of five. The exact total of
such a query is counted on a second connection while the window is ranked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, select, text

from bot.db import Store
from bot.models import Article, Block, Page
from bot.search import postgres as pg_backend
from bot.search import sqlite as lite_backend
from bot.search.index import backend, load_articles, rebuild
from bot.search.query import Notice, Plan, Query, Term, any_of_plan, compile_query, parse
from bot.search.snippets import Snippet, highlight, make_snippet
from bot.search.tokens import keyword_key, keyword_token, keyword_words, tokens

DEFAULT_PAGE_SIZE = 5
DEFAULT_SNIPPET_CHARS = 120
RANK_WINDOW = 1000
# Totals of large result sets are counted on a second connection while the ranking runs.
_COUNTER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-count")


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

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.page_size) if self.total else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "terms": [t.to_dict() for t in self.terms],
            "page": self.page,
            "page_size": self.page_size,
            "total": self.total,
            "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
            "notices": [n.to_dict() for n in self.notices],
        }


@contextmanager
def _reading(store: Store) -> Iterator[Connection]:
    """One consistent snapshot for the ranking and the hit details (a large total is counted
    beside it, on its own connection)."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _count_apart(store: Store, be: ModuleType, plan: Plan) -> int:
    with store.engine.connect() as conn:
        return be.count(conn, plan)


def _counter(store: Store, plan: Plan) -> Callable[[Connection], int]:
    """How to get the total: started now on its own connection when the database is one that a
    second connection sees (a file or a server, not SQLite's private :memory:), else counted on
    demand. Small result sets never ask: their only window tells the total."""
    url = store.engine.url
    in_memory = (url.database or ":memory:") == ":memory:" or "mode=memory" in str(url)
    shared = store.dialect == "postgresql" or not in_memory
    be = pg_backend if store.dialect == "postgresql" else lite_backend
    if not shared:
        return lambda conn: be.count(conn, plan)
    future = _COUNTER.submit(_count_apart, store, be, plan)
    return lambda _conn: future.result()


def _ranked(
    conn: Connection,
    be: ModuleType,
    plan: Plan,
    offset: int,
    limit: int,
    window: int,
    count: Callable[[Connection], int] | None = None,
) -> tuple[list[tuple[int, float, str | None]], int]:
    """Rows offset..offset+limit of the ranked matches, and the total number of matches."""
    picked: list[tuple[int, float, str | None]] = []
    total: int | None = None
    w, skip = divmod(offset, window)
    while True:
        rows, size = be.ranked(conn, plan, w * window, window, skip, limit - len(picked))
        if w == 0 and size < window:
            total = size
        picked += rows
        if len(picked) >= limit or size < window:
            break
        w, skip = w + 1, 0
    if total is None:
        total = count(conn) if count else be.count(conn, plan)
    return picked, total


def _hits(
    conn: Connection,
    rows: Sequence[tuple[int, float, str | None]],
    keys: Sequence[str],
    snippet_chars: int,
) -> list[Hit]:
    if not rows:
        return []
    a, p, b = Article.__table__, Page.__table__, Block.__table__
    ids = [r[0] for r in rows]
    details = {
        r.id: r
        for r in conn.execute(
            select(
                a.c.id,
                a.c.title,
                a.c.kind,
                a.c.byline,
                a.c.kicker,
                a.c.subtitle,
                a.c.keywords,
                a.c.published_on,
                p.c.source,
            )
            .join(p, p.c.id == a.c.page_id)
            .where(a.c.id.in_(ids))
        )
    }
    texts: dict[int, list[str]] = {i: [] for i in ids}
    lead: dict[int, int] = {}
    for r in conn.execute(
        select(b.c.article_id, b.c.type, b.c.text).where(b.c.article_id.in_(ids)).order_by(b.c.article_id, b.c.position)
    ):
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
) -> SearchResult:
    """One page of ranked hits for what a user typed. Raises only QueryError (for the user)."""
    parsed: Query = parse(query)
    plan = compile_query(parsed)
    page_size = max(1, int(page_size))
    page = max(1, int(page))
    window = max(1, int(rank_window))
    count = _counter(store, plan)
    with _reading(store) as conn:
        be = backend(conn)
        rows, total = _ranked(conn, be, plan, (page - 1) * page_size, page_size, window, count)
        last = max(1, math.ceil(total / page_size))
        if page > last:  # a stale ▶ after the results shrank: show the last page instead
            page = last
            rows, total = _ranked(conn, be, plan, (page - 1) * page_size, page_size, window, count)
        hits = _hits(conn, rows, parsed.highlight_keys(), snippet_chars)
    return SearchResult(query, parsed.terms, page, page_size, total, hits, parsed.notices)


# -- related articles ---------------------------------------------------------------------

RELATED_BODY_TERMS = 10


def _related_terms(title: str, blocks: Sequence[tuple[str, str]], words: Sequence[str]) -> tuple[list[str], list[str]]:
    """(keyword markers, other terms): the article's keywords first; then the tokens of its
    keywords and title, or without keywords its title's and body's most frequent tokens (two
    characters or more)."""
    markers = [m for m in (keyword_token(w) for w in words) if m]
    terms = [t for w in words for t in tokens(w) if len(t) > 1]
    terms += [t for t in tokens(title) if len(t) > 1]
    if not words:
        counts = Counter(t for _, body in blocks for t in tokens(body) if len(t) > 1)
        terms += [t for t, _ in counts.most_common(RELATED_BODY_TERMS)]
    return markers, terms


def related(
    store: Store,
    article_id: int,
    n: int = 5,
    *,
    snippet_chars: int = DEFAULT_SNIPPET_CHARS,
    rank_window: int = RANK_WINDOW,
) -> list[Hit]:
    """Articles related to this one, best first: those sharing its keywords (BM25 over the shared
    keywords, so two shared rare keywords beat one common one), then, to fill `n`, those sharing
    terms of its keywords and title (or, for an article without keywords, of its title and most
    frequent body words). Raises LookupError for an unknown id."""
    with _reading(store) as conn:
        found = load_articles(conn, [article_id])
        if not found:
            raise LookupError(f"no article with id {article_id}")
        article = found[0]
        words = keyword_words(article.keywords)
        markers, terms = _related_terms(article.title, article.blocks, words)
        be, window = backend(conn), max(1, rank_window)
        rows: list[tuple[int, float, str | None]] = []
        for group in (markers, terms):
            if len(rows) >= n or not group:
                continue
            plan = any_of_plan(group, exclude_ids=[article_id, *(r[0] for r in rows)])
            more, _ = _ranked(conn, be, plan, 0, n - len(rows), window, count=lambda _conn: -1)  # no total needed
            rows += more
        mine = {keyword_key(w): w for w in words}
        hits = _hits(conn, rows, list(mine), snippet_chars)
    for hit in hits:
        theirs = {keyword_key(w) for w in hit.keywords}
        hit.shared_keywords = [w for k, w in mine.items() if k in theirs]
    return hits


# -- keywords across the corpus -----------------------------------------------------------

_KEYWORDS_SQL = {
    "sqlite": """
        SELECT word, count(*) AS n FROM (
          SELECT DISTINCT a.id AS id,
                 CASE je.type WHEN 'object' THEN json_extract(je.value, '$.word')
                              WHEN 'text' THEN je.value END AS word
          FROM articles a, json_each(CASE WHEN json_valid(a.keywords) AND json_type(a.keywords) = 'array'
                                          THEN a.keywords ELSE '[]' END) je
          WHERE a.keywords IS NOT NULL {since}
        ) k
        WHERE word IS NOT NULL AND trim(word) <> ''
        GROUP BY word ORDER BY n DESC, word LIMIT :top
    """,
    "postgresql": """
        SELECT word, count(*) AS n FROM (
          SELECT DISTINCT a.id AS id,
                 CASE json_typeof(e) WHEN 'object' THEN e ->> 'word' WHEN 'string' THEN e #>> '{{}}' END AS word
          FROM articles a
          CROSS JOIN LATERAL json_array_elements(
              CASE WHEN json_typeof(a.keywords) = 'array' THEN a.keywords ELSE '[]'::json END) e
          WHERE a.keywords IS NOT NULL {since}
        ) k
        WHERE word IS NOT NULL AND btrim(word) <> ''
        GROUP BY word ORDER BY n DESC, word COLLATE "C" LIMIT :top
    """,
}
_SINCE = "AND (a.published_on >= :since_day OR (a.published_on IS NULL AND a.ingested_at >= :since_time))"


def top_keywords(store: Store, top: int = 10, since: date | None = None) -> list[tuple[str, int]]:
    """The most frequent article keywords (articles per keyword), most frequent first, ties by
    word. `since`: only articles published on or after that day (by ingest time when the page
    had no date)."""
    dialect = "postgresql" if store.dialect == "postgresql" else "sqlite"
    params: dict[str, Any] = {"top": max(0, int(top))}
    if since is not None:
        midnight = datetime(since.year, since.month, since.day, tzinfo=UTC)
        if dialect == "sqlite":  # stored as ISO text by SQLAlchemy
            params.update(since_day=since.isoformat(), since_time=midnight.strftime("%Y-%m-%d %H:%M:%S.%f"))
        else:
            params.update(since_day=since, since_time=midnight)
    sql = _KEYWORDS_SQL[dialect].format(since=_SINCE if since is not None else "")
    with store.engine.connect() as conn:
        return [(str(w), int(n)) for w, n in conn.execute(text(sql), params)]


# -- maintenance --------------------------------------------------------------------------


def rebuild_index(store: Store, progress: Callable[[int], None] | None = None) -> int:
    """Index every article again from scratch (after changing tokenisation or weights)."""
    with store.engine.begin() as conn:
        return rebuild(conn, progress)
