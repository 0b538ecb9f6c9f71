"""Keeping the search index in step with the store, without callers having to remember it.

`track(sessionmaker)` (called by `Store`) hooks the ORM session: every flush notes which articles
gained, changed or lost indexed text (the article's own fields, its keywords, its blocks), and
just before commit those articles are re-read and re-indexed in the same transaction. Doing it
at commit rather than at flush means keywords set by the summarizer after the first flush are
included, and an article is segmented once per transaction however often it was flushed.
Deletes need no Python at all: `search_docs` rows go with their article by foreign-key cascade
(and SQLite's triggers take the FTS5 rows with them), so a page removed by plain SQL is covered.

Near-duplicates (an `article_duplicates` row: the same story as an earlier article) are left
out of the index, so a search finds each story once; linking or unlinking one re-indexes it.

ORM bulk UPDATEs of articles or blocks are noted too (their rows are looked up before the
update runs). Writes that bypass the ORM altogether (Core or raw SQL updates of article text)
must call `index_articles` for the articles they changed.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.search import postgres, sqlite
from bot.search.document import ArticleText, IndexDoc, build_doc
from bot.store.models import Article, ArticleDuplicate, Block

log = logging.getLogger(__name__)

PENDING = "bot.search.pending"
INDEXED_ATTRS = ("title", "kicker", "subtitle", "byline", "keywords", "kind", "duplicate", "published_on")
BATCH = 500
_ready: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def backend(conn: Connection) -> ModuleType:
    return postgres if conn.dialect.name == "postgresql" else sqlite


def has_index(conn: Connection) -> bool:
    """True once migration 0002 has run on this database (remembered per engine)."""
    if not _ready.get(conn.engine):
        _ready[conn.engine] = inspect(conn).has_table("search_docs")
    return _ready[conn.engine]


# -- reading articles ---------------------------------------------------------------------


def _duplicates(conn: Connection, ids: Sequence[int]) -> set[int]:
    """Those of `ids` that are near-duplicates of an earlier article (migration 0007 on): they are
    not indexed, so a story is found once (its original's card lists where else it ran)."""
    if not inspect(conn).has_table("article_duplicates"):  # asked each time: migrations move both ways
        return set()
    d = ArticleDuplicate.__table__
    return set(conn.execute(select(d.c.article_id).where(d.c.article_id.in_(list(ids)))).scalars())


def load_articles(conn: Connection, ids: Sequence[int]) -> list[ArticleText]:
    a, b = Article.__table__, Block.__table__
    out: dict[int, ArticleText] = {}
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        skip = _duplicates(conn, chunk)
        chunk = [i for i in chunk if i not in skip]
        rows = conn.execute(
            select(a.c.id, a.c.title, a.c.kicker, a.c.subtitle, a.c.byline, a.c.keywords, a.c.published_on).where(
                a.c.id.in_(chunk)
            )
        )
        for r in rows:
            out[r.id] = ArticleText(r.id, r.title or "", r.kicker, r.subtitle, r.byline, [], r.keywords, r.published_on)
        blocks = conn.execute(
            select(b.c.article_id, b.c.type, b.c.text)
            .where(b.c.article_id.in_(chunk))
            .order_by(b.c.article_id, b.c.position)
        )
        for r in blocks:
            if r.article_id in out:
                out[r.article_id].blocks.append((r.type, r.text))
    return [out[i] for i in ids if i in out]


# -- writing ------------------------------------------------------------------------------


def write_docs(conn: Connection, docs: Sequence[IndexDoc]) -> None:
    backend(conn).write_docs(conn, docs)


def index_articles(conn: Connection, ids: Iterable[int]) -> int:
    """(Re)index these articles from the store; ids that no longer exist lose their rows."""
    wanted = sorted({int(i) for i in ids if i is not None})
    done = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        articles = load_articles(conn, chunk)
        present = {a.id for a in articles}
        backend(conn).delete_docs(conn, [i for i in chunk if i not in present])
        write_docs(conn, [build_doc(a) for a in articles])
        done += len(articles)
    return done


def reindex_all(conn: Connection, progress: Callable[[int], None] | None = None) -> int:
    """Index every article (used by migration 0002 and `digestbot reindex`)."""
    ids = list(conn.execute(select(Article.__table__.c.id).order_by(Article.__table__.c.id)).scalars())
    done = 0
    for start in range(0, len(ids), BATCH):
        done += index_articles(conn, ids[start : start + BATCH])
        if progress:
            progress(done)
    return done


def rebuild(conn: Connection, progress: Callable[[int], None] | None = None) -> int:
    """Drop every index row and index all articles again, in the caller's transaction."""
    backend(conn).delete_all(conn)
    return reindex_all(conn, progress)


def check(conn: Connection) -> None:
    backend(conn).check(conn)


# -- following the ORM --------------------------------------------------------------------


def _history_ids(obj: Any, attr: str) -> set[int]:
    hist = inspect(obj).attrs[attr].history
    return {v for v in (*hist.added, *hist.unchanged, *hist.deleted) if v is not None}


def _after_flush(session: Session, _context: Any) -> None:
    pending: set[int] = session.info.setdefault(PENDING, set())
    for obj in session.new:
        if isinstance(obj, Article):
            pending.add(obj.id)
        elif isinstance(obj, Block):
            pending |= _history_ids(obj, "article_id")
    for obj in session.dirty:
        if isinstance(obj, Article):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in (*INDEXED_ATTRS, "blocks")):
                pending.add(obj.id)
        elif isinstance(obj, Block):
            pending |= _history_ids(obj, "article_id")
    for obj in session.deleted:
        if isinstance(obj, Article):
            pending.add(obj.id)
        elif isinstance(obj, Block):
            pending |= _history_ids(obj, "article_id")
    pending.discard(None)  # a new row's id before its flush


def _set_names(stmt: Any, params: Any) -> set[str]:
    names = {getattr(k, "key", k) for k in (getattr(stmt, "_values", None) or {})}
    if isinstance(params, list):
        names |= {k for p in params if isinstance(p, dict) for k in p}
    elif isinstance(params, dict):
        names |= set(params)
    return {str(n) for n in names}


def _on_orm_execute(state: Any) -> None:
    """ORM bulk UPDATEs (`session.execute(update(Article)...)`) skip the flush: note their rows."""
    if not state.is_update:
        return
    stmt = state.statement
    name = getattr(getattr(stmt, "table", None), "name", None)  # ORM statements carry an annotated copy
    a, b = Article.__table__, Block.__table__
    if name == a.name:
        if not _set_names(stmt, state.parameters) & {*INDEXED_ATTRS, "title"}:
            return
        key = a.c.id
    elif name == b.name:
        key = b.c.article_id
    else:
        return
    params = state.parameters
    pending: set[int] = state.session.info.setdefault(PENDING, set())
    conn = state.session.connection()
    if isinstance(params, list) and params and all(isinstance(p, dict) and "id" in p for p in params):
        ids = [p["id"] for p in params]  # bulk update by primary key
        if name == b.name:
            ids = list(conn.execute(select(b.c.article_id).where(b.c.id.in_(ids))).scalars())
        pending.update(ids)
        return
    query = select(key) if stmt.whereclause is None else select(key).where(stmt.whereclause)
    pending.update(conn.execute(query).scalars())


def _before_commit(session: Session) -> None:
    session.flush()  # commit would flush next; do it now so the last changes are noted too
    ids = session.info.pop(PENDING, set())
    if not ids:
        return
    conn = session.connection()
    if not has_index(conn):
        log.debug("search index tables missing (database not migrated to 0002): not indexing")
        return
    index_articles(conn, ids)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)


def track(factory: sessionmaker[Session]) -> None:
    """Hook a session factory so its sessions keep the search index current. Idempotent."""
    # (not event.contains(): its registry is keyed by id(), which a new factory can reuse)
    if getattr(factory, "_bot_search_tracked", False):
        return
    setattr(factory, "_bot_search_tracked", True)  # noqa: B010  (a mark on a foreign object)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_orm_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget)
