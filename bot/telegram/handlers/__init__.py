"""Telegram handlers, by feature: the first commands (`commands`), reading (`reading`), search
(`searching`), keyword alerts (`follows`), a chat's settings (`chat_settings`), the bot's admins
(`admin`), button presses (`buttons`) and chat life-cycle events and errors (`chat_events`).

`COMMANDS` and `BUTTONS` are the handler table bot.telegram.app registers: a command by its
name, a button press by its kind's pattern in bot.ui.buttons.PATTERNS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.telegram.handlers import admin, buttons, chat_settings, commands, follows, reading, searching
from bot.telegram.handlers.chat_events import membership, migration, on_error, unknown_command
from bot.telegram.handlers.searching import plain_text

Handler = Callable[[Any, Any], Awaitable[None]]

COMMANDS: dict[str, Handler] = {
    "start": commands.start,
    "help": commands.help_command,
    "subscribe": commands.subscribe,
    "unsubscribe": commands.unsubscribe,
    "digest": reading.digest_now,
    "latest": reading.latest,
    "search": searching.search_command,
    "article": reading.article_command,
    "keywords": searching.keywords,
    "follow": follows.follow,
    "unfollow": follows.unfollow,
    "following": follows.following,
    "settings": chat_settings.settings_command,
    "stats": admin.stats,
    "reload": admin.reload_command,
    "push": admin.push,
}

# button kind (bot.ui.buttons.PATTERNS) -> its handler
BUTTONS: dict[str, Handler] = {
    "a": buttons.open_article,
    "f": buttons.full_text,
    "r": buttons.related,
    "k": buttons.keyword,
    "q": buttons.search_page,
    "s": chat_settings.setting_button,
    "m": buttons.menu,
}

__all__ = ["BUTTONS", "COMMANDS", "membership", "migration", "on_error", "plain_text", "unknown_command"]
