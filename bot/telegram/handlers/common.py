"""What every handler needs: the bot's runtime, sending `Message`s, answering presses once,
the chat's language, the text after a command, and who may change a chat.

Handlers stay thin: they read the update, call a service function off the event loop
(`off_loop`: database and CPU work never stalls other chats), and send a view.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.config.runtime import Runtime
from bot.store import chats as chat_service
from bot.ui.buttons import is_link
from bot.ui.i18n import language_of, t
from bot.ui.messages import Message

log = logging.getLogger("bot.telegram.handlers")
Context = ContextTypes.DEFAULT_TYPE
ANSWERED_KEPT = 4096


def runtime(context: Context) -> Runtime:
    return context.application.bot_data["runtime"]


def services(context: Context) -> Any:
    return context.application.bot_data["services"]


async def off_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


def markup(message: Message) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, url=data)
                if is_link(data)
                else InlineKeyboardButton(label, callback_data=data)
                for label, data in row
            ]
            for row in message.buttons
        ]
    )


async def send(update: Update, context: Context, message: Message | list[Message] | str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    items = message if isinstance(message, list) else [Message(message) if isinstance(message, str) else message]
    for item in items:
        await context.bot.send_message(chat.id, item.text, reply_markup=markup(item))


async def edit(query: Any, message: Message) -> None:
    """Replace a pressed message's text and buttons; pressing the same thing twice is no error."""
    try:
        await query.edit_message_text(message.text, reply_markup=markup(message))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def answer(context: Context, query: Any, text: str | None = None, *, show_alert: bool = False) -> bool:
    """Answer a button press, once. Telegram refuses answers to presses older than its window
    (the bot was busy or down): that is logged, and the press still does its work."""
    answered: OrderedDict[str, None] = context.application.bot_data.setdefault("answered", OrderedDict())
    if query.id in answered:
        return False
    answered[query.id] = None
    while len(answered) > ANSWERED_KEPT:
        answered.popitem(last=False)
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        log.info("button press %s not answered: %s", query.id, exc.message)
        return False
    return True


async def chat_language(update: Update, context: Context) -> str:
    rt = runtime(context)
    chat = update.effective_chat
    view = await off_loop(chat_service.get_chat, rt.store, chat.id) if chat else None
    return language_of(view.language if view else None, rt.settings.telegram.language)


def args_text(update: Update, context: Context) -> str:
    """Everything after the command, as typed (context.args would lose the spacing)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


async def is_group_admin(update: Update, context: Context) -> bool:
    """May the sender change this chat (subscription, settings, follows)? Anyone in a private
    chat; a group's or channel's admins (and the bot's own admins) elsewhere."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if chat.type == ChatType.CHANNEL and update.callback_query is None:
        return True  # a channel post: only a channel's admins can post in it (but anyone can press)
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous group admin writes as the group itself (a press has a real user)
    if user is None:
        return False
    if runtime(context).is_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def may_change_chat(update: Update, context: Context, lang: str) -> bool:
    """`is_group_admin`, and when not, the sender is told that only the chat's admins may."""
    if await is_group_admin(update, context):
        return True
    await send(update, context, t(lang, "group.admins_only"))
    return False
