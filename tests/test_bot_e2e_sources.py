"""End to end for live sources: the running bot polls a feed on its JobQueue job, the new entry
reaches a follower's keyword alert and the next digest (with 🔗 原文 buttons), the same story from
a second source is kept once and shown as "also in", a failing source is told to the admins
once (and its recovery once), and the sources follow a config reload without a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from e2e_harness import ADMIN_ID, BotRun, Env, edition_hour, run_bot
from sources_fixtures import ERROR_PAGE, STORIES, article_page, rss, story_entry
from sources_site import Site

from bot.config import load_config

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

TITLE = STORIES["ferry"][0]


def config_text(db_url: str, sources: str) -> str:
    return (
        f'[storage]\ndatabase_url = "{db_url}"\n\n[telegram]\nadmins = [{ADMIN_ID}]\n\n'
        f'[digest]\ncatchup_grace_minutes = 0\n\n[[digest.editions]]\nname = "morning"\ncron = "0 {edition_hour()} * * *"\n\n'
        f"[fetch]\nalert_after_failures = 2\n\n{sources}"
    )


def source(name: str, kind: str, url: str, every: str = "30m") -> str:
    key = "urls" if kind == "page" else "url"
    value = f'["{url}"]' if kind == "page" else f'"{url}"'
    return f'[[sources]]\nname = "{name}"\nkind = "{kind}"\n{key} = {value}\nevery = "{every}"\n\n'


@pytest.fixture
def site():
    with Site() as s:
        yield s


def today_entry(site: Site):
    entry = story_entry("ferry", site.url("/news/ferry"), "ferry-1")
    entry.date = format_datetime(datetime.now(UTC))  # today's news: the latest day of the corpus
    return entry


async def run_job(bot: BotRun, name: str) -> None:
    (job,) = bot.app.job_queue.get_jobs_by_name(f"source:{name}")
    await job.run(bot.app)


def test_a_polled_entry_reaches_alerts_and_the_digest_once_with_its_link(env: Env, site: Site, tmp_path: Path):
    site.page("/rss", rss([today_entry(site)]), "application/rss+xml", etag='"1"')
    site.page("/mirror/ferry", article_page("ferry"))
    path = tmp_path / "digestbot.toml"
    url = env.settings.storage.database_url
    path.write_text(
        config_text(
            url, source("city", "feed", site.url("/rss")) + source("mirror", "page", site.url("/mirror/ferry"))
        ),
        encoding="utf-8",
    )
    env = Env(load_config(path).settings, env.store, path)

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice, admin = tg.user("Alice"), bot.admin()
        await bot.reply(alice, alice, "/subscribe")
        await bot.reply(alice, alice, "/follow 渡轮")
        await bot.services.tick()  # the first tick: what is already there is not news
        jobs = sorted(j.name for j in bot.app.job_queue.jobs() if j.name.startswith("source:"))
        assert jobs == ["source:city", "source:mirror"]

        # the scheduled job polls the feed; the next tick alerts the follower, with the link
        mark = tg.mark()
        await run_job(bot, "city")
        await bot.services.tick()
        (alert,) = bot.new(alice, mark)
        assert TITLE in alert.text and alert.text.startswith("🔔 关注词「渡轮」")
        original = next(b for b in alert.button_list if b.text == "🔗 原文")
        assert original.url == site.url("/news/ferry") and original.data is None

        # the same story on a second site: stored, linked as a duplicate, no second alert
        mark = tg.mark()
        await run_job(bot, "mirror")
        await bot.services.tick()
        assert bot.new(alice, mark) == []

        # the digest: the story once, with 🔗 原文 1 to the feed's link
        mark = tg.mark()
        await bot.reply(admin, admin, "/push")
        digest = bot.new(alice, mark)
        text = "\n".join(m.text for m in digest)
        assert text.count(TITLE) == 1
        (link,) = [b for m in digest for b in m.button_list if b.url]  # the seed pages have no link
        n = link.text.removeprefix("🔗 原文 ")
        assert link.url == site.url("/news/ferry") and f"{n}. {TITLE}" in text

        # the card: its source, 🔗 原文, and where else the story ran
        _, (card,) = await bot.press_for(alice, alert, "📖 阅读")
        assert "来源 city" in card.text and "同一报道也见于" in card.text and "mirror" in card.text
        assert next(b for b in card.button_list if b.text == "🔗 原文").url == site.url("/news/ferry")
        assert "city" in (await bot.reply(admin, admin, "/stats")).text

    run_bot(env, scenario)


def test_a_failing_source_is_told_once_and_its_recovery_once(env: Env, site: Site, tmp_path: Path):
    site.page("/feed", ERROR_PAGE, "text/html")
    site.page("/good", rss([today_entry(site)]), "application/rss+xml")
    path = tmp_path / "digestbot.toml"
    url = env.settings.storage.database_url
    path.write_text(
        config_text(url, source("broken", "feed", site.url("/feed")) + source("good", "feed", site.url("/good"))),
        encoding="utf-8",
    )
    env = Env(load_config(path).settings, env.store, path)

    async def scenario(bot: BotRun) -> None:
        admin = bot.admin()
        bot.tg.send_message(admin, admin, "/start")  # the admin has a private chat with the bot
        await bot.tg.wait_for_messages(admin, 1)
        mark = bot.tg.mark()
        results = await bot.services.poll_source_now()
        assert results["broken"].status == "not_a_feed" and results["good"].new == 1  # the rest keep flowing
        assert bot.new(admin, mark) == []  # one failure: not yet (fetch.alert_after_failures = 2)
        await bot.services.poll_source_now("broken")
        await bot.tg.settle()
        (told,) = bot.new(admin, mark)
        assert "broken" in told.text and "not_a_feed" in told.text and "2 次" in told.text
        await bot.services.poll_source_now("broken")
        await run_job(bot, "broken")  # in backoff: skipped, and nothing said again
        await bot.tg.settle()
        assert bot.new(admin, mark) == [told]

        site.page("/feed", rss([]), "application/rss+xml")
        await bot.services.poll_source_now("broken")
        await bot.services.poll_source_now("broken")
        await bot.tg.settle()
        assert [m.text.split("：")[0] for m in bot.new(admin, mark)[1:]] == ["✅ 来源 broken 已恢复正常"]

    run_bot(env, scenario)


def test_sources_follow_the_config_without_a_restart(env: Env, site: Site, tmp_path: Path):
    site.page("/rss", rss([today_entry(site)]), "application/rss+xml")
    path = tmp_path / "digestbot.toml"
    url = env.settings.storage.database_url
    path.write_text(config_text(url, ""), encoding="utf-8")
    env = Env(load_config(path).settings, env.store, path)

    def names(bot: BotRun) -> list[str]:
        return sorted(j.name for j in bot.app.job_queue.jobs() if j.name.startswith("source:"))

    async def scenario(bot: BotRun) -> None:
        admin = bot.admin()
        assert names(bot) == []
        path.write_text(config_text(url, source("city", "feed", site.url("/rss"), "*/10 * * * *")), encoding="utf-8")
        await bot.services.check_config()
        assert names(bot) == ["source:city"]
        await run_job(bot, "city")
        assert (await bot.reply(admin, admin, "/latest 1")).text.count(STORIES["ferry"][0]) == 1
        # an invalid source is refused with the reason; the running one keeps its job
        path.write_text(config_text(url, source("city", "feed", "ftp://nowhere/x")), encoding="utf-8")
        refused = await bot.reply(admin, admin, "/reload")
        assert "sources[0].url" in refused.text and names(bot) == ["source:city"]
        path.write_text(config_text(url, ""), encoding="utf-8")
        await bot.services.check_config()
        assert names(bot) == []

    run_bot(env, scenario)
