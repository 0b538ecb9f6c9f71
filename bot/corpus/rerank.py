"""Keywords ranked again as the corpus grows: what is specific to an article depends on what
else the store holds (a place name in every story of a district paper stops being a keyword).

After an ingest run, the articles it wrote and every article last ranked when the corpus was
less than half its present size are ranked again from their stored evidence (no segmentation:
a few multiplications per article), so each article is re-ranked about twice over the life of
a corpus, and a first ingest of many pages ends with the keywords a later one would give.
Computed from a read, written in short transactions; only `news` mode has evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select

from bot.config import Settings, SummarySettings
from bot.corpus.enrich import has_stats, options_for, version_of
from bot.nlp import keywords as kw
from bot.nlp.summarizer import Options
from bot.store import keywordstats
from bot.store.db import Store
from bot.store.models import Article

log = logging.getLogger(__name__)

BATCH = 25  # articles per write transaction: the search index re-reads what changed, so keep it short
GROWTH = 2.0  # rank again once the corpus has grown this many times since the last ranking


def _ranked(store: Store, batch: list[int], options: Options, version: str) -> tuple[dict[int, list[dict]], int]:
    """New keywords of these articles (those still at the current version), and the corpus size."""
    with store.engine.connect() as conn:
        evidence = keywordstats.load_evidence(conn, batch)
        rows = conn.execute(
            select(Article.id, Article.title).where(Article.id.in_(list(evidence)), Article.summary_version == version)
        ).all()
        stats = keywordstats.corpus_stats(conn, {w for ev, _ in evidence.values() for w in ev.weights})
    out = {}
    for article_id, title in rows:
        found, _ = evidence[article_id]
        others = stats.excluding(found.terms)
        out[article_id] = kw.rank(found, others, title or None, options.keywords, options.news.keywords)
    return out, stats.docs


def rerank(store: Store, settings: Settings | SummarySettings, ids: Iterable[int] = (), growth: float = GROWTH) -> int:
    """Rank again the keywords of `ids` and of the articles ranked against a much smaller corpus;
    returns how many changed."""
    options = options_for(settings)
    if options.mode != "news" or not has_stats(store):
        return 0
    version = version_of(options)
    with store.engine.connect() as conn:
        docs = keywordstats.corpus_stats(conn, ()).docs
        targets = sorted({int(i) for i in ids if i is not None} | set(keywordstats.stale_rankings(conn, docs, growth)))
    changed = 0
    for start in range(0, len(targets), BATCH):
        batch = targets[start : start + BATCH]
        fresh, docs = _ranked(store, batch, options, version)
        with store.session.begin() as session:
            for article in session.scalars(select(Article).where(Article.id.in_(list(fresh)))):
                if article.keywords != fresh[article.id]:
                    article.keywords = fresh[article.id]
                    changed += 1
                keywordstats.set_ranked(session, article.id, docs)
    if changed:
        log.info("ranked the keywords of %d article(s) again (corpus of %d)", changed, docs)
    return changed
