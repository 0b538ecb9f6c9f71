"""A real PTB Application against the stand-in: polling, commands, buttons, groups, webhooks, threads."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.standin import Standin, StandinThread, StandinTimeout
from bot.standin.ptb import application_builder, polling, run_with_standin

pytestmark = pytest.mark.timeout(60)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("下一页 ▶", callback_data="page:2"), InlineKeyboardButton("原文", url="https://e.com")]]
    )
    await update.effective_message.reply_text("<b>欢迎</b>使用新闻摘要", parse_mode="HTML", reply_markup=keyboard)


async def page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not query.data.startswith("page:"):
        await query.answer("按钮已过期", show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(f"第 {query.data.split(':')[1]} 页")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"收到：{update.effective_message.text}")


def build(tg: Standin, *extra):
    app = application_builder(tg).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(page))
    for handler in extra:
        app.add_handler(handler)
    return app


def test_command_round_trip_through_get_updates_polling() -> None:
    async def body(tg: Standin) -> None:
        alice = tg.user("Alice")
        async with polling(build(tg)):
            sent = tg.send_message(alice, alice, "/start")
            assert sent.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
            reply = await tg.wait_for_reply(alice)
        assert reply.text == "欢迎使用新闻摘要" and reply.source == "<b>欢迎</b>使用新闻摘要"
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
        assert [(b.text, b.data, b.url) for b in reply.button_list] == [
            ("下一页 ▶", "page:2", None),
            ("原文", None, "https://e.com"),
        ]
        assert "[1] 下一页 ▶  [2] 原文 <https://e.com>" in tg.render(alice)
        assert tg.log.count("getUpdates") >= 1 and tg.log.count("sendMessage", ok=True) == 1

    run_with_standin(body)


def test_button_press_reaches_the_callback_handler_and_is_answered() -> None:
    async def body(tg: Standin) -> None:
        alice = tg.user("Alice")
        async with polling(build(tg)):
            tg.send_message(alice, alice, "/start")
            message = await tg.wait_for_reply(alice)
            query = tg.press_button(alice, message, "下一页 ▶")
            answer = await tg.wait_for_answer(query)
            await tg.wait_for_edit(message)
            assert answer.text is None and message.text == "第 2 页" and message.edits[0].text == "欢迎使用新闻摘要"
            forged = tg.press_button(alice, message, data="forged:1")
            assert (await tg.wait_for_answer(forged)).show_alert
            with pytest.raises(LookupError):
                tg.press_button(alice, message, "no such button")
            await tg.settle()
        assert tg.log.count("answerCallbackQuery", ok=True) == 2

    run_with_standin(body)


def test_groups_privacy_mode_and_command_addressing() -> None:
    async def body(tg: Standin) -> None:
        owner, member = tg.user("Owner"), tg.user("Member")
        group = tg.group("读书会", creator=owner, members=[member])
        app = build(tg, MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with polling(app):
            sent = tg.command(member, group, "start")
            assert sent.text == "/start@digest_standin_bot" and sent.delivered
            reply = await tg.wait_for_reply(group)
            assert reply.chat.id == group.id and reply.reply_to is not None
            chatter = tg.send_message(member, group, "大家好")
            assert not chatter.delivered  # privacy mode: plain group chatter never reaches the bot
            other = tg.send_message(member, group, "/start@some_other_bot")
            assert not other.delivered
            tg.send_message(member, group, "/start")
            await tg.wait_for_reply(group)
            tg.set_member(group, owner, "creator")
            tg.remove_bot_from_group(group, owner, kicked=False)
            tg.add_bot_to_group(group, owner, admin=True)
            tg.send_message(member, group, "现在能看到吗")
            assert (await tg.wait_for_reply(group)).text == "收到：现在能看到吗"
            with pytest.raises(StandinTimeout, match="transcript so far"):
                await tg.wait_for_messages(group, 5, timeout=0.3)
            await tg.settle()
        assert len(tg.bot_messages(group)) == 3

    run_with_standin(body)


def test_membership_and_migration_updates_reach_the_bot() -> None:
    async def body(tg: Standin) -> None:
        owner = tg.user("Owner")
        group = tg.group("老群", creator=owner, bot=False)
        seen: list[tuple[str, object]] = []

        async def my_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            seen.append(("my_chat_member", update.my_chat_member.new_chat_member.status))

        async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            seen.append(("migrate", message.migrate_to_chat_id or message.migrate_from_chat_id))

        app = build(
            tg,
            ChatMemberHandler(my_member, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
        )
        async with polling(app, allowed_updates=Update.ALL_TYPES):
            tg.add_bot_to_group(group, owner)
            supergroup = tg.migrate_group_to_supergroup(group)
            alice = tg.user("Alice")
            tg.block_bot(alice)
            await tg.wait_until(lambda: len(seen) >= 4, what="four updates")
            await tg.settle()
        assert seen == [
            ("my_chat_member", "member"),
            ("migrate", supergroup.id),
            ("migrate", group.id),
            ("my_chat_member", "kicked"),
        ]

    run_with_standin(body)


def test_bad_html_from_a_handler_reaches_the_error_handler() -> None:
    async def body(tg: Standin) -> None:
        alice = tg.user("Alice")
        errors: list[BaseException] = []

        async def sloppy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.effective_message.reply_text("<p>不支持的标签</p>", parse_mode="HTML")

        async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            errors.append(context.error)

        app = build(tg, CommandHandler("sloppy", sloppy))
        app.add_error_handler(on_error)
        async with polling(app):
            tg.send_message(alice, alice, "/sloppy")
            await tg.wait_until(lambda: errors, what="the error handler")
        assert isinstance(errors[0], BadRequest)
        assert tg.log.select("sendMessage")[0].description.endswith('Unsupported start tag "p" at byte offset 0')
        assert tg.bot_messages(alice) == []

    run_with_standin(body)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_webhook_mode_delivers_updates_with_the_secret_token() -> None:
    async def body(tg: Standin) -> None:
        alice = tg.user("Alice")
        app = build(tg)
        port = _free_port()
        async with app:
            await app.start()
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url=f"http://127.0.0.1:{port}/hook",
                secret_token="s3cret-token",
            )
            try:
                assert tg.api.webhook.url.endswith("/hook") and tg.api.webhook.secret_token == "s3cret-token"
                tg.send_message(alice, alice, "/start")
                reply = await tg.wait_for_reply(alice, timeout=10)
                assert reply.text == "欢迎使用新闻摘要"
                await tg.settle()
            finally:
                await app.updater.stop()
                await app.stop()
        assert tg.log.count("setWebhook", ok=True) == 1 and tg.log.count("getUpdates") == 0

    run_with_standin(body)


def test_standin_thread_serves_synchronous_clients() -> None:
    with StandinThread() as tg:
        alice = tg.user("Alice")
        api = f"{tg.base_url}{tg.token}"

        def call(method: str, **params: object) -> dict:
            data = json.dumps(params).encode()
            request = urllib.request.Request(f"{api}/{method}", data, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.load(response)

        tg.send_message(alice, alice, "/start")
        updates = call("getUpdates", timeout=1)["result"]
        assert updates[0]["message"]["text"] == "/start"
        call("sendMessage", chat_id=alice.id, text="<i>同步</i>", parse_mode="HTML")
        assert [m.text for m in tg.wait_for_messages(alice, 1)] == ["同步"]
        tg.settle(quiet=0.05)
        assert tg.transcript(alice)[-1].entities[0]["type"] == "italic"
    assert not tg.running


def test_an_application_in_the_main_loop_against_a_threaded_standin() -> None:
    with StandinThread() as tg:
        alice = tg.user("Alice")

        async def main() -> str:
            async with polling(build(tg)):
                tg.send_message(alice, alice, "/start")
                reply = await asyncio.to_thread(tg.wait_for_reply, alice)
                return reply.text

        assert asyncio.run(main()) == "欢迎使用新闻摘要"


def test_many_users_at_once_and_settle() -> None:
    async def body(tg: Standin) -> None:
        users = tg.users(50)
        async with polling(build(tg)):
            for user in users:
                tg.send_message(user, user, "/start")
            await tg.wait_until(lambda: all(tg.world.chats[u.id].bot_messages for u in users), 15, "50 replies")
            await tg.settle()
        assert all(len(tg.bot_messages(u)) == 1 for u in users)

    run_with_standin(body)


def test_module_entry_point_runs_standalone_and_stops_cleanly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.standin", "--port", "0"], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("Bot API stand-in listening on http://127.0.0.1:")
        base = first.rsplit(" ", 1)[1].strip()
        token = next(line.split()[1] for line in iter(proc.stdout.readline, "") if line.strip().startswith("token:"))
        with urllib.request.urlopen(f"{base}/bot{token}/getMe", timeout=5) as response:
            assert json.load(response)["result"]["username"] == "digest_standin_bot"
        send = urllib.request.Request(
            f"{base}/standin/send", json.dumps({"user_id": 100000001, "text": "/start"}).encode(), method="POST"
        )
        with urllib.request.urlopen(send, timeout=5) as response:
            assert json.load(response)["delivered"] is True
    finally:
        proc.terminate()
        started = time.monotonic()
        assert proc.wait(timeout=10) == 0 and time.monotonic() - started < 5
