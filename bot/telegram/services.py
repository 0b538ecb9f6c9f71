"""The bot's long-lived work: editions on their schedule, delivery of the ledger, keyword alerts,
and reloading the config; plus `push_now`, the same plan-and-send for `digestbot push`.

Live sources (bot.sources) are polled by one job per source on the same JobQueue, rebuilt with
the editions on every config reload; admins hear once when a source starts failing and once
when it recovers.

"Plan an edition, then broadcast it" is written once (`run_edition`): the scheduled job, /push,
the catch-up at start and the CLI all go through it, with a `Sender` that owns one broadcast at
a time and can stop it gracefully.

With several instances (bot.telegram.instance) only the leader plans (editions, alerts,
catch-up, telling admins about a refused config): `leading` says whether this one does. Every
instance whose role sends delivers; `Sender.sends` is False for a poll-only instance, whose
planned rows the senders pick up (`watch_ledger`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application

from bot.config import DeliverySettings, Settings
from bot.config.runtime import Runtime
from bot.corpus.enrich import summary_for
from bot.delivery import ledger
from bot.delivery.pacing import SendPacer, limits_for, make_pacer
from bot.digest import plan as edition_service
from bot.digest.compose import SummaryFor
from bot.digest.schedule import Edition, editions
from bot.store import Store
from bot.store.state import forget_old_queries
from bot.telegram.broadcaster import Broadcaster, BroadcastStats
from bot.telegram.connect import connected
from bot.telegram.request import api_base, make_bot
from bot.telegram.sources import SourcePolls
from bot.ui.config_errors import config_error_html
from bot.ui.i18n import t
from bot.ui.messages import escape

log = logging.getLogger("bot.telegram.app")


class Sender:
    """Delivers due ledger rows through one Broadcaster at a time; `stop()` ends the current one
    gracefully (messages in flight finish) and refuses new ones."""

    def __init__(self, store: Store, bot: Any, delivery: Callable[[], DeliverySettings]):
        self.store = store
        self.bot = bot
        self.delivery = delivery  # read at each broadcast: limits follow a config reload
        self.sends = True
        self._lock = asyncio.Lock()
        self._broadcaster: Broadcaster | None = None
        self._pacer: SendPacer | None = None
        self._stopping = False

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @property
    def paused(self) -> bool:
        """The shared send budget (Redis) cannot be reached, so nothing is being sent."""
        return bool(getattr(self._pacer, "paused", False))

    def pacer(self, settings: DeliverySettings) -> SendPacer:
        """One pacer for the Sender's life (the shared Redis budget, or this process's), with
        the limits of the current settings."""
        if self._pacer is None:
            self._pacer = make_pacer(settings, str(self.bot.token).split(":", 1)[0])
        self._pacer.limits = limits_for(settings)
        return self._pacer

    async def deliver(self, edition: str | None = None) -> BroadcastStats:
        async with self._lock:
            if self._stopping or not self.sends:
                return BroadcastStats()
            settings = self.delivery()
            self._broadcaster = Broadcaster(self.store, self.bot, settings, pacer=self.pacer(settings))
            try:
                return await self._broadcaster.run(edition)
            finally:
                await self._broadcaster.close()
                self._broadcaster = None

    def stop(self) -> None:
        self._stopping = True
        if self._broadcaster is not None:
            self._broadcaster.stop()

    async def close(self) -> None:
        if self._pacer is not None:
            await self._pacer.close()
            self._pacer = None


async def run_edition(
    store: Store, settings: Settings, edition: Edition, fire_time: datetime, sender: Sender, summaries: SummaryFor
) -> tuple[edition_service.PlanReport, BroadcastStats]:
    """Plan an edition's digests into the ledger (idempotent), then send what is due for it."""
    report = await asyncio.to_thread(edition_service.plan_edition, store, settings, edition, fire_time, summaries)
    stats = await sender.deliver(edition.name)
    log.info(
        "edition %s %s: %d planned, %d with nothing new, %d already done; sent: %s",
        edition.name,
        report.key,
        report.planned,
        report.skipped,
        report.already,
        ", ".join(f"{n} {outcome}" for outcome, n in sorted(stats.outcomes.items())) or "nothing",
    )
    return report, stats


async def push_now(
    store: Store, settings: Settings, edition: Edition, token: str, api_url: str | None
) -> tuple[edition_service.PlanReport, BroadcastStats]:
    """`digestbot push`: today's digest of an edition, planned and sent now without the bot
    running; SIGTERM or Ctrl-C stops gracefully (what is not sent stays in the ledger)."""
    bot, requests = make_bot(settings, token, api_url)
    timeout = settings.delivery.request_timeout_seconds
    async with connected(bot, requests, api_base(settings, api_url), timeout):
        sender = Sender(store, bot, lambda: settings.delivery)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, sender.stop)
        try:
            return await run_edition(store, settings, edition, datetime.now(UTC), sender, summary_for(settings))
        finally:
            await sender.close()


class BotServices:
    """The running bot's jobs: editions, delivery, alerts, config reload."""

    def __init__(self, runtime: Runtime, application: Application):
        self.runtime = runtime
        self.app = application
        self.sender = Sender(runtime.store, application.bot, lambda: runtime.settings.delivery)
        self.leading = True  # one instance alone leads; bot.telegram.instance decides otherwise
        self.sources = SourcePolls(runtime.store, lambda: runtime.settings, self._notify_admins, lambda: self.leading)
        self._summary_key: Any = None
        self._summary_fn: Any = None

    def summary_for(self, settings: Settings) -> SummaryFor:
        """Summaries at other lengths, cached while the [summary] settings stay the same."""
        key = settings.summary.model_dump_json()
        if key != self._summary_key:
            self._summary_key, self._summary_fn = key, summary_for(settings)
        return self._summary_fn

    # -- schedule ----------------------------------------------------------------------------------

    def schedule_editions(self) -> None:
        queue = self.app.job_queue
        for job in queue.jobs():
            if job.name and job.name.startswith("edition:"):
                job.schedule_removal()
        grace = max(60, self.runtime.settings.digest.catchup_grace_minutes * 60)
        for edition in editions(self.runtime.settings.digest):
            queue.run_custom(
                self._edition_job,
                job_kwargs={"trigger": edition.trigger(), "misfire_grace_time": grace, "coalesce": True},
                name=f"edition:{edition.name}",
                data=edition,
            )
        log.info(
            "scheduled editions: %s",
            ", ".join(f"{e.name} ({e.cron} {e.timezone})" for e in editions(self.runtime.settings.digest)) or "none",
        )

    async def _edition_job(self, context: Any) -> None:
        if not self.leading:  # the leader plans it; this instance's sender joins in
            return
        edition: Edition = context.job.data
        fire = edition.last_fire_time(datetime.now(UTC)) or datetime.now(UTC)
        await self.run_edition(edition, fire)

    async def run_edition(
        self, edition: Edition, fire_time: datetime
    ) -> tuple[edition_service.PlanReport, BroadcastStats]:
        settings = self.runtime.settings
        return await run_edition(
            self.runtime.store, settings, edition, fire_time, self.sender, self.summary_for(settings)
        )

    async def catch_up(self) -> None:
        if not self.leading:
            return
        now = datetime.now(UTC)
        for edition, fire in await asyncio.to_thread(
            edition_service.missed_fires, self.runtime.store, self.runtime.settings, now
        ):
            log.info("catching up edition %s that fired at %s while the bot was down", edition.name, fire)
            await self.run_edition(edition, fire)

    # -- delivery ----------------------------------------------------------------------------------

    async def deliver(self, edition: str | None = None) -> BroadcastStats:
        return await self.sender.deliver(edition)

    async def tick(self, context: Any = None) -> None:
        try:
            if self.leading:
                planned = await asyncio.to_thread(
                    edition_service.plan_alerts, self.runtime.store, self.runtime.settings
                )
                if planned:
                    log.info("%d keyword alert(s) planned", planned)
            await self.deliver()
        except Exception:
            log.exception("periodic delivery tick failed")

    async def watch_ledger(self, context: Any = None) -> None:
        """Between broadcasts, look for rows another instance planned (or that became due); the
        broadcast runs as its own task, so this short job never overlaps itself."""
        if self.sender.busy or not self.sender.sends:
            return
        try:
            due = await asyncio.to_thread(_any_due, self.runtime.store)
        except Exception as exc:
            log.warning("could not look for due deliveries: %s", exc)
            return
        if due and not self.sender.busy:
            self.app.create_task(self._deliver_logged(), name="ledger-watch-delivery")

    async def _deliver_logged(self) -> None:
        try:
            await self.deliver()
        except Exception:
            log.exception("delivery of due rows failed")

    async def forget_queries(self, context: Any = None) -> None:
        await asyncio.to_thread(forget_old_queries, self.runtime.store)

    def begin_shutdown(self) -> None:
        """Graceful shutdown: messages in flight finish and are recorded; nothing new starts.
        The rest stays pending in the ledger for the next start (or another instance)."""
        self.sender.stop()

    async def _notify_admins(self, text: str) -> None:
        for admin in self.runtime.settings.telegram.admins:
            try:
                await self.app.bot.send_message(admin, text)
            except Exception as exc:  # an admin who never started the bot cannot be told
                log.warning("could not notify admin %s: %s", admin, exc)

    # -- config ------------------------------------------------------------------------------------

    async def check_config(self, context: Any = None) -> None:
        """The file watch (its own job, so a long broadcast in the tick never delays it)."""
        try:
            if self.runtime.file_changed():
                await self.reload_and_notify()
        except Exception:
            log.exception("config check failed")

    def schedule_config_watch(self) -> None:
        queue = self.app.job_queue
        if queue is None or self.runtime.config_path is None:
            return
        interval = self.runtime.settings.digest.reload_poll_seconds
        current = queue.get_jobs_by_name("config-watch")
        if current and current[0].job.trigger.interval.total_seconds() == interval:
            return
        for job in current:
            job.schedule_removal()
        queue.run_repeating(self.check_config, interval=interval, first=interval, name="config-watch")

    async def reload(self, lang: str) -> str:
        result = self.runtime.reload()
        if not result.ok:
            return t(lang, "reload.failed", error=config_error_html(lang, result.problem, result.error or ""))
        self.apply_settings()
        changes = (
            t(lang, "reload.changed", keys=", ".join(f"<code>{escape(k)}</code>" for k in result.changed))
            if result.changed
            else t(lang, "reload.unchanged")
        )
        if result.restart_needed:
            changes += " " + t(
                lang, "reload.restart", keys=", ".join(f"<code>{escape(k)}</code>" for k in result.restart_needed)
            )
        path = self.runtime.config_path
        source = f"<code>{escape(str(path))}</code>" if path else t(lang, "config.defaults")
        return t(lang, "reload.ok", source=source, changes=changes)

    async def reload_and_notify(self) -> None:
        """Reload on a file change or SIGHUP; tell the admins when the new file is refused."""
        result = self.runtime.reload()
        if result.ok:
            self.apply_settings()
            return
        if not self.leading:  # every instance refuses the file; the leader tells the admins once
            return
        lang = self.runtime.settings.telegram.language
        for admin in self.runtime.admins:
            try:
                await self.app.bot.send_message(
                    admin,
                    t(lang, "config.refused_admin", error=config_error_html(lang, result.problem, result.error or "")),
                )
            except Exception as exc:  # an admin who never started the bot cannot be told
                log.warning("could not notify admin %s about the refused config: %s", admin, exc)

    def apply_settings(self) -> None:
        self.schedule_editions()
        self.schedule_sources()
        self.schedule_config_watch()

    # -- live sources ------------------------------------------------------------------------------

    def schedule_sources(self) -> None:
        """One job per configured source, on the JobQueue that runs the editions; like the
        editions' jobs, it polls only while this instance leads."""
        self.sources.schedule(self.app.job_queue, self.runtime.settings)

    async def poll_source_now(self, name: str | None = None) -> dict:
        """Poll now (all sources, or one by name), whatever their schedule or backoff."""
        return await self.sources.poll_now(self.runtime.settings, name)


def _any_due(store: Store) -> bool:
    with store.session() as s:
        return ledger.any_due(s, datetime.now(UTC))


__all__ = ["BotServices", "Sender", "push_now", "run_edition"]
