"""A chat's own settings: /settings and the panel's buttons (summary length, language, the
subscription, edition). The values a chat may take are checked by bot.store.chats.

Digests have one switch: the subscription. The panel's 订阅/退订 button does exactly what
/subscribe and /unsubscribe do (and so turns `digests_enabled` on with it), so the panel and
the commands can never disagree about whether digests come."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.config.runtime import Runtime
from bot.digest.compose import summary_length
from bot.digest.schedule import editions, find_edition
from bot.store import chats as chat_service
from bot.telegram import views
from bot.telegram.handlers.common import (
    Context,
    answer,
    chat_language,
    edit,
    is_group_admin,
    off_loop,
    runtime,
    send,
)
from bot.ui.i18n import t
from bot.ui.messages import Message
from bot.ui.when import describe_cron

# a settings button's name -> (chat setting, how its value is written in the button)
_FIELDS: dict[str, tuple[str, Any]] = {
    "len": ("summary_sentences", int),
    "lang": ("language", str),
    "dig": ("subscribed", {"on": True, "off": False}.__getitem__),
    "ed": ("edition", str),
}


def settings_message(rt: Runtime, telegram_id: int, type_: str, lang: str) -> Message:
    chat = chat_service.touch_chat(rt.store, telegram_id, type_, None)
    chosen = find_edition(rt.settings.digest, chat.edition)
    when = describe_cron(lang, chosen.cron, chosen.timezone, rt.settings.telegram.timezone) if chosen else "—"
    all_editions = editions(rt.settings.digest)
    return views.settings_panel(lang, chat, all_editions, chosen, summary_length(chat, rt.settings), when)


def _apply(rt: Runtime, telegram_id: int, type_: str, names: list[str], changes: dict[str, Any]) -> None:
    """Save one setting; the subscription goes through subscribe/unsubscribe like the commands."""
    if "subscribed" in changes:
        if changes["subscribed"]:
            chat_service.subscribe(rt.store, telegram_id, type_)
        else:
            chat_service.unsubscribe(rt.store, telegram_id, "user")
        return
    chat_service.update_settings(rt.store, telegram_id, type_, editions=names, **changes)


async def settings_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    chat = update.effective_chat
    await send(update, context, await off_loop(settings_message, runtime(context), chat.id, chat.type, lang))


def _change(name: str, raw: str) -> dict[str, Any] | None:
    field, convert = _FIELDS[name]
    try:
        return {field: convert(raw)}
    except (KeyError, ValueError):
        return None


async def setting_button(update: Update, context: Context) -> None:
    """`s:<name>:<value>`: change one setting, then redraw the panel in place."""
    rt, chat, query = runtime(context), update.effective_chat, update.callback_query
    lang = await chat_language(update, context)
    name, raw = context.match.groups()
    if not await is_group_admin(update, context):
        await answer(context, query, t(lang, "group.admins_only"), show_alert=True)
        return
    changes = _change(name, raw)
    names = [e.name for e in rt.settings.digest.editions]
    try:
        if changes is None:
            raise chat_service.SettingError(f"{name}={raw}")
        await off_loop(_apply, rt, chat.id, chat.type, names, changes)
    except chat_service.SettingError:  # a forged press, or an edition removed since the panel was drawn
        await answer(context, query, t(lang, "error.stale_button"))
        return
    lang = str(changes.get("language", lang))
    await answer(context, query, t(lang, "settings.saved"))
    await edit(query, await off_loop(settings_message, rt, chat.id, chat.type, lang))
