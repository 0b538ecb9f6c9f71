"""Several `digestbot run` processes on one store: who runs, in which role, and who leads.

Exactly one instance leads: it polls Telegram (or receives the webhook) and runs the schedule
(editions, keyword-alert planning, catch-up); every instance with a sending role sends. The
leader is whoever holds a PostgreSQL advisory lock on a dedicated connection (keyed by the
schema, so separate stores on one server never collide). A crashed leader's connection closes
and the lock is free at once; the others try for it every `ops.heartbeat_seconds`, so one
takes over within a heartbeat. A leader that cannot reach the database (its check fails or
hangs for a heartbeat) stops leading at once, before the server lets the lock go: server-side
TCP keepalives on that connection, set from the heartbeat, make the server notice a vanished
client within about four heartbeats, so two leaders never overlap.

On SQLite only one instance may run (a lock file next to the database); without Redis only
one instance may send (a second advisory lock), because the send budget lives in one process.
Both refusals say what to do instead; `digestbot push` keeps to the same rule (`sole_sender`).
Heartbeat rows (table `instances`) are for /stats only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.pool import NullPool

from bot.store.db import Store
from bot.store.models import Instance

log = logging.getLogger(__name__)
ROLES = ("all", "sender", "poller")
_LEADER, _SENDER = "digestbot:leader", "digestbot:sender"


class InstanceError(RuntimeError):
    """This instance must not start as asked; the message says why and what to do."""


@dataclass
class Identity:
    id: str
    host: str
    pid: int
    role: str
    pacer: str  # "redis" (shared budget) or "local"

    @property
    def sends(self) -> bool:
        return self.role in ("all", "sender")

    @property
    def may_lead(self) -> bool:
        return self.role in ("all", "poller")


def identity(role: str, pacer: str) -> Identity:
    if role not in ROLES:
        raise InstanceError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    host = socket.gethostname()[:200]
    return Identity(f"{host[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}", host, os.getpid(), role, pacer)


# -- locks --------------------------------------------------------------------------------------


class PgLocks:
    """Advisory locks on one dedicated connection (outside the pool, with keepalives)."""

    def __init__(self, url: Any, heartbeat: float):
        self.url = url
        self.heartbeat = heartbeat
        self._engine: Engine | None = None
        self._conn: Any = None

    def _connect(self) -> Any:
        if self._conn is None:
            idle, interval = max(1, round(2 * self.heartbeat)), max(1, round(self.heartbeat))
            self._engine = create_engine(
                self.url,
                poolclass=NullPool,
                connect_args={
                    "connect_timeout": max(2, round(self.heartbeat)),
                    "keepalives": 1,
                    "keepalives_idle": idle,
                    "keepalives_interval": interval,
                    "keepalives_count": 2,
                },
            )
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f"SET tcp_keepalives_idle = {idle}"))
            conn.execute(text(f"SET tcp_keepalives_interval = {interval}"))
            conn.execute(text("SET tcp_keepalives_count = 2"))
            conn.execute(text(f"SET tcp_user_timeout = {int((idle + 2 * interval) * 1000)}"))
            self._conn = conn
        return self._conn

    def try_lock(self, name: str) -> bool:
        sql = text("SELECT pg_try_advisory_lock(hashtext(:name), hashtext(current_schema()))")
        return bool(self._connect().execute(sql, {"name": name}).scalar())

    def check(self) -> None:
        """Raises when the lock connection is gone (and with it every lock it held)."""
        if self._conn is None:
            raise ConnectionError("no lock connection")
        self._conn.execute(text("SELECT 1"))

    def drop(self, wait: bool = True) -> None:
        """Forget the connection (closing it releases its locks on the server). With
        wait=False it is closed in the background: a check may still hang on it."""
        conn, engine, self._conn, self._engine = self._conn, self._engine, None, None

        def close() -> None:
            for closer in (conn and conn.close, engine and engine.dispose):
                if closer:
                    try:
                        closer()
                    except Exception as exc:  # a dead connection cannot be closed cleanly
                        log.debug("closing the lock connection: %s", exc)

        if wait:
            close()
        else:
            threading.Thread(target=close, name="lock-connection-close", daemon=True).start()


class SqliteLock:
    """One instance per SQLite file: an exclusive lock on `<database>.run.lock`."""

    def __init__(self, database: str | None):
        self.path = Path(f"{database}.run.lock") if database and database != ":memory:" else None
        self._file: Any = None

    def take(self) -> bool:
        import fcntl

        if self.path is None:
            return True
        self._file = open(self.path, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            self._file = None
            return False
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# -- heartbeat rows -------------------------------------------------------------------------------


def beat(store: Store, me: Identity, leader: bool, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    with store.session.begin() as s:
        row = s.get(Instance, me.id)
        if row is None:
            row = Instance(id=me.id, host=me.host, pid=me.pid, role=me.role, pacer=me.pacer, started_at=now)
            s.add(row)
        row.leader, row.seen_at = leader, now
        s.execute(delete(Instance).where(Instance.seen_at < now - timedelta(days=1)))


def leave(store: Store, me: Identity) -> None:
    with store.session.begin() as s:
        s.execute(delete(Instance).where(Instance.id == me.id))


@contextmanager
def sole_sender(store: Store, redis_url: str | None, heartbeat: float = 5.0) -> Iterator[None]:
    """For a sender outside `digestbot run` (`digestbot push`): without the shared budget
    (delivery.redis_url) it must be the only process sending for this store, as a second
    `digestbot run` must be. Raises InstanceError when another one is sending."""
    if redis_url:
        yield
        return
    if store.dialect == "postgresql":
        locks = PgLocks(store.engine.url, heartbeat)
        try:
            if not locks.try_lock(_SENDER):
                raise InstanceError(_BUSY_SENDER)
            yield
        finally:
            locks.drop()
        return
    lock = SqliteLock(store.engine.url.database)
    if not lock.take():
        raise InstanceError(_BUSY_SENDER)
    try:
        yield
    finally:
        lock.release()


_BUSY_SENDER = (
    "another digestbot process is already sending for this store (a running bot, or another push), "
    "and without delivery.redis_url each process paces itself, so two senders would exceed Telegram's "
    "limits: push from the bot with /push, wait until the other one ends, or set delivery.redis_url"
)


def live(store: Store, heartbeat: float, now: datetime | None = None) -> list[dict[str, Any]]:
    """Instances seen within three heartbeats (at least 10 s), the leader first."""
    now = now or datetime.now(UTC)
    since = now - timedelta(seconds=max(10.0, 3 * heartbeat))
    with store.session() as s:
        rows = s.scalars(select(Instance).where(Instance.seen_at >= since).order_by(Instance.started_at)).all()
    out = [
        {
            "id": r.id,
            "role": r.role,
            "pacer": r.pacer,
            "leader": r.leader,
            "seen_s_ago": round((now - r.seen_at).total_seconds(), 1),
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: not r["leader"])


# -- the coordinator ------------------------------------------------------------------------------

Callback = Callable[[], Awaitable[None]]


class Coordinator:
    """Start-up checks, the heartbeat, and leadership for one instance.

    `on_lead` runs when this instance becomes the leader, `on_follow` when it stops being one
    (lost connection, shutdown). Both are awaited in order, never concurrently."""

    def __init__(self, store: Store, me: Identity, heartbeat: float, on_lead: Callback, on_follow: Callback):
        self.store = store
        self.me = me
        self.heartbeat = heartbeat
        self.on_lead, self.on_follow = on_lead, on_follow
        self.leading = False
        self._pg = PgLocks(store.engine.url, heartbeat) if store.dialect == "postgresql" else None
        self._sender_lock = PgLocks(store.engine.url, heartbeat) if self._pg is not None else None
        self._sqlite = SqliteLock(store.engine.url.database) if self._pg is None else None

    async def start(self) -> None:
        """Refuse to start when this instance would break the one-instance rules."""
        if self._sqlite is not None:
            await self._start_sqlite()
        elif self.me.sends and self.me.pacer != "redis":
            await self._take_sole_sender()
        await asyncio.to_thread(beat, self.store, self.me, False)

    async def _start_sqlite(self) -> None:
        assert self._sqlite is not None
        if self.me.role != "all":
            raise InstanceError(
                "on SQLite one instance does everything: run it with --role all "
                "(several instances need PostgreSQL: storage.database_url)"
            )
        if not await asyncio.to_thread(self._sqlite.take):
            raise InstanceError(
                f"another digestbot run already uses this SQLite store ({self._sqlite.path} is locked); "
                "SQLite supports one instance - use PostgreSQL (and Redis) for several"
            )

    async def _take_sole_sender(self) -> None:
        assert self._sender_lock is not None
        if not await asyncio.to_thread(self._sender_lock.try_lock, _SENDER):
            raise InstanceError(
                "another instance is already sending for this store, and without delivery.redis_url each "
                "process paces itself, so two senders would exceed Telegram's limits: set delivery.redis_url "
                "(the shared send budget), or start this one with --role poller"
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Heartbeat and leadership until `stop` is set."""
        while not stop.is_set():
            await self.step()
            try:
                await asyncio.wait_for(stop.wait(), self.heartbeat)
            except TimeoutError:
                pass

    async def step(self) -> None:
        if self.me.may_lead:
            should = await self._should_lead()
            if should and not self.leading:
                self.leading = True
                log.info("instance %s leads: polling Telegram and running the schedule", self.me.id)
                await self.on_lead()
            elif not should and self.leading:
                await self._follow("lost the database connection that holds the leader lock")
        try:
            await asyncio.to_thread(beat, self.store, self.me, self.leading)
        except Exception as exc:
            log.warning("could not write this instance's heartbeat: %s", exc)

    async def _should_lead(self) -> bool:
        if self._pg is None:
            return True  # SQLite: the only instance (its file lock says so)
        try:
            if self.leading:
                await asyncio.wait_for(asyncio.to_thread(self._pg.check), self.heartbeat)
                return True
            return await asyncio.wait_for(asyncio.to_thread(self._pg.try_lock, _LEADER), self.heartbeat)
        except Exception as exc:  # includes a check that hung for a heartbeat
            if self.leading:
                log.warning("the leader lock's connection failed (%s): stepping down", exc or type(exc).__name__)
            self._pg.drop(wait=False)
            return False

    async def _follow(self, why: str) -> None:
        self.leading = False
        log.warning("instance %s no longer leads (%s): stopped polling and the schedule", self.me.id, why)
        await self.on_follow()

    async def close(self) -> None:
        """Step down, release the locks, remove the heartbeat row."""
        if self.leading:
            self.leading = False
            await self.on_follow()
        for locks in (self._pg, self._sender_lock):
            if locks is not None:
                await asyncio.to_thread(locks.drop)
        if self._sqlite is not None:
            self._sqlite.release()
        try:
            await asyncio.to_thread(leave, self.store, self.me)
        except Exception as exc:
            log.warning("could not remove this instance's heartbeat row: %s", exc)
