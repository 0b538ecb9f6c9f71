"""/healthz and /metrics for one instance, on `ops.host`:`ops.port` (0 = off; 127.0.0.1 by default).

* `GET /healthz/live` — liveness: the process and its event loop answer (always 200);
* `GET /healthz` — readiness: the database answers and its schema is at the migrations' head
  (200, else 503), with the instance's role and whether it leads;
* `GET /metrics` — Prometheus text format (bot.ops.metrics).

A small aiohttp server (aiohttp is already the bot's HTTP client), so the checks run on the
bot's own loop: a wedged loop fails liveness, which is the point of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops import metrics
from bot.store.db import Store, redact_url

log = logging.getLogger(__name__)


def readiness(store: Store) -> dict[str, Any]:
    """Database reachable and migrations current (blocking; run it in a thread)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.store.db import alembic_config

    try:
        with store.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return {"ready": False, "database": f"unreachable: {type(exc).__name__}", "migrations": "unknown"}
    heads = set(ScriptDirectory.from_config(alembic_config(store.engine)).get_heads())
    migrations = "current" if current == heads else f"at {sorted(current) or 'none'}, head is {sorted(heads)}"
    return {"ready": current == heads, "database": "ok", "migrations": migrations}


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


class OpsServer:
    """The three endpoints; `status()` adds the instance's own facts (role, leader)."""

    def __init__(self, store: Store, host: str, port: int, status: Callable[[], dict[str, Any]]):
        self.store, self.host, self.port, self.status = store, host, port, status
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._ready)
        app.router.add_get("/healthz/live", self._live)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("health and metrics on http://%s:%s (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _live(self, request: web.Request) -> web.Response:
        return _json({"live": True, **self.status()})

    async def _ready(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread(readiness, self.store)
        body |= self.status()
        return _json(body, 200 if body["ready"] else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        self.status()  # lets the instance update its own gauges
        try:
            await asyncio.to_thread(metrics.refresh, self.store)
        except Exception as exc:  # the process's own metrics are still worth serving
            log.warning("metrics: could not read the store (%s at %s)", exc, redact_url(str(self.store.engine.url)))
        body = await asyncio.to_thread(metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
