"""Summaries and keywords in the store: computed at ingest, kept with a version, refreshed.

`summary_version` is a short hash of the algorithm version and every setting that changes the
output (mode, sizes, stop words). Ingest fills new and changed articles through the enricher:
`prepare` summarizes a file's new and changed pieces before its write transaction opens (the
slow part: segmentation, ranking), `apply` writes the result inside it. Keywords are ranked
against the store's own corpus statistics (bot.store.keywordstats; each article's evidence is
stored too, so `bot.corpus.rerank` can rank them again as the corpus grows). `refresh_stale`
recomputes the articles whose version differs, so editing [summary] in the config (or
upgrading the algorithm) reaches old articles on the next ingest — also computing first and
writing after.
"""

from __future__ import annotations

import hashlib
import json
import logging
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.config import Settings, SummarySettings
from bot.corpus.ingest import piece_hash
from bot.corpus.pages import Piece
from bot.nlp import keywords as kw
from bot.nlp.keywords import Evidence
from bot.nlp.specificity import CorpusStats
from bot.nlp.stopwords import fingerprint, load_stopwords
from bot.nlp.summarizer import Options, Summary, summarize
from bot.store import keywordstats
from bot.store.articles import body_paragraphs
from bot.store.db import Store
from bot.store.models import Article, KeywordDoc

log = logging.getLogger(__name__)

# bump when a code change alters summaries or keywords, so stored ones are recomputed
ALGORITHM_VERSION = "2"
REFRESH_BATCH = 200
_migrated: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


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
    return Options(stopwords=load_stopwords(s.stopwords_file), **values)


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
    return summarize(body_paragraphs(article), options, article.title or None, byline=article.byline)


def summarize_stored(store: Store, article: Article, options: Options) -> Summary:
    """A stored article summarized again, its keywords ranked against the store's corpus (which
    counts the article itself, so it is taken out first) as ingest ranks them."""
    summary = summarize_article(article, options)
    if summary.evidence is None or not has_stats(store):
        return summary
    with store.engine.connect() as conn:
        stats = keywordstats.corpus_stats(conn, summary.evidence.weights)
    others = stats.excluding(summary.evidence.terms)
    summary.keywords = kw.rank(summary.evidence, others, article.title or None, options.keywords, options.news.keywords)
    return summary


def has_stats(where: Store | Session) -> bool:
    """Whether the database has migration 0005's tables (remembered per engine)."""
    engine = where.engine if isinstance(where, Store) else where.get_bind().engine
    if not _migrated.get(engine):
        with engine.connect() as conn:
            _migrated[engine] = keywordstats.has_tables(conn)
    return _migrated[engine]


@dataclass
class Prepared:
    """An article's summary and keywords, computed outside any write transaction."""

    sentences: list[str]
    keywords: list[dict]
    evidence: Evidence | None  # what the store keeps to rank the keywords again (news mode)
    corpus_docs: int  # the corpus size the keywords were ranked against


def rank_against(summary: Summary, stats: CorpusStats | None, title: str | None, options: Options) -> Prepared:
    """The summary with its keywords ranked against these corpus statistics (if any)."""
    if summary.evidence is None or stats is None:
        return Prepared(summary.sentences, summary.keywords, None, 0)
    keywords, kept = kw.choose(summary.evidence, stats, title, options.keywords, options.news.keywords)
    return Prepared(summary.sentences, keywords, kept, stats.docs + 1)


def compute(
    store: Store, items: Iterable[tuple[list[str], str | None, str | None]], options: Options
) -> list[Prepared]:
    """Summaries of (paragraphs, title, byline) items, keywords ranked against the store's corpus.

    Runs without a write transaction: the corpus statistics are read in a short read."""
    summaries = [(summarize(p, options, title, byline=byline), title) for p, title, byline in items]
    if not has_stats(store):
        return [rank_against(s, None, t, options) for s, t in summaries]
    terms = {w for s, _ in summaries if s.evidence for w in s.evidence.weights}
    with store.engine.connect() as conn:
        stats = keywordstats.corpus_stats(conn, terms)
    return [rank_against(s, stats, t, options) for s, t in summaries]


def write(session: Session, article: Article, prepared: Prepared, version: str) -> None:
    """Store a prepared summary in an article (inside the caller's write transaction)."""
    article.summary = prepared.sentences
    article.keywords = prepared.keywords
    article.summary_version = version
    if prepared.evidence is not None and has_stats(session):
        if article.id is None:
            session.flush()
        keywordstats.save_evidence(session, article.id, prepared.evidence, prepared.corpus_docs)


class ArticleEnricher:
    """The ingest hook: `prepare` before a file's write transaction, `apply` inside it. Calling
    it as `enrich(session, article)` computes and writes in one go (inside the transaction)."""

    def __init__(self, settings: Settings | SummarySettings, also: Callable[[Session, Article], None] | None = None):
        self.options = options_for(settings)
        self.version = version_of(self.options)
        self.also = also  # run after each article is written, in its transaction (near-duplicates)
        self.applied: list[int] = []  # ids of the articles written, for ranking again at the end

    def prepare(self, store: Store, pieces: list[Piece]) -> dict[str, Prepared]:
        items = [(piece.paragraphs(), piece.title or None, piece.byline) for piece in pieces]
        results = compute(store, items, self.options)
        return {piece_hash(piece): result for piece, result in zip(pieces, results, strict=True)}

    def apply(self, session: Session, article: Article, prepared: Prepared | None) -> None:
        if prepared is None:  # not prepared (the page changed after it was read): compute now
            summary = summarize_article(article, self.options)
            stats: CorpusStats | None = None
            if summary.evidence is not None and has_stats(session):
                stats = keywordstats.corpus_stats(session.connection(), summary.evidence.weights)
            prepared = rank_against(summary, stats, article.title or None, self.options)
        write(session, article, prepared, self.version)
        self.applied.append(article.id)
        if self.also is not None:
            self.also(session, article)

    def __call__(self, session: Session, article: Article) -> None:
        self.apply(session, article, None)


def enricher_for(
    settings: Settings | SummarySettings, also: Callable[[Session, Article], None] | None = None
) -> ArticleEnricher:
    return ArticleEnricher(settings, also)


def _stale_ids(store: Store, version: str) -> list[int]:
    stale = or_(Article.summary_version.is_(None), Article.summary_version != version)
    with store.session() as session:
        ids = set(session.scalars(select(Article.id).where(stale)))
        if has_stats(store) and version.startswith("news-"):  # summarized before migration 0005
            docs = select(KeywordDoc.article_id)
            ids |= set(session.scalars(select(Article.id).where(Article.id.not_in(docs))))
    return sorted(ids)


def refresh_stale(store: Store, settings: Settings | SummarySettings) -> int:
    """Recompute every article whose summary_version is not the current one; return how many.

    Each batch is computed from a read, then written in a short transaction (an article edited
    in between keeps its newer text and is left for the next refresh)."""
    options = options_for(settings)
    version = version_of(options)
    ids = _stale_ids(store, version)
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        with store.session() as session:
            articles = list(
                session.scalars(select(Article).where(Article.id.in_(batch)).options(selectinload(Article.blocks)))
            )
            items = [(body_paragraphs(a), a.title or None, a.byline) for a in articles]
            hashes = {a.id: a.content_hash for a in articles}
        results = dict(zip(hashes, compute(store, items, options), strict=True))
        with store.session.begin() as session:
            for article in session.scalars(select(Article).where(Article.id.in_(list(results)))):
                if article.content_hash == hashes[article.id]:
                    write(session, article, results[article.id], version)
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
