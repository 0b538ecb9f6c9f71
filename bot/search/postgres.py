"""PostgreSQL backend: a tsvector of the pre-segmented tokens with a GIN index, BM25 computed here.

Tables (migrations 0002, 0004): `search_docs` is narrow - article id, token count, day, `terms`
(tsvector of the distinct tokens) and `grams` (tsvector of the character trigrams of each line
of the squashed text), both out of line and under one GIN index - so scans of many matches
read few pages; `search_text` holds what only ranked rows need: `plain` (squashed text, for
phrases), `tf` (each term's field-weighted frequency where it is not 1: three terms in four
occur once, in the body) and `title` (the title's distinct tokens). Both go with their article
by foreign-key cascade; `search_stats` (articles and tokens) and `search_terms` (articles per
term) are kept by statement-level triggers.

PostgreSQL has no BM25, so the score is computed in SQL the way SQLite's FTS5 bm25() does it,
from the same inputs, in the same order of operations: `tf`, the token count, the corpus
totals and the articles per term. Same formula, same inputs, so both stores rank alike (the
tests compare them). The tsvector is built from the token list with array_to_tsvector (no
text search parser or dictionary in between), and every query lexeme is a quoted, escaped literal.

Where the time goes, and what avoids it:
* A phrase is checked against `plain` only in rows that have every trigram of it (the GIN
  index answers that), not in every row that has its words.
* The newest window of a common word's matches: collecting and sorting all 60,000 matches by
  id costs ~30 ms, so each article's `terms` also carries its recency bucket (`##` + id // 1024,
  a lexeme no query can produce). From the term counts the window's likely span is estimated
  and the query is limited to the buckets covering it, inside the same GIN scan; when that
  yields fewer matches than the window needs, the query runs again unlimited.
* The planner underrates what `terms @@ q` costs when it has to read each row's tsvector back
  from TOAST (5 µs a row), so search transactions turn sequential scans (and JIT compilation)
  off for their own statements (SET LOCAL).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text

from bot.search.document import IndexDoc
from bot.search.query import QUANTA, Plan, statement

K1 = 1.2  # FTS5's bm25 constants
B = 0.75


def lexeme(term: str) -> str:
    """A tsquery lexeme literal: single-quoted, with quotes and backslashes escaped."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms: Sequence[str], joiner: str = " & ") -> str:
    return "(" + joiner.join(lexeme(t) for t in terms) + ")"


def match_expression(plan: Plan) -> str:
    expr = tsquery(plan.must, " | " if plan.any_of else " & ")
    for group in plan.must_not:
        expr = f"{expr} & !{tsquery(group)}"
    return expr


_PLAIN = "(SELECT x.plain FROM search_text x WHERE x.article_id = {alias}.article_id)"


def grams_query(key: str) -> str | None:
    """The tsquery of a squashed text's trigrams (None for texts under three characters)."""
    grams = sorted({key[i : i + 3] for i in range(len(key) - 2)})
    return tsquery(grams) if grams else None


def _contains(alias: str, key: str, name: str, params: dict[str, Any]) -> str:
    """True when the row's text contains `key`: the trigram index first (no text read), then
    the text itself for the rows that have every trigram."""
    params[name] = key
    check = f"strpos({_PLAIN.format(alias=alias)}, :{name}) > 0"
    grams = grams_query(key)
    if grams is None:
        return check
    params[f"{name}g"] = grams
    return f"{alias}.grams @@ CAST(:{name}g AS tsquery) AND {check}"


def _where(plan: Plan) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"q": match_expression(plan)}
    clauses = ["d.terms @@ CAST(:q AS tsquery)"]
    for i, key in enumerate(plan.texts):
        clauses.append(_contains("d", key, f"tx{i}", params))
    for i, (toks, key) in enumerate(plan.not_texts):  # one pass over the excluded rows, not a test per row
        params[f"nt{i}"] = tsquery(toks)
        excluded = f"SELECT n.article_id FROM search_docs n WHERE n.terms @@ CAST(:nt{i} AS tsquery)"
        clauses.append(f"d.article_id NOT IN ({excluded} AND {_contains('n', key, f'nk{i}', params)})")
    if plan.exclude_ids:
        params["exclude"] = list(plan.exclude_ids)
        clauses.append("d.article_id NOT IN :exclude")
    return " AND ".join(clauses), params


def _prefer_index(conn: Connection) -> None:
    # jit off too: the seqscan penalty inflates plan costs past jit_above_cost, and compiling
    # then costs more than the whole query
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")


def count(conn: Connection, plan: Plan, limit: int | None = None) -> int:
    """The number of matches (at most `limit`: counted in the recent buckets first, see `ranked`)."""
    _prefer_index(conn)
    if limit is None:
        where, params = _where(plan)
        return int(
            conn.execute(statement(f"SELECT count(*) FROM search_docs d WHERE {where}", params), params).scalar() or 0
        )
    buckets = recent_buckets(plan, corpus_stats(conn, plan.must), limit)
    if buckets:
        found = _count_upto(conn, plan, limit, buckets)
        if found >= limit:
            return found
    return _count_upto(conn, plan, limit, None)


def _count_upto(conn: Connection, plan: Plan, limit: int, buckets: list[str] | None) -> int:
    where, params = _where(plan)
    if buckets:
        params["q"] = f"{params['q']} & {tsquery(buckets, ' | ')}"
    params["lim"] = limit
    sql = f"SELECT count(*) FROM (SELECT 1 FROM search_docs d WHERE {where} LIMIT :lim) c"
    return int(conn.execute(statement(sql, params), params).scalar() or 0)


@dataclass(frozen=True)
class Stats:
    docs: int  # articles in the index (FTS5's nRow)
    tokens: int  # their tokens (nToken)
    hits: tuple[int, ...]  # articles having each term (nHit)
    max_id: int

    @property
    def avgdl(self) -> float:
        return self.tokens / self.docs if self.docs else 1.0


def corpus_stats(conn: Connection, terms: Sequence[str]) -> Stats:
    """The corpus totals and the articles per term, from the tables the triggers keep."""
    row = conn.execute(
        text(
            "SELECT docs, tokens, (SELECT max(article_id) FROM search_docs), "
            "(SELECT coalesce(array_agg(ARRAY[t.term, t.docs::text]), '{}') FROM search_terms t "
            " WHERE t.term = ANY(CAST(:terms AS text[]))) FROM search_stats WHERE id = 1"
        ),
        {"terms": list(terms)},
    ).one()
    found = {term: int(n) for term, n in row[3]}
    return Stats(int(row[0]), int(row[1]), tuple(found.get(t, 0) for t in terms), int(row[2] or 0))


def idf(n_rows: int, n_hit: int) -> float:
    value = math.log((n_rows - n_hit + 0.5) / (n_hit + 0.5))
    return value if value > 0.0 else 1e-6


# -- the window: the newest matches, limited to recent buckets when that is enough -----------

BUCKET = 1024  # article ids per recency bucket
BUCKET_MARK = "##"
MAX_SPAN_SHARE = 4  # a span over a quarter of the articles is not worth limiting to


def bucket_token(article_id: int) -> str:
    return f"{BUCKET_MARK}{article_id // BUCKET}"


def match_share(plan: Plan, stats: Stats) -> float | None:
    """The expected share of articles matching (terms taken as independent; None: unknown, as
    for phrases, whose text test removes an unknown share)."""
    if plan.texts or plan.not_texts or not stats.docs:
        return None
    shares = [h / stats.docs for h in stats.hits]
    if plan.any_of:
        share = 1.0 - math.prod(1.0 - s for s in shares)
    else:
        share = math.prod(shares)
    return share  # exclusions are taken to remove none (if they remove many, the query runs again)


def recent_buckets(plan: Plan, stats: Stats, need: int) -> list[str] | None:
    """Bucket lexemes of the newest ids likely to hold `need` matches (twice the estimate), or
    None when that span is most of the index anyway."""
    share = match_share(plan, stats)
    if not share:
        return None
    span = math.ceil(2 * need / share)
    if span * MAX_SPAN_SHARE > stats.docs:
        return None
    top = stats.max_id // BUCKET
    count = span // BUCKET + 2  # the top bucket is partly filled
    return [f"{BUCKET_MARK}{b}" for b in range(max(0, top - count + 1), top + 1)]


def _freqs_sql(plan: Plan, params: dict[str, Any]) -> str:
    """Each term's field-weighted frequency in row `x` (search_text) as columns f0, f1, ..."""
    cols = []
    for i, term in enumerate(plan.must):
        params[f"f{i}"], params[f"p{i}"] = term, lexeme(term)
        # absent from tf: 1 if the article has the term (always, for an AND query), else 0
        present = "1" if not plan.any_of else f"CASE WHEN x.article_id IN ({_HAS_TERM.format(i=i)}) THEN 1 ELSE 0 END"
        cols.append(f", coalesce((x.tf ->> :f{i})::float8, {present}) AS f{i}")
    return "".join(cols)


# any_of plans only: whether the window's article has the term (the window's own rows)
_HAS_TERM = "SELECT t.article_id FROM search_docs t WHERE t.terms @@ CAST(:p{i} AS tsquery)"


def _score_sql(plan: Plan, stats: Stats, params: dict[str, Any]) -> str:
    """The BM25 expression over the frequencies f0, f1, ... and `doc_len`, as FTS5 computes it:
    for each term in order, (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + b * len / avgdl))."""
    params.update(k1=K1, k1p1=K1 + 1.0, one_b=1 - B, b=B, avgdl=stats.avgdl)
    parts = []
    for i in range(len(plan.must)):
        params[f"idf{i}"] = idf(stats.docs, stats.hits[i])
        denominator = f"(f{i} + :k1 * (:one_b + :b * doc_len::float8 / :avgdl))"
        parts.append(f"(CAST(:idf{i} AS float8) * (f{i} * :k1p1)) / {denominator}")
    return " + ".join(parts) if parts else "0.0"


def _ranked_sql(plan: Plan, stats: Stats, buckets: list[str] | None) -> tuple[str, dict[str, Any]]:
    where, params = _where(plan)
    if buckets:
        params["q"] = f"{params['q']} & {tsquery(buckets, ' | ')}"
    params["must"] = list(plan.must)
    window = (
        f"SELECT d.article_id AS id, d.doc_len, d.day FROM search_docs d WHERE {where} "
        "ORDER BY d.article_id + 0 DESC LIMIT :wlim OFFSET :woff"
    )
    freqs = (  # materialised: each frequency is read from the jsonb once, and search_text is
        # looked up by primary key for the window's rows only
        f"WITH w AS MATERIALIZED (SELECT w.id, w.doc_len, w.day, x.title && CAST(:must AS text[]) AS in_title"
        f"{_freqs_sql(plan, params)} FROM ({window}) w JOIN search_text x ON x.article_id = w.id)"
    )
    ranked = (
        f"SELECT id, day, in_title, floor(({_score_sql(plan, stats, params)}) * {QUANTA} + 0.5)::bigint AS q FROM w"
    )
    sql = (
        f"{freqs} SELECT id, q, day, count(*) OVER () FROM ({ranked}) r "
        "ORDER BY q DESC, in_title DESC, day DESC NULLS LAST, id DESC LIMIT :take OFFSET :skip"
    )
    return sql, params


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> tuple[list[tuple[int, float, str | None]], int]:
    rows = conn.execute(statement(sql, params), params).all()
    size = int(rows[0][3]) if rows else 0
    return [(int(r[0]), int(r[1]) / QUANTA, None if r[2] is None else r[2].isoformat()) for r in rows], size


def ranked(
    conn: Connection, plan: Plan, window_offset: int, window_size: int, skip: int, take: int
) -> tuple[list[tuple[int, float, str | None]], int]:
    """As sqlite.ranked: one window of matches (newest first by id) ranked by BM25, best first
    (quantised score, a query term in the title, the newer day, the newer id)."""
    _prefer_index(conn)
    stats = corpus_stats(conn, plan.must)
    paging = {"woff": window_offset, "wlim": window_size, "skip": skip, "take": take}
    buckets = recent_buckets(plan, stats, window_offset + window_size)
    if buckets:
        sql, params = _ranked_sql(plan, stats, buckets)
        rows, size = _run(conn, sql, {**params, **paging})
        if size == window_size:  # the buckets hold the whole window: it is the same as without them
            return rows, size
    sql, params = _ranked_sql(plan, stats, None)
    rows, size = _run(conn, sql, {**params, **paging})
    if not rows and skip:  # past the end of the window: count it
        size = _window_size(conn, plan, window_offset, window_size)
    return rows, size


def _window_size(conn: Connection, plan: Plan, offset: int, limit: int) -> int:
    where, params = _where(plan)
    params.update(wlim=limit, woff=offset)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM search_docs d WHERE {where} LIMIT :wlim OFFSET :woff) w"
    return int(conn.execute(statement(sql, params), params).scalar() or 0)


# -- writing ------------------------------------------------------------------------------


def delete_docs(conn: Connection, ids: Sequence[int]) -> None:
    for table in ("search_docs", "search_text") if ids else ():
        stmt = text(f"DELETE FROM {table} WHERE article_id IN :ids").bindparams(bindparam("ids", expanding=True))
        conn.execute(stmt, {"ids": list(ids)})


def _num(f: float) -> int | float:
    return int(f) if f.is_integer() else f


def doc_row(doc: IndexDoc) -> dict[str, Any]:
    """The index rows for one document (built in worker processes by the benchmark)."""
    return {
        "id": doc.article_id,
        "plain": doc.plain,
        "len": doc.doc_len,
        "day": doc.day.isoformat() if doc.day else None,
        "terms": sorted({*doc.term_set(), bucket_token(doc.article_id)}),
        "grams": sorted(doc.trigrams()),
        "title": sorted(set(doc.streams["title"])),
        "tf": {t: _num(f) for t, f in doc.weighted_tf().items() if f != 1.0},
    }


_ROWS = (
    "jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id integer, plain text, len integer, day date, "
    "terms text[], grams text[], title text[], tf jsonb)"
)
WRITE_BATCH = 250  # rows per statement: the statement-level triggers run once per statement


def write_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace these index rows, many per statement (not one statement per row, which
    would run the term-count trigger once per article)."""
    for start in range(0, len(rows), WRITE_BATCH):
        payload = {"rows": json.dumps(list(rows[start : start + WRITE_BATCH]), ensure_ascii=False)}
        conn.execute(
            text(
                "INSERT INTO search_docs (article_id, doc_len, day, terms, grams) "
                f"SELECT id, len, day, array_to_tsvector(terms), array_to_tsvector(grams) FROM {_ROWS} "
                "ON CONFLICT (article_id) DO UPDATE SET doc_len = excluded.doc_len, day = excluded.day, "
                "terms = excluded.terms, grams = excluded.grams"
            ),
            payload,
        )
        conn.execute(
            text(
                f"INSERT INTO search_text (article_id, plain, tf, title) SELECT id, plain, tf, title FROM {_ROWS} "
                "ON CONFLICT (article_id) DO UPDATE SET plain = excluded.plain, tf = excluded.tf, title = excluded.title"
            ),
            payload,
        )


def write_docs(conn: Connection, docs: Sequence[IndexDoc]) -> None:
    write_rows(conn, [doc_row(d) for d in docs])


def delete_all(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM search_docs")
    conn.exec_driver_sql("DELETE FROM search_text")


def check(conn: Connection) -> None:
    """Nothing to check beyond the constraints: the GIN index is maintained by PostgreSQL."""


def optimize(conn: Connection) -> None:
    """VACUUM cannot run inside a transaction; the benchmark runs ANALYZE itself."""
