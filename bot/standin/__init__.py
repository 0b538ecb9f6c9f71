"""A strict local stand-in for the Telegram Bot API, for end-to-end tests, the offline console and benchmarks.

    async with Standin() as tg:
        alice = tg.user("Alice")
        app = application_builder(tg).build()
        ...
        async with polling(app):
            tg.send_message(alice, alice, "/start")
            reply = await tg.wait_for_reply(alice)

See server.Standin for the HTTP side, driver.Driver for acting as users, faults.Faults for injecting
failures, log.RequestLog for the request record, and thread.StandinThread for synchronous code.
"""

from bot.standin.errors import ApiError
from bot.standin.faults import Fault, Faults
from bot.standin.html import EntityParseError, parse_html, utf16_len
from bot.standin.log import Call, RequestLog
from bot.standin.model import Button, CallbackAnswer, CallbackQuery, Chat, Message, User
from bot.standin.server import DEFAULT_TOKEN, Standin, StandinTimeout
from bot.standin.thread import StandinThread
from bot.standin.world import World

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Button",
    "Call",
    "CallbackAnswer",
    "CallbackQuery",
    "Chat",
    "EntityParseError",
    "Fault",
    "Faults",
    "Message",
    "RequestLog",
    "Standin",
    "StandinThread",
    "StandinTimeout",
    "User",
    "World",
    "parse_html",
    "utf16_len",
]
