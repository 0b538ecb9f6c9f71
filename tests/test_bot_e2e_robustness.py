"""End to end with bad input: odd text, forged, stale and late button presses, a failing
handler, and the token kept out of the logs. Each gets a polite answer, nothing crashes, the bot
keeps serving, and no user action goes unanswered."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from e2e_harness import BotRun, Env, run_bot
from sqlalchemy import update

from bot.store import articles as article_service
from bot.store.models import State, utcnow
from bot.store.state import forget_old_queries
from bot.telegram.handlers import searching

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

STALE = "这个按钮已失效，请重新发送命令。"
INTERNAL = "😵 抱歉，处理时出了点问题，已记录下来。请稍后再试。"
SEARCH_USAGE = '用法：/search 关键词。例如 /search 武进，/search "清洁生产"，/search 机器人 -深圳，/search #创新'


def test_bad_input_gets_one_polite_reply_each_and_nothing_is_lost(env: Env) -> None:
    long_query = "机器人" * 1667  # 5,001 characters
    cases = [
        ("/search", SEARCH_USAGE),
        ("/search    ", SEARCH_USAGE),
        (f"/search {long_query[:5000]}", "查询太长了（5000 个字，上限 300）。请只输入几个词或一个短语。"),
        (long_query[:4096], "查询太长了（4096 个字，上限 300）。请只输入几个词或一个短语。"),  # plain text search
        ("😀🎉👍", "请输入要查找的词，例如 /search 武进（表情和符号不会被搜索）。"),
        ("/search 🙈", "请输入要查找的词，例如 /search 武进（表情和符号不会被搜索）。"),
        ("/search -深圳", "只有排除词（-词）无法搜索，请再加一个要查找的词。"),
        ("/nope", "我不认识这个命令：/nope。发送 /help 查看可用命令。"),
        ("/nope@digest_standin_bot x", "我不认识这个命令：/nope@digest_standin_bot。发送 /help 查看可用命令。"),
        ("/<b>", None),  # not a command token: a search for "<b>" that finds nothing
        ("/latest abc", "用法：/latest [N]，N 为 1 到 20。"),
        ("/article -1", "用法：/article 编号，例如 /article 3。编号是 /latest 和搜索结果里方括号中的数字。"),
        ("/follow", "用法：/follow 词，例如 /follow 机器人。有新文章提到它时我会通知你。"),
        ("/follow 😀", "🔔 已关注「😀」。有新文章提到它时会通知你。"),
        ("/unfollow 不存在", "没有关注「不存在」。"),
        ("<script>alert(1)</script> & &amp;", None),
    ]

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice = tg.user("Alice")
        for text, expected in cases:
            reply = await bot.reply(alice, alice, text)
            if expected is not None:
                assert reply.text == expected, text
            else:
                assert reply.text.startswith("🔍 没有找到与") or reply.text.startswith("请输入要查找的词"), reply.text
        # the chat is intact: one reply per message, in order, and the bot still serves
        transcript = tg.transcript(alice)
        assert [m.from_bot for m in transcript] == [False, True] * len(cases)
        results = await bot.reply(alice, alice, "/search 武进")
        assert results.text.startswith("🔍 武进")

    run_bot(env, scenario)


def test_forged_and_stale_callback_data_is_answered_politely(env: Env) -> None:
    forged = [
        "zz",
        "a:",
        "a:abc",
        "a:1;DROP TABLE",
        "x" * 65,
        "a:" + "1" * 62,
        "k:14:99",
        "k:99999:0",
        "f:99999",
        "r:99999",
        "q:0000000000:1",
        "q:zzzz:1",
        "s:len:9",
        "s:lang:fr",
        "s:dig:maybe",
        "s:ed:evening",
        "s:nope:1",
        "m:nope",
    ]

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice = tg.user("Alice")
        results = await bot.reply(alice, alice, "/search 武进")
        before = results.text
        for data in forged:
            query, new = await bot.press(alice, results, data=data)
            assert query.answer.text == STALE, data
            assert new == [], data
        assert results.text == before and results.edits == []
        # a well-formed press for an article that is not there: answered, and told so
        query, new = await bot.press_for(alice, results, data="a:99999")
        assert query.answer is not None and [m.text for m in new] == ["没有编号为 99999 的文章。"]
        # the inert page counter
        query, new = await bot.press(alice, results, data="noop")
        assert query.answer.text is None and new == []
        # and the real buttons still work afterwards
        _, (card,) = await bot.press_for(alice, results, results.button_list[0].text)
        assert "编号" in card.text

    run_bot(env, scenario)


def test_a_search_button_whose_query_was_forgotten_is_stale(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        results = await bot.reply(alice, alice, "/search 武进")
        # 31 days later the remembered query is swept by the daily job
        with bot.store.session.begin() as s:
            s.execute(update(State).where(State.name.like("q:%")).values(updated_at=utcnow() - timedelta(days=31)))
        assert forget_old_queries(bot.store) >= 1
        query, new = await bot.press(alice, results, "下一页 ▶")
        assert query.answer.text == STALE and new == [] and results.edits == []
        # searching again remembers it again
        again = await bot.reply(alice, alice, "/search 武进")
        await bot.press(alice, again, "下一页 ▶")
        assert "第 2/" in again.text

    run_bot(env, scenario)


def test_a_press_answered_after_telegram_expired_it_still_does_what_was_asked(env: Env) -> None:
    """After downtime the bot fetches button presses older than Telegram's answer window: the
    answer is refused ("query is too old"), but the user still gets what the button does."""

    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice = tg.user("Alice")
        results = await bot.reply(alice, alice, "/search 武进")
        tg.faults.latency(0.5, method="answerCallbackQuery", times=1)  # the answer arrives too late
        mark = tg.mark()
        query = tg.press_button(alice, results, results.button_list[0].text)
        (card,) = await tg.wait_for_messages(alice, since=mark, timeout=10)
        assert "编号" in card.text and query.answer is None
        tg.faults.latency(0.5, method="answerCallbackQuery", times=1)
        query = tg.press_button(alice, results, "下一页 ▶")
        await tg.wait_for_edit(results, timeout=10)
        assert "第 2/" in results.text and query.answer is None
        late = tg.log.select("answerCallbackQuery", ok=False)
        assert len(late) == 2 and all("query is too old" in c.description for c in late)

    run_bot(env, scenario, callback_ttl=0.3)


def test_a_failing_handler_gets_the_polite_error_and_the_bot_keeps_serving(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("search backend exploded")

    async def scenario(bot: BotRun) -> None:
        alice, bob = bot.tg.user("Alice"), bot.tg.user("Bob")
        results = await bot.reply(alice, alice, "/search 武进")
        _, (card,) = await bot.press_for(alice, results, results.button_list[0].text)
        with monkeypatch.context() as patch:
            patch.setattr(searching, "search", broken)
            assert (await bot.reply(alice, alice, "/search 武进")).text == INTERNAL
            assert (await bot.reply(bob, bob, "机器人")).text == INTERNAL
            # a failing button: answered at once (no spinner), then the error comes as a message
            query, new = await bot.press_for(alice, results, "下一页 ▶")
            assert query.answer.text is None and [m.text for m in new] == [INTERNAL]
            # one that fails before it is answered gets the error as an alert
            patch.setattr(article_service, "get_article", broken)
            query, new = await bot.press(alice, card, "📄 全文")
            assert query.answer.text == INTERNAL and query.answer.show_alert and new == []
            # other commands keep working meanwhile
            assert (await bot.reply(bob, bob, "/latest 2")).text.startswith("🗞 最新 2 篇")
        assert (await bot.reply(alice, alice, "/search 机器人")).text.startswith("🔍 机器人")
        assert len(bot.errors) == 4
        assert all("search backend exploded" in r.getMessage() for r in bot.errors)
        assert all(r.exc_info is not None for r in bot.errors)

    run_bot(env, scenario, expect_errors=True)


TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


def test_the_token_never_appears_in_the_logs(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    async def scenario(bot: BotRun) -> None:
        assert bot.app.bot.token == TOKEN
        alice = bot.tg.user("Alice")
        results = await bot.reply(alice, alice, "/search 武进")
        await bot.press(alice, results, "下一页 ▶")
        await bot.reply(alice, alice, "/nope")
        with monkeypatch.context() as patch:
            patch.setattr(searching, "search", broken)
            assert (await bot.reply(alice, alice, "/search 武进")).text == INTERNAL
        bot.tg.faults.server_error(502, method="sendMessage", times=1)
        assert (await bot.reply(alice, alice, "/latest 1")).text == INTERNAL  # the error text is sent anew
        await bot.services.tick()

    caplog.set_level(logging.DEBUG)
    run_bot(env, scenario, token=TOKEN, expect_errors=True)
    assert len(caplog.records) > 50  # the bot, PTB and the HTTP client did log, at DEBUG
    assert any("/bot<redacted>" in r.getMessage() for r in caplog.records)  # URLs were logged, scrubbed
    secret = TOKEN.split(":", 1)[1]
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        assert secret not in text, (record.name, text[:300])
    assert secret not in caplog.text


def test_a_burst_of_users_searching_the_same_words_at_once_each_get_their_answer(both_env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        users = tg.users(40)
        mark = tg.mark()
        for n, user in enumerate(users):  # all at once, the bot handles updates concurrently
            tg.send_message(user, user, ["/search 武进", "机器人", "/keywords", "/latest 3"][n % 4])
        await tg.wait_until(lambda: all(bot.new(u, mark) for u in users), timeout=30, what="a reply for everyone")
        await tg.settle()
        for n, user in enumerate(users):
            (reply,) = bot.new(user, mark)
            assert reply.text.startswith(["🔍 武进", "🔍 机器人", "🔥", "🗞 最新 3 篇"][n % 4]), reply.text
        # the remembered queries work for every one of them
        first = bot.new(users[0], mark)[0]
        await bot.press(users[0], first, "下一页 ▶")
        assert "第 2/" in first.text

    run_bot(both_env, scenario)
