"""A shared-budget (Redis) broadcast against a slow store: what a busy or distant database does
to the sending rate.

    .venv/bin/python benchmarks/slow_store.py                  # marks taking 0, 0.1, 0.3, 0.6, 1.5 s
    .venv/bin/python benchmarks/slow_store.py --delays 0 1.0 --chats 90

A sender marks each row `sending` right before its request; the pacer wakes it that long
before its slot (as long as recent marks took, at most 2 s). Here every mark is made to take
the given delay in the database (a SQLAlchemy hook on that one statement), and one broadcaster
sends `--chats` private chats at 30/s through the Redis budget to the Bot API stand-in on
loopback. Printed per delay: the time taken, the rate, its ratio to the no-delay run (the
baseline), and the slots given up. With the wake-up capped at a quarter second (before this
round), a store slower than that sent nothing at all; past the 2 s cap it still does, and the
log says so. Needs Redis
(`DIGESTBOT_TEST_REDIS_URL`, default redis://127.0.0.1:6379/0); the store is a SQLite file in
a temp folder; every run is bounded by --timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from telegram import Bot  # noqa: E402
from test_delivery import add_chats, plan_for, slow_marks  # noqa: E402

from bot.config import DeliverySettings  # noqa: E402
from bot.delivery import ledger  # noqa: E402
from bot.delivery.pacing import limits_for  # noqa: E402
from bot.delivery.redis_pacer import RedisPacer  # noqa: E402
from bot.standin import Standin  # noqa: E402
from bot.store.db import open_store  # noqa: E402
from bot.telegram.broadcaster import Broadcaster  # noqa: E402
from bot.telegram.request import AiohttpRequest  # noqa: E402

REDIS = os.environ.get("DIGESTBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def one(tg: Standin, folder: Path, chats: int, delay: float, timeout: float) -> dict:
    store = open_store(f"sqlite:///{folder / f'ledger-{uuid.uuid4().hex[:6]}.sqlite3'}")
    plan_for(store, add_chats(store, tg.users(chats)).values())
    slow_marks(store, delay)
    settings = DeliverySettings(global_per_second=30, per_chat_per_second=1, concurrency=64)
    pacer = RedisPacer(REDIS, f"bench-{uuid.uuid4().hex[:8]}:bot", limits_for(settings))
    bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=5.0))
    started = time.monotonic()
    async with bot:
        broadcaster = Broadcaster(store, bot, settings, pacer=pacer)
        run = asyncio.ensure_future(broadcaster.run())
        try:
            await asyncio.wait_for(asyncio.shield(run), timeout)
        except TimeoutError:
            broadcaster.stop()
            await run
        finished = time.monotonic() - started
        await broadcaster.close()
    await pacer.close()
    with store.session() as s:
        sent = ledger.status_counts(s).get("sent", 0)
    store.dispose()
    return {"delay": delay, "sent": sent, "seconds": finished, "given_up": pacer.late_slots}


async def main(delays: list[float], chats: int, timeout: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with Standin() as tg:
            rows = [await one(tg, Path(tmp), chats, d, timeout) for d in delays]
    base = rows[0]["sent"] / rows[0]["seconds"] if rows and rows[0]["seconds"] else 0.0
    print(f"{chats} chats at 30/s through the Redis budget, one sender; each mark made slower in the database")
    print(
        f"  {'mark delay':>10}  {'sent':>5}  {'seconds':>7}  {'rate/s':>6}  {'vs ' + str(delays[0]) + ' s':>8}  given up"
    )
    for r in rows:
        rate = r["sent"] / r["seconds"] if r["seconds"] else 0.0
        ratio = rate / base if base else 0.0
        print(
            f"  {r['delay']:>9.2f}s  {r['sent']:>5}  {r['seconds']:>7.1f}  {rate:>6.1f}  {ratio:>7.2f}×  {r['given_up']}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delays", type=float, nargs="+", default=[0.0, 0.1, 0.3, 0.6, 1.5])
    parser.add_argument("--chats", type=int, default=150)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a run may take before it is stopped")
    args = parser.parse_args()
    asyncio.run(main(args.delays, args.chats, args.timeout))
