"""`digestbot run` as one of several instances: polling (or the webhook) only while leading.

The Application is started as usual (handlers, jobs, the sender), but the Updater — the part
that fetches updates from Telegram — runs only while this instance holds the leader lock
(bot.ops.instances.Coordinator), and the schedule's planning steps check `services.leading`.
So any number of instances can run on one PostgreSQL store: one polls and plans, all send.
Stepping down stops the Updater before the lock can pass to another instance, which is why
two instances never poll at once (no 409 Conflict).

Each instance also looks at the ledger every `delivery.poll_seconds` for rows another one
planned, and serves /healthz and /metrics when `ops.port` is set.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from typing import Any

from telegram import Update
from telegram.error import Conflict, TelegramError
from telegram.ext import Application

from bot.config.runtime import Runtime
from bot.ops import metrics
from bot.ops.health import OpsServer
from bot.ops.instances import Coordinator, Identity, InstanceError, identity
from bot.ops.logs import add_secret
from bot.store.db import redact_url
from bot.telegram.connect import connect
from bot.telegram.request import api_base
from bot.telegram.services import BotServices

log = logging.getLogger(__name__)


def _polling_error(exc: TelegramError) -> None:
    """PTB's default logs a traceback for every failed getUpdates; one line says enough."""
    if isinstance(exc, Conflict):
        log.warning("Telegram says another process is polling this bot (%s); retrying", exc.message)
    else:
        log.warning("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc.message)


class Updates:
    """Starts and stops receiving updates: long polling, or the webhook server."""

    def __init__(self, app: Application, runtime: Runtime, webhook_url: str | None):
        self.app = app
        self.runtime = runtime
        self.webhook_url = webhook_url
        self._secret: str | None = None

    async def start(self) -> None:
        updater = self.app.updater
        if updater is None or updater.running:
            return
        if not self.webhook_url:
            await updater.start_polling(
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, error_callback=_polling_error
            )
            return
        tg = self.runtime.settings.telegram
        if self._secret is None:
            self._secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else secrets.token_urlsafe(32)
            add_secret(self._secret)
        path = "telegram"
        base = self.webhook_url.rstrip("/")
        await updater.start_webhook(
            listen=tg.webhook_listen,
            port=tg.webhook_port,
            url_path=path,
            webhook_url=base if base.endswith(path) else f"{base}/{path}",
            secret_token=self._secret,
            allowed_updates=Update.ALL_TYPES,
        )

    async def stop(self) -> None:
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()


class Instance:
    """One running instance: the Application, its coordinator, the ops server."""

    def __init__(
        self, app: Application, runtime: Runtime, me: Identity, webhook_url: str | None, api_url: str | None = None
    ):
        self.app = app
        self.api_url = api_url
        self.runtime = runtime
        self.me = me
        self.services: BotServices = app.bot_data["services"]
        self.services.leading = False
        self.services.sender.sends = me.sends
        self.updates = Updates(app, runtime, webhook_url)
        ops = runtime.settings.ops
        self.coordinator = Coordinator(runtime.store, me, ops.heartbeat_seconds, self._lead, self._follow)
        self.ops = OpsServer(runtime.store, ops.host, ops.port, self.status) if ops.port else None
        self.stop = asyncio.Event()

    def status(self) -> dict[str, Any]:
        """This instance's facts for /healthz (and the pacer gauge, before each /metrics)."""
        metrics.PACER_PAUSED.set(1 if self.services.sender.paused else 0)
        return {
            "instance": self.me.id,
            "role": self.me.role,
            "leader": self.coordinator.leading,
            "pacer": self.me.pacer,
            "pacer_paused": self.services.sender.paused,
        }

    async def _lead(self) -> None:
        self.services.leading = True
        metrics.LEADER.set(1)
        await self.updates.start()
        self.app.create_task(self.services.catch_up(), name="catch-up")

    async def _follow(self) -> None:
        self.services.leading = False
        metrics.LEADER.set(0)
        await self.updates.stop()

    async def run(self) -> None:
        await self.coordinator.start()  # may refuse (InstanceError) before anything runs
        if self.me.sends:
            await _check_redis(self.runtime)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        await self._connect()
        await self.app.initialize()
        try:
            await self._serve()
        finally:
            await self.app.shutdown()

    async def _connect(self) -> None:
        """getMe before anything else talks to the Bot API: a bad token, URL or an unreachable
        API ends the run with one OperatorError line and every session closed."""
        base = api_base(self.runtime.settings, self.api_url)
        timeout = self.runtime.settings.delivery.request_timeout_seconds
        try:
            await connect(self.app.bot, self.app.bot_data["requests"], base, timeout)
        except BaseException:
            await self.coordinator.close()
            raise
        mode = f"webhook {self.updates.webhook_url}" if self.updates.webhook_url else "long polling"
        log.info("digestbot running as @%s (%s, Bot API at %s); Ctrl-C stops it", self.app.bot.username, mode, base)

    async def _serve(self) -> None:
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        queue = self.app.job_queue
        delivery = self.runtime.settings.delivery
        queue.run_repeating(self.services.watch_ledger, interval=delivery.poll_seconds, first=0.5, name="ledger-watch")
        if self.ops is not None:
            await self.ops.start()
        try:
            await self.coordinator.run(self.stop)
        finally:
            self.services.begin_shutdown()  # in-flight messages finish; the rest stays pending
            await self.coordinator.close()  # steps down first: stops the updater, then the lock
            if self.ops is not None:
                await self.ops.stop()
            await self.app.stop()
            await self.services.sender.close()


async def _check_redis(runtime: Runtime) -> None:
    """A warning at start when Redis does not answer (sending then waits for it)."""
    delivery = runtime.settings.delivery
    if not delivery.redis_url:
        log.warning(
            "no delivery.redis_url: this instance paces its sends by itself, so it must be the only "
            "sender (a second one refuses to start); set delivery.redis_url to run several"
        )
        return
    from bot.delivery.redis_pacer import ping, safe_url

    try:
        await ping(delivery.redis_url)
    except Exception as exc:
        log.warning("Redis at %s does not answer (%s): sending waits until it does", safe_url(delivery.redis_url), exc)


def run(runtime: Runtime, token: str, api_url: str | None, webhook_url: str | None, role: str = "all") -> None:
    """Run one instance until SIGINT/SIGTERM. Raises InstanceError when it must not start."""
    from bot.telegram.app import build_application

    me = identity(role, "redis" if runtime.settings.delivery.redis_url else "local")
    app = build_application(runtime, token, api_url)
    log.info(
        "instance %s starting: role %s, store %s, send budget %s",
        me.id,
        role,
        redact_url(str(runtime.store.engine.url)),
        "shared (Redis)" if me.pacer == "redis" else "this process only",
    )

    async def main() -> None:
        await Instance(app, runtime, me, webhook_url, api_url).run()

    asyncio.run(main())


__all__ = ["Instance", "InstanceError", "run"]
