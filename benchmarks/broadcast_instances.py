"""`benchmarks/broadcast.py --instances N`: N `digestbot run` processes share one bot.

Shared: N real instances on one PostgreSQL store and one Redis budget; the admin's /push makes
the leader plan today's digest for every chat and all N send it. Baseline, side by side: N
`digestbot push` processes at once without Redis. Before the shared budget each paced itself
(what the issue measured: N × the limit); now a sender without Redis must be the only one, so
N - 1 are refused (counted) and one sends within the limit. Printed for both: the
combined rate, the busiest second (from the stand-in's own receive times), duplicates, losses
and 409 Conflicts; with --kill-leader the leader is SIGKILLed mid-broadcast and the handover
time and uncertain rows are printed too.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from instances_harness import Fleet, busiest_second, push  # noqa: E402

from bot.standin import Standin  # noqa: E402


def _figures(fleet: Fleet, chats: int, label: str) -> dict:
    calls = fleet.digest_sends()
    counts = fleet.received()
    uncertain = fleet.uncertain_chats()
    starts = [c.start for c in calls]
    span = max(starts) - min(starts) if len(starts) > 1 else 0.0
    return {
        "run": label,
        "chats": chats,
        "sent": len(calls),
        "combined_per_s": round(len(calls) / span, 2) if span else 0.0,
        "busiest_second": busiest_second(calls),
        "duplicates": sum(1 for n in counts.values() if n > 1),
        "losses": sum(1 for cid, n in counts.items() if n == 0 and cid not in uncertain),
        "uncertain": len(uncertain),
        "conflicts_409": fleet.conflicts(),
        "ledger": fleet.statuses(),
    }


async def shared(db_url: str, redis_url: str, n: int, chats: int, folder: Path, kill: bool) -> dict:
    async with Standin() as tg:
        fleet = Fleet(tg, db_url, folder, redis_url, f"bench-{uuid.uuid4().hex[:8]}")
        fleet.prepare(chats)
        handover = None
        try:
            await fleet.start(n)
            await push(fleet)
            if kill:
                await fleet.wait_for(lambda: len(fleet.digest_sends()) >= chats // 4, 120, "a quarter sent")
                await fleet.stop(fleet.leader(), signal.SIGKILL)
                killed = time.monotonic()
                await fleet.wait_for(fleet.leader, 60, "a new leader")
                handover = round(time.monotonic() - killed, 2)
            await fleet.wait_for(lambda: fleet.finished() >= chats, chats / 10 + 120, "every row finished")
        finally:
            await fleet.stop_all()
        result = _figures(fleet, chats, f"{n} instances, shared budget (Redis)")
        result["handover_s"] = handover
        return result


async def baseline(db_url: str, n: int, chats: int, folder: Path) -> dict:
    """N `digestbot push` at once, no Redis: each process paces itself."""
    async with Standin() as tg:
        fleet = Fleet(tg, db_url, folder)
        fleet.prepare(chats)
        config = fleet.config()
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=tg.token)
        args = ["-m", "bot.cli", "push", "--api-url", tg.base_url, "--config", str(config), "--db", db_url]
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                env=env,
                cwd=str(ROOT),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(n)
        ]
        errors = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), chats / 10 + 120)
        result = _figures(fleet, chats, f"{n} `digestbot push` at once, no Redis")
        result["refused"] = sum(b"already sending for this store" in err for _, err in errors)
        fleet.store.dispose()
        return result


def report(rows: list[dict], limit: float) -> None:
    print()
    for r in rows:
        print(
            f"{r['run']}: {r['sent']} sends to {r['chats']} chats, {r['combined_per_s']} msg/s combined "
            f"({r['combined_per_s'] / limit:.2f}× the {limit:g}/s limit), busiest second {r['busiest_second']} "
            f"(target ≤ {limit + 1:g}), {r['duplicates']} duplicates, {r['losses']} losses, "
            f"{r['uncertain']} uncertain, {r['conflicts_409']} × 409"
            + (f", handover {r['handover_s']} s" if r.get("handover_s") is not None else "")
            + (f"; {r['refused']} refused (one sender without Redis)" if "refused" in r else "")
        )


async def run(
    db_url: str | None, redis_url: str | None, n: int, chats: int, folder: Path, kill: bool, fresh_db
) -> None:
    """Both runs, each on a fresh private schema (`fresh_db` from broadcast.py)."""
    if not db_url or not db_url.startswith("postgresql"):
        raise SystemExit("--instances needs --db postgresql://… (SQLite runs one instance only)")
    redis_url = redis_url or os.environ.get("DIGESTBOT_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    rows = []
    for label in ("shared", "baseline"):
        url, drop = fresh_db(db_url, folder)
        (folder / label).mkdir(parents=True, exist_ok=True)
        try:
            if label == "shared":
                rows.append(await shared(url, redis_url, n, chats, folder / label, kill))
            else:
                rows.append(await baseline(url, n, chats, folder / label))
        finally:
            drop()
        print(rows[-1], flush=True)
    report(rows, 30.0)
