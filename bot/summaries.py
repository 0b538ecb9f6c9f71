"""Summaries and keywords in the store: computed at ingest, kept with a version, refreshed.

`summary_version` is a short hash of the algorithm version and every setting that changes the
output (mode, sizes, stop words). Ingest fills new and changed articles through the enricher;
`refresh_stale` recomputes the articles whose version differs, so editing [summary] in the
config (or upgrading the algorithm) reaches old articles on the next ingest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.articles import body_paragraphs
from bot.config import Settings, SummarySettings
from bot.db import Store
from bot.models import Article
from bot.stopwords import fingerprint, load_stopwords
from bot.summarizer import Options, Summary, summarize

log = logging.getLogger(__name__)

# bump when a code change alters summaries or keywords, so stored ones are recomputed
ALGORITHM_VERSION = "1"
REFRESH_BATCH = 200


def _summary_settings(settings: Settings | SummarySettings) -> SummarySettings:
    return settings.summary if isinstance(settings, Settings) else settings


def options_for(settings: Settings | SummarySettings, **overrides: object) -> Options:
    """Summarizer options from the [summary] settings, with optional field overrides."""
    s = _summary_settings(settings)
    values: dict[str, object] = {
        "mode": s.mode,
        "sentences": s.sentences,
        "chars": s.chars,
        "keywords": s.keywords,
        "keyword_min_length": s.keyword_min_length,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Options(stopwords=load_stopwords(s.stopwords_file), **values)  # type: ignore[arg-type]


def version_of(options: Options) -> str:
    """`<mode>-<hash>`: changes whenever the stored summary would."""
    data = {
        "algorithm": ALGORITHM_VERSION,
        "mode": options.mode,
        "sentences": options.sentences,
        "chars": options.chars,
        "keywords": options.keywords,
        "keyword_min_length": options.keyword_min_length,
        "stopwords": fingerprint(options.stopwords),
        "news": repr(options.news),
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return f"{options.mode}-{digest}"


def summarize_article(article: Article, options: Options) -> Summary:
    return summarize(body_paragraphs(article), options, article.title or None)


def _apply(article: Article, options: Options, version: str) -> None:
    result = summarize_article(article, options)
    article.summary = result.sentences
    article.keywords = result.keywords
    article.summary_version = version


def enricher_for(settings: Settings | SummarySettings) -> Callable[[Session, Article], None]:
    """The ingest hook: fills summary, keywords and summary_version of an article in place."""
    options = options_for(settings)
    version = version_of(options)

    def enrich(session: Session, article: Article) -> None:
        _apply(article, options, version)

    return enrich


def refresh_stale(store: Store, settings: Settings | SummarySettings) -> int:
    """Recompute every article whose summary_version is not the current one; return how many."""
    options = options_for(settings)
    version = version_of(options)
    stale = or_(Article.summary_version.is_(None), Article.summary_version != version)
    with store.session() as session:
        ids = list(session.scalars(select(Article.id).where(stale).order_by(Article.id)))
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        with store.session.begin() as session:
            for article in session.scalars(select(Article).where(Article.id.in_(batch), stale)):
                _apply(article, options, version)
    if ids:
        log.info("recomputed summaries of %d article(s) for version %s", len(ids), version)
    return len(ids)


def summary_for(settings: Settings | SummarySettings, cache_size: int = 4096) -> Callable[[Article, int], list[str]]:
    """`(article, n) -> n summary sentences` for digests and per-chat lengths.

    The stored summary has the configured length; a digest may want fewer sentences (or a chat
    more), and the best two are not always two of the stored three in order, so this ranks
    again — once per article, version and length, then from a small cache."""
    options = {n: options_for(settings, sentences=n, chars=0) for n in range(1, 6)}
    cache: dict[tuple[int, str, int], list[str]] = {}

    def for_article(article: Article, n: int) -> list[str]:
        n = max(1, min(n, 5))
        key = (article.id, article.content_hash, n)
        if key not in cache:
            if len(cache) >= cache_size:
                cache.pop(next(iter(cache)))
            cache[key] = summarize_article(article, options[n]).sentences
        return list(cache[key])

    return for_article
