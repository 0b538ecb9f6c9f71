"""Search benchmark: ingest+index time, index size and query latency against a LIKE scan.

    .venv/bin/python benchmarks/search.py                                   # 10k and 100k, SQLite (+ PostgreSQL)
    .venv/bin/python benchmarks/search.py --sizes 10000 --backends sqlite   # quick run
    .venv/bin/python benchmarks/search.py --pg-url postgresql://127.0.0.1:5432/test

Corpus: N synthetic articles built deterministically from the seed pages: 4-12 seed paragraphs
each (shuffled), a title from the seed titles, headings and opening clauses, sometimes a kicker,
subtitle or section heading, a byline from a pool of 500 reporter names made from the seeds'
characters, 3-8 keywords from the seeds' frequent words, and dates spread over three years.
The vocabulary is the seeds' (~20,000 characters of text), so ordinary words are very common
at scale: 发展 is in nearly every article, a seed paragraph's phrase in ~5% of them. That is
harder for the index than real news, where most words are rare.

Ingest+index: rows go in with bulk INSERTs (one transaction per batch of 2,000 articles, no
ORM); the index rows are built by bot.search (jieba, the same code as at ingest) in --workers
processes and written through the backend's own writer, so triggers, FTS5 and the GIN index do
the real work; then FTS5 segments are merged (SQLite) or VACUUM ANALYZE runs (PostgreSQL).

Latency: the public `search()` call for page 1 of 5 hits, snippets included, warm cache, each
query of a fixed mix (1-3 words, phrases, rare and common words, an exclusion, a keyword, no-hit)
--repeat times, interleaved. The LIKE baseline scans the same rows' normalised text (one
`LIKE '%term%'` per term, count plus first page, no ranking), the cheapest LIKE there is.

Databases live under .bench/ (SQLite) or a private schema (PostgreSQL) and are removed at the
end unless --keep; --reuse picks up a kept one instead of loading again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from bot.db import Store, open_store  # noqa: E402
from bot.models import Article, Block, Page  # noqa: E402
from bot.pages import parse_page  # noqa: E402
from bot.search import parse, search  # noqa: E402
from bot.search import postgres as pg_backend  # noqa: E402
from bot.search import sqlite as lite_backend  # noqa: E402
from bot.search.document import ArticleText, build_doc  # noqa: E402
from bot.search.tokens import tokens  # noqa: E402
from bot.segment import tokenizer  # noqa: E402

SEEDS = ROOT / "seeds"
BENCH_DIR = ROOT / ".bench"
TARGET_P95_MS = 10.0
TARGET_RATIO = 100.0
BATCH = 2000
REPORTERS = 500


# -- corpus ------------------------------------------------------------------------------


@dataclass
class SeedText:
    titles: list[str] = field(default_factory=list)
    kickers: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


def load_seeds() -> SeedText:
    s = SeedText()
    for path in sorted(SEEDS.glob("*.txt")):
        for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
            if piece.kind != "article":
                continue
            s.titles.append(piece.title)
            s.kickers += [piece.kicker] if piece.kicker else []
            s.subtitles += [piece.subtitle] if piece.subtitle else []
            s.headings += [b.text for b in piece.blocks if b.type == "heading"]
            s.paragraphs += [b.text for b in piece.blocks if b.type == "paragraph"]
    for p in s.paragraphs:  # opening clauses make more titles
        clause = p.replace(",", "，").split("，")[0]
        if 8 <= len(clause) <= 24:
            s.titles.append(clause)
    chars = sorted({c for p in s.paragraphs for c in p if "\u4e00" <= c <= "\u9fff"})
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    rng = random.Random(7)
    names: set[str] = set()
    while len(names) < REPORTERS:
        names.add(rng.choice(surnames) + "".join(rng.choice(chars) for _ in range(rng.choice((1, 2)))))
    s.reporters = sorted(names)
    counts = Counter(t for p in s.paragraphs for t in tokens(p) if len(t) > 1)
    s.keywords = [w for w, _ in counts.most_common(300)]
    return s


def make_article(i: int, seeds: SeedText) -> dict[str, Any]:
    """Article number i (1-based), the same on every run."""
    rng = random.Random(i * 7919 + 17)
    paragraphs = rng.sample(seeds.paragraphs, rng.randint(4, 12))
    blocks = [("paragraph", p) for p in paragraphs]
    if rng.random() < 0.2:
        blocks.insert(rng.randint(1, len(blocks) - 1), ("heading", rng.choice(seeds.headings)))
    weights = [1 / (k + 1) for k in range(len(seeds.keywords))]
    keywords = list(dict.fromkeys(rng.choices(seeds.keywords, weights, k=rng.randint(3, 8))))
    return {
        "id": i,
        "title": rng.choice(seeds.titles),
        "kicker": rng.choice(seeds.kickers) if rng.random() < 0.1 else None,
        "subtitle": rng.choice(seeds.subtitles) if rng.random() < 0.1 else None,
        "byline": "记者 " + seeds.reporters[int(rng.paretovariate(1.2)) % len(seeds.reporters)],
        "blocks": blocks,
        "keywords": [{"word": w, "weight": round(1 / (n + 1), 3)} for n, w in enumerate(keywords)],
        "published_on": date(2022, 1, 1) + timedelta(days=i * 1095 // 100_000 + rng.randint(0, 2)),
    }


# -- loading -----------------------------------------------------------------------------

_SEEDS: SeedText | None = None


def _init_worker(seeds: SeedText) -> None:
    global _SEEDS
    _SEEDS = seeds
    tokenizer()


def _index_rows(job: tuple[str, int, int]) -> list[dict[str, Any]]:
    """Worker: build the index rows of articles start..end-1 with bot.search's own code."""
    dialect, start, end = job
    assert _SEEDS is not None
    be = pg_backend if dialect == "postgresql" else lite_backend
    rows = []
    for i in range(start, end):
        a = make_article(i, _SEEDS)
        text_ = ArticleText(a["id"], a["title"], a["kicker"], a["subtitle"], a["byline"], a["blocks"], a["keywords"])
        rows.append(be.doc_row(build_doc(text_)))
    return rows


def _data_rows(start: int, end: int, seeds: SeedText) -> tuple[list[dict], list[dict], list[dict]]:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    pages, articles, blocks = [], [], []
    for i in range(start, end):
        a = make_article(i, seeds)
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


def load(store: Store, size: int, seeds: SeedText, workers: int) -> dict[str, float]:
    dialect = store.dialect
    be = pg_backend if dialect == "postgresql" else lite_backend
    t = Counter[str]()
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(seeds,)) as pool:
        for start in range(1, size + 1, BATCH):
            end = min(size + 1, start + BATCH)
            t0 = time.perf_counter()
            pages, articles, blocks = _data_rows(start, end, seeds)
            with store.engine.begin() as conn:
                if pages:
                    conn.execute(insert(Page.__table__), pages)
                conn.execute(insert(Article.__table__), articles)
                conn.execute(insert(Block.__table__), blocks)
            t1 = time.perf_counter()
            step = max(1, (end - start) // (workers * 4))
            jobs = [(dialect, s, min(end, s + step)) for s in range(start, end, step)]
            rows = [r for part in pool.map(_index_rows, jobs) for r in part]
            t2 = time.perf_counter()
            with store.engine.begin() as conn:
                be.write_rows(conn, rows)
            t3 = time.perf_counter()
            t["insert"] += t1 - t0
            t["segment"] += t2 - t1
            t["index"] += t3 - t2
            print(f"\r  loaded {end - 1:,}/{size:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    t0 = time.perf_counter()
    if dialect == "sqlite":
        with store.engine.begin() as conn:
            lite_backend.optimize(conn)
            conn.exec_driver_sql("ANALYZE")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    t["finish"] = time.perf_counter() - t0
    return dict(t)


# -- sizes -------------------------------------------------------------------------------


def sizes(store: Store) -> dict[str, float]:
    mb = 1024 * 1024
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            owner = dict(conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master").all())
            out: Counter[str] = Counter()
            for name, size in conn.exec_driver_sql("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
                table = owner.get(name, name)
                if table.startswith("search_tri"):
                    out["trigram index"] += size
                elif table.startswith("search_fts"):
                    out["token index"] += size
                elif table == "search_docs":
                    out["search_docs"] += size
                elif table in ("articles", "blocks", "pages"):
                    out["articles+blocks"] += size
            return {k: v / mb for k, v in out.items()}
        row = conn.execute(
            text(
                "SELECT pg_total_relation_size('search_docs') - pg_relation_size('ix_search_docs_terms'), "
                "pg_relation_size('ix_search_docs_terms'), pg_total_relation_size('search_text'), "
                "pg_total_relation_size('articles') + pg_total_relation_size('blocks') + pg_total_relation_size('pages')"
            )
        ).one()
        return {
            "search_docs": row[0] / mb,
            "GIN index": row[1] / mb,
            "search_text": row[2] / mb,
            "articles+blocks": row[3] / mb,
        }


# -- queries -----------------------------------------------------------------------------


def query_mix(seeds: SeedText) -> list[tuple[str, str]]:
    return [
        ("common", "发展"),
        ("common", "武进"),
        ("common", "建设"),
        ("word", "机器人"),
        ("word", "创新"),
        ("word", "园区"),
        ("rare", "大寰"),
        ("rare", "潘冬铃"),
        ("rare", seeds.reporters[40]),
        ("2 words", "沈东 调研"),
        ("2 words", "机器人 产业"),
        ("2 words", "清洁 生产"),
        ("3 words", "武进 高新区 项目"),
        ("3 words", "新能源 汽车 产业"),
        ("3 words", "改革 创新 发展"),
        ("phrase", '"清洁生产"'),
        ("phrase", '"高质量发展"'),
        ("phrase", '"万亿之城"'),
        ("phrase", '"人形机器人"'),
        ("exclude", "武进 -机器人"),
        ("keyword", "#机器人"),
        ("no hit", "量子计算机"),
        ("no hit", "xyzzy"),
    ]


def like_runner(store: Store, query: str):  # type: ignore[no-untyped-def]
    """The LIKE scan for a query: every positive term LIKE '%term%', every negative NOT LIKE."""
    parsed = parse(query)
    clauses, params = [], {}
    for n, term in enumerate(parsed.terms):
        params[f"p{n}"] = f"%{term.key}%"
        clauses.append(f"d.plain {'NOT ' if term.negated else ''}LIKE :p{n}")
    where = " AND ".join(clauses)
    table = "search_text" if store.dialect == "postgresql" else "search_docs"  # where `plain` lives
    count_sql = text(f"SELECT count(*) FROM {table} d WHERE {where}")
    page_sql = text(f"SELECT d.article_id FROM {table} d WHERE {where} ORDER BY d.article_id DESC LIMIT 5")

    def run() -> int:
        with store.engine.connect() as conn:
            total = int(conn.execute(count_sql, params).scalar() or 0)
            conn.execute(page_sql, params).all()
        return total

    return run


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(fn) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    return (time.perf_counter() - t0) * 1000, value


def measure(store: Store, mix: list[tuple[str, str]], repeat: int, like_repeat: int) -> dict[str, Any]:
    totals: dict[str, int] = {}
    for _, q in mix:  # warm-up, and the hit counts
        totals[q] = search(store, q).total
    ours: dict[str, list[float]] = {q: [] for _, q in mix}
    for _ in range(repeat):
        for _, q in mix:
            ours[q].append(timed(lambda q=q: search(store, q))[0])
    like: dict[str, list[float]] = {q: [] for _, q in mix}
    like_totals: dict[str, int] = {}
    runners = {q: like_runner(store, q) for _, q in mix}
    for _, q in mix:
        runners[q]()  # warm-up
    for _ in range(like_repeat):
        for _, q in mix:
            ms, like_totals[q] = timed(runners[q])
            like[q].append(ms)
    return {"totals": totals, "like_totals": like_totals, "ours": ours, "like": like}


# -- stores ------------------------------------------------------------------------------


@contextmanager
def sqlite_store(size: int, keep: bool, reuse: bool) -> Iterator[Store]:
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / (f"search-{size}.sqlite3" if keep or reuse else f"search-{size}-{os.getpid()}.sqlite3")
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    try:
        yield store
    finally:
        store.dispose()
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            print(f"  kept {path}", file=sys.stderr)


@contextmanager
def postgres_store(url: str, size: int, keep: bool, reuse: bool) -> Iterator[Store]:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"digestbot_bench_{size}" if keep or reuse else f"digestbot_bench_{uuid.uuid4().hex[:10]}"
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


# -- report ------------------------------------------------------------------------------


def report(
    name: str, size: int, load_t: dict[str, float] | None, size_mb: dict[str, float], m: dict, workers: int, mix
) -> dict:  # type: ignore[no-untyped-def]
    print(f"\n== {name}, {size:,} articles ==")
    if load_t:
        total = sum(load_t.values())
        print(
            f"ingest+index {total:.1f} s = {size / total:,.0f} articles/s  (insert rows {load_t['insert']:.1f} s, "
            f"segment {load_t['segment']:.1f} s on {workers} worker{'s' if workers != 1 else ''}, "
            f"index writes {load_t['index']:.1f} s, {'merge+ANALYZE' if name == 'sqlite' else 'VACUUM ANALYZE'} {load_t['finish']:.1f} s)"
        )
    index_mb = sum(v for k, v in size_mb.items() if k != "articles+blocks")
    parts = ", ".join(f"{k} {v:,.0f}" for k, v in size_mb.items() if k != "articles+blocks")
    print(
        f"size: articles+blocks {size_mb.get('articles+blocks', 0):,.0f} MB; search index {index_mb:,.0f} MB ({parts})"
    )
    print(
        f"{'kind':<8} {'query':<20} {'hits':>8} {'LIKE hits':>9} {'p50 ms':>7} {'p95 ms':>7} {'LIKE p50':>9} {'x faster':>8}"
    )
    all_ours, all_like, ratios = [], [], []
    per_kind: dict[str, list[float]] = {}
    for kind, q in mix:
        ours, like = m["ours"][q], m["like"][q]
        all_ours += ours
        all_like += like
        per_kind.setdefault(kind, []).extend(ours)
        ratio = statistics.median(like) / statistics.median(ours)
        ratios.append(ratio)
        print(
            f"{kind:<8} {q:<20} {m['totals'][q]:>8,} {m['like_totals'][q]:>9,} {statistics.median(ours):>7.2f} "
            f"{pct(ours, 95):>7.2f} {statistics.median(like):>9.1f} {ratio:>7.0f}x"
        )
    summary = {
        "p50": pct(all_ours, 50),
        "p95": pct(all_ours, 95),
        "p99": pct(all_ours, 99),
        "like_p50": pct(all_like, 50),
        "like_p95": pct(all_like, 95),
        "like_p99": pct(all_like, 99),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_p95": pct(all_like, 95) / pct(all_ours, 95),
    }
    print(
        f"all {len(mix)} queries: p50 {summary['p50']:.2f} ms, p95 {summary['p95']:.2f} ms, p99 {summary['p99']:.2f} ms"
        f" | LIKE p50 {summary['like_p50']:.1f} ms, p95 {summary['like_p95']:.1f} ms, p99 {summary['like_p99']:.1f} ms"
    )
    print(
        f"faster than LIKE: median over queries {summary['ratio_median']:.0f}x, slowest query {summary['ratio_min']:.0f}x, "
        f"p95 vs p95 {summary['ratio_p95']:.0f}x"
    )
    print("by kind (p50 / p95 ms): " + ", ".join(f"{k} {pct(v, 50):.1f}/{pct(v, 95):.1f}" for k, v in per_kind.items()))
    if name == "sqlite" and size >= 100_000:
        met_p95 = summary["p95"] <= TARGET_P95_MS
        met_ratio = summary["ratio_median"] >= TARGET_RATIO
        print(
            f"target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if met_p95 else 'NOT met'}; "
            f">= {TARGET_RATIO:.0f}x faster than LIKE (median over queries): {'met' if met_ratio else 'NOT met'}"
        )
    return {"backend": name, "articles": size, "load_s": load_t, "size_mb": size_mb, **summary}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated article counts (default 10000,100000)")
    ap.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("DIGESTBOT_BENCH_POSTGRES_URL") or os.environ.get("DIGESTBOT_TEST_POSTGRES_URL", ""),
        help="PostgreSQL URL (default: $DIGESTBOT_BENCH_POSTGRES_URL or $DIGESTBOT_TEST_POSTGRES_URL)",
    )
    ap.add_argument("--repeat", type=int, default=20, help="runs of each query (default 20)")
    ap.add_argument("--like-repeat", type=int, default=3, help="runs of each LIKE scan (default 3)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="segmentation processes")
    ap.add_argument(
        "--keep", action="store_true", help="keep the databases (.bench/search-N.sqlite3, schema digestbot_bench_N)"
    )
    ap.add_argument("--reuse", action="store_true", help="use kept databases instead of loading again")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args()

    sizes_wanted = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgres" in backends and not args.pg_url:
        print("no PostgreSQL URL (--pg-url or DIGESTBOT_TEST_POSTGRES_URL): PostgreSQL skipped", file=sys.stderr)
        backends.remove("postgres")
    tokenizer()
    seeds = load_seeds()
    mix = query_mix(seeds)
    results = []
    for size in sizes_wanted:
        for name in backends:
            print(f"{name}, {size:,} articles: loading ...", file=sys.stderr)
            opener = (
                sqlite_store(size, args.keep, args.reuse)
                if name == "sqlite"
                else postgres_store(args.pg_url, size, args.keep, args.reuse)
            )
            with opener as store:
                load_t = None
                if not (args.reuse and article_count(store) == size):
                    with suppress(Exception):
                        if article_count(store):
                            raise SystemExit(f"{name}: the kept database has other data; run without --reuse")
                    load_t = load(store, size, seeds, max(1, args.workers))
                size_mb = sizes(store)
                print(f"{name}, {size:,} articles: timing queries ...", file=sys.stderr)
                m = measure(store, mix, args.repeat, args.like_repeat)
                results.append(report(name, size, load_t, size_mb, m, args.workers, mix))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
