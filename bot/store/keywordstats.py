"""The corpus statistics keywords are ranked against, as the store keeps them.

Each article's keyword evidence (its distinct candidate terms, the best candidates' local
weights, its merged phrases) lives in `keyword_docs`; document frequencies in `keyword_stats`
follow it by trigger (migration 0005), so adding, changing or removing articles by any path
keeps them exact. Readers get plain data (bot.nlp.specificity.CorpusStats, bot.nlp.keywords.
Evidence): the nlp package never sees the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, insert, inspect, select, update
from sqlalchemy.orm import Session

from bot.nlp.keywords import Evidence
from bot.nlp.specificity import CorpusStats
from bot.store.models import KeywordDoc, KeywordStat

BATCH = 500
MAX_TERM = 64  # keyword_stats.term; longer "words" (a URL, a run of Latin) are not counted
_docs, _stats = KeywordDoc.__table__, KeywordStat.__table__


def has_tables(conn: Connection) -> bool:
    """True once migration 0005 has run on this database."""
    return inspect(conn).has_table("keyword_stats")


def corpus_stats(conn: Connection, terms: Iterable[str]) -> CorpusStats:
    """How many articles the store holds, and how many contain each of these terms."""
    wanted = sorted({t for t in terms if t and len(t) <= MAX_TERM})
    df: dict[str, int] = {}
    docs = conn.execute(select(_stats.c.df).where(_stats.c.term == "")).scalar() or 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        df.update((t, n) for t, n in conn.execute(select(_stats.c.term, _stats.c.df).where(_stats.c.term.in_(chunk))))
    return CorpusStats(int(docs), df)


def load_evidence(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Evidence, int]]:
    """Article id -> (its stored evidence, the corpus size when it was ranked)."""
    out: dict[int, tuple[Evidence, int]] = {}
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        rows = conn.execute(select(_docs).where(_docs.c.article_id.in_(chunk)))
        for r in rows:
            weights = {str(k): float(v) for k, v in (r.weights or {}).items()}
            phrases = {str(k): list(v) for k, v in (r.phrases or {}).items()}
            out[r.article_id] = (Evidence(list(r.terms or []), weights, phrases), int(r.corpus_docs))
    return out


def save_evidence(session: Session, article_id: int, evidence: Evidence, corpus_docs: int) -> None:
    """Store (or replace) an article's evidence; the triggers update the document frequencies."""
    terms = sorted({t for t in evidence.terms if t and len(t) <= MAX_TERM})
    values = {
        "terms": terms,
        "weights": dict(evidence.weights),
        "phrases": dict(evidence.parts),
        "corpus_docs": int(corpus_docs),
    }
    conn = session.connection()
    exists = conn.execute(select(_docs.c.article_id).where(_docs.c.article_id == article_id)).first()
    if exists is None:
        conn.execute(insert(_docs).values(article_id=article_id, **values))
    else:
        conn.execute(update(_docs).where(_docs.c.article_id == article_id).values(**values))


def set_ranked(session: Session, article_id: int, corpus_docs: int) -> None:
    session.connection().execute(
        update(_docs).where(_docs.c.article_id == article_id).values(corpus_docs=int(corpus_docs))
    )


def forget(session: Session, article_ids: Iterable[int]) -> None:
    ids = list(article_ids)
    if ids:
        session.connection().execute(delete(_docs).where(_docs.c.article_id.in_(ids)))


def stale_rankings(conn: Connection, docs: int, factor: float = 2.0) -> list[int]:
    """Articles whose keywords were ranked when the corpus was less than 1/factor its size now."""
    limit = docs / factor
    q = select(_docs.c.article_id).where(_docs.c.corpus_docs < limit).order_by(_docs.c.article_id)
    return list(conn.execute(q).scalars())
