"""A stand-in on its own event loop in a background thread, for synchronous callers.

Synchronous tests, a console reading stdin, or a benchmark driving a bot in another process can use the
same Standin API: driver methods are thread-safe already, and the waits become blocking calls here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from bot.standin.server import Standin

T = TypeVar("T")


class StandinThread:
    """``with StandinThread() as tg:`` starts a Standin in a daemon thread; attributes pass through to it."""

    def __init__(self, **options: Any) -> None:
        self.standin = Standin(**options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> StandinThread:
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.standin.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="bot-api-standin", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the Bot API stand-in did not start")
        if failure:
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.standin.stop(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = self._loop = None

    def __enter__(self) -> StandinThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.standin, name)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the stand-in's loop and return its result (blocking)."""
        if self._loop is None:
            raise RuntimeError("the stand-in thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # Blocking versions of Standin's waits.
    def wait_until(self, predicate, timeout: float = 5.0, what: str = "a condition"):
        return self.run(self.standin.wait_until(predicate, timeout, what))

    def wait_for_messages(self, chat, count: int = 1, *, since: int | None = None, timeout: float = 5.0):
        return self.run(self.standin.wait_for_messages(chat, count, since=since, timeout=timeout))

    def wait_for_reply(self, chat, *, since: int | None = None, timeout: float = 5.0):
        return self.run(self.standin.wait_for_reply(chat, since=since, timeout=timeout))

    def wait_for_edit(self, message, *, since: int | None = None, timeout: float = 5.0):
        return self.run(self.standin.wait_for_edit(message, since=since, timeout=timeout))

    def wait_for_answer(self, query, timeout: float = 5.0):
        return self.run(self.standin.wait_for_answer(query, timeout))

    def wait_for_calls(self, method: str | None = None, count: int = 1, *, since=None, timeout: float = 5.0, **filters):
        return self.run(self.standin.wait_for_calls(method, count, since=since, timeout=timeout, **filters))

    def settle(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        self.run(self.standin.settle(quiet, timeout))
