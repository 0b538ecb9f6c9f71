"""The first commands a chat meets: /start, /help, /subscribe, /unsubscribe."""

from __future__ import annotations

from telegram import Update

from bot.config.runtime import Runtime
from bot.digest.schedule import find_edition
from bot.store import chats as chat_service
from bot.store.chats import ChatView
from bot.telegram.handlers.common import (
    Context,
    chat_language,
    may_change_chat,
    off_loop,
    runtime,
    send,
)
from bot.ui import buttons as cb
from bot.ui.i18n import t
from bot.ui.messages import Message, escape
from bot.ui.when import edition_schedule


def _when(rt: Runtime, chat: ChatView | None, lang: str) -> str:
    """When this chat's digest comes: its own edition (the one it picked, else the default)."""
    digest = rt.settings.digest
    edition = find_edition(digest, chat.edition if chat else None)
    return edition_schedule(lang, edition, rt.settings.telegram.timezone, several=len(digest.editions) > 1)


async def start(update: Update, context: Context) -> None:
    rt = runtime(context)
    chat = update.effective_chat
    view = await off_loop(chat_service.touch_chat, rt.store, chat.id, chat.type, chat.title)
    lang = await chat_language(update, context)
    buttons = [
        [(t(lang, "button.subscribe"), cb.menu("sub"))],
        [(t(lang, "button.digest"), cb.menu("digest")), (t(lang, "button.keywords"), cb.menu("keywords"))],
    ]
    await send(update, context, Message(t(lang, "start", when=escape(_when(rt, view, lang))), buttons))


async def help_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    text = t(lang, "help")
    user = update.effective_user
    if user and runtime(context).is_admin(user.id):
        text += t(lang, "help.admin")
    await send(update, context, text)


async def subscribe(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    lang = await chat_language(update, context)
    if not await may_change_chat(update, context, lang):
        return
    new = await off_loop(chat_service.subscribe, rt.store, chat.id, chat.type, chat.title)
    view = await off_loop(chat_service.get_chat, rt.store, chat.id)
    key = "subscribe.done" if new else "subscribe.already"
    await send(update, context, t(lang, key, when=escape(_when(rt, view, lang))))


async def unsubscribe(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    lang = await chat_language(update, context)
    if not await may_change_chat(update, context, lang):
        return
    done = await off_loop(chat_service.unsubscribe, rt.store, chat.id, "user")
    await send(update, context, t(lang, "unsubscribe.done" if done else "unsubscribe.not"))
