"""Several real `digestbot run` processes on one store against the Bot API stand-in.

`Fleet` prepares a store (the seed pages ingested, N stand-in users subscribed), writes the
instances' config (the admin, Redis, short heartbeats and leases), starts and stops the child
processes, and reads what happened: who leads (the `instances` table), each instance's
/metrics, what every chat received, and the stand-in's own receive times for rate checks.
Everything is on loopback and bounded in time.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select

from bot.config import Settings
from bot.corpus import ingest_paths
from bot.standin import Standin
from bot.store.db import Store, open_store
from bot.store.models import Chat, Delivery, Instance
from conftest import ROOT, SEEDS

ADMIN_ID = 9001
DIGEST_MARK = "新闻摘要"  # the digest's header, in every digest message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    process: asyncio.subprocess.Process
    log: Path
    ops_port: int

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Fleet:
    tg: Standin
    db_url: str
    folder: Path
    redis_url: str = ""
    redis_prefix: str = "digestbot"
    heartbeat: float = 0.5
    lease: float = 3.0
    rate: float = 30.0
    procs: list[Proc] = field(default_factory=list)
    chat_ids: list[int] = field(default_factory=list)
    store: Store | None = None

    # -- set-up -------------------------------------------------------------------------------

    def prepare(self, chats: int) -> None:
        self.store = open_store(self.db_url)
        settings = Settings()
        settings.storage.database_url = self.db_url
        report = ingest_paths(self.store, settings, [SEEDS])
        assert not report.errors, report.errors
        self.chat_ids = [u.id for u in self.tg.users(chats)]
        with self.store.session.begin() as s:
            rows = [{"telegram_id": c, "type": "private", "subscribed": True} for c in self.chat_ids]
            for start in range(0, len(rows), 1000):
                s.execute(insert(Chat), rows[start : start + 1000])
        # The stand-in shares this process with jieba's dictionary (from the ingest): keep the
        # garbage collector from scanning it mid-broadcast, which would pause the stand-in and
        # stamp the requests that queued meanwhile with one arrival time.
        gc.collect()
        gc.freeze()

    def config(self) -> Path:
        hour = (time.gmtime().tm_hour + 12) % 24  # no edition fires during a test
        redis = f'redis_url = "{self.redis_url}"\nredis_prefix = "{self.redis_prefix}"\n' if self.redis_url else ""
        path = self.folder / "instances.toml"
        path.write_text(
            f"[telegram]\nadmins = [{ADMIN_ID}]\n"
            f'[digest]\ncatchup_grace_minutes = 0\n[[digest.editions]]\nname = "morning"\ncron = "0 {hour} * * *"\n'
            f'timezone = "UTC"\n[delivery]\nglobal_per_second = {self.rate}\nlease_seconds = {self.lease}\n'
            f"poll_seconds = 0.5\nrequest_timeout_seconds = 3.0\n{redis}"
            f"[ops]\nheartbeat_seconds = {self.heartbeat}\n",
            encoding="utf-8",
        )
        return path

    async def start(self, n: int, role: str = "all", ready: bool = True) -> list[Proc]:
        config = self.config()
        started = [await self._spawn(config, role) for _ in range(n)]
        if ready:
            await self.wait_for(lambda: self.leader() is not None and len(self.live()) >= len(self.running()), 60)
        return started

    async def _spawn(self, config: Path, role: str) -> Proc:
        name = f"i{len(self.procs) + 1}"
        log = self.folder / f"{name}.log"
        port = free_port()
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=self.tg.token, PYTHONUNBUFFERED="1", DIGESTBOT_OPS_PORT=str(port))
        args = ["-m", "bot.cli", "run", "--api-url", self.tg.base_url, "--role", role]
        args += ["--config", str(config), "--db", self.db_url]
        with open(log, "wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, *args, env=env, cwd=str(ROOT), stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        proc = Proc(name, process, log, port)
        self.procs.append(proc)
        return proc

    def running(self) -> list[Proc]:
        return [p for p in self.procs if p.process.returncode is None]

    async def stop(self, proc: Proc, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if proc.process.returncode is None:
            proc.process.send_signal(sig)
        return await asyncio.wait_for(proc.process.wait(), timeout)

    async def stop_all(self) -> None:
        for proc in self.running():
            try:
                await self.stop(proc)
            except TimeoutError:
                proc.process.kill()
                await proc.process.wait()
        if self.store is not None:
            self.store.dispose()

    # -- reading --------------------------------------------------------------------------------

    def live(self) -> list[Instance]:
        assert self.store is not None
        with self.store.session() as s:
            since = time.time() - 3 * max(self.heartbeat, 1.0)
            return [r for r in s.scalars(select(Instance)) if r.seen_at.timestamp() >= since]

    def leader(self) -> Proc | None:
        pids = {r.pid for r in self.live() if r.leader}
        found = [p for p in self.running() if p.pid in pids]
        return found[0] if len(found) == 1 else None

    async def wait_for(self, predicate: Any, timeout: float, what: str = "a condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await asyncio.to_thread(predicate)
            if value:
                return value
            await asyncio.sleep(0.5)  # not too often: the stand-in shares this process
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; {self.state()}; logs:\n{self.tails()}")

    def state(self) -> str:
        """The ledger's rows by status and claim, for a failure message."""
        if self.store is None:
            return "no store"
        with self.store.session() as s:
            rows = s.execute(
                select(Delivery.status, Delivery.claimed_by, func.count(Delivery.id)).group_by(
                    Delivery.status, Delivery.claimed_by
                )
            )
            return "ledger: " + ", ".join(f"{st}/{owner or '-'}: {n}" for st, owner, n in rows)

    def tails(self, lines: int = 15) -> str:
        return "\n".join(
            f"--- {p.name} (exit {p.process.returncode}):\n"
            + "\n".join(p.log.read_text(errors="replace").splitlines()[-lines:])
            for p in self.procs
        )

    async def metrics(self, proc: Proc) -> dict[str, float]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{proc.ops_port}/metrics") as resp:
                text = await resp.text()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out

    def digest_sends(self) -> list[Any]:
        wanted = set(self.chat_ids)
        return [c for c in self.tg.log.select("sendMessage", ok=True) if c.chat_id in wanted]

    def received(self) -> Counter:
        counts: Counter = Counter()
        for cid in self.chat_ids:
            counts[cid] = sum(1 for m in self.tg.bot_messages(cid) if m.text and DIGEST_MARK in m.text)
        return counts

    def finished(self) -> int:
        """Rows that reached a final status (one count query)."""
        assert self.store is not None
        with self.store.session() as s:
            done = Delivery.status.in_(("sent", "uncertain", "failed", "skipped"))
            return int(s.scalar(select(func.count(Delivery.id)).where(done)) or 0)

    def statuses(self) -> dict[str, int]:
        assert self.store is not None
        with self.store.session() as s:
            return dict(Counter(s.scalars(select(Delivery.status))))

    def uncertain_chats(self) -> set[int]:
        assert self.store is not None
        with self.store.session() as s:
            rows = s.execute(
                select(Chat.telegram_id)
                .join(Delivery, Delivery.chat_id == Chat.id)
                .where(Delivery.status == "uncertain")
            )
            return {r[0] for r in rows}

    def log_problems(self) -> list[str]:
        """ERROR lines and tracebacks in the instances' output (there should be none)."""
        bad = []
        for p in self.procs:
            for line in p.log.read_text(errors="replace").splitlines():
                if line.startswith(("ERROR", "CRITICAL")) or "Traceback" in line:
                    bad.append(f"{p.name}: {line}")
        return bad

    def conflicts(self) -> int:
        return sum(1 for c in self.tg.log.select("getUpdates") if c.status == 409)


def busiest_second(calls: list[Any]) -> int:
    """The most sends that arrived at the stand-in within any one second."""
    times = sorted(c.start for c in calls)
    best, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + 1.0:
            j += 1
        best = max(best, j - i)
    return best


async def push(fleet: Fleet) -> None:
    """The admin sends /push in their private chat; the leader plans, every instance sends."""
    admin = fleet.tg.user("Admin", id=ADMIN_ID)
    fleet.tg.command(admin, admin, "push")
