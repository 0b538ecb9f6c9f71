"""One send budget per bot token, shared by every process, in Redis.

Telegram's limits (overall per second, per chat per second, per group per minute) hold for the
bot, not for a process, so several instances must reserve their slots in one place. The state
is a few Redis keys under `<prefix>:<bot id>:` and every reservation is one Lua script, atomic
on the server and timed by the server's clock (`TIME`), so no two processes can take the same
slot and their clocks never matter:

* overall: a "next free slot" (GCRA); per chat: its own next slot; per group: the send times
  of the last minute (a sorted set), as in the single-process `Pacer`;
* a chat that may not send yet gets no overall slot (it is told when to ask again), so one
  chat's wait never holds up the others;
* a sender is woken a little before its slot (the time marking its row `sending` takes, see
  `_Lead`), so no slot is given sooner than that, even when the budget is idle: a slot due at
  once would always be missed by the marking;
* slots are reserved at most `horizon` seconds ahead (or half a horizon past the lead, when
  marking takes longer than half a horizon). If the overall slot is missing (first use,
  or Redis lost its data), the first one is a horizon away, since slots handed out before the
  loss may still be in use that far ahead.

In each process one dispatcher task asks Redis for a batch of slots for the chats waiting
there (one round trip for many messages) and wakes each sender at its slot.

A 429 holds that chat for every instance (a key with the retry_after). When 429s reach
`flood_chats` different chats within a second, Telegram is flood-limiting the bot as a whole,
and a global hold makes every instance wait the retry_after.

If Redis cannot be reached, nothing is reserved, so nothing is sent: senders wait (the rows stay
claimed, then pending) and go on when Redis answers again. The limit is never exceeded and no
row is lost; the pause is logged once, and its end.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.delivery.pacing import Limits

log = logging.getLogger(__name__)

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local gi, ci, glimit, horizon = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lead = tonumber(ARGV[5])
local gnext = tonumber(redis.call('GET', KEYS[1]) or '0')
if gnext == 0 then gnext = now + horizon end
local ghold = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {tostring(now), tostring(ghold)}
local n = (#KEYS - 2) / 3
for i = 1, n do
  local kn, kh, kg = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  local slot = math.max(now + lead, gnext, ghold)
  if slot > now + horizon then
    out[#out + 1] = 'g'
    out[#out + 1] = tostring(slot - horizon)
    break
  end
  local ready = math.max(tonumber(redis.call('GET', kn) or '0'), tonumber(redis.call('GET', kh) or '0'))
  local group = ARGV[5 + i] == '1' and glimit > 0
  if group then
    redis.call('ZREMRANGEBYSCORE', kg, '-inf', now - 60000)
    local count = redis.call('ZCARD', kg)
    if count >= glimit then
      local nth = redis.call('ZRANGE', kg, count - glimit, count - glimit, 'WITHSCORES')
      ready = math.max(ready, tonumber(nth[2]) + 60000)
    end
  end
  if ready > slot then
    out[#out + 1] = 'c'
    out[#out + 1] = tostring(ready)
  else
    gnext = slot + gi
    redis.call('SET', kn, tostring(slot + ci), 'PX', math.ceil(slot + ci - now) + 1000)
    if group then
      redis.call('ZADD', kg, slot, tostring(slot))
      redis.call('PEXPIRE', kg, math.ceil(slot - now) + 61000)
    end
    out[#out + 1] = 's'
    out[#out + 1] = tostring(slot)
  end
end
redis.call('SET', KEYS[1], tostring(gnext), 'PX', math.ceil(gnext - now) + 60000)
return out
"""

_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local ms, chat, flood = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local untilms = now + ms
local function hold(key)
  local old = tonumber(redis.call('GET', key) or '0')
  if untilms > old then redis.call('SET', key, tostring(untilms), 'PX', math.ceil(ms) + 1000) end
end
hold(KEYS[1])
if flood > 0 then
  redis.call('ZADD', KEYS[2], now, chat)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1000)
  redis.call('PEXPIRE', KEYS[2], 2000)
  if redis.call('ZCARD', KEYS[2]) >= flood then
    hold(KEYS[3])
    return 1
  end
end
return 0
"""


@dataclass(eq=False)
class _Waiter:
    chat_id: int
    is_group: bool
    future: asyncio.Future[bool]
    not_before: float = 0.0  # local monotonic time before which Redis need not be asked
    slot: float = 0.0  # the reserved slot, local monotonic time
    wake: float = 0.0  # when it is woken: the lead before its slot


MAX_LEAD = 2.0  # seconds: a store slower than this per write gives slots up (a warning says so)


class _Lead:
    """The time between a slot's wake-up and the request (marking the row `sending`): the 95th
    percentile of the last 64, at most `MAX_LEAD`. Waking that much before the slot makes sends
    go out on their slot, not one database round trip after it, for a store up to `MAX_LEAD`
    slow per write (a mark taking longer than the lead loses its slot; with the lead capped at
    a quarter second, a store slower than that lost every slot in turn and sent nothing)."""

    def __init__(self) -> None:
        self._samples: deque[float] = deque(maxlen=64)
        self.seconds = 0.0

    def add(self, delay: float) -> None:
        self._samples.append(max(0.0, delay))
        ordered = sorted(self._samples)
        self.seconds = min(MAX_LEAD, ordered[int(0.95 * (len(ordered) - 1))])


@dataclass
class _Outage:
    since: float | None = None
    backoff: float = 0.2


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError, asyncio.TimeoutError)


class RedisPacer:
    """The shared budget (see the module docstring); `SendPacer` interface."""

    def __init__(
        self,
        url: str,
        scope: str,
        limits: Limits,
        flood_chats: int = 3,
        horizon: float = 0.5,
        client: Any = None,
    ):
        self.limits = limits
        self.flood_chats = flood_chats
        self.horizon = horizon
        self.url = url
        self.scope = scope
        self._redis = client if client is not None else _client(url)
        self._reserve = self._redis.register_script(_RESERVE)
        self._hold = self._redis.register_script(_HOLD)
        self._waiting: deque[_Waiter] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._global_hold = 0.0  # local monotonic time: no slot before it (learnt from Redis)
        self._local_holds: dict[int, float] = {}  # when Redis could not store a hold
        self._outage = _Outage()
        self.late_slots = 0  # slots given up because they came too late to use
        self._granted: dict[int, tuple[float, float]] = {}  # chat -> (its slot, when `wait` returned)
        self._lead = _Lead()  # how long marking a row `sending` takes: waiters wake that early
        self._slow_warned = -math.inf  # when a store slower than MAX_LEAD was last logged

    @property
    def paused(self) -> bool:
        """True while Redis cannot be reached (and so nothing is sent)."""
        return self._outage.since is not None

    # -- the interface ------------------------------------------------------------------------

    async def wait(self, chat_id: int, is_group: bool, stop: asyncio.Event | None = None) -> bool:
        """Wait for a slot. A slot used late (this process's loop was busy when it came) is given
        up and another asked for: late sends would bunch up with the other instances' on-time
        ones, so "30 a second" holds for every second only if each send keeps to its slot."""
        front = False
        while True:
            waiter = _Waiter(chat_id, is_group, asyncio.get_running_loop().create_future())
            waiter.not_before = self._local_holds.get(chat_id, 0.0)
            self._enqueue(waiter, front)
            if not await self._until_slot(waiter, stop):
                return False
            now = time.monotonic()
            if now < self._global_hold:  # a flood hold began after the slot was reserved
                continue
            if now - waiter.wake <= self._tolerance():
                self._granted[chat_id] = (waiter.slot, now)
                return True
            self.late_slots += 1
            front = True  # it waited its turn already

    async def ready(self, chat_id: int) -> bool:
        """Right before the request goes out (the row is marked `sending` by then): keep to the
        slot. Early (the marking was quicker than usual): wait for it. Late (a database stall
        between `wait` and now): False, give the slot up, since a stall would otherwise release a
        crowd of sends at once next to the other instances' on-time ones."""
        slot, woke = self._granted.pop(chat_id, (None, 0.0))
        if slot is None:
            return True
        now = time.monotonic()
        self._lead.add(now - woke)
        if now - woke > MAX_LEAD and now - self._slow_warned > 60.0:
            self._slow_warned = now
            log.warning(
                "marking a delivery `sending` took %.1f s, longer than sends can be prepared ahead of "
                "their slot (%.0f s): slots are given up and sending slows down while the database is this slow",
                now - woke,
                MAX_LEAD,
            )
        if now < slot:
            await asyncio.sleep(slot - now)
        if time.monotonic() - slot <= self._tolerance():  # also after the sleep: the loop may stall
            return True
        self.late_slots += 1
        return False

    async def hold(self, chat_id: int, seconds: float) -> None:
        keys = [self._key("c", chat_id, "hold"), self._key("g", "flood"), self._key("g", "hold")]
        try:
            everyone = await self._hold(keys=keys, args=[seconds * 1000, str(chat_id), self.flood_chats])
        except _redis_errors() as exc:
            self._local_holds[chat_id] = time.monotonic() + seconds
            log.warning("could not store chat %s's flood wait in Redis (%s): held in this process", chat_id, exc)
            return
        if everyone:
            self._global_hold = max(self._global_hold, time.monotonic() + seconds)
            log.warning("429s for %d chats within a second: every instance waits %.0f s", self.flood_chats, seconds)

    def forget(self, chat_id: int) -> None:
        self._local_holds.pop(chat_id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for waiter in self._waiting:
            if not waiter.future.done():
                waiter.future.set_result(False)
        self._waiting.clear()
        await self._redis.aclose()

    # -- waiting --------------------------------------------------------------------------------

    def _key(self, *parts: object) -> str:
        return ":".join([self.scope, *map(str, parts)])

    def _tolerance(self) -> float:
        """How late a slot may still be used: half an overall interval (at least 10 ms). Sends
        then keep their spacing closely enough that no second holds more than the limit + 1,
        whatever the other instances do, with the other half left for the request's own way
        to Telegram."""
        return max(0.010, 0.5 * _ms(self.limits.global_per_second) / 1000)

    def _enqueue(self, waiter: _Waiter, front: bool = False) -> None:
        if front:
            self._waiting.appendleft(waiter)
        else:
            self._waiting.append(waiter)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._dispatch(), name="redis-pacer")
        self._wake.set()

    async def _until_slot(self, waiter: _Waiter, stop: asyncio.Event | None) -> bool:
        if stop is None:
            return await waiter.future
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait((waiter.future, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not waiter.future.done():
            waiter.future.cancel()  # the dispatcher drops it
            return False
        return waiter.future.result() and not stop.is_set()

    # -- the dispatcher -------------------------------------------------------------------------

    def _batch_size(self) -> int:
        per_horizon = self.limits.global_per_second * self.horizon
        return 100 if per_horizon > 96 else max(4, math.ceil(per_horizon) + 4)

    def _due(self, now: float) -> list[_Waiter]:
        """Up to a batch of waiters that may be asked for now, in arrival order."""
        batch: list[_Waiter] = []
        for waiter in list(self._waiting):
            if waiter.future.done():
                self._waiting.remove(waiter)
            elif waiter.not_before <= now and len(batch) < self._batch_size():
                batch.append(waiter)
        return batch

    async def _dispatch(self) -> None:
        global_ask_at = 0.0
        while True:
            try:
                global_ask_at = await self._dispatch_once(global_ask_at)
            except _redis_errors() as exc:
                global_ask_at = time.monotonic() + self._redis_down(exc)
            except Exception:  # a bug here must not strand every sender: log, wait, go on
                log.exception("the Redis pacer failed to reserve slots")
                global_ask_at = time.monotonic() + 1.0

    async def _dispatch_once(self, global_ask_at: float) -> float:
        now = time.monotonic()
        batch = self._due(now) if now >= global_ask_at else []
        if not batch:
            await self._sleep_until_next(global_ask_at)
            return global_ask_at
        global_ask_at = await self._reserve_batch(batch)
        self._redis_up()
        return global_ask_at

    async def _sleep_until_next(self, global_ask_at: float) -> None:
        now = time.monotonic()
        pending = [w.not_before for w in self._waiting if not w.future.done()]
        wake_at = max(min(pending), global_ask_at) if pending else None
        self._wake.clear()
        timeout = None if wake_at is None else max(0.0, wake_at - now)
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    async def _reserve_batch(self, batch: list[_Waiter]) -> float:
        """One round trip for the batch; returns when to ask Redis for the overall budget again."""
        limits = self.limits
        keys: list[str] = [self._key("g", "next"), self._key("g", "hold")]
        for w in batch:
            keys += [
                self._key("c", w.chat_id, "next"),
                self._key("c", w.chat_id, "hold"),
                self._key("c", w.chat_id, "grp"),
            ]
        lead = self._lead.seconds
        args = [
            _ms(limits.global_per_second),
            _ms(limits.per_chat_per_second),
            _group_limit(limits),
            max(self.horizon, lead + self.horizon / 2) * 1000,  # room for slots past the lead
            lead * 1000,  # no slot sooner than that: a sender needs it to mark its row first
        ]
        reply = await self._reserve(keys=keys, args=args + ["1" if w.is_group else "0" for w in batch])
        return self._apply(batch, [x.decode() if isinstance(x, bytes) else str(x) for x in reply], lead)

    def _apply(self, batch: list[_Waiter], reply: list[str], lead: float = 0.0) -> float:
        loop = asyncio.get_running_loop()
        local_now, redis_now, ghold = time.monotonic(), float(reply[0]), float(reply[1])

        def local(ms: str) -> float:
            return local_now + (float(ms) - redis_now) / 1000

        self._global_hold = max(self._global_hold, local(reply[1])) if ghold > redis_now else self._global_hold
        ask_again = 0.0
        for waiter, (kind, when) in zip(batch, zip(reply[2::2], reply[3::2], strict=True), strict=False):
            if kind == "s":
                self._waiting.remove(waiter)
                waiter.slot = local(when)
                waiter.wake = max(local_now, waiter.slot - lead)
                loop.call_at(loop.time() + (waiter.wake - local_now), _resolve, waiter.future)
            elif kind == "c":
                waiter.not_before = local(when)
            else:
                ask_again = local(when)
        return ask_again

    def _redis_down(self, exc: BaseException) -> float:
        outage = self._outage
        if outage.since is None:
            outage.since = time.monotonic()
            log.warning(
                "Redis at %s cannot be reached (%s): sending is paused until it answers again "
                "(the send budget is shared there; nothing is lost)",
                safe_url(self.url),
                exc or type(exc).__name__,
            )
        outage.backoff = min(outage.backoff * 2, 2.0)
        return outage.backoff

    def _redis_up(self) -> None:
        outage = self._outage
        if outage.since is not None:
            log.warning("Redis answers again: sending resumed after %.1f s", time.monotonic() - outage.since)
            outage.since, outage.backoff = None, 0.2


def _resolve(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(True)


def _ms(rate: float) -> float:
    return 0.0 if rate == float("inf") else 1000.0 / rate


def _group_limit(limits: Limits) -> float:
    return 0 if limits.group_per_minute == float("inf") else limits.group_per_minute


def safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def ping(url: str) -> None:
    """Raises when Redis at `url` does not answer."""
    client = _client(url)
    try:
        await client.ping()
    finally:
        await client.aclose()


def _client(url: str) -> Any:
    """An asyncio Redis client that fails fast (the dispatcher does its own retrying)."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return Redis.from_url(
        url, socket_timeout=1.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0), health_check_interval=0
    )
