"""Operations: leader election (PostgreSQL advisory lock), the instances shown in /stats,
/healthz and /metrics over real HTTP, and the compose file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import insert, text

from bot.config import Settings
from bot.delivery import ledger
from bot.ops.health import OpsServer
from bot.ops.instances import Coordinator, InstanceError, beat, identity
from bot.ops.stats import collect, instances_line
from bot.store.db import alembic_config, open_store
from bot.store.models import Chat
from conftest import ROOT, postgres_schema_url


@pytest.fixture
def pg_store():
    urls = postgres_schema_url()
    store = open_store(next(urls))
    try:
        yield store
    finally:
        store.dispose()
        urls.close()


def _coordinator(store, role="all", pacer="redis", log=None):
    log = log if log is not None else []
    me = identity(role, pacer)

    async def lead():
        log.append((me.id, "lead"))

    async def follow():
        log.append((me.id, "follow"))

    return Coordinator(store, me, 0.3, lead, follow), log


async def _two_started(store):
    """Two coordinators on one store, both started, the first one stepped (so it leads)."""
    a, log = _coordinator(store)
    b, _ = _coordinator(store, log=log)
    for c in (a, b):
        await c.start()
    await a.step()
    return a, b, log


@pytest.mark.postgres
def test_one_leader_at_a_time_and_a_takeover_when_it_goes(pg_store):
    async def scenario():
        a, b, log = await _two_started(pg_store)
        await b.step()
        both = (a.leading, b.leading)
        await a.close()  # a clean stop releases the lock at once
        await b.step()
        after = b.leading
        await b.close()
        return both, after, log, a.me.id, b.me.id

    both, after, log, a_id, b_id = asyncio.run(scenario())
    assert both == (True, False) and after is True
    assert log == [(a_id, "lead"), (a_id, "follow"), (b_id, "lead"), (b_id, "follow")]


@pytest.mark.postgres
def test_a_leader_that_loses_its_connection_steps_down(pg_store):
    async def scenario():
        a, b, log = await _two_started(pg_store)
        with pg_store.engine.connect() as conn:  # the server ends a's lock session
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = hashtext('digestbot:leader')::oid AND objid = hashtext(current_schema())::oid"
                )
            )
            conn.commit()
        await a.step()  # its check fails: it stops leading at once
        stepped_down = not a.leading
        await b.step()
        b_leads = b.leading
        for c in (a, b):
            await c.close()
        return stepped_down, b_leads

    assert asyncio.run(scenario()) == (True, True)


@pytest.mark.postgres
def test_without_redis_only_one_instance_may_send(pg_store):
    async def scenario():
        a, _ = _coordinator(pg_store, pacer="local")
        await a.start()
        try:
            b, _ = _coordinator(pg_store, pacer="local")
            with pytest.raises(InstanceError, match="delivery.redis_url"):
                await b.start()
            poller, _ = _coordinator(pg_store, role="poller", pacer="local")
            await poller.start()  # a poll-only instance needs no send budget
            await poller.close()
        finally:
            await a.close()

    asyncio.run(scenario())


def test_stats_show_the_live_instances_and_the_leader(store):
    settings = Settings()
    leader, sender = identity("all", "redis"), identity("sender", "redis")
    beat(store, sender, False)
    beat(store, leader, True)
    data = collect(store, settings)
    assert [(i["id"], i["leader"]) for i in data["instances"]] == [(leader.id, True), (sender.id, False)]
    line = instances_line(data["instances"])
    assert line.startswith(f"{leader.id} (all, redis pacer, leader), {sender.id} (sender")
    assert instances_line([]) == "none running"


async def _get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}") as resp:
            return resp.status, await resp.text()


def test_healthz_and_metrics_over_http(store):
    with store.session.begin() as s:
        s.execute(insert(Chat), [{"telegram_id": 1000 + i, "type": "private", "subscribed": True} for i in range(3)])
        pks = [c.id for c in s.query(Chat)]
        ledger.plan(s, "morning", "2026-11-21", [(pk, {"messages": [{"text": "x"}]}) for pk in pks])

    async def scenario():
        server = OpsServer(store, "127.0.0.1", 0, lambda: {"role": "all", "leader": True})
        await server.start()
        try:
            ready = await _get(server.port, "/healthz")
            live = await _get(server.port, "/healthz/live")
            scraped = await _get(server.port, "/metrics")
            from alembic import command

            command.stamp(alembic_config(store.engine), "0001")  # as if a migration were missing
            behind = await _get(server.port, "/healthz")
        finally:
            await server.stop()
        return ready, live, scraped, behind

    ready, live, scraped, behind = asyncio.run(scenario())
    assert ready[0] == 200 and '"migrations": "current"' in ready[1] and '"leader": true' in ready[1]
    assert live[0] == 200
    assert scraped[0] == 200 and "digestbot_ledger_backlog 3.0" in scraped[1]
    assert "digestbot_sends_total" in scraped[1] and "digestbot_search_seconds_bucket" in scraped[1]
    assert behind[0] == 503 and "head is" in behind[1]


def test_compose_runs_two_instances_on_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    bots = {name: s for name, s in services.items() if s.get("command") == ["run"]}
    assert len(bots) == 2 and {"postgres", "redis", "migrate"} <= set(services)
    for bot in bots.values():
        env = bot["environment"]
        assert "@postgres:5432/" in env["DIGESTBOT_DATABASE_URL"] and env["DIGESTBOT_REDIS_URL"].startswith(
            "redis://redis:"
        )
        assert "TELEGRAM_BOT_TOKEN" in env and "${TELEGRAM_BOT_TOKEN" in env["TELEGRAM_BOT_TOKEN"]  # not in the file
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert env["DIGESTBOT_OPS_PORT"] in " ".join(bot["healthcheck"]["test"])
    assert Path(ROOT / "Dockerfile").exists()
