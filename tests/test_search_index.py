"""The index follows the store: ingest, re-ingest, edits, keywords, deletes, rollbacks, migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from bot.corpus.ingest import Ingestor
from bot.search import search
from bot.search import sqlite as sqlite_backend
from bot.search.index import check, index_articles, rebuild
from bot.store.db import Store, make_engine, upgrade
from bot.store.models import Article, Block, Page

ROBOT = "深圳大寰机器人研发制造中心项目签约落户武高新"


def ingest(store: Store, *paths: Path, enrich: Any = None) -> Any:
    report = Ingestor(store, 5_000_000, enrich).ingest(paths)
    assert not report.errors
    return report


def snapshot(store: Store) -> list[tuple]:
    if store.dialect == "sqlite":
        sql = "SELECT article_id, title, lead, headings, body, byline, keywords, plain, doc_len FROM search_docs"
    else:
        sql = (
            "SELECT article_id, x.plain, d.doc_len, d.day, d.terms::text, d.grams::text, x.tf::text, x.title::text "
            "FROM search_docs d FULL JOIN search_text x USING (article_id)"
        )
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql + " ORDER BY article_id")]


def assert_in_step(store: Store) -> None:
    """Every article has exactly the index rows a rebuild from scratch would give it."""
    with store.engine.connect() as conn:
        check(conn)  # FTS5 integrity against search_docs (SQLite)
        articles = list(conn.execute(select(Article.id).order_by(Article.id)).scalars())
        if store.dialect == "sqlite":
            fts_rows = conn.exec_driver_sql("SELECT count(*) FROM search_fts_docsize").scalar()
            assert fts_rows == len(articles)
            days = conn.exec_driver_sql("SELECT article_id, day FROM search_days ORDER BY article_id").all()
            real_days = conn.exec_driver_sql("SELECT id, published_on FROM articles ORDER BY id").all()
            assert [tuple(r) for r in days] == [tuple(r) for r in real_days]
        else:  # the trigger-kept totals and per-term counts agree with the rows
            stats = conn.exec_driver_sql("SELECT docs, tokens FROM search_stats").one()
            real = conn.exec_driver_sql("SELECT count(*), coalesce(sum(doc_len), 0) FROM search_docs").one()
            assert tuple(stats) == tuple(real)
            kept = dict(conn.exec_driver_sql("SELECT term, docs FROM search_terms WHERE docs <> 0").all())
            counted = "SELECT t, count(*) FROM search_docs, unnest(tsvector_to_array(terms)) AS t GROUP BY t"
            assert kept == dict(conn.exec_driver_sql(counted).all())
            days = conn.exec_driver_sql(
                "SELECT d.day, a.published_on FROM search_docs d JOIN articles a ON a.id = d.article_id"
            )
            assert all(day == published for day, published in days)
    current = snapshot(store)
    assert [r[0] for r in current] == articles
    with store.engine.begin() as conn:
        rebuild(conn)
    assert snapshot(store) == current


def titles(store: Store, query: str) -> list[str]:
    return [h.title for h in search(store, query, page_size=50).hits]


def test_index_follows_ingest_edits_and_deletes(store: Store, seeds_copy: Path):
    ingest(store, seeds_copy)
    assert_in_step(store)
    before = snapshot(store)
    ingest(store, seeds_copy)  # unchanged: nothing rewritten
    assert snapshot(store) == before

    page = seeds_copy / "004_3499c55719d4de13.txt"
    body = page.read_text(encoding="utf-8").replace("新项目投资约5亿元", "新项目投资约6亿元")
    cut = body.index("## 以实干论英雄")
    page.write_text(
        body[:cut] + "## 新增一篇稿件\n\n本报讯 (记者 王五) 今天新增一篇稿件，讲述氢能重卡。\n", encoding="utf-8"
    )
    report = ingest(store, seeds_copy)
    assert (report.total("new"), report.total("updated"), report.total("removed")) == (1, 1, 1)
    assert titles(store, '"投资约6亿元"') == [ROBOT]
    assert titles(store, '"投资约5亿元"') == []
    assert titles(store, "以实干论英雄") == []
    assert titles(store, "氢能重卡") == ["新增一篇稿件"]
    assert_in_step(store)

    with store.session.begin() as s:  # ORM delete of a page: its articles go by cascade
        s.delete(s.scalars(select(Page).where(Page.source.like("%004_%"))).one())
    assert titles(store, "氢能重卡") == [] and titles(store, "机器人") != [] and ROBOT not in titles(store, "机器人")
    assert_in_step(store)

    with store.engine.begin() as conn:  # plain SQL delete: the foreign keys and triggers follow
        conn.execute(text("DELETE FROM pages WHERE source LIKE '%002_%'"))
    assert titles(store, "清洁生产") == []
    assert_in_step(store)


def test_keywords_set_by_the_enricher_after_the_first_flush_are_indexed(store: Store, seeds_copy: Path):
    def enrich(session: Any, article: Any) -> None:
        assert article.id is not None  # called after the flush that inserted the article
        article.keywords = [{"word": "测试关键词", "weight": 1.0}] if "机器人" in article.title else []

    ingest(store, seeds_copy, enrich=enrich)
    assert titles(store, "#测试关键词") == [ROBOT]
    assert_in_step(store)


def test_orm_edits_bulk_updates_and_rollbacks(store: Store, seeds_copy: Path):
    ingest(store, seeds_copy)
    with store.session.begin() as s:  # a block edited on its own
        block = s.scalars(select(Block).join(Article).where(Article.title == ROBOT).order_by(Block.position)).first()
        block.text = block.text + "另有量子通信试点。"
    assert titles(store, "量子通信") == [ROBOT]

    with store.session() as s:  # flushed, then rolled back: the index keeps the old text
        article = s.scalars(select(Article).where(Article.title == ROBOT)).one()
        article.title = "改过又撤回的标题"
        s.flush()
        s.rollback()
    assert titles(store, "撤回") == [] and titles(store, "大寰") == [ROBOT]
    assert_in_step(store)

    with store.session.begin() as s:  # ORM bulk UPDATE (no objects loaded)
        s.execute(update(Article).where(Article.title == ROBOT).values(title="大寰机器人华东中心签约"))
        s.execute(update(Block).where(Block.text.contains("量子通信")).values(text="改写后的段落提到星链。"))
    assert titles(store, "华东中心") == ["大寰机器人华东中心签约"]
    assert titles(store, "星链") == ["大寰机器人华东中心签约"] and titles(store, "量子通信") == []
    with store.session.begin() as s:  # bulk UPDATE by primary key
        robot_id = s.scalar(select(Article.id).where(Article.title == "大寰机器人华东中心签约"))
        s.execute(update(Article), [{"id": robot_id, "keywords": ["批量关键词"]}])
    assert titles(store, "#批量关键词") == ["大寰机器人华东中心签约"]
    with store.session.begin() as s:  # ORM bulk DELETE: the cascade does it
        s.execute(delete(Article).where(Article.id == robot_id))
    assert titles(store, "华东中心") == []
    assert_in_step(store)


def test_core_writes_need_index_articles(store: Store, seeds_copy: Path):
    ingest(store, seeds_copy)
    with store.engine.begin() as conn:
        conn.execute(Article.__table__.update().where(Article.__table__.c.title == ROBOT).values(title="核心层改名"))
    assert titles(store, "核心层改名") == []  # Core bypasses the ORM: documented
    with store.engine.begin() as conn:
        robot_id = conn.execute(select(Article.id).where(Article.title == "核心层改名")).scalar_one()
        assert index_articles(conn, [robot_id, 999_999]) == 1
    assert titles(store, "核心层改名") == ["核心层改名"]
    assert_in_step(store)


def test_migration_indexes_existing_articles(db_url: str, seeds_copy: Path):
    engine = make_engine(db_url)
    upgrade_down = __import__("alembic.command", fromlist=["downgrade"]).downgrade
    from bot.store.db import alembic_config

    try:
        # articles stored by today's models, then the schema taken back to before the index
        # (0001: the index tables go, the articles stay) and forward again: 0002 indexes them
        upgrade(engine)
        ingest(Store(engine), seeds_copy)
        upgrade_down(alembic_config(engine), "0001")
        upgrade(engine)
        store = Store(engine)
        assert titles(store, "机器人")[0] == ROBOT
        assert_in_step(store)
        upgrade_down(alembic_config(engine), "0001")
        upgrade(engine)
        assert titles(store, "清洁生产") == ["武高新点“绿”成金 激发清洁生产新动能"]
    finally:
        engine.dispose()


def test_sqlite_without_trigram_gives_the_same_answers(sqlite_store: Store, seeds_copy: Path, monkeypatch):
    ingest(sqlite_store, seeds_copy)
    queries = ["清洁生产", '"创新发展"', "史莲寅", "机器人 -创新发展", '"武高新点绿成金"', "高质量 发展 -机器人产业"]
    with_trigram = {q: [(h.id, h.score) for h in search(sqlite_store, q, page_size=50).hits] for q in queries}
    monkeypatch.setattr(sqlite_backend, "TRIGRAM_MIN", 10**6)
    for q in queries:
        assert [(h.id, h.score) for h in search(sqlite_store, q, page_size=50).hits] == with_trigram[q], q


@pytest.mark.parametrize("kind", ["caption"])
def test_captions_are_indexed(store: Store, seeds_copy: Path, kind: str):
    ingest(store, seeds_copy)
    hits = search(store, "陆新 徐芊卉").hits
    assert [h.kind for h in hits] == [kind] and hits[0].title == ""


def test_every_new_session_factory_is_hooked():
    """Stores come and go (tests, CLI runs); each new session factory must be hooked, even when
    it takes the place in memory of a collected one (SQLAlchemy's event.contains() says yes then)."""
    import gc

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from bot.search.index import PENDING, track
    from bot.store.models import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    for n in range(60):
        factory = sessionmaker(engine)
        track(factory)
        with factory() as s:
            page = Page(source=f"p{n}", content_hash="x")
            page.articles.append(Article(position=0, title="t", content_hash="y"))
            s.add(page)
            s.flush()
            assert s.info.get(PENDING), n  # the flush was noted
            s.rollback()
        del factory
        gc.collect()
