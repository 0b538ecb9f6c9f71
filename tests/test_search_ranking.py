"""Ranking and counting on both stores: ties to the title then recency, the capped total, the
phrase pre-filter (trigrams), PostgreSQL's recency buckets and the kept term counts."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from bot.cli import main
from bot.cli import search as cli_search
from bot.corpus.ingest import Ingestor
from bot.search import parse, search
from bot.search import postgres as pg_backend
from bot.search.document import build_doc
from bot.search.index import load_articles
from bot.store.db import Store
from bot.store.models import Article
from conftest import SEEDS, postgres_schema_url


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in pages.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def ingest(store: Store, *paths: Path) -> None:
    report = Ingestor(store, 5_000_000).ingest(list(paths))
    assert not report.errors


def ids_by_title(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {t: i for i, t in s.execute(select(Article.id, Article.title))}


# -- ties ------------------------------------------------------------------------------------

# A word in every article: BM25 gives it no weight (FTS5's idf of 1e-6), so every score is a tie.
TIE_PAGES = {
    "2024-01-01_a.txt": "合作社年终盘点\n\n本报讯 今年的收成比去年好，果园扩大了一倍。\n",
    "2024-01-02_b.txt": "乡村简讯一\n\n本报讯 合作社开会。合作社记账。合作社分红，合作社再开会。\n",
    "2024-01-03_c.txt": "乡村简讯二\n\n本报讯 合作社组织了一次技术培训。\n",
    "2024-01-05_d.txt": "乡村简讯三\n\n本报讯 合作社带动村民增收，合作社扩大了规模。\n",
    "2024-01-04_e.txt": "乡村简讯四\n\n本报讯 新来的技术员走访了合作社。\n",
}


def test_ties_go_to_the_title_then_the_newer_article(store: Store, tmp_path: Path):
    ingest(store, write_pages(tmp_path / "pages", TIE_PAGES))
    result = search(store, "合作社", page_size=10)
    assert [h.title for h in result.hits] == ["合作社年终盘点", "乡村简讯三", "乡村简讯四", "乡村简讯二", "乡村简讯一"]
    assert len({h.score for h in result.hits}) == 1  # one score: the order is the tie-break's
    assert [h.published_on for h in result.hits[1:]] == ["2024-01-05", "2024-01-04", "2024-01-03", "2024-01-02"]
    # a word that does tell the articles apart still ranks by BM25, title or not
    assert search(store, "合作社 技术", page_size=10).hits[0].title in {"乡村简讯二", "乡村简讯四"}
    assert [h.title for h in search(store, "年终 合作社").hits] == ["合作社年终盘点"]


def test_dates_follow_the_article(store: Store, tmp_path: Path):
    """The day kept in the index for the tie-break changes with the article's date."""
    from datetime import date

    from sqlalchemy import update

    ingest(store, write_pages(tmp_path / "pages", TIE_PAGES))
    with store.session.begin() as s:
        s.execute(update(Article).where(Article.title == "乡村简讯一").values(published_on=date(2030, 1, 1)))
    titles = [h.title for h in search(store, "合作社", page_size=10).hits]
    assert titles[:2] == ["合作社年终盘点", "乡村简讯一"]


# -- the capped total ------------------------------------------------------------------------


def test_a_large_total_is_capped_until_paging_reaches_the_end(store: Store):
    ingest(store, SEEDS)
    full = search(store, "发展", page_size=100)
    n = full.total
    assert not full.total_capped and n == len(full.hits) > 8
    first = search(store, "发展", page_size=3, rank_window=4, total_cap=6)
    assert (first.total, first.total_capped, first.pages, first.has_next) == (6, True, 2, True)
    assert first.to_dict()["total_capped"] is True
    counted = search(store, "发展", page_size=3, rank_window=4)  # under the default cap: counted
    assert (counted.total, counted.total_capped, [h.id for h in counted.hits]) == (n, False, [h.id for h in first.hits])
    seen, page, last = [], 1, first
    while True:
        last = search(store, "发展", page=page, page_size=3, rank_window=4, total_cap=6)
        if last.page != page:  # asked past the end (the last window was full): shown the last page
            break
        assert last.total_capped or last.total == n
        seen += [h.id for h in last.hits]
        if not last.has_next:
            break
        page += 1
    assert sorted(seen) == sorted(h.id for h in full.hits) and len(seen) == n
    assert (last.total, last.total_capped) == (n, False)
    exact = search(store, "发展", page_size=3, rank_window=4, total_cap=6, exact_total=True)
    assert (exact.total, exact.total_capped, [h.id for h in exact.hits]) == (n, False, [h.id for h in first.hits])
    stale = search(store, "发展", page=999, page_size=3, rank_window=4, total_cap=6)
    assert (stale.page, stale.total, stale.total_capped) == (-(-n // 3), n, False)
    small = search(store, "清洁生产", rank_window=4)  # fewer matches than a window: exact
    assert (small.total, small.total_capped) == (1, False)


def test_the_bot_and_the_cli_show_a_capped_total(store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch):
    from bot.telegram.views import search_page

    ingest(store, SEEDS)
    capped = search(store, "发展", page_size=3, rank_window=4, total_cap=4)
    zh, en = search_page("zh", capped, "0123456789"), search_page("en", capped, "0123456789")
    assert "4+ 条结果" in zh.text and "第 1 页，共 2+ 页" in zh.text
    assert "4+ results (page 1 of 2+)" in en.text
    assert "1/2+" in [label for row in en.buttons for label, _ in row]
    exact = search(store, "发展", page_size=3, rank_window=4)
    assert not exact.total_capped and f"共 {exact.total} 条结果" in search_page("zh", exact, "0123456789").text
    monkeypatch.setattr(cli_search, "search", functools.partial(search, rank_window=4, total_cap=4))
    res = CliRunner().invoke(main, ["search", "--db", db_url, "--limit", "3", "发展"])
    assert res.exit_code == 0 and res.output.startswith("4+ articles match 发展 (page 1 of 2+)"), res.output


# -- phrases: trigram pre-filter, then the text ---------------------------------------------

PHRASE_PAGES = {
    "2024-02-01_a.txt": "园区动态\n\n本报讯 园区今年建设绿色工厂三家。\n",
    "2024-02-02_b.txt": "参观活动\n\n本报讯 绿色工人代表参观了白色工厂的车间。\n",  # every trigram, not the phrase
    "2024-02-03_c.txt": "绿色\n\n工厂改造方案公布。\n",  # the phrase across two lines
    "2024-02-04_d.txt": "名单公示\n\n本报讯 入选名单：绿色，工厂，学校。\n",  # punctuation inside: a match
}


def test_phrases_match_exactly_whatever_the_prefilter_lets_through(store: Store, tmp_path: Path):
    ingest(store, write_pages(tmp_path / "pages", PHRASE_PAGES))
    with store.engine.connect() as conn:
        ids = list(conn.execute(select(Article.id)).scalars())
        docs = {d.article_id: d for d in (build_doc(a) for a in load_articles(conn, ids))}
    by_title = ids_by_title(store)
    assert {h.id for h in search(store, '"绿色工厂"').hits} == {by_title["园区动态"], by_title["名单公示"]}
    for query in ['"绿色工厂"', '工厂 -"绿色工厂"', '"色工厂"', '"绿色工" 工厂', '"白色工厂的车间"', '"绿色"']:
        parsed = parse(query)
        expected = {i for i, d in docs.items() if parsed.matches(d.term_set(), d.lines())}
        assert {h.id for h in search(store, query, page_size=50).hits} == expected, query
    if store.dialect == "postgresql":  # the trigrams kept are the document's
        with store.engine.connect() as conn:
            for article_id, doc in docs.items():
                grams = conn.execute(
                    text("SELECT tsvector_to_array(grams) FROM search_docs WHERE article_id = :i"), {"i": article_id}
                ).scalar_one()
                assert sorted(grams) == sorted(doc.trigrams())


# -- PostgreSQL: recency buckets give the same windows -------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.mark.postgres
def test_recency_buckets_give_the_same_answers(pg_url: str, monkeypatch: pytest.MonkeyPatch):
    from bot.store.db import open_store

    monkeypatch.setattr(pg_backend, "BUCKET", 2)  # tiny buckets, so that a few seed articles span several
    monkeypatch.setattr(pg_backend, "MAX_SPAN_SHARE", 1)
    store = open_store(pg_url)
    try:
        ingest(store, SEEDS)
        used: list[bool] = []
        real = pg_backend.recent_buckets

        def spy(*args: Any) -> Any:
            buckets = real(*args)
            used.append(bool(buckets))
            return buckets

        monkeypatch.setattr(pg_backend, "recent_buckets", spy)
        queries = ["发展", "武进", "武进 发展", "发展 -机器人", "机器人 OR 产业"]

        def answers(q: str) -> list[tuple[list[tuple[int, float]], int, bool]]:
            pages = [search(store, q, page=p, page_size=2, rank_window=3, total_cap=5) for p in (1, 2, 3)]
            return [([(h.id, h.score) for h in r.hits], r.total, r.total_capped) for r in pages]

        with_buckets = {q: answers(q) for q in queries}
        assert any(used)
        monkeypatch.setattr(pg_backend, "recent_buckets", lambda *args: None)
        for q in queries:
            assert with_buckets[q] == answers(q), q
    finally:
        store.dispose()
