"""Broadcast benchmark: the real delivery pipeline against the Bot API stand-in.

The stand-in runs in this process; the pipeline under test runs as the real CLI in a child
process (`digestbot push --api-url …`), exactly as an operator would push an edition. The
corpus is the seed pages; chats are stand-in users subscribed in the store.

    python benchmarks/broadcast.py                 # all three scenarios
    python benchmarks/broadcast.py --scenario a --chats 10000
    python benchmarks/broadcast.py --scenario c --signal kill
    python benchmarks/broadcast.py --db postgresql://127.0.0.1:5432/test
    python benchmarks/broadcast.py --instances 3 --db postgresql://127.0.0.1:5432/test [--kill-leader]

(a) 10,000 subscribers, no rate limit: messages/s of the whole pipeline (target ≥ 500).
(b) 1,000 subscribers at the default 30 msg/s: achieved / configured rate (target ≥ 0.95).
(c) 10,000 subscribers with 2% 429, 1% 403, 1% migrate, 1% timeouts; the sender is stopped at
    50% and started again: every active chat holds exactly one digest, blocked chats are
    unsubscribed (target: zero duplicates, zero losses). `--signal term` stops it as a
    restart does (SIGTERM: in-flight messages finish); `--signal kill` is a crash (SIGKILL:
    messages in flight are "uncertain" and, by default, never resent).
--instances N: N `digestbot run` processes sharing one Redis budget deliver a 2,000-chat digest,
    against N processes each pacing itself (see benchmarks/broadcast_instances.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.corpus import ingest_paths  # noqa: E402
from bot.corpus.enrich import summary_for  # noqa: E402
from bot.digest.plan import plan_edition  # noqa: E402
from bot.digest.schedule import find_edition  # noqa: E402
from bot.standin import Standin  # noqa: E402
from bot.store.db import open_store  # noqa: E402
from bot.store.models import Chat, Delivery  # noqa: E402


def write_config(folder: Path, *, unlimited: bool, lease: float, extra: str = "") -> Path:
    rate = (
        "global_per_second = 10000.0\nper_chat_per_second = 1000.0\ngroup_per_minute = 60000.0\n" if unlimited else ""
    )
    path = folder / "bench.toml"
    path.write_text(
        "[delivery]\n" + rate + f"lease_seconds = {lease}\nretry_backoff_seconds = 0.2\n"
        "request_timeout_seconds = 2.0\n" + extra,
        encoding="utf-8",
    )
    return path


def prepare(db_url: str, settings: Settings, chat_ids: list[int]) -> tuple[object, dict]:
    """Ingest the seeds, subscribe the chats, plan today's edition. Returns (store, timings)."""
    store = open_store(db_url)
    t0 = time.perf_counter()
    ingest_paths(store, settings, [ROOT / "seeds"])
    t1 = time.perf_counter()
    with store.session.begin() as s:
        rows = [
            {"telegram_id": cid, "type": "private", "subscribed": True, "digests_enabled": True} for cid in chat_ids
        ]
        for start in range(0, len(rows), 1000):
            s.execute(insert(Chat), rows[start : start + 1000])
    t2 = time.perf_counter()
    edition = find_edition(settings.digest, None)
    from datetime import UTC, datetime

    report = plan_edition(store, settings, edition, datetime.now(UTC), summary_for(settings))
    t3 = time.perf_counter()
    return store, {"ingest_s": t1 - t0, "subscribe_s": t2 - t1, "plan_s": t3 - t2, "planned": report.planned}


async def run_push(
    tg: Standin, db_url: str, config: Path, stop_after: int | None = None, sig: int = signal.SIGTERM
) -> tuple[int, float]:
    """Run `digestbot push` as a child process; optionally signal it after `stop_after` sends."""
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=tg.token, PYTHONUNBUFFERED="1")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "push",
        "--api-url",
        tg.base_url,
        "--config",
        str(config),
        "--db",
        db_url,
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = time.perf_counter()
    if stop_after is not None:
        while len(tg.log.select("sendMessage", ok=True)) < stop_after and proc.returncode is None:
            await asyncio.sleep(0.005)
        if proc.returncode is None:
            proc.send_signal(sig)
    out, err = await proc.communicate()
    if os.environ.get("BENCH_VERBOSE"):
        print(out.decode()[-2000:], err.decode()[-3000:], file=sys.stderr)
    elif proc.returncode not in (0, -signal.SIGKILL, -signal.SIGTERM) and stop_after is None:
        print(err.decode()[-2000:], file=sys.stderr)
    return proc.returncode or 0, time.perf_counter() - started


def sent_rate(tg: Standin) -> tuple[int, float]:
    calls = tg.log.select("sendMessage", ok=True)
    if len(calls) < 2:
        return len(calls), 0.0
    span = calls[-1].end - calls[0].start
    return len(calls), len(calls) / span if span > 0 else 0.0


async def scenario_a(db_url: str, chats: int, folder: Path) -> dict:
    async with Standin(record=True) as tg:
        users = tg.users(chats)
        settings = Settings()
        settings.storage.database_url = db_url
        store, timings = prepare(db_url, settings, [u.id for u in users])
        config = write_config(folder, unlimited=True, lease=30)
        code, wall = await run_push(tg, db_url, config)
        n, rate = sent_rate(tg)
        store.dispose()
        return {
            "scenario": "a",
            "chats": chats,
            "sent": n,
            "msgs_per_s": round(rate, 1),
            "push_wall_s": round(wall, 2),
            "exit": code,
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()},
        }


async def scenario_b(db_url: str, chats: int, folder: Path) -> dict:
    async with Standin(record=True) as tg:
        users = tg.users(chats)
        settings = Settings()
        settings.storage.database_url = db_url
        store, _ = prepare(db_url, settings, [u.id for u in users])
        config = write_config(folder, unlimited=False, lease=30)
        code, wall = await run_push(tg, db_url, config)
        calls = tg.log.select("sendMessage", ok=True)
        configured = settings.delivery.global_per_second
        store.dispose()
        rate = tg.log.rate("sendMessage", ok=True)
        return {
            "scenario": "b",
            "chats": chats,
            "sent": len(calls),
            "configured_per_s": configured,
            "achieved_per_s": round(rate, 2),
            "ratio": round(rate / configured, 3),
            "max_in_any_1s": tg.log.max_rate(window=1.0, ok=True),
            "exit": code,
        }


def delivered_per_chat(tg: Standin, chat_ids: list[int]) -> Counter:
    """Digest messages each original chat (or the supergroup it became) received."""
    counts: Counter = Counter()
    for cid in chat_ids:
        chat = tg.chat(cid)
        target = chat.migrated_to or chat
        msgs = [m for m in tg.bot_messages(target) if m.text and "新闻摘要" in m.text]
        counts[cid] = len(msgs)
    return counts


async def scenario_c(db_url: str, chats: int, folder: Path, sig: int, resend: bool = False) -> dict:
    async with Standin(record=True, seed=42) as tg:
        users = tg.users(chats)
        ids = [u.id for u in users]
        settings = Settings()
        settings.storage.database_url = db_url
        store, _ = prepare(db_url, settings, ids)
        tg.faults.seed = 42
        tg.faults.retry_after(1, probability=0.02, method="sendMessage")
        tg.faults.blocked(probability=0.01, method="sendMessage")
        tg.faults.migrate(probability=0.01, method="sendMessage")
        tg.faults.timeout(delay=3.0, applied=False, probability=0.01, method="sendMessage")
        config = write_config(folder, unlimited=True, lease=3, extra=f"resend_uncertain = {str(resend).lower()}\n")
        first_code, _ = await run_push(tg, db_url, config, stop_after=chats // 2, sig=sig)
        at_stop = len(tg.log.select("sendMessage", ok=True))
        await asyncio.sleep(3.5)  # the dead sender's claims run out (lease_seconds = 3)
        second_code, _ = await run_push(tg, db_url, config)
        counts = delivered_per_chat(tg, ids)
        blocked = {u.id for u in users if u.blocked}
        with store.session() as s:
            statuses = Counter(s.scalars(select(Delivery.status)))
            unsubscribed = set(s.scalars(select(Chat.telegram_id).where(Chat.unsubscribed_reason == "blocked")))
        active = [cid for cid in ids if cid not in blocked]
        dupes = sum(1 for cid in active if counts[cid] > 1)
        lost = sum(1 for cid in active if counts[cid] == 0)
        store.dispose()
        return {
            "scenario": "c",
            "signal": signal.Signals(sig).name,
            "chats": chats,
            "sent_before_stop": at_stop,
            "blocked": len(blocked),
            "blocked_unsubscribed": len(blocked & unsubscribed),
            "active": len(active),
            "exactly_one": sum(1 for cid in active if counts[cid] == 1),
            "duplicates": dupes,
            "losses": lost,
            "ledger": dict(statuses),
            "exits": [first_code, second_code],
        }


def fresh_db(base: str | None, folder: Path) -> tuple[str, callable]:
    if not base:
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}", lambda: None
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["a", "b", "c", "all"], default="all")
    parser.add_argument("--chats", type=int, help="chats for (a) and (c) (default 10000), (b) uses a tenth")
    parser.add_argument("--signal", choices=["term", "kill"], default="term", help="how (c) stops the sender")
    parser.add_argument(
        "--resend-uncertain",
        action="store_true",
        help="(c) with delivery.resend_uncertain = true: at-least-once after a crash",
    )
    parser.add_argument("--db", help="PostgreSQL URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--instances", type=int, help="N digestbot run processes on one store (needs --db and Redis)")
    parser.add_argument("--redis", help="Redis URL for --instances (default: $DIGESTBOT_TEST_REDIS_URL or local)")
    parser.add_argument("--kill-leader", action="store_true", help="--instances: SIGKILL the leader mid-broadcast")
    args = parser.parse_args()
    big = args.chats or 10_000
    folder = Path(tempfile.mkdtemp(prefix="digestbot-bench-"))
    if args.instances:
        from broadcast_instances import run as run_instances

        try:
            await run_instances(
                args.db, args.redis, args.instances, args.chats or 2000, folder, args.kill_leader, fresh_db
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    results = []
    try:
        for name in ("a", "b", "c"):
            if args.scenario not in (name, "all"):
                continue
            url, drop = fresh_db(args.db, folder)
            try:
                if name == "a":
                    results.append(await scenario_a(url, big, folder))
                elif name == "b":
                    results.append(await scenario_b(url, max(100, big // 10), folder))
                else:
                    sig = signal.SIGTERM if args.signal == "term" else signal.SIGKILL
                    results.append(await scenario_c(url, big, folder, sig, args.resend_uncertain))
            finally:
                drop()
            print(results[-1], flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    for r in results:
        if r["scenario"] == "a":
            print(f"(a) {r['chats']} chats, no limit: {r['msgs_per_s']} msg/s (target ≥ 500) — plan {r['plan_s']} s")
        elif r["scenario"] == "b":
            print(
                f"(b) {r['chats']} chats at {r['configured_per_s']}/s: achieved {r['achieved_per_s']}/s, "
                f"ratio {r['ratio']} (target ≥ 0.95), busiest second {r['max_in_any_1s']}"
            )
        else:
            print(
                f"(c) {r['chats']} chats, stopped with {r['signal']} at {r['sent_before_stop']}: "
                f"{r['exactly_one']}/{r['active']} active chats hold exactly one digest, "
                f"{r['duplicates']} duplicates, {r['losses']} losses; {r['blocked_unsubscribed']}/{r['blocked']} "
                f"blocked chats unsubscribed; ledger {r['ledger']}"
            )


if __name__ == "__main__":
    asyncio.run(main())
