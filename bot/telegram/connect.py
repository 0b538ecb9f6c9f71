"""Connecting to the Bot API at start, and saying in one line why it failed.

`connect` initialises a Bot (PTB calls getMe) and turns each way that can fail into an
`OperatorError` naming what failed, the API's base URL (never the token) and what to check;
the request backends' sessions are closed on the way out, so no "Unclosed client session"
follows the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Iterable

from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken, NetworkError, TelegramError, TimedOut

from bot.ops.errors import OperatorError
from bot.ops.redact import redact
from bot.telegram.request import AiohttpRequest, AnswerLost, NotSent

URL_HINT = "--api-url / telegram.api_url (the Bot API base URL ending in /bot, e.g. http://127.0.0.1:8081/bot)"


def _reason(exc: BaseException) -> str:
    """The system's words for a connect failure ("Connection refused"), if there are any."""
    cause = exc.__cause__
    err = getattr(cause, "os_error", cause)
    if isinstance(err, OSError):
        if isinstance(err, socket.gaierror) or not err.errno or err.errno < 0:
            return err.strerror or type(err).__name__
        return os.strerror(err.errno)
    return type(cause).__name__ if cause is not None else "no answer"


def explain(exc: BaseException, api_url: str, timeout: float | None = None) -> OperatorError:
    """One line for the operator about a failed Bot API call at start."""
    where = f"the Bot API at {api_url}"
    if isinstance(exc, InvalidToken) and "not found" in str(exc.__cause__ or "").lower():
        # Telegram answers 404 to a malformed token as to a wrong URL; PTB calls both InvalidToken
        return OperatorError(
            f"{where} answered 404 Not Found: check {URL_HINT}, and that TELEGRAM_BOT_TOKEN is the "
            "whole token from @BotFather",
            "bot_api_not_found",
        )
    if isinstance(exc, InvalidToken):
        return OperatorError(
            f"{where} rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN "
            "(the token from @BotFather; a revoked token must be replaced)",
            "bot_api_token",
        )
    if isinstance(exc, EndPointNotFound):
        return OperatorError(f"{where} answered 404 Not Found: check {URL_HINT}", "bot_api_not_found")
    if isinstance(exc, NotSent):
        return OperatorError(
            f"could not connect to {where} ({_reason(exc)}): check that it is up and reachable "
            f"(network, proxy, firewall) and {URL_HINT}",
            "bot_api_unreachable",
        )
    if isinstance(exc, TimedOut):
        within = f" within {timeout:g} s" if timeout else ""
        return OperatorError(
            f"{where} did not answer{within}: check the network, or raise delivery.request_timeout_seconds",
            "bot_api_timeout",
        )
    if isinstance(exc, AnswerLost):
        return OperatorError(f"{where} closed the connection before answering: check {URL_HINT}", "bot_api_dropped")
    if isinstance(exc, NetworkError):
        return OperatorError(f"could not talk to {where}: {redact(exc.message)}; check {URL_HINT}", "bot_api_network")
    if isinstance(exc, TelegramError):
        return OperatorError(f"{where} refused the bot's first request: {redact(exc.message)}", "bot_api_refused")
    return OperatorError(f"could not start talking to {where}: {type(exc).__name__}: {redact(str(exc))}", "bot_api")


async def close_all(requests: Iterable[AiohttpRequest]) -> None:
    await asyncio.gather(*(r.shutdown() for r in requests), return_exceptions=True)


async def connect(bot: Bot, requests: Iterable[AiohttpRequest], api_url: str, timeout: float | None = None) -> None:
    """Initialise `bot` (getMe); on failure close its sessions and raise an OperatorError."""
    try:
        await bot.initialize()
    except Exception as exc:
        await close_all(requests)
        raise explain(exc, api_url, timeout) from exc


@contextlib.asynccontextmanager
async def connected(
    bot: Bot, requests: Iterable[AiohttpRequest], api_url: str, timeout: float | None = None
) -> AsyncIterator[Bot]:
    """`async with connected(...) as bot:` — connect, then always shut down."""
    requests = list(requests)
    await connect(bot, requests, api_url, timeout)
    try:
        yield bot
    finally:
        await bot.shutdown()
        await close_all(requests)
