"""End to end for what runs behind the commands: keyword alerts on the periodic tick, /push,
hot reload of the config (by /reload and by the file watch), and the offline console
`digestbot chat` on a private copy of the store."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import ADMIN_ID, BotRun, Env, edition_hour, ingest, run_bot, write_page
from sqlalchemy import func, select

from bot.cli.console import run_console
from bot.config import LoadedConfig, load_config
from bot.standin import Standin
from bot.standin.model import Message
from bot.store import chats as chat_service
from bot.store.db import open_store
from bot.store.models import Chat, Delivery, Follow

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

ROBOT_PAGE = """机器人企业扩建新厂房

本报讯 (记者 李明) 昨天,一家工业机器人企业在武进国家高新区扩建新厂房,同时新设一个研发中心。\
项目建成后,企业将年产工业机器人五千台,带动上下游配套企业二十余家。

企业负责人表示,新厂房将引入柔性生产线,研发中心重点攻关精密减速器和伺服电机。\
区相关部门将做好要素保障,推动项目早日投产见效。
"""


# -- keyword alerts --------------------------------------------------------------------------------


def test_keyword_alert_arrives_once_per_new_article_and_chat(env: Env, tmp_path: Path) -> None:
    page = write_page(tmp_path / "new", "robots.txt", ROBOT_PAGE)

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice, bob, carol = tg.user("Alice"), tg.user("Bob"), tg.user("Carol", language_code="en")
        await bot.reply(alice, alice, "/follow 机器人")
        await bot.reply(alice, alice, "/follow 研发")  # matches too: still one alert for the article
        await bot.reply(bob, bob, "/follow 深圳")  # in the seeds, not in the new article
        await bot.reply(carol, carol, "/follow 厂房")
        panel = await bot.reply(carol, carol, "/settings")
        await bot.press(carol, panel, "English")

        mark = tg.mark()
        await bot.services.tick()  # the first tick: the corpus already there is not news
        await tg.settle()
        for chat in (alice, bob, carol):
            assert bot.new(chat, mark) == []

        report = await asyncio.to_thread(ingest, bot.store, bot.runtime.settings, page)
        (article_id,) = report.new_article_ids
        await bot.services.tick()
        await tg.settle()
        (alert,) = bot.new(alice, mark)
        assert alert.text.startswith("🔔 关注词「") and "机器人企业扩建新厂房" in alert.text
        assert "记者 李明" in alert.text
        assert [(b.text, b.data) for b in alert.button_list] == [("📖 阅读", f"a:{article_id}")]
        (english,) = bot.new(carol, mark)
        assert english.text.startswith("🔔 New article for “厂房”:") and english.button_list[0].text == "📖 Read"
        assert bot.new(bob, mark) == []

        mark = tg.mark()
        await bot.services.tick()  # nothing new since: nothing more
        await tg.settle()
        for chat in (alice, bob, carol):
            assert bot.new(chat, mark) == []

        _, (card,) = await bot.press_for(alice, alert, "📖 阅读")
        assert card.text.startswith("机器人企业扩建新厂房") and f"编号 {article_id}" in card.text

    run_bot(env, scenario)


# -- /push -------------------------------------------------------------------------------------------


def test_push_delivers_todays_digest_once_to_every_subscriber(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        admin = bot.admin()
        readers = [tg.user(f"读者{n}") for n in range(3)]
        for reader in readers:
            await bot.reply(reader, reader, "/subscribe")
        owner = tg.user("Owner")
        group = tg.group("读报群", creator=owner)
        await bot.command(owner, group, "subscribe")
        quiet = tg.user("Quiet")  # subscribed, then digests off
        await bot.reply(quiet, quiet, "/subscribe")
        panel = await bot.reply(quiet, quiet, "/settings")
        await bot.press(quiet, panel, "退订")

        mark = tg.mark()
        report = await bot.reply(admin, admin, "/push")
        assert re.search(r"早报 morning（\d{4}-\d{2}-\d{2}）：新排入 4 个聊天", report.text), report.text
        assert "已发送 4" in report.text
        digests = {}
        for chat in (*readers, group):
            received = bot.new(chat, mark)
            assert received and received[0].text.startswith("📰 新闻摘要 · 最新"), received
            digests[chat.id] = [m.text for m in received]
        assert len({tuple(d) for d in digests.values()}) == 1  # the same digest for all (same settings)
        assert bot.new(quiet, mark) == [] and bot.new(admin, mark) == [report]

        mark = tg.mark()
        again = await bot.reply(admin, admin, "/push")
        assert "新排入 0 个聊天" in again.text and "4 个已推送过" in again.text
        for chat in (*readers, group, quiet):
            assert bot.new(chat, mark) == []
        unknown = await bot.reply(admin, admin, "/push evening")
        assert unknown.text == "没有名为 evening 的版次。现有：morning"

    run_bot(env, scenario)


def test_an_edition_that_fired_while_the_bot_was_down_is_caught_up_at_start(env: Env) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    fired = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=30)
    env.settings.digest.editions[0].cron = f"{fired.minute} {fired.hour} * * *"
    env.settings.digest.catchup_grace_minutes = 120
    chat_service.subscribe(env.store, 4242, "private")
    users = {}

    def setup(tg: Standin) -> None:
        users["reader"] = tg.user("Reader", id=4242)

    async def scenario(bot: BotRun) -> None:
        reader = users["reader"]
        (digest, *_) = await bot.tg.wait_for_messages(reader, since=0)  # nobody asked: the catch-up
        assert digest.text.startswith("📰 新闻摘要 · 最新")
        await bot.tg.settle()
        count = len(bot.tg.bot_messages(reader))
        await bot.services.catch_up()  # at most once per fire
        await bot.tg.settle()
        assert len(bot.tg.bot_messages(reader)) == count

    run_bot(env, scenario, setup=setup)


def test_a_user_who_blocks_the_bot_is_unsubscribed_and_gets_no_alerts(env: Env, tmp_path: Path) -> None:
    page = write_page(tmp_path / "new", "robots.txt", ROBOT_PAGE)

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        admin, alice, bob = bot.admin(), tg.user("Alice"), tg.user("Bob")
        for user in (alice, bob):
            await bot.reply(user, user, "/subscribe")
            await bot.reply(user, user, "/follow 机器人")
        await bot.services.tick()
        tg.block_bot(alice)
        await tg.wait_until(
            lambda: not chat_service.get_chat(bot.store, alice.id).subscribed, what="alice unsubscribed"
        )
        mark = tg.mark()
        assert "新排入 1 个聊天" in (await bot.reply(admin, admin, "/push")).text
        await asyncio.to_thread(ingest, bot.store, bot.runtime.settings, page)
        await bot.services.tick()
        await tg.settle()
        assert len(bot.new(bob, mark)) >= 2 and bot.new(bob, mark)[-1].text.startswith("🔔")
        assert tg.log.select("sendMessage", chat_id=alice.id, since=0, ok=False) == []  # never tried
        # back again: /subscribe works as for anyone
        assert (await bot.reply(alice, alice, "/subscribe")).text.startswith("✅ 已订阅")

    run_bot(env, scenario)


# -- hot reload ----------------------------------------------------------------------------------------


def config_text(db_url: str, *editions: tuple[str, str], extra: str = "") -> str:
    tables = "".join(f'\n[[digest.editions]]\nname = "{name}"\ncron = "{cron}"\n' for name, cron in editions)
    return (
        f'[storage]\ndatabase_url = "{db_url}"\n\n[telegram]\nadmins = [{ADMIN_ID}]\n{extra}\n'
        f"[digest]\ncatchup_grace_minutes = 0\n{tables}"
    )


@pytest.fixture
def config_env(env: Env, tmp_path: Path) -> Iterator[Env]:
    path = tmp_path / "config" / "digestbot.toml"
    path.parent.mkdir()
    url = env.settings.storage.database_url
    path.write_text(config_text(url, ("morning", f"0 {edition_hour()} * * *")), encoding="utf-8")
    yield Env(load_config(path).settings, env.store, path)


def next_fire(bot: BotRun, name: str) -> tuple[int, int]:
    (job,) = bot.app.job_queue.get_jobs_by_name(f"edition:{name}")
    return job.next_t.hour, job.next_t.minute


def test_reload_applies_a_good_config_and_refuses_a_bad_one(config_env: Env) -> None:
    path = config_env.config_path
    url = config_env.settings.storage.database_url
    hour = edition_hour()
    later = (hour + 1) % 24

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        admin, alice = bot.admin(), tg.user("Alice")
        assert next_fire(bot, "morning") == (hour, 0)
        assert (await bot.reply(admin, admin, "/reload")).text.endswith("配置没有变化。")

        # a good change: the edition moves and a second one appears; jobs follow at once
        path.write_text(config_text(url, ("morning", f"30 {later} * * *"), ("evening", "0 20 * * *")), "utf-8")
        done = await bot.reply(admin, admin, "/reload")
        assert done.text.startswith("✅ 配置已重新加载") and "已更新：digest.editions" in done.text
        assert next_fire(bot, "morning") == (later, 30) and next_fire(bot, "evening") == (20, 0)
        assert [e.name for e in bot.runtime.settings.digest.editions] == ["morning", "evening"]
        # ... and chats may now pick the new edition in /settings
        panel = await bot.reply(alice, alice, "/settings")
        # (no titles in this file: Chinese readers see each edition's schedule, never its name)
        assert labels_of(panel)[-2:] == [f"✓ 每天 {later:02d}:30", "每天 20:00"]
        await bot.press(alice, panel, "每天 20:00")
        assert chat_service.get_chat(bot.store, alice.id).edition == "evening" and "推送版次：每天 20:00" in panel.text
        assert "每天 20:00 推送" in (await bot.reply(alice, alice, "/start")).text  # the chat's own edition

        # a bad change: refused with the reason, the running settings and jobs untouched
        path.write_text(config_text(url, ("morning", "61 25 * * *")), "utf-8")
        refused = await bot.reply(admin, admin, "/reload")
        assert refused.text.startswith("⚠️ 新配置有错误，已拒绝，旧配置继续运行")
        # said in Chinese: the key and the value as written, what is wrong in words
        assert "digest.editions[0].cron = '61 25 * * *'：不是有效的定时表达式" in refused.text
        assert refused.entities[-1]["type"] == "code" and "cron expression" not in refused.text
        assert [e.cron for e in bot.runtime.settings.digest.editions] == [f"30 {later} * * *", "0 20 * * *"]
        assert next_fire(bot, "morning") == (later, 30) and next_fire(bot, "evening") == (20, 0)
        path.write_text("[digest\nbroken", "utf-8")
        refused = await bot.reply(admin, admin, "/reload")
        assert "的格式有误，不是有效的 TOML（第 1 行" in refused.text

        # keys that need a restart are named, the rest applied
        path.write_text(
            config_text(url, ("morning", f"30 {later} * * *"), extra='api_url = "http://127.0.0.1:1/bot"\n'), "utf-8"
        )
        partly = await bot.reply(admin, admin, "/reload")
        assert "（需要重启才生效：telegram.api_url）" in partly.text and "digest.editions" in partly.text
        assert (
            bot.runtime.settings.telegram.api_url == "" and bot.app.job_queue.get_jobs_by_name("edition:evening") == ()
        )
        # a chat on a vanished edition falls back to the first one
        assert f"推送版次：每天 {later:02d}:30" in (await bot.reply(alice, alice, "/settings")).text

    run_bot(config_env, scenario)


def labels_of(message: Message) -> list[str]:
    return [b.text for b in message.button_list]


def test_the_file_watch_applies_changes_and_tells_the_admins_about_a_refused_file(config_env: Env) -> None:
    path = config_env.config_path
    url = config_env.settings.storage.database_url
    hour = edition_hour()
    later = (hour + 2) % 24

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        admin, alice = bot.admin(), tg.user("Alice")
        mark = tg.mark()
        path.write_text(config_text(url, ("morning", "0 8 * * *"), extra='language = "fr"\n'), "utf-8")
        await bot.services.check_config()
        (told,) = await tg.wait_for_messages(admin, since=mark)
        assert told.text.startswith("⚠️ 配置文件的改动有错误，已拒绝，旧配置继续运行")
        assert "telegram.language = 'fr'：只能是 'zh'、'en'" in told.text  # in the admins' language
        assert next_fire(bot, "morning") == (hour, 0) and bot.runtime.settings.telegram.admins == [ADMIN_ID]
        assert bot.new(alice, mark) == []
        await bot.services.check_config()  # the same refused file is not reported twice
        await tg.settle()
        assert bot.new(admin, mark) == [told]

        path.write_text(config_text(url, ("morning", f"15 {later} * * *")), "utf-8")
        await bot.services.check_config()
        await tg.settle()
        assert next_fire(bot, "morning") == (later, 15) and bot.new(admin, mark) == [told]

    run_bot(config_env, scenario)


def test_sighup_reloads_the_config(config_env: Env) -> None:
    path = config_env.config_path
    url = config_env.settings.storage.database_url
    later = (edition_hour() + 3) % 24

    async def scenario(bot: BotRun) -> None:
        path.write_text(config_text(url, ("morning", f"45 {later} * * *")), "utf-8")
        os.kill(os.getpid(), signal.SIGHUP)  # what `kill -HUP <pid>` or `systemctl reload` does
        await bot.tg.wait_until(lambda: next_fire(bot, "morning") == (later, 45), timeout=10, what="the reload")

    run_bot(config_env, scenario)


# -- digestbot chat --------------------------------------------------------------------------------------


def test_console_runs_the_bot_on_a_private_copy_of_the_store(env: Env) -> None:
    out: list[str] = []

    def lines() -> Iterator[str]:
        yield "/start"
        yield "/subscribe"
        yield "/search 武进"
        yield press_for("下一页 ▶")
        yield first_hit()  # the first hit of page 2
        yield press_for("📄 全文")
        yield "/follow 机器人"
        yield ":group"
        yield "/subscribe"
        yield "/search 机器人"
        yield ":private"
        yield "/push"
        yield "/stats"
        yield "/nope"
        yield "!99"
        yield ":quit"
        yield "/never-read"

    def press_for(label: str) -> str:
        """The !N the console shows for the button labelled `label` (most recent first)."""
        for line in reversed(out):
            found = re.search(rf"\[!(\d+)\] {re.escape(label)}(?:\s|$)", line)
            if found:
                return f"!{found.group(1)}"
        raise AssertionError(f"no button {label!r} shown:\n" + "\n".join(out))

    def first_hit() -> str:
        """The !N of the first hit (a button labelled by an article ID) most recently shown."""
        for line in reversed(out):
            found = re.search(r"\[!(\d+)\] \[\d+\]", line)
            if found:
                return f"!{found.group(1)}"
        raise AssertionError("no hit shown:\n" + "\n".join(out))

    settings = env.settings
    code = asyncio.run(asyncio.wait_for(run_console(LoadedConfig(settings, None), lines(), out.append), 90))
    assert code == 0
    text = "\n".join(out)
    assert "🤖 👋 你好！我是新闻摘要机器人" in text
    assert "✅ 已订阅" in text
    first = re.search(r"🤖 🔍 武进 · 共 (\d+) 条结果（第 1/(\d+) 页）", text)
    assert first, text
    assert f"🤖 (已更新 edited) 🔍 武进 · 共 {first[1]} 条结果（第 2/{first[2]} 页）" in text
    card = text.split("你> !1\n", 1)[1]  # the card of hit 6, then its full text
    assert card.startswith("🤖 ") and "编号" in card.split("你>")[0] and "[!9] 📄 全文" in card.split("你>")[0]
    assert "（现在在群聊「测试群」里" in text
    group = text.split("（现在在群聊「测试群」里")[1].split(":private")[0]
    assert "🤖 ✅ 已订阅" in group and "🤖 🔍 机器人 · 共 " in group  # replies in the group shown
    assert "新排入 2 个聊天" in text and "📰 新闻摘要 · 最新 14 篇" in text
    assert "运行统计" in text and "订阅聊天：2" in text
    assert "我不认识这个命令：/nope" in text
    assert "（没有按钮 !99 / no button !99）" in text
    assert "/never-read" not in text and "Traceback" not in text
    assert not any(line.startswith("🤖 😵") for line in out)  # no handler failed

    # the real store never saw the console's chats, follows or deliveries
    with env.store.session() as s:
        for model in (Chat, Follow, Delivery):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model


def test_console_not_admin_is_refused_admin_commands(env: Env) -> None:
    out: list[str] = []
    lines = ["/stats", "/push", "/help"]
    code = asyncio.run(
        asyncio.wait_for(run_console(LoadedConfig(env.settings, None), lines, out.append, admin=False), 60)
    )
    assert code == 0
    text = "\n".join(out)
    assert text.count("抱歉，这个命令只对管理员开放。") == 2 and "/push [版次]" not in text
    store = open_store(env.settings.storage.database_url)
    try:
        assert chat_service.subscribed_count(store) == 0
    finally:
        store.dispose()
