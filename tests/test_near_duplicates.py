"""The same story from two sources is kept once: linked as a duplicate in the schema, left out of
digests, alerts, /latest and search, and shown as "also in" on the original."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sources_fixtures import STORIES

from bot.config import Settings
from bot.corpus import ingest_paths
from bot.corpus.enrich import enricher_for
from bot.corpus.ingest import store_document
from bot.corpus.pages import Block, Piece
from bot.digest.compose import DigestComposer
from bot.digest.plan import plan_alerts
from bot.search import search
from bot.sources import near_duplicates as nd
from bot.store import articles as article_service
from bot.store import chats as chat_service
from bot.store.db import Store
from bot.store.models import ArticleDuplicate

FERRY_TITLE, FERRY = STORIES["ferry"]
# the same story as a wire service runs it: its own dateline and headline, reworded, cut short
FERRY_WIRE = [
    "新华社电（通讯员 佚名）停运两年的湖心岛夜班渡轮从本周五起恢复运营，每晚七点到十点之间每半小时一班，单程票价保持三元不变。",
    "航运公司负责人称，恢复夜班是岛上居民呼声最高的一件事。岛上有不少居民在城区上班，过去末班船下午六点就停了，下班晚一点就只能绕行大桥。",
    "为保证夜间航行安全，公司为两艘渡轮加装了雷达和探照灯，码头也新装了照明和候船座椅。",
]
# another story about the same ferry: same names and places, another event
FERRY_OTHER = [
    "本报讯（记者 高远）湖心岛渡轮公司昨天宣布，明年将新开一条通往东岸湿地公园的旅游航线，周末和节假日每天往返四班。",
    "公司负责人介绍，新航线使用一艘刚刚完成改装的双层渡轮，上层设有观景平台，可同时乘坐八十名游客。",
    "湿地公园管理处表示，航线开通后，游客可以从城区码头直接坐船到公园，不必再绕行大桥。",
]


def _piece(title: str, paragraphs: list[str], byline: str | None = None) -> Piece:
    return Piece(kind="article", title=title, byline=byline, blocks=[Block("paragraph", p) for p in paragraphs])


def _store(store: Store, settings: Settings, key: str, title: str, paragraphs: list[str], name: str):
    summaries, duplicates = enricher_for(settings), nd.marker()

    def enrich(session, article):
        summaries(session, article)
        duplicates(session, article)

    return store_document(
        store, key, [_piece(title, paragraphs)], url=f"https://{name}.example/{key}", source_name=name, enrich=enrich
    )


def test_shingles_ignore_the_dateline_and_short_texts():
    assert nd.shingles(["本报讯（记者 甲）" + "一二三四五六七八九十" * 10]) == nd.shingles(
        ["一二三四五六七八九十" * 10]
    )
    assert nd.shingles(["短短一句话。"]) == set()
    assert nd.jaccard(nd.shingles(FERRY), nd.shingles(FERRY_WIRE)) >= nd.THRESHOLD
    assert nd.jaccard(nd.shingles(FERRY), nd.shingles(FERRY_OTHER)) < 0.1


def test_a_text_is_folded_to_its_letters_and_digits_and_compared_by_its_opening():
    assert nd.folded(["Ａ股、B-2 号：上涨５%！\t第①名_好"]) == "a股b2号上涨5第1名好"  # NFKC, lower case
    opening = "".join(chr(0x4E00 + (k * 37) % 20000) for k in range(nd.MAX_CHARS))
    assert nd.shingles([opening + "，" + "另一个很长的结尾" * 5000]) == nd.shingles([opening])


def test_the_same_story_twice_is_kept_once_everywhere(store: Store, settings: Settings, tmp_path: Path):
    first = _store(store, settings, "feed:a:1", FERRY_TITLE, FERRY, "site-a")
    second = _store(store, settings, "feed:b:1", "夜班渡轮回来了", FERRY_WIRE, "site-b")
    other = _store(store, settings, "feed:a:2", "渡轮将开旅游航线", FERRY_OTHER, "site-a")
    [a], [b], [c] = first.article_ids, second.article_ids, other.article_ids
    with store.session() as s:
        link = s.get(ArticleDuplicate, b)
        assert link is not None and link.original_id == a and link.similarity >= nd.THRESHOLD
        assert s.get(ArticleDuplicate, c) is None and s.get(ArticleDuplicate, a) is None

    dup = article_service.article_dict(article_service.get_article(store, b))
    assert (
        dup["duplicate_of"] == a and dup["source_name"] == "site-b" and dup["url"] == "https://site-b.example/feed:b:1"
    )
    also = article_service.also_in(store, a)
    assert [(o["id"], o["source_name"]) for o in also] == [(b, "site-b")]
    assert [o["id"] for o in article_service.also_in(store, b)] == [a]

    digest = DigestComposer(store, settings).for_chat(None, None, datetime.now(UTC))
    assert digest is not None and sorted(digest.article_ids) == [a, c]
    assert [x.id for x in article_service.list_articles(store, "article", originals=True)] == [c, a]
    hits = search(store, "湖心岛 夜班渡轮", page_size=10).hits
    assert [h.id for h in hits] == [a]


def test_a_page_file_of_a_story_already_in_from_a_feed_is_linked(store: Store, settings: Settings, tmp_path: Path):
    [a] = _store(store, settings, "feed:a:1", FERRY_TITLE, FERRY, "site-a").article_ids
    page = tmp_path / "2024-12-03.txt"
    page.write_text("\n\n".join(["夜班渡轮恢复", "□ 记者 某", *FERRY_WIRE]) + "\n", encoding="utf-8")
    report = ingest_paths(store, settings, [page], also=nd.marker())
    [b] = report.new_article_ids
    with store.session() as s:
        assert s.get(ArticleDuplicate, b).original_id == a


def test_an_alert_goes_out_once_for_a_story_from_two_sources(store: Store, settings: Settings):
    assert chat_service.follow(store, 777, "private", "渡轮")
    plan_alerts(store, settings)  # the alerts cursor starts at the corpus as it is
    _store(store, settings, "feed:a:1", FERRY_TITLE, FERRY, "site-a")
    _store(store, settings, "feed:b:1", "夜班渡轮回来了", FERRY_WIRE, "site-b")
    assert plan_alerts(store, settings) == 1


def test_a_duplicate_edited_into_another_story_is_unlinked_and_searchable(sqlite_store: Store):
    settings = Settings()
    [a] = _store(sqlite_store, settings, "feed:a:1", FERRY_TITLE, FERRY, "site-a").article_ids
    [b] = _store(sqlite_store, settings, "feed:b:1", "夜班渡轮回来了", FERRY_WIRE, "site-b").article_ids
    assert [h.id for h in search(sqlite_store, "雷达 探照灯").hits] == [a]
    _store(sqlite_store, settings, "feed:b:1", "渡轮将开旅游航线", FERRY_OTHER, "site-b")
    with sqlite_store.session() as s:
        assert s.get(ArticleDuplicate, b) is None
    assert [h.id for h in search(sqlite_store, "湿地公园 航线").hits] == [b]
