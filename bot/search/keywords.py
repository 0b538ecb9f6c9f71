"""Trending keywords: the words unusually frequent in a period against the corpus' usual rate,
with how many of the period's articles have them. One function serves the digest header (the
articles a digest lists), /keywords and `digestbot keywords` (the latest day, or since a day).

Candidates are the stored keywords of the period's articles; a word's count is how many of
them contain it (their keyword evidence, else their keywords), and its score the burst of that
count against the rest of the corpus (bot.nlp.specificity.burst, with the store's document
frequencies blended with jieba's IDF, as keywords are ranked), times the share of those
articles that have it as a keyword (a word many stories mention in passing, `区委`, trends less
than one they are about). A word in nearly every article
of the corpus is never trending (a paper's own place name says nothing about the day), and a
word only one article has trends only when no word has two; variants (`实干`, `崇尚实干`) count
once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, or_, select

from bot.nlp.keywords import KeywordParams, distinct
from bot.nlp.specificity import background_idf, burst
from bot.store import keywordstats
from bot.store.articles import keyword_words
from bot.store.db import Store
from bot.store.models import Article, KeywordDoc

LATEST_WINDOW = 500  # how far back "the latest day" is looked for (as the digest does)
MAX_PERIOD = 5000  # a period longer than this is judged by its newest articles


def _latest_day(conn: Connection) -> list[int]:
    rows = conn.execute(
        select(Article.id, Article.published_on, Article.ingested_at)
        .where(Article.kind == "article")
        .order_by(Article.id.desc())
        .limit(LATEST_WINDOW)
    ).all()
    days = {r.id: r.published_on or r.ingested_at.astimezone(UTC).date() for r in rows}
    latest = max(days.values(), default=None)
    return [i for i, day in days.items() if day == latest]


def _since(conn: Connection, since: date) -> list[int]:
    midnight = datetime(since.year, since.month, since.day, tzinfo=UTC)
    dated = or_(Article.published_on >= since, and_(Article.published_on.is_(None), Article.ingested_at >= midnight))
    q = select(Article.id).where(Article.kind == "article", dated).order_by(Article.id.desc()).limit(MAX_PERIOD)
    return list(conn.execute(q).scalars())


def _counts(conn: Connection, ids: Sequence[int]) -> tuple[Counter[str], Counter[str], int]:
    """(articles having each word, articles having it as a keyword, the period's size)."""
    present: Counter[str] = Counter()
    candidates: Counter[str] = Counter()
    size = 0
    for start in range(0, len(ids), keywordstats.BATCH):
        chunk = list(ids[start : start + keywordstats.BATCH])
        rows = conn.execute(
            select(Article.id, Article.keywords, KeywordDoc.terms)
            .outerjoin(KeywordDoc, KeywordDoc.article_id == Article.id)
            .where(Article.id.in_(chunk), Article.kind == "article")
        )
        for row in rows:
            size += 1
            words = keyword_words(row.keywords)
            candidates.update(set(words))
            present.update(set(words) | set(row.terms or []))
    return present, candidates, size


def _ranked(
    present: Counter[str], candidates: Counter[str], size: int, conn: Connection, top: int
) -> list[tuple[str, int]]:
    params = KeywordParams()
    stats = keywordstats.corpus_stats(conn, candidates) if keywordstats.has_tables(conn) else None
    docs = stats.docs if stats else 0
    scored = []
    for word, as_keyword in candidates.items():
        k = max(present[word], as_keyword)
        df = max(stats.df.get(word, 0) if stats else 0, 0)
        if docs >= params.ubiquitous_min_docs and df >= params.ubiquitous_share * docs:
            continue
        score = burst(k, size, max(df, k), max(docs, size), background_idf(word), params.prior_docs)
        scored.append((score * as_keyword / k, k, word))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    several = [(w, k) for s, k, w in scored if k >= 2 and s > 0] or [(w, k) for s, k, w in scored if s > 0]
    counts = dict(several)
    return [(w, counts[w]) for w in distinct([w for w, _ in several], top)]


def top_keywords(
    store: Store, top: int = 10, since: date | None = None, article_ids: Iterable[int] | None = None
) -> list[tuple[str, int]]:
    """The period's trending keywords, best first, each with how many of its articles have it.

    The period is `article_ids` when given (a digest's articles), else the articles published
    on or after `since` (by ingest time when undated), else the latest day's."""
    top = max(0, int(top))
    with store.engine.connect() as conn:
        if article_ids is not None:
            ids = sorted({int(i) for i in article_ids})
        elif since is not None:
            ids = _since(conn, since)
        else:
            ids = _latest_day(conn)
        present, candidates, size = _counts(conn, ids)
        if not candidates or not top:
            return []
        return _ranked(present, candidates, size, conn, top)
