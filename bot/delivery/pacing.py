"""Telegram's sending limits as an asyncio pacer: overall, per chat, and per group.

Each limit is a reservation schedule (a GCRA-style "next free slot"): a sender reserves the
earliest slot that satisfies every limit for its chat, then sleeps until it. Reserving instead
of polling keeps the achieved rate at the configured one, and a 429 for one chat only moves
that chat's next slot (`hold`), so one flood wait never stalls everyone else.

`Pacer` is the budget of one process. Several processes share one budget through Redis
(`bot.delivery.redis_pacer.RedisPacer`); both have the small interface the broadcaster uses
(`SendPacer`: wait, hold, forget, close), so it never cares which one it has.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.config.settings import DeliverySettings


@dataclass
class Limits:
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0


def limits_for(settings: DeliverySettings) -> Limits:
    """The configured limits; with paid broadcasts the overall one is `paid_per_second`."""
    overall = settings.paid_per_second if settings.allow_paid_broadcast else settings.global_per_second
    return Limits(overall, settings.per_chat_per_second, settings.group_per_minute)


def make_pacer(settings: DeliverySettings, bot_id: str) -> SendPacer:
    """The shared Redis budget when `redis_url` is set (keys scoped to this bot), else this
    process's own."""
    if not settings.redis_url:
        return Pacer(limits_for(settings))
    from bot.delivery.redis_pacer import RedisPacer

    scope = f"{settings.redis_prefix}:{bot_id}"
    return RedisPacer(settings.redis_url, scope, limits_for(settings), flood_chats=settings.flood_chats)


class SendPacer(Protocol):
    """What a broadcaster needs from a pacer."""

    limits: Limits

    async def wait(self, chat_id: int, is_group: bool, stop: asyncio.Event | None = None) -> bool:
        """Wait for this chat's next slot; False if `stop` was set first."""
        ...

    async def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 retry_after for this chat."""
        ...

    async def ready(self, chat_id: int) -> bool:
        """Right before sending: keep to the slot `wait` gave this chat (False: it is gone, put
        the message back and wait again)."""
        ...

    def forget(self, chat_id: int) -> None:
        """The chat's id is gone (migrated to a supergroup)."""
        ...

    async def close(self) -> None: ...


class Pacer:
    """One process's budget (see the module docstring)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.clock = clock
        self._global_next = 0.0
        self._chat_next: dict[int, float] = {}
        self._group_slots: dict[int, deque[float]] = {}
        self._sent: deque[float] = deque()  # when the sends of the last second went out

    @staticmethod
    def _interval(rate: float) -> float:
        return 0.0 if rate == float("inf") else 1.0 / rate

    def _chat_ready(self, chat_id: int, is_group: bool, now: float) -> float:
        ready = max(now, self._chat_next.get(chat_id, 0.0))
        if is_group and self.limits.group_per_minute != float("inf"):
            window = self._group_slots.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= self.limits.group_per_minute:
                ready = max(ready, window[-int(self.limits.group_per_minute)] + 60.0)
        return ready

    def reserve(self, chat_id: int, is_group: bool) -> tuple[float, bool]:
        """(time, reserved). When the chat itself may send by the next overall slot, that slot
        is reserved for it; otherwise nothing is reserved (a chat waiting out its own limit or a
        flood wait must not hold an overall slot far ahead of everyone else) and the time says
        when to ask again."""
        now = self.clock()
        ready = self._chat_ready(chat_id, is_group, now)
        if ready > max(now, self._global_next):
            return ready, False
        slot = max(now, self._global_next)
        self._global_next = slot + self._interval(self.limits.global_per_second)
        self._chat_next[chat_id] = slot + self._interval(self.limits.per_chat_per_second)
        if is_group and self.limits.group_per_minute != float("inf"):
            self._group_slots[chat_id].append(slot)
        return slot, True

    async def wait(self, chat_id: int, is_group: bool, stop: asyncio.Event | None = None) -> bool:
        """Wait for this chat's slot; False if `stop` was set first (nothing reserved then)."""
        while True:
            when, reserved = self.reserve(chat_id, is_group)
            delay = when - self.clock()
            if delay > 0:
                if stop is None:
                    await asyncio.sleep(delay)
                else:
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                        return False
                    except TimeoutError:
                        pass
            if reserved:
                return True

    async def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked this chat to wait (429 retry_after): no slot for it before then."""
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), self.clock() + seconds)

    async def ready(self, chat_id: int) -> bool:
        """Right before the request goes out: never more sends in a second than the overall
        limit. The slots are evenly spaced, but a stall between `wait` and here (a slow write,
        a busy machine) lets late sends go out next to on-time ones, and a second could hold
        a few more than the limit; such a send waits until the oldest of that second leaves it.
        The slot is kept (one process cannot crowd in on another's), so nothing is given up."""
        rate = self.limits.global_per_second
        if rate == float("inf"):
            return True
        cap, sent = max(1, int(rate)), self._sent
        while True:
            now = self.clock()
            while sent and sent[0] <= now - 1.0:
                sent.popleft()
            if len(sent) < cap:
                sent.append(now)
                return True
            await asyncio.sleep(sent[0] + 1.0 - now)

    async def close(self) -> None:
        return None

    def forget(self, chat_id: int) -> None:
        self._chat_next.pop(chat_id, None)
        self._group_slots.pop(chat_id, None)
