"""SQLite backend: FTS5 over the pre-segmented token streams, ranked by FTS5's own bm25().

Tables (migrations 0002, 0004): `search_docs` holds each article's token streams, its squashed
text (`plain`) and its length, and is the external content of two FTS5 indexes kept in step by
triggers on it: `search_fts` (six token columns, `ascii` tokenizer, so a token is exactly what
jieba produced) and `search_tri` (trigram index over `plain`, for phrase checks).
`search_days` holds each article's publication date for the recency tie-break (a narrow
table: looking 1,000 dates up in `articles` costs twice as much). Rows of both go when their
article goes (foreign key cascade), and the triggers follow.

Ranking: FTS5's bm25() with the field weights, quantised (bot.search.query.QUANTA); ties go to
the rows with a query term in the title (bm25 with the title's weight alone is then non-zero),
then the newer day, then the newer id. PostgreSQL orders the same way.

Every FTS5 term is a double-quoted string built from normalised tokens (letters, digits and
marks only), and every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from bot.search.document import FIELDS, WEIGHTS, IndexDoc
from bot.search.query import QUANTA, Plan, statement

TRIGRAM_MIN = 3  # the trigram index answers for texts of 3+ characters; shorter ones use instr()
_WEIGHTS_SQL = ", ".join(repr(WEIGHTS[f]) for f in FIELDS)
_TITLE_SQL = ", ".join("1.0" if f == "title" else "0.0" for f in FIELDS)  # > 0 iff a term is in the title


def quote(term: str) -> str:
    """An FTS5 string literal: the term in double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(plan: Plan) -> str:
    joiner = " OR " if plan.any_of else " AND "
    expr = "(" + joiner.join(quote(t) for t in plan.must) + ")"
    for group in plan.must_not:
        expr = f"({expr} NOT ({' AND '.join(quote(t) for t in group)}))"
    return expr


def has_trigram(conn: Connection) -> bool:
    cache = conn.info.setdefault("bot.search.trigram", {})
    if "ok" not in cache:
        cache["ok"] = bool(
            conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_tri'").first()
        )
    return cache["ok"]


def _contains(key: str, name: str, params: dict[str, Any], trigram: bool) -> str:
    """SQL that is true when the row's plain text contains `key` (a squashed text)."""
    if trigram and len(key) >= TRIGRAM_MIN:
        params[name] = quote(key)
        return f"+search_fts.rowid IN (SELECT rowid FROM search_tri WHERE search_tri MATCH :{name})"
    params[name] = key
    return f"instr((SELECT plain FROM search_docs WHERE article_id = search_fts.rowid), :{name}) > 0"


def _where(plan: Plan, trigram: bool) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"expr": match_expression(plan)}
    clauses = ["search_fts MATCH :expr"]
    long_texts = [k for k in plan.texts if trigram and len(k) >= TRIGRAM_MIN]
    if long_texts:  # one trigram query for all of them
        params["tri"] = " AND ".join(quote(k) for k in long_texts)
        clauses.append("+search_fts.rowid IN (SELECT rowid FROM search_tri WHERE search_tri MATCH :tri)")
    for i, key in enumerate(k for k in plan.texts if k not in long_texts):
        clauses.append(_contains(key, f"tx{i}", params, trigram))
    for i, (toks, key) in enumerate(plan.not_texts):
        params[f"nt{i}"] = "(" + " AND ".join(quote(t) for t in toks) + ")"
        has_tokens = f"+search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :nt{i})"
        clauses.append(f"NOT ({has_tokens} AND {_contains(key, f'nk{i}', params, trigram)})")
    if plan.exclude_ids:
        params["exclude"] = list(plan.exclude_ids)
        clauses.append("+search_fts.rowid NOT IN :exclude")
    return " AND ".join(clauses), params


def count(conn: Connection, plan: Plan, limit: int | None = None) -> int:
    """The number of matches (at most `limit`)."""
    where, params = _where(plan, has_trigram(conn))
    sql = f"SELECT count(*) FROM search_fts WHERE {where}"
    if limit is not None:
        params["lim"] = limit
        sql = f"SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE {where} LIMIT :lim)"
    return int(conn.execute(statement(sql, params), params).scalar() or 0)


def ranked(
    conn: Connection, plan: Plan, window_offset: int, window_size: int, skip: int, take: int
) -> tuple[list[tuple[int, float, str | None]], int]:
    """Rank one window of matches - the `window_size` newest (by article id) after skipping
    `window_offset` - best first (see `order`); return rows skip..skip+take of it as (article
    id, score (higher is better), publication date) and the window's size."""
    where, params = _where(plan, has_trigram(conn))
    params.update(woff=window_offset, wlim=window_size, skip=skip, take=take)
    matches = (
        f"SELECT search_fts.rowid AS id, bm25(search_fts, {_WEIGHTS_SQL}) AS score, "
        f"bm25(search_fts, {_TITLE_SQL}) < 0 AS in_title, search_days.day AS day "
        f"FROM search_fts LEFT JOIN search_days ON search_days.article_id = search_fts.rowid WHERE {where} "
        "ORDER BY search_fts.rowid DESC LIMIT :wlim OFFSET :woff"
    )
    sql = (
        f"SELECT id, CAST(-score * {QUANTA} + 0.5 AS INTEGER) AS q, day, count(*) OVER () FROM ({matches}) "
        "ORDER BY q DESC, in_title DESC, day DESC NULLS LAST, id DESC LIMIT :take OFFSET :skip"
    )
    rows = conn.execute(statement(sql, params), params).all()
    if rows or not skip:
        size = int(rows[0][3]) if rows else 0
    else:  # past the end of the window: count it
        count_sql = f"SELECT count(*) FROM ({matches})"
        size = int(conn.execute(statement(count_sql, params), params).scalar() or 0)
    return [(int(r[0]), int(r[1]) / QUANTA, None if r[2] is None else str(r[2])) for r in rows], size


# -- writing ------------------------------------------------------------------------------

_COLUMNS = ("article_id", *FIELDS, "plain", "doc_len")


def delete_docs(conn: Connection, ids: Sequence[int]) -> None:
    for table in ("search_docs", "search_days") if ids else ():
        stmt = text(f"DELETE FROM {table} WHERE article_id IN :ids").bindparams(bindparam("ids", expanding=True))
        conn.execute(stmt, {"ids": list(ids)})


def doc_row(doc: IndexDoc) -> dict[str, Any]:
    """The `search_docs` row for one document, and its day (built in worker processes by the benchmark)."""
    return {
        "article_id": doc.article_id,
        **{f: doc.field_text(f) for f in FIELDS},
        "plain": doc.plain,
        "doc_len": doc.doc_len,
        "day": doc.day,
    }


def write_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Replace these articles' index rows (the triggers update both FTS5 tables)."""
    if not rows:
        return
    # delete first: INSERT OR REPLACE would skip the delete trigger and corrupt the external-content index
    delete_docs(conn, [r["article_id"] for r in rows])
    cols = ", ".join(_COLUMNS)
    values = ", ".join(f":{c}" for c in _COLUMNS)
    conn.execute(text(f"INSERT INTO search_docs ({cols}) VALUES ({values})"), list(rows))
    conn.execute(text("INSERT INTO search_days (article_id, day) VALUES (:article_id, :day)"), list(rows))


def write_docs(conn: Connection, docs: Sequence[IndexDoc]) -> None:
    write_rows(conn, [doc_row(d) for d in docs])


def delete_all(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM search_docs")
    conn.exec_driver_sql("DELETE FROM search_days")


def check(conn: Connection) -> None:
    """FTS5's own consistency check of both indexes against `search_docs` (raises if broken)."""
    conn.exec_driver_sql("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    if has_trigram(conn):
        conn.exec_driver_sql("INSERT INTO search_tri(search_tri, rank) VALUES ('integrity-check', 1)")


def optimize(conn: Connection) -> None:
    """Merge FTS5 segments (after a bulk load)."""
    conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    if has_trigram(conn):
        conn.exec_driver_sql("INSERT INTO search_tri(search_tri) VALUES ('optimize')")
