"""Keyword alerts: /follow, /unfollow, /following."""

from __future__ import annotations

from telegram import Update

from bot.store import chats as chat_service
from bot.telegram.handlers.common import Context, args_text, chat_language, may_change_chat, off_loop, runtime, send
from bot.ui.i18n import t
from bot.ui.messages import escape


async def _followed_word(update: Update, context: Context, usage: str) -> tuple[str | None, str]:
    """The word after /follow or /unfollow, if given and the sender may change this chat."""
    lang = await chat_language(update, context)
    word = args_text(update, context)
    if not word:
        await send(update, context, t(lang, usage))
        return None, lang
    if not await may_change_chat(update, context, lang):
        return None, lang
    return word, lang


def _follow_error(lang: str, exc: chat_service.FollowError) -> str:
    if exc.code == "empty":
        return t(lang, "follow.usage")
    if exc.code == "too_long":
        return t(lang, "follow.too_long", max=chat_service.MAX_FOLLOW_CHARS)
    return t(lang, "follow.too_many", max=chat_service.MAX_FOLLOWS)


async def follow(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    word, lang = await _followed_word(update, context, "follow.usage")
    if word is None:
        return
    try:
        new = await off_loop(chat_service.follow, rt.store, chat.id, chat.type, word)
    except chat_service.FollowError as exc:
        await send(update, context, _follow_error(lang, exc))
        return
    shown = escape(chat_service.normalise_word(word))
    await send(update, context, t(lang, "follow.done" if new else "follow.already", word=shown))


async def unfollow(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    word, lang = await _followed_word(update, context, "unfollow.usage")
    if word is None:
        return
    done = await off_loop(chat_service.unfollow, rt.store, chat.id, word)
    shown = escape(chat_service.normalise_word(word))
    await send(update, context, t(lang, "unfollow.done" if done else "unfollow.not", word=shown))


async def following(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    words = await off_loop(chat_service.following, runtime(context).store, update.effective_chat.id)
    if not words:
        await send(update, context, t(lang, "following.none"))
    else:
        await send(update, context, t(lang, "following.list", words=escape("、".join(words))))
