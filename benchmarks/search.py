"""Search benchmark: ingest+index time, index size and query latency per query class, against
tantivy over the same jieba tokens and a LIKE scan, on SQLite and PostgreSQL in one run.

    .venv/bin/python benchmarks/search.py --corpus realistic --sizes 100000      # SQLite + PostgreSQL + tantivy
    .venv/bin/python benchmarks/search.py --corpus realistic --sizes 10000 --backends sqlite   # quick run
    .venv/bin/python benchmarks/search.py --corpus seed --sizes 10000,100000     # the older seed corpus
    .venv/bin/python benchmarks/search.py ... --pg-url postgresql://127.0.0.1:5432/test --keep / --reuse

Corpora (benchmarks/search_corpus.py says exactly how they are made): `realistic` (default) -
real news sentences from ../shared/eval/ recombined, their nouns redrawn from a Zipf law over
jieba's dictionary, so most words are rare and a few are everywhere; `seed` - the seed pages'
105 paragraphs recombined, where every word is common.

Latency: the public `search()` call for page 1 of 5 hits, snippets included, warm cache, each
query of the corpus's fixed mix --repeat times, interleaved; p50/p95/p99 per query class
(one word, two words, phrase, rare, common, exclusion, #keyword, no hit) and overall. tantivy
(if installed: pip install tantivy) indexes the same token streams and answers the same
queries (top 5 + count, no text read - see benchmarks/search_tantivy.py). The LIKE baseline
scans the same rows' normalised text (one `LIKE '%term%'` per term, count plus first page, no
ranking), the cheapest LIKE there is; --like-repeat 0 skips it.

Databases live under .bench/ (SQLite, tantivy) or a private schema (PostgreSQL) and are
removed at the end unless --keep; --reuse picks up a kept one instead of loading again.
Run on a quiet machine: other work on the same cores shows up in p95 and p99.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search_tantivy  # noqa: E402
from search_corpus import RealisticCorpus, SeedCorpus  # noqa: E402
from search_load import BENCH_DIR, article_count, load, postgres_store, sizes, sqlite_store  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.nlp.segment import tokenizer  # noqa: E402
from bot.search import RANK_WINDOW, parse, search  # noqa: E402
from bot.store.db import Store  # noqa: E402

TARGETS_P95_MS = {("realistic", "sqlite"): 5.0, ("realistic", "postgres"): 20.0, ("seed", "sqlite"): 10.0}
TARGET_RATIO = 100.0


def like_runner(store: Store, query: str) -> Callable[[], Any]:
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
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return (time.perf_counter() - t0) * 1000, value


def _time_runners(runners: dict[str, Any], repeat: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    totals = {q: run() for q, run in runners.items()}  # warm-up, and the hit counts
    times: dict[str, list[float]] = {q: [] for q in runners}
    for _ in range(repeat):
        for q, run in runners.items():
            times[q].append(timed(run)[0])
    return times, totals


def _search_runner(store: Store, query: str, window: int) -> Callable[[], Any]:
    def run() -> int:
        result = search(store, query, rank_window=window)
        return result.total if not result.total_capped else -result.total  # negative: "at least"

    return run


def measure(store: Store, mix: list[tuple[str, str]], args: argparse.Namespace, tantivy: Any) -> dict[str, Any]:
    queries = list(dict.fromkeys(q for _, q in mix))
    repeat, like_repeat = args.repeat, args.like_repeat
    out: dict[str, Any] = {}
    runners = {q: _search_runner(store, q, args.rank_window) for q in queries}
    out["ours"], out["totals"] = _time_runners(runners, repeat)
    if like_repeat:
        out["like"], out["like_totals"] = _time_runners({q: like_runner(store, q) for q in queries}, like_repeat)
    if tantivy is not None:
        out["tantivy"], out["tantivy_totals"] = _time_runners({q: tantivy.runner(q) for q in queries}, repeat)
    return out


# -- report ------------------------------------------------------------------------------


def _hits(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{-n:,}+" if n < 0 else f"{n:,}"


def _load_line(name: str, size: int, load_t: dict[str, float], workers: int) -> str:
    total = sum(load_t.values())
    finish = "merge+ANALYZE" if name == "sqlite" else "VACUUM ANALYZE"
    return (
        f"ingest+index {total:.1f} s = {size / total:,.0f} articles/s  (insert rows {load_t['insert']:.1f} s, "
        f"segment {load_t['segment']:.1f} s on {workers} worker{'s' if workers != 1 else ''}, "
        f"index writes {load_t['index']:.1f} s, {finish} {load_t['finish']:.1f} s)"
    )


def _per_query(mix: list[tuple[str, str]], m: dict) -> None:
    print(
        f"{'class':<9} {'query':<24} {'hits':>8} {'p50 ms':>7} {'p95 ms':>7} | {'tantivy':>8} {'p50 ms':>7} | {'LIKE p50':>8}"
    )
    for kind, q in mix:
        ours = m["ours"][q]
        tv = m.get("tantivy", {}).get(q)
        like = m.get("like", {}).get(q)
        print(
            f"{kind:<9} {q[:24]:<24} {_hits(m['totals'][q]):>8} {statistics.median(ours):>7.2f} {pct(ours, 95):>7.2f} | "
            f"{_hits(m.get('tantivy_totals', {}).get(q)):>8} {(statistics.median(tv) if tv else float('nan')):>7.2f} | "
            f"{(statistics.median(like) if like else float('nan')):>8.1f}"
        )


def _classes(mix: list[tuple[str, str]], m: dict, key: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for kind, q in mix:
        out.setdefault(kind, []).extend(m.get(key, {}).get(q, []))
    out["all"] = [v for k, vs in list(out.items()) for v in vs]
    return out


def _fmt(values: list[float]) -> str:
    return f"{pct(values, 50):.2f} / {pct(values, 95):.2f} / {pct(values, 99):.2f}" if values else "-"


def _per_class(mix: list[tuple[str, str]], m: dict) -> dict[str, dict[str, list[float]]]:
    by = {k: _classes(mix, m, k) for k in ("ours", "tantivy", "like")}
    print(f"\n{'class':<9} {'digestbot p50/p95/p99 ms':>26} {'tantivy p50/p95/p99 ms':>26} {'p95 ratio':>9}")
    for kind, ours in by["ours"].items():
        tv = by["tantivy"].get(kind, [])
        ratio = f"{pct(ours, 95) / pct(tv, 95):>8.1f}x" if tv else "-"
        print(f"{kind:<9} {_fmt(ours):>26} {_fmt(tv):>26} {ratio:>9}")
    return by


def report(
    corpus: str, name: str, size: int, load_t: dict | None, size_mb: dict, m: dict, workers: int, mix: list
) -> dict:
    print(f"\n== {name}, {corpus} corpus, {size:,} articles ==")
    if load_t:
        print(_load_line(name, size, load_t, workers))
    index_mb = sum(v for k, v in size_mb.items() if k != "articles+blocks")
    parts = ", ".join(f"{k} {v:,.0f}" for k, v in size_mb.items() if k != "articles+blocks")
    print(
        f"size: articles+blocks {size_mb.get('articles+blocks', 0):,.0f} MB; search index {index_mb:,.0f} MB ({parts})"
    )
    _per_query(mix, m)
    by = _per_class(mix, m)
    ours, like = by["ours"]["all"], by["like"]["all"]
    summary = {"p50": pct(ours, 50), "p95": pct(ours, 95), "p99": pct(ours, 99)}
    summary["classes"] = {k: {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)} for k, v in by["ours"].items()}
    summary["tantivy"] = {
        k: {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)} for k, v in by["tantivy"].items()
    }
    if like:
        ratios = [statistics.median(m["like"][q]) / statistics.median(m["ours"][q]) for _, q in mix]
        summary.update(like_p50=pct(like, 50), like_p95=pct(like, 95), ratio_median=statistics.median(ratios))
        print(
            f"LIKE p50 {summary['like_p50']:.1f} ms, p95 {summary['like_p95']:.1f} ms; "
            f"faster than LIKE: median over queries {summary['ratio_median']:.0f}x, slowest query {min(ratios):.0f}x"
        )
    target = TARGETS_P95_MS.get((corpus, name))
    if target and size >= 100_000:
        print(
            f"target p95 <= {target:.0f} ms: {'met' if summary['p95'] <= target else 'NOT met'} ({summary['p95']:.2f} ms)"
        )
        if corpus == "seed" and like:
            print(
                f">= {TARGET_RATIO:.0f}x faster than LIKE: {'met' if summary['ratio_median'] >= TARGET_RATIO else 'NOT met'}"
            )
    return {"corpus": corpus, "backend": name, "articles": size, "load_s": load_t, "size_mb": size_mb, **summary}


# -- main --------------------------------------------------------------------------------


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=("realistic", "seed"), default="realistic", help="default realistic")
    ap.add_argument("--sizes", default="100000", help="comma-separated article counts (default 100000)")
    ap.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("DIGESTBOT_BENCH_POSTGRES_URL") or os.environ.get("DIGESTBOT_TEST_POSTGRES_URL", ""),
        help="PostgreSQL URL (default: $DIGESTBOT_BENCH_POSTGRES_URL or $DIGESTBOT_TEST_POSTGRES_URL)",
    )
    ap.add_argument("--repeat", type=int, default=10, help="runs of each query (default 10)")
    ap.add_argument("--like-repeat", type=int, default=1, help="runs of each LIKE scan (default 1; 0 skips LIKE)")
    ap.add_argument("--no-tantivy", action="store_true", help="skip the tantivy baseline")
    ap.add_argument(
        "--rank-window", type=int, default=RANK_WINDOW, help=f"search()'s rank_window (default {RANK_WINDOW})"
    )
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="segmentation processes")
    ap.add_argument("--keep", action="store_true", help="keep the databases (.bench/, schema digestbot_bench_*)")
    ap.add_argument("--reuse", action="store_true", help="use kept databases instead of loading again")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    return ap.parse_args()


def _opener(args: argparse.Namespace, corpus: Any, name: str, size: int) -> Any:
    label = f"{corpus.name}-{size}"
    if name == "sqlite":
        return sqlite_store(label, args.keep, args.reuse)
    return postgres_store(args.pg_url, label.replace("-", "_"), args.keep, args.reuse)


def _needs_load(store: Store, size: int, reuse: bool) -> bool:
    have = 0
    with suppress(Exception):
        have = article_count(store)
    if reuse and have == size:
        return False
    if have:
        raise SystemExit(f"{store.dialect}: the kept database has other data; run without --reuse")
    return True


def _tantivy(args: argparse.Namespace, corpus: Any, size: int) -> tuple[Any, bool]:
    """The tantivy index for this run and whether it must be built."""
    if args.no_tantivy:
        return None, False
    if not search_tantivy.available():
        print("tantivy is not installed (pip install tantivy): baseline skipped", file=sys.stderr)
        return None, False
    name = f"tantivy-{corpus.name}-{size}"
    index = search_tantivy.open_index(BENCH_DIR, name, fresh=not args.reuse)
    if index.size == size:
        return index, False
    return search_tantivy.open_index(BENCH_DIR, name, fresh=True), True


def _run_size(args: argparse.Namespace, corpus: Any, backends: list[str], size: int) -> list[dict]:
    mix = corpus.queries(size)
    tantivy, build_tantivy = _tantivy(args, corpus, size)
    with ExitStack() as stack:
        stores = {name: stack.enter_context(_opener(args, corpus, name, size)) for name in backends}
        loading = [s for s in stores.values() if _needs_load(s, size, args.reuse)]
        times: dict[str, dict[str, float]] = {}
        if loading or build_tantivy:
            what = ", ".join([s.dialect for s in loading] + (["tantivy"] if build_tantivy else []))
            print(f"{size:,} {corpus.name} articles: loading {what} ...", file=sys.stderr)
            times = load(loading, tantivy if build_tantivy else None, size, corpus, max(1, args.workers))
        if tantivy is not None:
            tv = times.get("tantivy")
            built = f" (built in {sum(tv.values()):.1f} s)" if tv else ""
            print(f"\ntantivy index: {index_mb(tantivy):,.0f} MB{built}")
        results = []
        for name, store in stores.items():
            print(f"{name}, {size:,} articles: timing queries ...", file=sys.stderr)
            m = measure(store, mix, args, tantivy)
            load_t = times.get(store.dialect)
            results.append(report(corpus.name, name, size, load_t, sizes(store), m, args.workers, mix))
        return results


def index_mb(tantivy: Any) -> float:
    return float(tantivy.megabytes())


def main() -> None:
    args = _args()
    sizes_wanted = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgres" in backends and not args.pg_url:
        print("no PostgreSQL URL (--pg-url or DIGESTBOT_TEST_POSTGRES_URL): PostgreSQL skipped", file=sys.stderr)
        backends.remove("postgres")
    tokenizer()
    corpus = RealisticCorpus.load() if args.corpus == "realistic" else SeedCorpus.load()
    results = [r for size in sizes_wanted for r in _run_size(args, corpus, backends, size)]
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
