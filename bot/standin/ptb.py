"""Glue for running a python-telegram-bot Application against the stand-in in tests and consoles."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.standin.server import Standin


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
