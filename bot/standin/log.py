"""Every request the bot made, with its outcome, for assertions and for measuring send rates.

Times are ``time.monotonic()`` at arrival (what Telegram's flood control would see). The rate helpers answer
the questions the delivery tests ask: the most calls in any window of W seconds overall or per chat, and the
shortest gap between two calls to the same chat.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True, eq=False)
class Call:
    """One request: method, parameters as received, chat_id, arrival/finish times and the answer."""

    method: str
    params: dict
    chat_id: Any
    start: float
    wall: float
    end: float = 0.0
    status: int = 0
    description: str | None = None
    fault: str | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200


class RequestLog:
    """Append-only list of Calls (thread-safe appends); ``select`` and the rate helpers filter it."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def begin(self, method: str, params: dict, chat_id: Any, arrived: float | None = None) -> Call:
        """Record a call; `arrived` is when its request reached the server (default: now)."""
        now = time.monotonic()
        start = now if arrived is None else arrived
        call = Call(method, params, chat_id, start, time.time() - (now - start))
        if self.enabled:
            with self._lock:
                self.calls.append(call)
        return call

    def __len__(self) -> int:
        return len(self.calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self.calls))

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def select(
        self,
        method: str | Iterable[str] | None = None,
        *,
        chat_id: Any = None,
        ok: bool | None = None,
        since: float | None = None,
        finished: bool = False,
    ) -> list[Call]:
        """Calls filtered by method name(s), chat_id, success, arrival time >= since, finished or not."""
        methods = None
        if method is not None:
            methods = {method.lower()} if isinstance(method, str) else {m.lower() for m in method}
        out = []
        for call in list(self.calls):
            if methods is not None and call.method.lower() not in methods:
                continue
            if chat_id is not None and call.chat_id != chat_id and str(call.chat_id) != str(chat_id):
                continue
            if since is not None and call.start < since:
                continue
            if finished and not call.status:
                continue
            if ok is not None and call.ok != ok:
                continue
            out.append(call)
        return out

    def count(self, method: str | Iterable[str] | None = None, **filters: Any) -> int:
        return len(self.select(method, **filters))

    @staticmethod
    def _max_in_window(times: list[float], window: float) -> int:
        """The most arrivals inside any half-open window [t, t + window)."""
        times = sorted(times)
        best = 0
        for i, t in enumerate(times):
            j = bisect_left(times, t + window, lo=i)
            best = max(best, j - i)
        return best

    def max_rate(self, window: float = 1.0, method: str | Iterable[str] | None = "sendMessage", **filters: Any) -> int:
        """The most matching calls that arrived within any ``window`` seconds (e.g. <= 30 for 30 msg/s)."""
        return self._max_in_window([c.start for c in self.select(method, **filters)], window)

    def rate(self, method: str | Iterable[str] | None = "sendMessage", **filters: Any) -> float:
        """Average calls per second between the first and the last matching call."""
        calls = self.select(method, **filters)
        if len(calls) < 2:
            return 0.0
        span = calls[-1].start - calls[0].start
        return (len(calls) - 1) / span if span > 0 else float("inf")

    def by_chat(self, method: str | Iterable[str] | None = "sendMessage", **filters: Any) -> dict[Any, list[Call]]:
        grouped: dict[Any, list[Call]] = defaultdict(list)
        for call in self.select(method, **filters):
            grouped[call.chat_id].append(call)
        return dict(grouped)

    def max_rate_per_chat(
        self, window: float = 1.0, method: str | Iterable[str] | None = "sendMessage", **filters: Any
    ) -> dict[Any, int]:
        """For each chat, the most calls within any ``window`` seconds."""
        return {
            chat: self._max_in_window([c.start for c in calls], window)
            for chat, calls in self.by_chat(method, **filters).items()
        }

    def min_interval_per_chat(
        self, method: str | Iterable[str] | None = "sendMessage", **filters: Any
    ) -> dict[Any, float]:
        """For each chat with two or more calls, the shortest gap between consecutive arrivals."""
        out = {}
        for chat, calls in self.by_chat(method, **filters).items():
            times = sorted(c.start for c in calls)
            if len(times) > 1:
                out[chat] = min(b - a for a, b in zip(times, times[1:], strict=False))
        return out
