"""Polling feeds and pages into the store, against a local site: articles with their link and
source, nothing twice (GUID, link, text), teasers replaced by the linked page, and every way a
source can fail getting its own status while the others keep flowing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sources_fixtures import ERROR_PAGE, STORIES, Entry, article_page, atom, rdf, rss, story_entry
from sources_site import Site
from sqlalchemy import func, select

from bot.config import Settings, SourceSettings
from bot.sources import state
from bot.sources.http import Fetcher
from bot.sources.poll import context_for, poll_all
from bot.store import articles as article_service
from bot.store.db import Store
from bot.store.models import Article, SourceState, utcnow


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


def feed(name: str, url: str, **extra) -> SourceSettings:
    return SourceSettings(name=name, kind="feed", url=url, **extra)


def poll(store: Store, settings: Settings, source: SourceSettings, force: bool = True):
    return poll_many(store, settings, [source], force)[source.name]


def poll_many(store: Store, settings: Settings, sources: list[SourceSettings], force: bool = True):
    async def go():
        async with Fetcher(settings.fetch.user_agent) as fetcher:
            return await poll_all(context_for(store, settings, fetcher), sources, force=force)

    return asyncio.run(go())


def stored(store: Store, source: str | None = None) -> list[dict]:
    items = [article_service.article_dict(a) for a in article_service.list_articles(store)]
    return sorted((i for i in items if source is None or i["source_name"] == source), key=lambda i: i["id"])


def count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Article.id))) or 0)


def test_an_rss_feed_becomes_articles_with_link_byline_date_and_paragraphs(
    store: Store, settings: Settings, site: Site
):
    entries = [story_entry("ferry", site.url("/a/ferry")), story_entry("clinic", site.url("/a/clinic"))]
    site.page("/rss", rss(entries), "application/rss+xml; charset=utf-8", etag='"e1"')
    outcome = poll(store, settings, feed("city", site.url("/rss")))
    assert (outcome.status, outcome.seen, outcome.new) == ("ok", 2, 2), outcome.detail
    items = stored(store, "city")
    ferry = next(i for i in items if i["title"] == STORIES["ferry"][0])
    assert ferry["url"] == site.url("/a/ferry") and ferry["source_name"] == "city"
    assert ferry["byline"] == "记者 某某" and ferry["published_on"] == "2024-12-03"
    assert [b["text"] for b in ferry["blocks"]] == STORIES["ferry"][1]
    assert ferry["summary"] and ferry["keywords"]  # enriched like any ingested article
    assert ferry["source"].startswith("feed:city:")

    again = poll(store, settings, feed("city", site.url("/rss")))
    assert again.status == "not_modified" and count(store) == 2
    assert site.requests("/rss")[1].headers["If-None-Match"] == '"e1"'


@pytest.mark.parametrize("dialect", [atom, rdf])
def test_atom_and_rdf_feeds(sqlite_store: Store, site: Site, dialect):
    entries = [story_entry("kiln", site.url("/a/kiln"))]
    site.page("/f", dialect(entries), "application/xml")
    settings = Settings()
    settings.fetch.teaser_chars = 0
    outcome = poll(sqlite_store, settings, feed("x", site.url("/f")))
    assert (outcome.status, outcome.new) == ("ok", 1), outcome.detail
    item = stored(sqlite_store)[0]
    assert item["title"] == STORIES["kiln"][0] and item["url"] == site.url("/a/kiln")
    assert [b["text"] for b in item["blocks"]] == STORIES["kiln"][1]


def test_entries_seen_by_guid_link_or_text_are_not_ingested_twice(store: Store, settings: Settings, site: Site):
    first = [story_entry("ferry", site.url("/a/1"), "g-1"), story_entry("clinic", site.url("/a/2"), "g-2")]
    site.page("/rss", rss(first), "application/rss+xml")
    assert poll(store, settings, feed("city", site.url("/rss"))).new == 2
    # the same entries: new GUIDs (links kept), then new GUIDs and new links (text kept)
    site.page(
        "/rss", rss([story_entry("ferry", site.url("/a/1"), "g-9"), story_entry("clinic", site.url("/a/2"), "g-8")])
    )
    assert poll(store, settings, feed("city", site.url("/rss"))).new == 0
    renamed = [story_entry("ferry", site.url("/b/1?utm=x"), "g-7"), story_entry("clinic", site.url("/b/2"), "g-6")]
    site.page("/rss", rss(renamed))
    outcome = poll(store, settings, feed("city", site.url("/rss")))
    assert (outcome.new, outcome.repeated, outcome.status) == (0, 2, "ok")
    assert "2 repeated earlier entries under new GUIDs" in outcome.detail
    assert count(store) == 2
    rows = {r["name"]: r for r in state.overview(store, [feed("city", site.url("/rss"))], "UTC")}
    assert rows["city"]["repeated"] == 2 and rows["city"]["total_new"] == 2


def test_a_teaser_is_replaced_by_the_linked_article(store: Store, settings: Settings, site: Site):
    site.page("/story/ferry", article_page("ferry"))
    site.page("/rss", rss([story_entry("ferry", site.url("/story/ferry"), full=False)]), "application/rss+xml")
    outcome = poll(store, settings, feed("city", site.url("/rss")))
    assert (outcome.status, outcome.new) == ("ok", 1), outcome.detail
    item = stored(store)[0]
    texts = [b["text"] for b in item["blocks"] if b["type"] == "paragraph"]
    assert texts == STORIES["ferry"][1]  # paragraphs kept, navigation and footer gone
    assert "栏目" not in " ".join(texts) and "版权所有" not in " ".join(texts)
    assert site.requests("/story/ferry")[0].headers["User-Agent"] == settings.fetch.user_agent


def test_a_teaser_whose_page_fails_is_kept_and_the_poll_says_so(sqlite_store: Store, site: Site):
    site.page("/rss", rss([story_entry("ferry", site.url("/gone"), full=False)]), "application/rss+xml")
    outcome = poll(sqlite_store, Settings(), feed("city", site.url("/rss")))
    assert (outcome.status, outcome.new) == ("partial", 1)
    assert "404" in outcome.detail and "teaser was kept" in outcome.detail
    assert stored(sqlite_store)[0]["blocks"][0]["text"].startswith("停运两年")


def test_max_items_takes_the_first_entries_of_the_feed(sqlite_store: Store, site: Site):
    entries = [story_entry(k, site.url(f"/a/{k}")) for k in STORIES]
    site.page("/rss", rss(entries), "application/rss+xml")
    outcome = poll(sqlite_store, Settings(), feed("city", site.url("/rss"), max_items=2))
    assert (outcome.seen, outcome.new) == (2, 2)
    assert [i["title"] for i in stored(sqlite_store)] == [STORIES["ferry"][0], STORIES["clinic"][0]]


def _broken(site: Site) -> dict[str, str]:
    """Feeds that fail, each its own way -> the status each must get."""
    site.page("/html-error", ERROR_PAGE, "text/html")
    site.page("/malformed", b"<?xml version='1.0'?><rss><channel><title>\x01\x02 <<", "application/rss+xml")
    site.page("/slow", rss([]), "application/rss+xml", delay=3.0)
    site.endless("/endless")
    site.huge_declared("/huge")
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    return {
        "/html-error": "not_a_feed",
        "/missing": "http_error",
        "/malformed": "malformed",
        "/slow": "timeout",
        "/endless": "too_large",
        "/huge": "too_large",
        "/loop-a": "redirect_loop",
    }


def test_every_failure_gets_its_status_and_the_rest_keep_flowing(store: Store, settings: Settings, site: Site):
    expected = _broken(site)
    site.page("/good", rss([story_entry("kiln", site.url("/a/kiln"))]), "application/rss+xml")
    settings.fetch.max_bytes = 1_000_000
    sources = [feed(f"bad{i}", site.url(path), timeout=0.5) for i, path in enumerate(expected)]
    sources.append(feed("good", site.url("/good")))
    outcomes = poll_many(store, settings, sources)
    assert outcomes["good"].status == "ok" and outcomes["good"].new == 1
    for src, (path, status) in zip(sources, expected.items(), strict=False):
        assert outcomes[src.name].status == status, (path, outcomes[src.name].detail)
        assert outcomes[src.name].detail
    rows = {r["name"]: r for r in state.overview(store, sources, settings.digest.timezone)}
    assert rows["bad1"]["status"] == "http_error" and "404" in rows["bad1"]["detail"]
    assert rows["bad0"]["failures"] == 1 and rows["bad0"]["backoff_until"] is not None
    assert rows["good"]["failures"] == 0 and rows["good"]["new"] == 1
    assert count(store) == 1


def test_backoff_skips_scheduled_polls_and_one_good_poll_ends_it(sqlite_store: Store, site: Site):
    settings = Settings()
    source = feed("flaky", site.url("/flaky"), every="10m")
    for n in (1, 2, 3):
        assert poll(sqlite_store, settings, source).status == "http_error"  # forced: always tried
        row = state.load(sqlite_store, "flaky")
        assert row.failures == n
        wait = row.retry_after - row.last_poll_at
        assert wait == timedelta(minutes=10 * 2 ** (n - 1))  # 10, 20, 40 minutes
    assert poll(sqlite_store, settings, source, force=False) is None  # in backoff: skipped
    assert len(site.requests("/flaky")) == 3
    assert state.claim_notice(sqlite_store, "flaky", 2) == "failing"
    assert state.claim_notice(sqlite_store, "flaky", 2) is None  # told once, not on every poll
    site.page("/flaky", rss([]), "application/rss+xml")
    assert poll(sqlite_store, settings, source).status == "ok"
    assert state.in_backoff(sqlite_store, "flaky") is None
    assert state.claim_notice(sqlite_store, "flaky", 2) == "recovered"
    assert state.claim_notice(sqlite_store, "flaky", 2) is None


def test_the_backoff_is_capped(sqlite_store: Store, site: Site):
    settings = Settings()
    settings.fetch.max_backoff_minutes = 30
    source = feed("down", site.url("/nothing"), every="1h")
    for _ in range(3):
        poll(sqlite_store, settings, source)
    row = state.load(sqlite_store, "down")
    assert row.retry_after - row.last_poll_at == timedelta(minutes=30)


def test_article_pages_one_by_one_with_their_own_validators(store: Store, settings: Settings, site: Site):
    site.page("/p/kiln", article_page("kiln"), etag='"k1"')
    site.page("/p/clinic", article_page("clinic"))
    source = SourceSettings(name="pages", kind="page", urls=[site.url("/p/kiln"), site.url("/p/clinic")])
    outcome = poll(store, settings, source)
    assert (outcome.status, outcome.seen, outcome.new) == ("ok", 2, 2), outcome.detail
    kiln = next(i for i in stored(store) if i["title"] == STORIES["kiln"][0])
    assert kiln["url"] == site.url("/p/kiln") and kiln["byline"] == "记者 某某"
    assert kiln["published_on"] == "2024-12-03"
    assert [b["text"] for b in kiln["blocks"]] == STORIES["kiln"][1]
    again = poll(store, settings, source)
    assert again.new == 0 and count(store) == 2
    assert site.requests("/p/kiln")[1].headers["If-None-Match"] == '"k1"'


def test_pages_fail_one_at_a_time(sqlite_store: Store, site: Site):
    site.page("/p/kiln", article_page("kiln"))
    site.page("/p/error", ERROR_PAGE)
    source = SourceSettings(name="pages", kind="page", urls=[site.url("/p/kiln"), site.url("/p/error")])
    outcome = poll(sqlite_store, Settings(), source)
    assert (outcome.status, outcome.new, outcome.failed) == ("partial", 1, 1)
    assert "no article text" in outcome.detail
    only_bad = SourceSettings(name="bad", kind="page", url=site.url("/p/error"))
    assert poll(sqlite_store, Settings(), only_bad).status == "no_text"


def test_non_utf8_pages_declared_or_not(sqlite_store: Store, site: Site):
    site.page("/gbk", article_page("clinic", charset="gbk").encode("gbk"), "text/html; charset=gbk")
    site.page(
        "/undeclared", article_page("kiln", charset="x").replace('charset="x"', "").encode("gb18030"), "text/html"
    )
    site.page("/mislabelled", article_page("ferry").encode("gb18030"), "text/html; charset=utf-8")
    site.page("/binary", bytes(range(256)) * 64, "text/html")
    urls = [site.url(p) for p in ("/gbk", "/undeclared", "/mislabelled")]
    outcome = poll(sqlite_store, Settings(), SourceSettings(name="gb", kind="page", urls=urls))
    assert (outcome.status, outcome.new) == ("ok", 3), outcome.detail
    titles = {i["title"] for i in stored(sqlite_store)}
    assert titles == {STORIES[k][0] for k in ("clinic", "kiln", "ferry")}
    bad = poll(sqlite_store, Settings(), SourceSettings(name="bin", kind="page", url=site.url("/binary")))
    assert bad.status == "undecodable" and "not readable text" in bad.detail


def test_a_state_row_per_source_survives_and_counts(sqlite_store: Store, site: Site):
    site.page("/rss", rss([story_entry("ferry", site.url("/a/1"))]), "application/rss+xml")
    source = feed("city", site.url("/rss"))
    poll(sqlite_store, Settings(), source)
    poll(sqlite_store, Settings(), source)
    with sqlite_store.session() as s:
        row = s.get(SourceState, "city")
        assert (row.polls, row.total_new, row.new, row.status) == (2, 1, 0, "ok")
    [view] = state.overview(sqlite_store, [source], "UTC", utcnow())
    assert view["next_poll"] is not None and view["last_poll"] is not None


def test_entry_dates_become_the_articles_publication_day(sqlite_store: Store, site: Site):
    entry = Entry(
        "夜里发布的消息", site.url("/a/n"), "n", "<p>" + "这是一条在夜里发布的消息，用来检查日期换算。" * 5 + "</p>"
    )
    entry.date = "Mon, 02 Dec 2024 20:00:00 +0000"  # 04:00 on the 3rd in Asia/Shanghai
    site.page("/rss", rss([entry]), "application/rss+xml")
    poll(sqlite_store, Settings(), feed("night", site.url("/rss")))
    assert stored(sqlite_store)[0]["published_on"] == date(2024, 12, 3).isoformat()
