"""Corpus statistics in the store (SQLite and PostgreSQL): document frequencies exact after every
kind of change, keywords ranked against them, trending and related articles read from them,
and summaries computed outside the write transaction."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from alembic import command
from sqlalchemy import delete, select, update

from bot.config import Settings
from bot.corpus import ingest_paths
from bot.corpus.enrich import ArticleEnricher
from bot.corpus.ingest import Ingestor
from bot.corpus.pages import Piece
from bot.search import related, top_keywords
from bot.store import keywordstats
from bot.store.db import Store, alembic_config, open_store, upgrade
from bot.store.models import Article, KeywordDoc, KeywordStat, Page

EXTRA_PAGE = """# 口袋公园上新了

本报讯 (记者 王小明) 昨天,区里又一座口袋公园建成开放。这座口袋公园由闲置地块改造而成,种了樱花和桂花。

附近居民说,口袋公园建在家门口,下楼就能散步、健身。街道负责人介绍,明年还将再建五座口袋公园。
"""


def stats_of(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {t: n for t, n in s.execute(select(KeywordStat.term, KeywordStat.df))}


def recount(store: Store) -> dict[str, int]:
    """Document frequencies counted from scratch from every article's stored terms."""
    with store.session() as s:
        docs = list(s.scalars(select(KeywordDoc)))
    counts = Counter(t for d in docs for t in set(d.terms))
    counts[""] = len(docs)
    return dict(counts)


def test_document_frequencies_follow_adds_edits_and_removals(store: Store, seeds_copy: Path):
    settings = Settings()
    ingest_paths(store, settings, [seeds_copy])
    with store.session() as s:
        articles = s.scalar(select(Article.id).order_by(Article.id.desc()).limit(1))
        assert s.query(KeywordDoc).count() == s.query(Article).count() == articles == 15
    assert stats_of(store) == recount(store) and stats_of(store)[""] == 15
    # an edited page: an article changes, one is removed, one is added
    page = seeds_copy / "004_3499c55719d4de13.txt"
    text = page.read_text(encoding="utf-8").replace("机器人", "无人机")
    page.write_text(text + "\n\n" + EXTRA_PAGE, encoding="utf-8")
    (seeds_copy / "001_bab88bf13cc8535d.txt").unlink()  # not a removal: pages stay until replaced
    report = ingest_paths(store, settings, [seeds_copy])
    assert report.total("updated") >= 1 and report.total("new") >= 1
    counts = stats_of(store)
    assert counts == recount(store)
    assert counts.get("无人机", 0) >= 1 and "口袋公园" in counts
    # removals by plain SQL cascade through the triggers
    with store.session.begin() as s:
        s.execute(delete(Page).where(Page.source.like("%004_3499c55719d4de13.txt")))
    counts = stats_of(store)
    assert counts == recount(store) and "口袋公园" not in counts and "无人机" not in counts
    with store.session.begin() as s:  # a changed term list, written directly
        doc = s.scalars(select(KeywordDoc).limit(1)).one()
        doc.terms = [*doc.terms, "新加的词"]
    assert stats_of(store) == recount(store) and stats_of(store)["新加的词"] == 1


def test_keywords_are_ranked_against_the_whole_corpus_once_ingest_ends(store: Store, seeds_copy: Path):
    ingest_paths(store, Settings(), [seeds_copy])
    with store.session() as s:
        ranked = set(s.scalars(select(KeywordDoc.corpus_docs)))
        keywords = {a.title: [k["word"] for k in a.keywords] for a in s.scalars(select(Article))}
    assert ranked == {15}  # the first page's articles too, though they were summarized first
    counts = stats_of(store)
    everywhere = {t for t, n in counts.items() if t and n >= 0.6 * counts[""]}
    assert everywhere  # the district daily's own place name and its generic words
    for title, words in keywords.items():
        for word in set(words[:4]) & everywhere:
            assert word in title, (title, word)  # only where the headline is about it


def test_trending_is_the_days_burst_with_counts(store: Store, seeds_copy: Path):
    ingest_paths(store, Settings(), [seeds_copy])
    trending = top_keywords(store, top=5)
    assert len(trending) == 5 and all(n >= 2 for _, n in trending)
    counts = stats_of(store)
    assert all(counts.get(w, 0) < 0.6 * counts[""] for w, _ in trending)  # nothing in nearly every article
    words = [w for w, _ in trending]
    assert not any(a in b for a in words for b in words if a != b)  # no variants twice
    with store.session() as s:
        ids = list(s.scalars(select(Article.id).where(Article.kind == "article")))
    assert top_keywords(store, top=5, article_ids=ids) == trending  # what the digest header shows


def test_related_articles_are_similar_articles_above_the_floor(store: Store, seeds_copy: Path):
    (seeds_copy / "005_parks.txt").write_text(EXTRA_PAGE, encoding="utf-8")
    (seeds_copy / "006_parks.txt").write_text(
        EXTRA_PAGE.replace("# 口袋公园上新了", "# 第二座口袋公园开放").replace("樱花和桂花", "香樟和银杏"),
        encoding="utf-8",
    )
    ingest_paths(store, Settings(), [seeds_copy])
    with store.session() as s:
        park = s.scalar(select(Article.id).where(Article.title == "口袋公园上新了"))
        kinds = {i: k for i, k in s.execute(select(Article.id, Article.kind))}
    hits = related(store, park, 5)
    assert hits and hits[0].title == "第二座口袋公园开放"
    assert all(kinds[h.id] == "article" for h in hits)  # never a photo caption
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score >= 0.1 for h in hits)
    for article_id in kinds:  # no weak matches anywhere: at most a few related per seed story
        assert all(h.score >= 0.1 for h in related(store, article_id, 5))


def test_summaries_are_computed_before_the_write_transaction(sqlite_store: Store, seeds_copy: Path):
    """While a file is being summarized, another connection can still write (SQLite's lock is free)."""
    path = sqlite_store.engine.url.database
    wrote = []

    class Probing(ArticleEnricher):
        def prepare(self, store: Store, pieces: list[Piece]) -> dict:
            other = sqlite3.connect(path, timeout=0.1)
            try:
                other.execute("BEGIN IMMEDIATE")  # fails with 'database is locked' if a writer holds it
                other.execute("UPDATE keyword_stats SET df = df WHERE term = ''")
                other.execute("COMMIT")
                wrote.append(len(pieces))
            finally:
                other.close()
            return super().prepare(store, pieces)

    report = Ingestor(sqlite_store, 5_000_000, Probing(Settings())).ingest([seeds_copy])
    assert not report.errors and len(wrote) == 5 and sum(wrote) == 15
    with sqlite_store.session() as s:
        assert all(a.summary and a.keywords for a in s.scalars(select(Article)))


def test_migration_0005_goes_down_and_up(db_url: str):
    store = open_store(db_url)
    try:
        command.downgrade(alembic_config(store.engine), "0002")
        with store.engine.connect() as conn:
            assert not keywordstats.has_tables(conn)
        upgrade(store.engine, "head")
        with store.engine.connect() as conn:
            assert keywordstats.has_tables(conn)
            assert keywordstats.corpus_stats(conn, ["武进"]).docs == 0
    finally:
        store.dispose()


def test_articles_from_before_the_migration_get_their_evidence(store: Store, seeds_copy: Path):
    ingest_paths(store, Settings(), [seeds_copy])
    with store.session.begin() as s:  # as if summarized before 0005: no evidence, an old version
        s.execute(delete(KeywordDoc))
        s.execute(update(Article).values(summary_version="news-old"))
    assert stats_of(store) == {"": 0}
    ingest_paths(store, Settings(), [seeds_copy])  # pages unchanged: only the refresh runs
    assert stats_of(store) == recount(store) and stats_of(store)[""] == 15
