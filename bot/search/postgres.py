"""PostgreSQL backend: a tsvector of the pre-segmented tokens with a GIN index, BM25 computed here.

Tables (migration 0002): `search_docs` is narrow - article id, token count, `terms` (tsvector of
the distinct tokens, GIN-indexed) - so scans of many matches stay cheap; `search_text` holds what
only some rows need: `plain` (squashed text, for phrases) and `tf` (each term's field-weighted
frequency where it is not 1: three terms in four occur once, in the body). Both go with their
article by foreign-key cascade; `search_stats` (articles and tokens in the index) is kept by a
trigger.

PostgreSQL has no BM25, so the score is computed the way SQLite's FTS5 bm25() does it, from the
same inputs: `tf`, the token count, the corpus totals, and the articles per term counted through
the GIN index. Same formula, same inputs, so both stores rank alike (the tests compare the
scores). The tsvector is built from the token list with array_to_tsvector (no text search parser
or dictionary in between), and every query lexeme is a quoted, escaped literal.

The planner underrates what `terms @@ q` costs when it has to read each row's tsvector back
from TOAST (a sequential scan of 10,000 articles: 40 ms, against 1.4 ms through the GIN index),
so search transactions turn sequential scans (and JIT compilation) off for their own statements
(SET LOCAL).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from bot.search.document import IndexDoc
from bot.search.query import Plan, statement

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


_PLAIN = "(SELECT x.plain FROM search_text x WHERE x.article_id = d.article_id)"


def _where(plan: Plan) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"q": match_expression(plan)}
    clauses = ["d.terms @@ CAST(:q AS tsquery)"]
    for i, key in enumerate(plan.texts):
        params[f"tx{i}"] = key
        clauses.append(f"strpos({_PLAIN}, :tx{i}) > 0")
    for i, (toks, key) in enumerate(plan.not_texts):
        params[f"nt{i}"], params[f"nk{i}"] = tsquery(toks), key
        clauses.append(f"NOT (d.terms @@ CAST(:nt{i} AS tsquery) AND strpos({_PLAIN}, :nk{i}) > 0)")
    if plan.exclude_ids:
        params["exclude"] = list(plan.exclude_ids)
        clauses.append("d.article_id NOT IN :exclude")
    return " AND ".join(clauses), params


def _prefer_index(conn: Connection) -> None:
    # jit off too: the seqscan penalty inflates plan costs past jit_above_cost, and compiling
    # then costs more than the whole query
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")


def count(conn: Connection, plan: Plan) -> int:
    where, params = _where(plan)
    _prefer_index(conn)
    return int(
        conn.execute(statement(f"SELECT count(*) FROM search_docs d WHERE {where}", params), params).scalar() or 0
    )


def corpus_stats(conn: Connection, terms: Sequence[str]) -> tuple[int, int, list[int]]:
    """(articles, total tokens, articles containing each term) - FTS5's nRow, nToken, nHit."""
    params: dict[str, Any] = {}
    cols = ["(SELECT docs FROM search_stats)", "(SELECT tokens FROM search_stats)"]
    for i, term in enumerate(terms):
        params[f"t{i}"] = lexeme(term)
        cols.append(f"(SELECT count(*) FROM search_docs WHERE terms @@ CAST(:t{i} AS tsquery))")
    row = conn.execute(text("SELECT " + ", ".join(cols)), params).one()
    return int(row[0]), int(row[1]), [int(v) for v in row[2:]]


def idf(n_rows: int, n_hit: int) -> float:
    value = math.log((n_rows - n_hit + 0.5) / (n_hit + 0.5))
    return value if value > 0.0 else 1e-6


def bm25(freqs: Sequence[float], doc_len: int, idfs: Sequence[float], avgdl: float) -> float:
    """FTS5's bm25 (sign flipped: higher is better), term by term in the same order and operations."""
    score = 0.0
    for f, w in zip(freqs, idfs, strict=True):
        score += w * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + B * doc_len / avgdl)))
    return score


def ranked(
    conn: Connection, plan: Plan, window_offset: int, window_size: int, skip: int, take: int
) -> tuple[list[tuple[int, float, str | None]], int]:
    """As sqlite.ranked: one window of matches (newest first by id) ranked by BM25, computed here."""
    rows = _window(conn, plan, window_offset, window_size)
    rows.sort(key=lambda r: (r[1], r[2] or "", r[0]), reverse=True)
    return rows[skip : skip + take], len(rows)


def _window_ids(conn: Connection, plan: Plan, offset: int, limit: int) -> list[int]:
    """Matches offset..offset+limit, newest (highest id) first: the GIN bitmap of all matches,
    top-N sorted by id (`+ 0` keeps the planner from walking the primary key instead, which
    reads every article's tsvector back from TOAST to test it)."""
    where, params = _where(plan)
    params.update(lim=limit, off=offset)
    sql = f"SELECT d.article_id FROM search_docs d WHERE {where} ORDER BY d.article_id + 0 DESC LIMIT :lim OFFSET :off"
    return list(conn.execute(statement(sql, params), params).scalars())


def _window(conn: Connection, plan: Plan, offset: int, limit: int) -> list[tuple[int, float, str | None]]:
    _prefer_index(conn)
    ids = _window_ids(conn, plan, offset, limit)
    if not ids:
        return []
    params: dict[str, Any] = {"ids": ids}
    cols = []
    for i, term in enumerate(plan.must):
        params[f"f{i}"], params[f"p{i}"] = term, lexeme(term)
        # absent from tf: 1 if the article has the term (always, for an AND query), else 0
        present = "1" if not plan.any_of else f"CASE WHEN d.terms @@ CAST(:p{i} AS tsquery) THEN 1 ELSE 0 END"
        cols.append(f", coalesce((x.tf ->> :f{i})::float8, {present})")
    sql = (  # driven by the id list: one primary-key look-up per table and row
        f"SELECT d.article_id, d.doc_len, a.published_on{''.join(cols)} "
        "FROM unnest(CAST(:ids AS integer[])) AS w(id) JOIN search_docs d ON d.article_id = w.id "
        "JOIN search_text x ON x.article_id = w.id JOIN articles a ON a.id = w.id"
    )
    rows = conn.execute(text(sql), params).all()
    n_rows, n_tokens, hits = corpus_stats(conn, plan.must)
    avgdl = n_tokens / n_rows
    idfs = [idf(n_rows, h) for h in hits]
    out = []
    for r in rows:
        freqs = [float(v) for v in r[3:]]
        published = None if r[2] is None else r[2].isoformat()
        out.append((int(r[0]), bm25(freqs, int(r[1]), idfs, avgdl), published))
    return out


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
        "terms": sorted(doc.term_set()),
        "tf": json.dumps({t: _num(f) for t, f in doc.weighted_tf().items() if f != 1.0}, ensure_ascii=False),
    }


def write_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    conn.execute(
        text(
            "INSERT INTO search_docs (article_id, doc_len, terms) "
            "VALUES (:id, :len, array_to_tsvector(CAST(:terms AS text[]))) "
            "ON CONFLICT (article_id) DO UPDATE SET doc_len = excluded.doc_len, terms = excluded.terms"
        ),
        list(rows),
    )
    conn.execute(
        text(
            "INSERT INTO search_text (article_id, plain, tf) VALUES (:id, :plain, CAST(:tf AS jsonb)) "
            "ON CONFLICT (article_id) DO UPDATE SET plain = excluded.plain, tf = excluded.tf"
        ),
        list(rows),
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
