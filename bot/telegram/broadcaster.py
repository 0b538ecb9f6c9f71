"""Sending what the ledger holds, at Telegram's pace, with every failure handled once.

Outcomes per message:
* sent -> its message id is recorded; the row is `sent` after its last part;
* 429 RetryAfter -> that chat waits what Telegram asked (others keep going); a wait longer than
  `delivery.max_retry_after_seconds` is not waited out: the row is deferred (`not_before`)
  and picked up by a later pass;
* 403 Forbidden -> the chat is unsubscribed (reason `blocked`), the row `failed`;
* 400 ChatMigrated -> the chat's id moves to the supergroup's and the message is resent there;
* a request that never reached the API (connect error) or got a 5xx -> bounded retries with
  exponential backoff, then `failed`;
* a timeout or dropped connection after the request went out -> the message may have been
  delivered: retried like the above when `delivery.retry_timeouts` (the default), else
  `uncertain` and never sent twice;
* 401/404 (token revoked, wrong API URL) -> the row goes back to pending, the broadcast stops;
* any other 400 -> `failed` with Telegram's description (a bug in what we built, logged).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBUserWarning

from bot.config import DeliverySettings
from bot.delivery import ledger
from bot.delivery.pacing import Limits, Pacer, SendPacer, limits_for
from bot.ops import metrics
from bot.store.db import Store
from bot.telegram.request import AnswerLost

log = logging.getLogger(__name__)
NO_PREVIEW = {"is_disabled": True}


def _quiet_raw_sends() -> None:
    """The broadcast sends through Bot.do_api_request, which returns the raw result instead of a
    parsed Message: a digest comes back with ~100 entities, and turning them into objects cost
    more than everything else per message. PTB warns that send_message exists; we know. The
    filter matches only that warning, raised from this module's own calls (idempotent)."""
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning, module=rf"{__name__}\Z"
    )


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def markup(buttons: list[list[dict]]) -> dict | None:
    """The inline keyboard as Bot API JSON (stored rows are already {"text", "callback_data"} or
    {"text", "url"})."""
    if not buttons:
        return None
    keys = ("text", "callback_data", "url")
    return {"inline_keyboard": [[{k: b[k] for k in keys if k in b} for b in row] for row in buttons]}


@dataclass
class BroadcastStats:
    outcomes: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": dict(self.outcomes), "seconds": round(self.seconds, 3)}


class Broadcaster:
    """Claims due ledger rows and sends them with bounded concurrency.

    Claims are topped up as jobs finish (a rolling pool), so a chat waiting out a 429 never
    holds up the rows behind it; `stop()` ends every wait at once and lets in-flight sends
    finish, so a graceful shutdown takes seconds whatever was waiting. The pacer is this
    process's own unless one is given (the shared Redis budget: see bot.delivery.pacing)."""

    def __init__(
        self,
        store: Store,
        bot: Any,
        settings: DeliverySettings,
        limits: Limits | None = None,
        owner: str | None = None,
        chunk: int = 500,
        pacer: SendPacer | None = None,
    ):
        _quiet_raw_sends()
        self.store = store
        self.bot = bot
        self.settings = settings
        self.pacer: SendPacer = pacer or Pacer(limits or limits_for(settings))
        self._extra = {"allow_paid_broadcast": True} if settings.allow_paid_broadcast else {}
        self.owner = owner or f"{uuid.uuid4().hex[:12]}"
        self.chunk = chunk
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.writer = ledger.LedgerWriter(store)
        self._in_flight = asyncio.Semaphore(settings.concurrency)
        self._stopping = False
        self._stop_event: asyncio.Event | None = None

    def stop(self) -> None:
        """Finish the messages in flight, start no new ones (graceful shutdown)."""
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()

    async def close(self) -> None:
        await self.writer.run(ledger.release, self.owner)
        await asyncio.to_thread(self.writer.close)

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when the full pause passed."""
        if seconds <= 0:
            return not self._stopping
        assert self._stop_event is not None
        try:
            await asyncio.wait_for(self._stop_event.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def run(self, edition: str | None = None) -> BroadcastStats:
        """Send everything that is due (optionally one edition's rows); return the outcomes."""
        loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        if self._stopping:
            self._stop_event.set()
        stats = BroadcastStats(started=loop.time())
        await self.writer.run(ledger.expire_in_flight, datetime.now(UTC), self.settings.resend_uncertain)
        renewer = asyncio.create_task(self._renew_leases())
        running: set[asyncio.Task] = set()
        exhausted = False
        try:
            while True:
                if not exhausted and not self._stopping and len(running) <= self.chunk // 2:
                    jobs = await self._claim(self.chunk - len(running), edition)
                    exhausted = not jobs
                    running.update(asyncio.create_task(self._deliver(job)) for job in jobs)
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task.exception() is not None:
                        log.error("delivery task failed: %r", task.exception())
                    outcome = "error" if task.exception() is not None else task.result()
                    stats.outcomes[outcome] += 1
                    metrics.SENDS.labels(outcome).inc()
        finally:
            for task in running:
                task.cancel()
            renewer.cancel()
            stats.finished = loop.time()
        return stats

    async def _claim(self, limit: int, edition: str | None) -> list[ledger.Job]:
        """A claim runs in its own transaction, not in the writer's queue: claiming hundreds of
        rows takes a while, and the `sending` marks queued behind it would all go out at once
        afterwards, bunching sends that the pacer had spaced."""
        with metrics.CLAIM_SECONDS.time():
            return await asyncio.to_thread(self._claim_now, limit, edition)

    def _claim_now(self, limit: int, edition: str | None) -> list[ledger.Job]:
        with self.store.session.begin() as session:
            return ledger.claim(session, self.owner, limit, self.lease, datetime.now(UTC), edition)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.writer.run(ledger.renew, self.owner, self.lease, datetime.now(UTC))
            except Exception:  # a failed renewal must not end renewals: the next one may work
                log.exception("could not renew delivery claims")

    async def _deliver(self, job: ledger.Job) -> str:
        """Send a job's remaining parts; return the outcome name."""
        sent = list(job.message_ids)
        failures = 0
        while len(sent) < len(job.messages):
            if self._stopping or not await self.pacer.wait(job.chat_id, job.is_group, self._stop_event):
                return "stopped"
            async with self._in_flight:
                if self._stopping:
                    return "stopped"
                outcome, pause = await self._attempt(job, sent, failures)
            if outcome == "retry":
                failures += 1
            if outcome in ("retry", "again"):
                if not await self._pause(pause):
                    return "stopped"
                continue
            if outcome != "part":
                return outcome
        return "sent"

    async def _attempt(self, job: ledger.Job, sent: list[int], failures: int) -> tuple[str, float]:
        """One send of the next part. Returns (outcome, seconds to pause before going on):
        "part" (sent), "again" (send again now, e.g. migrated), "retry" (after backoff),
        or a final outcome."""
        run = self.writer.run
        part = job.messages[len(sent)]
        if not await run(ledger.mark_sending, job.id, self.owner):
            log.warning("delivery %s: claim lost (lease ran out?); another sender has it", job.id)
            return "claim_lost", 0.0
        if not await self.pacer.ready(job.chat_id):  # marking took too long: not sent, wait again
            await run(ledger.back_to_pending, job.id, None, None)
            return "again", 0.0
        timeout = self.settings.request_timeout_seconds
        try:
            message = await self.bot.do_api_request(
                "sendMessage",
                api_kwargs={
                    "chat_id": job.chat_id,
                    "text": part["text"],
                    "parse_mode": ParseMode.HTML,
                    "reply_markup": markup(part.get("buttons", [])),
                    "link_preview_options": NO_PREVIEW,
                    **self._extra,
                },
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            metrics.RETRY_AFTER.inc()
            await run(ledger.bump, "delivery.retry_after")
            if wait > self.settings.max_retry_after_seconds:
                not_before = datetime.now(UTC) + timedelta(seconds=wait)
                await run(ledger.back_to_pending, job.id, not_before, f"flood wait {wait:.0f}s")
                await run(ledger.bump, "delivery.deferred")
                log.warning("chat %s: flood wait %.0fs is too long, deferred until %s", job.chat_id, wait, not_before)
                return "deferred", 0.0
            await run(ledger.back_to_pending, job.id, None, f"flood wait {wait:.0f}s")
            await self.pacer.hold(job.chat_id, wait)
            return "again", 0.0
        except ChatMigrated as exc:
            status = await run(ledger.migrate, job, exc.new_chat_id)
            log.info("chat %s became supergroup %s", job.chat_id, exc.new_chat_id)
            self.pacer.forget(job.chat_id)
            job.chat_id, job.chat_type = exc.new_chat_id, "supergroup"
            if status == ledger.SENT:  # the supergroup already got this one under its new id
                return "merged", 0.0
            await run(ledger.back_to_pending, job.id, None, "chat migrated")  # not sent: no longer in flight
            return "again", 0.0
        except Forbidden as exc:
            await run(ledger.fail, job, f"forbidden: {exc.message}", True)
            await run(ledger.bump, "delivery.forbidden")
            log.info("chat %s blocked the bot or removed it (%s): unsubscribed", job.chat_id, exc.message)
            return "forbidden", 0.0
        except BadRequest as exc:  # before NetworkError: BadRequest subclasses it
            await run(ledger.fail, job, f"bad request: {exc.message}")
            await run(ledger.bump, "delivery.bad_request")
            log.error("chat %s: Telegram refused a message: %s", job.chat_id, exc.message)
            return "bad_request", 0.0
        except (TimedOut, AnswerLost) as exc:  # sent, but the answer never came: ambiguous
            kind = "timeout" if isinstance(exc, TimedOut) else "network"
            await run(ledger.bump, f"delivery.{kind}")
            if not self.settings.retry_timeouts:
                await run(ledger.mark_uncertain, job, f"{kind}: {exc.message}")
                return "uncertain", 0.0
            return await self._retry_or_fail(job, failures, kind, exc.message)
        except NetworkError as exc:  # never reached Telegram (NotSent), or a 5xx answer
            await run(ledger.bump, "delivery.network")
            return await self._retry_or_fail(job, failures, "network", exc.message)
        except (InvalidToken, EndPointNotFound) as exc:
            await run(ledger.back_to_pending, job.id, None, f"{type(exc).__name__}: {exc.message}")
            log.error("the Bot API refused our token or URL (%s): broadcast stopped, rows kept", exc.message)
            self.stop()
            return "aborted", 0.0
        except TelegramError as exc:
            await run(ledger.fail, job, f"{type(exc).__name__}: {exc.message}")
            await run(ledger.bump, "delivery.failed")
            return "failed", 0.0
        sent.append(int(message["message_id"]))
        await run(ledger.record_part, job, list(sent))
        return "part", 0.0

    async def _retry_or_fail(self, job: ledger.Job, failures: int, kind: str, message: str) -> tuple[str, float]:
        if failures + 1 > self.settings.max_retries:
            await self.writer.run(ledger.fail, job, f"{kind}: {message} (after {failures + 1} tries)")
            await self.writer.run(ledger.bump, "delivery.failed")
            return "failed", 0.0
        await self.writer.run(ledger.back_to_pending, job.id, None, f"{kind}: {message}")
        return "retry", self.settings.retry_backoff_seconds * (2**failures)
