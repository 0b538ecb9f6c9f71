"""Search on the seed pages, on SQLite and PostgreSQL: known answers, ranking, paging, keywords."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.corpus.ingest import Ingestor
from bot.search import QueryError, related, search, top_keywords
from bot.store.articles import list_articles
from bot.store.db import Store, open_store
from bot.store.models import Article
from conftest import SEEDS, postgres_schema_url

ROBOT = "深圳大寰机器人研发制造中心项目签约落户武高新"
CLEAN = "武高新点“绿”成金 激发清洁生产新动能"
SHI_LIANYIN = {ROBOT, CLEAN, "武进国家高新区:为万亿之城再出发贡献硬核力量"}


def ingest_seeds(store: Store, path: Path = SEEDS) -> None:
    report = Ingestor(store, 5_000_000).ingest([path])
    assert not report.errors


def set_keywords(store: Store, keywords: dict[str, list]) -> None:
    """Keywords by article title, set the way the summarizer would (after ingest, via the ORM)."""
    with store.session.begin() as s:
        for title, words in keywords.items():
            s.execute(update(Article).where(Article.title == title).values(keywords=words))


def titles(store: Store, query: str, **kw) -> list[str]:
    return [h.title for h in search(store, query, page_size=50, **kw).hits]


@pytest.fixture
def seeded(store: Store) -> Store:
    ingest_seeds(store)
    return store


def test_known_answers_on_the_seeds(seeded: Store):
    robot = search(seeded, "机器人")
    assert robot.hits[0].title == ROBOT
    assert robot.hits[0].byline == "记者 史莲寅"
    assert titles(seeded, "清洁生产")[0] == CLEAN
    # a reporter's name finds her articles, and only hers
    assert set(titles(seeded, "史莲寅")) == SHI_LIANYIN
    assert set(titles(seeded, '"记者 史莲寅"')) == SHI_LIANYIN


def test_a_phrase_is_stricter_than_its_words(seeded: Store):
    apart = titles(seeded, "创新 发展")
    together = titles(seeded, '"创新发展"')
    assert len(together) == 1 and len(apart) > 5
    assert set(together) < set(apart)
    assert titles(seeded, "创新发展") == together  # an unspaced word is held together the same way
    assert titles(seeded, '"机器人 产业"') == [ROBOT]
    assert len(titles(seeded, "机器人 产业")) == 2
    # punctuation and spacing inside the text do not matter, the order of characters does
    assert titles(seeded, '"武高新点绿成金"') == [CLEAN]
    assert titles(seeded, '"金成绿点新高武"') == []


def test_exclusions_and_keywords(seeded: Store):
    everything = set(titles(seeded, "武进"))
    without = set(titles(seeded, "武进 -机器人"))
    assert ROBOT in everything and ROBOT not in without
    assert without == everything - set(titles(seeded, "武进 机器人"))
    assert titles(seeded, "机器人 -创新发展") == titles(seeded, "机器人")  # neither robot story has that phrase
    # keywords are the summarizer's; set them here so the test does not depend on its output
    set_keywords(
        seeded,
        {
            ROBOT: [{"word": "机器人", "weight": 1.0}, {"word": "大寰", "weight": 0.4}],
            CLEAN: ["清洁生产", "绿色"],  # the plain-string form is read too
        },
    )
    assert titles(seeded, "#机器人") == [ROBOT]
    assert titles(seeded, "#大寰") == [ROBOT]
    assert titles(seeded, "#清洁生产") == [CLEAN]
    assert titles(seeded, "#清洁") == []  # a keyword matches whole, not a part of it
    assert titles(seeded, "#机器") == []
    assert ROBOT not in titles(seeded, "机器人 -#机器人")
    assert titles(seeded, "机器人 -#机器人") == [t for t in titles(seeded, "机器人") if t != ROBOT]
    hit = search(seeded, "#机器人").hits[0]
    assert hit.keywords == ["机器人", "大寰"]


def test_hits_carry_what_the_bot_shows(seeded: Store):
    result = search(seeded, "清洁生产", page_size=5)
    hit = result.hits[0]
    assert (result.page, result.page_size, result.total, result.pages) == (1, 5, 1, 1)
    assert hit.id > 0 and hit.score > 0 and hit.kind == "article"
    assert len(hit.snippet.text) <= 120
    assert ("清洁生产", True) in hit.snippet.parts
    assert hit.snippet.marked().count("**清洁生产**") >= 1
    assert ("清洁生产", True) in hit.title_parts.parts
    data = result.to_dict()
    assert set(data) == {"query", "terms", "page", "page_size", "total", "total_capped", "pages", "hits", "notices"}
    assert data["total_capped"] is False
    assert set(data["hits"][0]) >= {"id", "title", "byline", "score", "snippet", "snippet_parts", "keywords"}


def test_paging_covers_every_match_once(seeded: Store):
    full = search(seeded, "武进", page_size=50)
    assert full.total == len(full.hits) > 5
    seen = []
    for page in range(1, -(-full.total // 3) + 1):
        part = search(seeded, "武进", page=page, page_size=3)
        assert part.total == full.total and part.pages == -(-full.total // 3)
        assert part.has_previous == (page > 1) and part.has_next == (page < part.pages)
        seen += [h.id for h in part.hits]
    assert seen == [h.id for h in full.hits]
    # a stale ▶ past the end shows the last page; page 0 the first
    assert search(seeded, "武进", page=999, page_size=3).page == -(-full.total // 3)
    assert search(seeded, "武进", page=0, page_size=3).page == 1
    none = search(seeded, "没有这个词xyz")
    assert (none.total, none.pages, none.hits, none.page) == (0, 0, [], 1)


def test_rank_windows_keep_every_match_and_the_total(seeded: Store):
    """With a window smaller than the matches, pages are ranked window by window (newest first)."""
    full = search(seeded, "发展", page_size=50)
    windowed = [h.id for p in range(1, 6) for h in search(seeded, "发展", page=p, page_size=3, rank_window=4).hits]
    assert sorted(windowed) == sorted(h.id for h in full.hits)
    assert search(seeded, "发展", page_size=3, rank_window=4, exact_total=True).total == full.total
    newest_four = sorted((h.id for h in full.hits), reverse=True)[:4]
    assert set(windowed[:4]) == set(newest_four)


def test_ties_go_to_the_newer_article(store: Store, tmp_path: Path):
    story = "同题稿件\n\n本报讯 (记者 王五) 新能源电池项目开工。\n"
    (tmp_path / "2024-03-01_a.txt").write_text(story, encoding="utf-8")
    (tmp_path / "2023-03-01_b.txt").write_text(
        story + "\n另一稿件\n\n本报讯 (记者 赵六) 其他内容。\n", encoding="utf-8"
    )
    (tmp_path / "c.txt").write_text("另一页\n\n" + story.split("\n", 2)[2] + "\n同题稿件\n", encoding="utf-8")
    Ingestor(store, 5_000_000).ingest([tmp_path / "2023-03-01_b.txt"])
    Ingestor(store, 5_000_000).ingest([tmp_path / "2024-03-01_a.txt"])
    hits = search(store, "新能源电池", page_size=10).hits
    same = [h for h in hits if h.title == "同题稿件"]
    assert len(same) == 2 and same[0].score == pytest.approx(same[1].score, rel=1e-12)
    assert [h.published_on for h in same] == ["2024-03-01", "2023-03-01"]  # by date, not by id
    assert same[0].id > same[1].id or same[0].published_on > same[1].published_on


def test_query_errors_reach_the_caller(seeded: Store):
    for query, code in [("", "empty"), ("-武进", "only_exclusions"), ("武" * 1000, "too_long")]:
        with pytest.raises(QueryError) as err:
            search(seeded, query)
        assert err.value.code == code
    result = search(seeded, '"武进 OR 钟楼')
    assert [n.code for n in result.notices] == ["unbalanced_quote", "operators_ignored"]
    assert result.total > 0


def test_top_keywords_and_since(seeded: Store):
    """Trending words of a period, with how many of its articles have them (stored keywords only
    here: these articles have no keyword evidence, which the corpus tests cover)."""
    assert top_keywords(seeded) == []
    set_keywords(
        seeded,
        {
            ROBOT: [{"word": "机器人", "weight": 1.0}, {"word": "武进", "weight": 0.5}],
            CLEAN: [
                {"word": "武进", "weight": 1.0},
                {"word": "清洁生产", "weight": 0.5},
                {"word": "武进", "weight": 0.1},
            ],
            "沈东调研区级机关部门": ["武进", "改革", ""],
        },
    )
    # the latest day is all the seeds: only a word several articles share trends
    assert top_keywords(seeded, top=3) == [("武进", 3)]
    with seeded.session.begin() as s:
        s.execute(update(Article).where(Article.title == ROBOT).values(published_on=date(2030, 1, 2)))
        s.execute(update(Article).where(Article.title != ROBOT).values(published_on=date(2020, 1, 1)))
    # one article: its words, the rarer (in jieba's IDF) first
    assert top_keywords(seeded, since=date(2030, 1, 1)) == [("武进", 1), ("机器人", 1)]
    assert top_keywords(seeded) == [("武进", 1), ("机器人", 1)]  # the latest day is 2030-01-02
    assert top_keywords(seeded, since=date(2031, 1, 1)) == []
    with seeded.session.begin() as s:  # undated articles count by their ingest day
        s.execute(update(Article).values(published_on=None))
    assert dict(top_keywords(seeded, since=date(2000, 1, 1)))["武进"] == 3
    assert top_keywords(seeded, since=date(2999, 1, 1)) == []
    ids = [a.id for a in list_articles(seeded) if a.title in (ROBOT, CLEAN)]
    assert top_keywords(seeded, article_ids=ids) == [("武进", 2)]


def test_related_articles(seeded: Store):
    with seeded.session() as s:
        robot_id = s.scalar(select(Article.id).where(Article.title == ROBOT))
    # without keywords: by title and frequent body terms
    plain = related(seeded, robot_id, 3)
    assert 0 < len(plain) <= 3 and robot_id not in [h.id for h in plain]
    set_keywords(
        seeded,
        {
            ROBOT: ["机器人", "武高新", "产业链"],
            "全区领导干部思路研讨会召开": ["机器人", "集成电路"],
            "武进国家高新区:为万亿之城再出发贡献硬核力量": ["武高新", "产业链"],
            CLEAN: ["清洁生产"],
        },
    )
    hits = related(seeded, robot_id, 5)
    assert [h.title for h in hits[:2]] == ["武进国家高新区:为万亿之城再出发贡献硬核力量", "全区领导干部思路研讨会召开"]
    assert hits[0].shared_keywords == ["武高新", "产业链"]
    assert hits[1].shared_keywords == ["机器人"]
    assert robot_id not in [h.id for h in hits]
    with pytest.raises(LookupError):
        related(seeded, 999_999)


# -- SQLite and PostgreSQL side by side -----------------------------------------------------


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    lite = open_store(f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    urls = postgres_schema_url()
    pg = open_store(next(urls))
    try:
        yield lite, pg
    finally:
        lite.dispose()
        pg.dispose()
        for _ in urls:  # drop the schema
            pass


SEED_QUERIES = [
    "机器人",
    "清洁生产",
    "史莲寅",
    "武进",
    "发展",
    "创新 发展",
    '"创新发展"',
    "武进 -机器人",
    "高质量 发展 -创新发展",
    "沈东 调研",
    "#机器人",
    "机器人 OR 产业",
    "新质生产力",
]


@pytest.mark.postgres
def test_both_backends_rank_the_seed_queries_alike(both: tuple[Store, Store]):
    lite, pg = both
    for store in both:
        ingest_seeds(store)
        set_keywords(store, {ROBOT: ["机器人", "大寰"], CLEAN: ["清洁生产"]})
    for query in SEED_QUERIES:
        a, b = search(lite, query, page_size=50), search(pg, query, page_size=50)
        assert a.total == b.total, query
        assert [h.id for h in a.hits] == [h.id for h in b.hits], query
        for x, y in zip(a.hits, b.hits, strict=True):
            assert x.score == pytest.approx(y.score, rel=1e-9, abs=1e-15), query
            assert x.snippet == y.snippet
    assert top_keywords(lite) == top_keywords(pg)
    robot = search(lite, "机器人").hits[0].id
    assert [h.id for h in related(lite, robot)] == [h.id for h in related(pg, robot)]
