"""The running bot's live sources: one JobQueue job per configured source (`source:<name>`),
polls through one shared HTTP client, and the admins told once when a source starts failing
and once when it recovers. The polling itself is bot.sources; this module only schedules it.

An interval source's first poll after a start (or a reload) is due at its last poll plus its
interval, so restarting the bot neither skips nor repeats polls; a cron source fires at its
times. A scheduled poll during a failing source's backoff is skipped (bot.sources.schedule).
Jobs never overlap for one source (`max_instances=1`, missed fires coalesced).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.config import Settings, SourceSettings
from bot.sources import schedule, state
from bot.sources.http import Fetcher
from bot.sources.poll import context_for, poll_all, poll_source
from bot.store import Store
from bot.store.models import utcnow
from bot.ui.i18n import t
from bot.ui.messages import escape

log = logging.getLogger("bot.telegram.app")
JOB_PREFIX = "source:"


class SourcePolls:
    def __init__(
        self,
        store: Store,
        settings: Callable[[], Settings],
        notify: Callable[[str], Awaitable[None]],
        leading: Callable[[], bool] = lambda: True,
    ):
        self.store = store
        self.settings = settings  # read at each poll: limits and sources follow a reload
        self.notify = notify
        self.leading = leading  # only the leading instance polls (as only it plans editions)
        self._fetcher: Fetcher | None = None

    def _client(self, settings: Settings) -> Fetcher:
        if self._fetcher is None or self._fetcher.user_agent != settings.fetch.user_agent:
            old, self._fetcher = self._fetcher, Fetcher(settings.fetch.user_agent)
            if old is not None:
                asyncio.get_running_loop().create_task(old.close())
        return self._fetcher

    async def close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.close()
            self._fetcher = None

    def schedule(self, queue: Any, settings: Settings) -> None:
        for job in queue.jobs():
            if job.name and job.name.startswith(JOB_PREFIX):
                job.schedule_removal()
        states = state.load_all(self.store)
        now = utcnow()
        for src in settings.sources:
            row = states.get(src.name)
            first = schedule.next_poll(
                src.every, settings.digest.timezone, row.last_poll_at if row else None, None, now
            ) or (now + timedelta(seconds=5))
            queue.run_custom(
                self._job,
                job_kwargs={
                    "trigger": schedule.trigger(src.every, settings.digest.timezone),
                    "next_run_time": max(first, now + timedelta(seconds=5)),
                    "coalesce": True,
                    "max_instances": 1,
                    "misfire_grace_time": 600,
                },
                name=f"{JOB_PREFIX}{src.name}",
                data=src.name,
            )
        if settings.sources:
            log.info("scheduled sources: %s", ", ".join(f"{s.name} ({s.kind}, {s.every})" for s in settings.sources))

    async def _job(self, context: Any) -> None:
        if not self.leading():  # another instance leads: it polls, and this one's sender joins in
            return
        settings = self.settings()
        source = next((s for s in settings.sources if s.name == context.job.data), None)
        if source is None:  # removed from the config since this fire was planned
            return
        try:
            await poll_source(context_for(self.store, settings, self._client(settings)), source)
            await self._tell(source, settings)
        except Exception:
            log.exception("polling source %s failed", source.name)

    async def poll_now(self, settings: Settings, name: str | None = None) -> dict[str, state.Outcome | None]:
        """Poll now (every source, or the one named), regardless of schedule and backoff."""
        sources = [s for s in settings.sources if name is None or s.name == name]
        results = await poll_all(context_for(self.store, settings, self._client(settings)), sources, force=True)
        for source in sources:
            await self._tell(source, settings)
        return results

    async def _tell(self, source: SourceSettings, settings: Settings) -> None:
        notice = await asyncio.to_thread(
            state.claim_notice, self.store, source.name, settings.fetch.alert_after_failures
        )
        if notice is None:
            return
        row = await asyncio.to_thread(state.load, self.store, source.name)
        if row is None:
            return
        lang = settings.telegram.language
        detail = escape((row.detail or "")[:500])
        if notice == "failing":
            text = t(
                lang, "source.failing_admin", name=escape(source.name), n=row.failures, status=row.status, detail=detail
            )
        else:
            text = t(lang, "source.recovered_admin", name=escape(source.name), detail=detail)
        log.warning("source %s: %s (%s)", source.name, notice, row.detail)
        await self.notify(text)
