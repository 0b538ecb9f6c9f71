"""Glue for running a python-telegram-bot Application against the stand-in in tests and consoles."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.standin.server import Standin

T = TypeVar("T")


def application_builder(standin: Standin | Any, *, timeout: float = 5.0) -> ApplicationBuilder:
    """An ApplicationBuilder with the stand-in's token and base_url and short client timeouts."""
    return (
        ApplicationBuilder()
        .token(standin.token)
        .base_url(standin.base_url)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .get_updates_connect_timeout(timeout)
        .get_updates_read_timeout(timeout)
        .get_updates_pool_timeout(timeout)
    )


@contextlib.asynccontextmanager
async def polling(app: Application, *, poll_timeout: float = 1.0, **start_polling: Any) -> AsyncIterator[Application]:
    """Initialise, start and poll ``app``; on exit stop polling, stop and shut down, in PTB's order.

    A short long-poll timeout keeps shutdown quick; updates still arrive at once because a pending
    getUpdates returns as soon as the stand-in queues one.
    """
    await app.initialize()
    try:
        await app.start()
        try:
            await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, **start_polling)
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()


def make_bot(standin: Standin | Any, *, timeout: float = 5.0) -> Bot:
    """A bare telegram.Bot on the stand-in with short timeouts (use ``async with`` or initialize())."""
    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout)
    return Bot(standin.token, base_url=standin.base_url, request=request)


def run_with_standin(fn: Callable[[Standin], Awaitable[T]], *, timeout: float = 30.0, **options: Any) -> T:
    """Run ``await fn(standin)`` on a fresh event loop with a started stand-in, bounded by ``timeout``.

    For synchronous tests (no pytest-asyncio): ``run_with_standin(scenario)`` where ``async def scenario(tg)``.
    """

    async def main() -> T:
        async with Standin(**options) as standin:
            return await asyncio.wait_for(fn(standin), timeout)

    return asyncio.run(main())
