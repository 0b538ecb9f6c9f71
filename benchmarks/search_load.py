"""Loading a benchmark corpus into a store (and a tantivy index), and the stores' sizes.

Rows go in with bulk INSERTs (one transaction per batch of 2,000 articles, no ORM); the index
rows are built by bot.search (jieba, the same code as at ingest) in worker processes and written
through the backend's own writer, so triggers, FTS5 and the GIN index do the real work; then
FTS5 segments are merged (SQLite) or VACUUM ANALYZE runs (PostgreSQL).
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bot.nlp.segment import tokenizer
from bot.search import postgres as pg_backend
from bot.search import sqlite as lite_backend
from bot.search.document import ArticleText, IndexDoc, build_doc
from bot.store.db import Store, open_store
from bot.store.models import Article, Block, Page

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / ".bench"
BATCH = 2000

_CORPUS: Any = None


def _init_worker(corpus: Any) -> None:
    global _CORPUS
    _CORPUS = corpus
    tokenizer()


def _docs(start: int, end: int) -> Iterator[IndexDoc]:
    for i in range(start, end):
        a = _CORPUS.article(i)
        text = ArticleText(a["id"], a["title"], a["kicker"], a["subtitle"], a["byline"], a["blocks"], a["keywords"])
        text.published_on = a["published_on"]
        yield build_doc(text)


def _index_rows(job: tuple[tuple[str, ...], int, int]) -> dict[str, list[dict[str, Any]]]:
    """Worker: the index rows of articles start..end-1 for each target (postgresql, sqlite,
    tantivy), built with bot.search's own code from one segmentation."""
    kinds, start, end = job
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for doc in _docs(start, end):
        for kind in kinds:
            if kind == "tantivy":
                from search_tantivy import doc_fields

                out[kind].append(doc_fields(doc))
            else:
                out[kind].append((pg_backend if kind == "postgresql" else lite_backend).doc_row(doc))
    return out


def _data_rows(start: int, end: int, corpus: Any) -> tuple[list[dict], list[dict], list[dict]]:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    pages, articles, blocks = [], [], []
    for i in range(start, end):
        a = corpus.article(i)
        page_id = (i - 1) // 8 + 1
        if (i - 1) % 8 == 0:
            pages.append(
                {
                    "id": page_id,
                    "source": f"bench/page-{page_id:06d}.txt",
                    "content_hash": hashlib.sha256(str(page_id).encode()).hexdigest(),
                    "published_on": a["published_on"],
                    "ingested_at": now,
                    "updated_at": now,
                }
            )
        articles.append(
            {
                "id": i,
                "page_id": page_id,
                "position": (i - 1) % 8,
                "kind": "article",
                "title": a["title"],
                "kicker": a["kicker"],
                "subtitle": a["subtitle"],
                "byline": a["byline"],
                "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                "published_on": a["published_on"],
                "ingested_at": now,
                "updated_at": now,
                "keywords": a["keywords"],
            }
        )
        blocks += [
            {"article_id": i, "position": n, "type": kind, "text": body} for n, (kind, body) in enumerate(a["blocks"])
        ]
    return pages, articles, blocks


def _jobs(kinds: tuple[str, ...], start: int, end: int, workers: int) -> list[tuple[tuple[str, ...], int, int]]:
    step = max(1, (end - start) // (workers * 4))
    return [(kinds, s, min(end, s + step)) for s in range(start, end, step)]


def _finish(store: Store) -> None:
    if store.dialect == "sqlite":
        with store.engine.begin() as conn:
            lite_backend.optimize(conn)
            conn.exec_driver_sql("ANALYZE")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def _insert(store: Store, start: int, end: int, corpus: Any) -> None:
    pages, articles, blocks = _data_rows(start, end, corpus)
    with store.engine.begin() as conn:
        if pages:
            conn.execute(insert(Page.__table__), pages)
        conn.execute(insert(Article.__table__), articles)
        conn.execute(insert(Block.__table__), blocks)


def load(stores: list[Store], tantivy: Any, size: int, corpus: Any, workers: int) -> dict[str, dict[str, float]]:
    """Load articles 1..size into each store (and the tantivy index, if given), segmenting each
    article once for all of them. Returns the seconds spent per store and step; segmentation
    is counted in full for each, as if it had been loaded alone."""
    kinds = tuple(s.dialect for s in stores) + (("tantivy",) if tantivy is not None else ())
    t: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    writer = tantivy.writer() if tantivy is not None else None
    with mp.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(corpus,)) as pool:
        for start in range(1, size + 1, BATCH):
            end = min(size + 1, start + BATCH)
            for store in stores:
                t0 = time.perf_counter()
                _insert(store, start, end, corpus)
                t[store.dialect]["insert"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            parts = pool.map(_index_rows, _jobs(kinds, start, end, workers))
            seconds = time.perf_counter() - t0
            for kind in kinds:
                t[kind]["segment"] += seconds
            for store in stores:
                t0 = time.perf_counter()
                with store.engine.begin() as conn:
                    be = pg_backend if store.dialect == "postgresql" else lite_backend
                    be.write_rows(conn, [r for part in parts for r in part[store.dialect]])
                t[store.dialect]["index"] += time.perf_counter() - t0
            if writer is not None:
                t0 = time.perf_counter()
                tantivy.add(writer, [r for part in parts for r in part["tantivy"]])
                t["tantivy"]["index"] += time.perf_counter() - t0
            print(f"\r  loaded {end - 1:,}/{size:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    for store in stores:
        t0 = time.perf_counter()
        _finish(store)
        t[store.dialect]["finish"] = time.perf_counter() - t0
    if writer is not None:
        t0 = time.perf_counter()
        tantivy.commit(writer)
        t["tantivy"]["finish"] = time.perf_counter() - t0
    return {k: dict(v) for k, v in t.items()}


# -- sizes -------------------------------------------------------------------------------


def _sqlite_sizes(conn: Any) -> dict[str, float]:
    owner = dict(conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master").all())
    out: Counter[str] = Counter()
    for name, size in conn.exec_driver_sql("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        table = owner.get(name, name)
        if table.startswith("search_tri"):
            out["trigram index"] += size
        elif table.startswith("search_fts"):
            out["token index"] += size
        elif table.startswith("search_"):
            out[table] += size
        elif table in ("articles", "blocks", "pages"):
            out["articles+blocks"] += size
    return dict(out)


def _postgres_sizes(conn: Any) -> dict[str, float]:
    tables = [
        r[0]
        for r in conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'search%'")
        )
    ]
    out: dict[str, float] = {}
    for table in sorted(tables):
        out[table] = float(conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar() or 0)
    gin = conn.execute(text("SELECT pg_relation_size('ix_search_docs_terms')")).scalar() or 0
    out["search_docs"] -= gin
    out["GIN index"] = float(gin)
    data = "pg_total_relation_size('articles') + pg_total_relation_size('blocks') + pg_total_relation_size('pages')"
    out["articles+blocks"] = float(conn.execute(text(f"SELECT {data}")).scalar() or 0)
    return out


def sizes(store: Store) -> dict[str, float]:
    with store.engine.connect() as conn:
        raw = _sqlite_sizes(conn) if store.dialect == "sqlite" else _postgres_sizes(conn)
    return {k: v / 1024 / 1024 for k, v in raw.items()}


# -- stores ------------------------------------------------------------------------------


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def sqlite_store(name: str, keep: bool, reuse: bool) -> Iterator[Store]:
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / (f"search-{name}.sqlite3" if keep or reuse else f"search-{name}-{os.getpid()}.sqlite3")
    if not reuse:
        _remove(path)
    store = open_store(f"sqlite:///{path}")
    try:
        yield store
    finally:
        store.dispose()
        if not keep:
            _remove(path)
        else:
            print(f"  kept {path}", file=sys.stderr)


@contextmanager
def postgres_store(url: str, name: str, keep: bool, reuse: bool) -> Iterator[Store]:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"digestbot_bench_{name}" if keep or reuse else f"digestbot_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        if not reuse:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    sep = "&" if "?" in url else "?"
    store = open_store(f"{url}{sep}options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.dispose()
        if not keep:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        else:
            print(f"  kept schema {schema}", file=sys.stderr)


def article_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
