"""The stand-in over real HTTP with a real PTB Bot: answers, validation, faults, and the request log."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.standin import Standin
from bot.standin.ptb import make_bot, run_with_standin

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def scenario(fn):
    """Turn ``async def test_x(tg, bot)`` into a plain test run on a fresh stand-in."""

    def test() -> None:
        async def body(tg: Standin) -> None:
            async with make_bot(tg) as bot:
                await fn(tg, bot)

        run_with_standin(body, timeout=30)

    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


def last_error(tg: Standin) -> str:
    return tg.log.calls[-1].description or ""


@scenario
async def test_get_me_and_the_base_url(tg: Standin, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "digest_standin_bot" and me.is_bot
    assert tg.base_url.startswith("http://127.0.0.1:") and tg.base_url.endswith("/bot")
    assert bot.base_url == tg.base_url + tg.token


@scenario
async def test_wrong_token_unknown_method_and_raw_shape(tg: Standin, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        await Bot("123:wrong", base_url=tg.base_url).get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}{tg.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        async with http.get(f"{tg.base_url}wrong/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        # Other clients post JSON bodies or use GET query strings; both work.
        alice = tg.user("Alice")
        async with http.post(f"{tg.base_url}{tg.token}/sendMessage", json={"chat_id": alice.id, "text": "hi"}) as resp:
            body = await resp.json()
            assert body["ok"] is True and body["result"]["text"] == "hi"
        async with http.get(f"{tg.base_url}{tg.token}/getMe") as resp:
            assert (await resp.json())["result"]["is_bot"] is True


@scenario
async def test_html_is_validated_like_telegram(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    long_visible = "<b>" + "新" * 2000 + "</b><i>" + "闻" * 2096 + "</i>"
    message = await bot.send_message(alice.id, long_visible, parse_mode=ParseMode.HTML)
    assert len(message.text) == 4096 and message.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, long_visible + "!", parse_mode=ParseMode.HTML)
    await bot.send_message(alice.id, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(alice.id, "0123456789<foo>", parse_mode=ParseMode.HTML)
    assert last_error(tg) == 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 10'
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    transcript = tg.transcript(alice)
    assert len(transcript) == 2 and transcript[0].source == long_visible and transcript[0].parse_mode == "HTML"


@scenario
async def test_callback_data_over_64_bytes_is_refused(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("搜索", callback_data="s:" + "关" * 20)]])  # 62 bytes
    await bot.send_message(alice.id, "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("搜索", callback_data="s:" + "关" * 21)]])  # 65 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "bad", reply_markup=too_long)
    assert last_error(tg) == "Bad Request: BUTTON_DATA_INVALID"


@scenario
async def test_edit_delete_and_not_modified(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("▶", callback_data="page:2")]])
    sent = await bot.send_message(alice.id, "第一页", reply_markup=keyboard)
    edited = await bot.edit_message_text("<b>第二页</b>", alice.id, sent.message_id, parse_mode="HTML")
    assert edited.text == "第二页"
    stored = tg.message(alice, sent.message_id)
    assert stored.text == "第二页" and stored.reply_markup is None  # no markup in the edit removes the keyboard
    assert [v.text for v in stored.edits] == ["第一页"] and stored.edits[0].reply_markup is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>第二页</b>", alice.id, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard)
    assert tg.message(alice, sent.message_id).buttons[0][0].data == "page:2"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)
    assert await bot.delete_message(alice.id, sent.message_id)
    assert tg.message(alice, sent.message_id).deleted
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


@scenario
async def test_answer_callback_query(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    sent = await bot.send_message(
        alice.id, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok")]])
    )
    query = tg.press_button(alice, tg.message(alice, sent.message_id), "好")
    assert await bot.answer_callback_query(query.id, text="收到")
    answer = await tg.wait_for_answer(query)
    assert answer.text == "收到" and not answer.show_alert
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)  # a query is answered once
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123456")


@scenario
async def test_private_group_and_member_status(tg: Standin, bot: Bot) -> None:
    owner, admin, member, outsider = tg.user("Owner"), tg.user("Admin"), tg.user("Member"), tg.user("Out")
    group = tg.group("读书会", creator=owner, admins=[admin], members=[member])
    assert (await bot.get_chat_member(group.id, owner.id)).status == ChatMemberStatus.OWNER
    assert (await bot.get_chat_member(group.id, admin.id)).status == ChatMemberStatus.ADMINISTRATOR
    assert (await bot.get_chat_member(group.id, member.id)).status == ChatMemberStatus.MEMBER
    assert (await bot.get_chat_member(group.id, outsider.id)).status == ChatMemberStatus.LEFT
    assert (await bot.get_chat_member(group.id, bot.id)).status == ChatMemberStatus.MEMBER
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [owner.id, admin.id]
    tg.set_member(group, member, "administrator")
    assert (await bot.get_chat_member(group.id, member.id)).status == ChatMemberStatus.ADMINISTRATOR
    chat = await bot.get_chat(group.id)
    assert chat.type == "group" and chat.title == "读书会"
    private = await bot.get_chat(owner.id)
    assert private.type == "private" and private.first_name == "Owner"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 1)
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "still here?")
    shy = tg.user("Shy", started=False)
    with pytest.raises(Forbidden, match="bot can.t initiate conversation with a user"):
        await bot.send_message(shy.id, "hello")


@scenario
async def test_commands_are_kept_per_scope_and_language(tg: Standin, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("search", "搜索")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("digest", "摘要")], scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in await bot.get_my_commands()] == ["start", "search"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())] == ["digest"]
    assert tg.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


@scenario
async def test_each_fault_maps_to_the_right_ptb_exception(tg: Standin, bot: Bot) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    group = tg.group("老群", creator=alice, members=[bob])

    tg.faults.retry_after(7, chat=alice)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.id, "x")
    assert seconds(info.value.retry_after) == 7
    assert await bot.send_message(alice.id, "one-shot: the next call succeeds")

    tg.faults.blocked(chat=bob)
    for _ in range(2):  # blocking persists
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(bob.id, "x")
    assert tg.world.users[bob.id].blocked

    tg.faults.migrate(chat=group)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(group.id, "x")
    new_id = migrated.value.new_chat_id
    assert new_id < -1000000000000 and tg.chat(new_id).type == "supergroup"
    with pytest.raises(ChatMigrated):
        await bot.send_message(group.id, "the old id keeps failing")
    assert (await bot.send_message(new_id, "moved")).chat.id == new_id

    tg.faults.server_error(500, chat=alice)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(alice.id, "x")
    tg.faults.server_error(502, chat=alice)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "x")

    tg.faults.disconnect(chat=alice)
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(alice.id, "x")
    assert not isinstance(dropped.value, TimedOut)

    tg.faults.error(400, "Bad Request: not enough rights to send text messages to the chat", chat=alice)
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.send_message(alice.id, "x")

    assert [c.fault for c in tg.log.select("sendMessage") if c.fault] == [
        "retry_after",
        "blocked",
        "migrate",
        "server_error",
        "server_error",
        "disconnect",
        "error",
    ]


def test_timeout_fault_raises_timed_out_and_can_still_apply() -> None:
    async def body(tg: Standin) -> None:
        alice = tg.user("Alice")
        async with make_bot(tg, timeout=0.3) as bot:
            tg.faults.timeout(delay=5.0, chat=alice)
            started = time.monotonic()
            with pytest.raises(TimedOut):
                await bot.send_message(alice.id, "lost")
            assert time.monotonic() - started < 2.0
            assert tg.transcript(alice) == []  # not applied: nothing was sent
            tg.faults.timeout(delay=5.0, applied=True, chat=alice)
            with pytest.raises(TimedOut):
                await bot.send_message(alice.id, "sent, but the answer was lost")
            assert [m.text for m in tg.transcript(alice)] == ["sent, but the answer was lost"]
            await tg.settle(quiet=0.05, timeout=3)  # the abandoned calls do not keep the stand-in busy

    started = time.monotonic()
    run_with_standin(body, timeout=20)
    assert time.monotonic() - started < 8.0  # shutdown does not wait out the 5 s delays


@scenario
async def test_count_limited_and_method_specific_faults(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    rule = tg.faults.retry_after(1, method="sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await bot.send_message(alice.id, "x")
    await bot.send_message(alice.id, "third time lucky")
    await bot.get_me()
    assert rule.fired == 2 and rule.exhausted
    tg.faults.server_error(503, method="getChat", times=None)
    for _ in range(3):
        with pytest.raises(NetworkError):
            await bot.get_chat(alice.id)
    await bot.send_message(alice.id, "other methods are unaffected")
    tg.faults.clear()
    assert (await bot.get_chat(alice.id)).id == alice.id


def test_probabilistic_faults_are_reproducible_whatever_the_order() -> None:
    """Same seed and rules → the same chats hit, even if the calls arrive in another order."""

    async def hits(order: str) -> tuple[set[int], set[int], int]:
        async def body(tg: Standin) -> tuple[set[int], set[int], int]:
            users = tg.users(400)
            tg.faults.seed = 1234
            tg.faults.blocked(probability=0.05)
            tg.faults.retry_after(1, probability=0.10, times=None)
            ids = [u.id for u in users]
            if order == "reversed":
                ids.reverse()
            async with make_bot(tg) as bot:
                limited: set[int] = set()
                for chat_id in ids:
                    try:
                        await bot.send_message(chat_id, "digest")
                    except RetryAfter:
                        limited.add(chat_id)
                    except Forbidden:
                        pass
            blocked = {u.id for u in users if u.blocked}
            return blocked, limited, len(tg.log)

        return await asyncio.to_thread(run_with_standin, body, timeout=40)

    async def both():
        return await hits("forward"), await hits("reversed")

    (blocked_a, limited_a, _), (blocked_b, limited_b, _) = asyncio.run(both())
    assert blocked_a == blocked_b and limited_a == limited_b
    assert 5 <= len(blocked_a) <= 40 and 15 <= len(limited_a) <= 70


@scenario
async def test_driver_block_and_migrate_show_up_as_errors(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    group = tg.group("旧群", creator=alice)
    tg.block_bot(alice)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "x")
    tg.unblock_bot(alice)
    await bot.send_message(alice.id, "welcome back")
    supergroup = tg.migrate_group_to_supergroup(group)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(group.id, "x")
    assert info.value.new_chat_id == supergroup.id
    assert (await bot.get_chat_member(supergroup.id, alice.id)).status == ChatMemberStatus.OWNER


@scenario
async def test_get_updates_long_polling(tg: Standin, bot: Bot) -> None:
    alice = tg.user("Alice")
    assert await bot.get_updates(timeout=0) == ()
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    tg.send_message(alice, alice, "/start")
    updates = await poll
    assert time.monotonic() - started < 2.0  # answered as soon as the update arrived, not after 5 s
    assert len(updates) == 1 and updates[0].message.text == "/start"
    entity = updates[0].message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    for i in range(5):
        tg.send_message(alice, alice, f"m{i}")
    assert [u.message.text for u in await bot.get_updates(limit=2, timeout=0)] == ["m0", "m1"]
    last = (await bot.get_updates(offset=-1, timeout=0))[0]
    assert last.message.text == "m4"
    assert len(tg.pending_updates()) == 1


@scenario
async def test_two_pollers_conflict(tg: Standin, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)
    async with make_bot(tg) as other:
        second = asyncio.create_task(other.get_updates(timeout=0.2))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


@scenario
async def test_request_log_and_rates(tg: Standin, bot: Bot) -> None:
    users = tg.users(5)
    for round_ in range(3):
        for user in users:
            await bot.send_message(user.id, f"r{round_}", parse_mode="HTML")
    calls = tg.log.select("sendMessage", ok=True)
    assert len(calls) == 15
    assert calls[0].params["parse_mode"] == "HTML" and calls[0].chat_id == users[0].id
    assert calls[0].result["text"] == "r0"
    assert tg.log.max_rate(1.0) == 15
    per_chat = tg.log.max_rate_per_chat(1.0)
    assert set(per_chat) == {u.id for u in users} and set(per_chat.values()) == {3}
    assert all(gap > 0 for gap in tg.log.min_interval_per_chat().values())
    assert tg.log.count("getMe") == 1  # from Bot.initialize()
    raw = json.dumps([c.method for c in tg.log])
    assert "sendMessage" in raw


def test_benchmark_style_fault_mix_over_many_chats() -> None:
    """The broadcast benchmark's recipe at a tenth of the size: every outcome maps to one PTB exception."""

    async def body(tg: Standin) -> None:
        started = time.perf_counter()
        users = tg.users(10_000)
        assert time.perf_counter() - started < 2.0  # bulk creation is cheap
        groups = tg.groups(100)
        targets = [u.id for u in users[:1000]] + [g.id for g in groups]
        tg.faults.seed = 7
        tg.faults.retry_after(2, probability=0.02)
        tg.faults.blocked(probability=0.01, chat=[u.id for u in users])
        tg.faults.migrate(probability=0.10, chat=[g.id for g in groups])
        tg.faults.timeout(delay=2.0, probability=0.01)
        outcomes: dict[str, list[int]] = {}
        gate = asyncio.Semaphore(32)
        async with make_bot(tg, timeout=0.5) as bot:

            async def send(chat_id: int) -> None:
                async with gate:
                    try:
                        await bot.send_message(chat_id, "<b>今日摘要</b>", parse_mode="HTML")
                        kind = "ok"
                    except RetryAfter:
                        kind = "retry_after"
                    except Forbidden:
                        kind = "forbidden"
                    except ChatMigrated:
                        kind = "migrated"
                    except TimedOut:
                        kind = "timed_out"
                    outcomes.setdefault(kind, []).append(chat_id)

            await asyncio.gather(*(send(c) for c in targets))
        counts = {kind: len(ids) for kind, ids in outcomes.items()}
        assert sum(counts.values()) == len(targets)
        assert 5 <= counts["retry_after"] <= 50 and 2 <= counts["forbidden"] <= 30
        assert 2 <= counts["migrated"] <= 30 and 2 <= counts["timed_out"] <= 30
        assert all(tg.world.users[c].blocked for c in outcomes["forbidden"])
        assert all(tg.chat(c).migrated_to is not None for c in outcomes["migrated"])
        delivered = sum(len(tg.bot_messages(c)) for c in targets)
        assert delivered == counts["ok"]  # timeouts were not applied, so nothing else was stored

    run_with_standin(body, timeout=50)


@scenario
async def test_channels_by_username(tg: Standin, bot: Bot) -> None:
    editor = tg.user("Editor")
    channel = tg.channel("每日新闻", creator=editor, username="daily_news")
    tg.faults.retry_after(3, chat=channel)
    with pytest.raises(RetryAfter):
        await bot.send_message("@daily_news", "x")
    posted = await bot.send_message("@daily_news", "<b>早报</b>", parse_mode="HTML")
    assert posted.chat.id == channel.id and posted.sender_chat.id == channel.id and posted.from_user is None
    assert tg.log.select("sendMessage")[0].chat_id == channel.id
    assert [a.status for a in await bot.get_chat_administrators(channel.id)] == ["creator", "administrator"]
    post = tg.send_message(editor, channel, "编辑部的话")
    assert post.delivered  # channel posts reach an admin bot
