"""Sending what the ledger holds, at Telegram's pace, with every failure handled once.

Outcomes per message:
* sent -> its message id is recorded; the row is `sent` after its last part;
* 429 RetryAfter -> that chat waits what Telegram asked (others keep going); a wait longer than
  `delivery.max_retry_after_seconds` is not waited out: the row is deferred (`not_before`)
  and picked up by a later pass;
* 403 Forbidden -> the chat is unsubscribed (reason `blocked`), the row `failed`;
* 400 ChatMigrated -> the chat's id moves to the supergroup's and the message is resent there;
* timeouts and network errors -> bounded retries with exponential backoff, then `failed`;
* any other 400 -> `failed` with Telegram's description (a bug in what we built, logged).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

from bot import ledger
from bot.config import DeliverySettings
from bot.db import Store
from bot.pacing import Limits, Pacer

log = logging.getLogger(__name__)
NO_PREVIEW = {"is_disabled": True}
# The broadcast sends through Bot.do_api_request, which returns the raw result instead of a
# parsed Message: a digest comes back with ~100 entities, and turning them into objects cost
# more than everything else per message. PTB warns that send_message exists; we know.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def markup(buttons: list[list[dict]]) -> dict | None:
    """The inline keyboard as Bot API JSON (stored rows are already {"text", "callback_data"})."""
    if not buttons:
        return None
    return {
        "inline_keyboard": [[{"text": b["text"], "callback_data": b["callback_data"]} for b in row] for row in buttons]
    }


@dataclass
class BroadcastStats:
    outcomes: Tally[str] = field(default_factory=Tally)
    started: float = 0.0
    finished: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": dict(self.outcomes), "seconds": round(self.seconds, 3)}


class Broadcaster:
    """Claims due ledger rows in chunks and sends them with bounded concurrency."""

    def __init__(
        self,
        store: Store,
        bot: Any,
        settings: DeliverySettings,
        limits: Limits | None = None,
        owner: str | None = None,
        chunk: int = 500,
    ):
        self.store = store
        self.bot = bot
        self.settings = settings
        self.pacer = Pacer(
            limits or Limits(settings.global_per_second, settings.per_chat_per_second, settings.group_per_minute)
        )
        self.owner = owner or f"{uuid.uuid4().hex[:12]}"
        self.chunk = chunk
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.writer = ledger.LedgerWriter(store)
        self._in_flight = asyncio.Semaphore(settings.concurrency)
        self._stopping = False

    def stop(self) -> None:
        """Finish the messages in flight, start no new ones (graceful shutdown)."""
        self._stopping = True

    async def close(self) -> None:
        await self.writer.run(ledger.release, self.owner)
        await asyncio.to_thread(self.writer.close)

    async def run(self, edition: str | None = None) -> BroadcastStats:
        """Send everything that is due (optionally one edition's rows); return the outcomes."""
        loop = asyncio.get_running_loop()
        stats = BroadcastStats(started=loop.time())
        now = datetime.now(UTC)
        await self.writer.run(ledger.expire_in_flight, now, self.settings.resend_uncertain)
        renewer = asyncio.create_task(self._renew_leases())
        try:
            while not self._stopping:
                jobs = await self.writer.run(
                    ledger.claim, self.owner, self.chunk, self.lease, datetime.now(UTC), edition
                )
                if not jobs:
                    break
                results = await asyncio.gather(*(self._deliver(job) for job in jobs), return_exceptions=True)
                for result in results:
                    if isinstance(result, BaseException):
                        log.error("delivery task failed: %r", result)
                        stats.outcomes["error"] += 1
                    else:
                        stats.outcomes[result] += 1
        finally:
            renewer.cancel()
            stats.finished = loop.time()
        return stats

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            await self.writer.run(ledger.renew, self.owner, self.lease, datetime.now(UTC))

    async def _deliver(self, job: ledger.Job) -> str:
        """Send a job's remaining parts; return the outcome name."""
        sent = list(job.message_ids)
        failures = 0
        while len(sent) < len(job.messages):
            if self._stopping:
                return "stopped"
            await self.pacer.wait(job.chat_id, job.is_group)
            async with self._in_flight:
                outcome, pause = await self._attempt(job, sent, failures)
            if outcome == "retry":
                failures += 1
            if outcome in ("retry", "again"):
                if pause:
                    await asyncio.sleep(pause)
                continue
            if outcome != "part":
                return outcome
        return "sent"

    async def _attempt(self, job: ledger.Job, sent: list[int], failures: int) -> tuple[str, float]:
        """One send of the next part. Returns (outcome, seconds to pause before going on):
        "part" (sent), "again" (resend at once, e.g. migrated), "retry" (after backoff),
        or a final outcome."""
        run = self.writer.run
        part = job.messages[len(sent)]
        await run(ledger.mark_sending, job.id)
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
                },
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            await run(ledger.bump, "delivery.retry_after")
            if wait > self.settings.max_retry_after_seconds:
                not_before = datetime.now(UTC) + timedelta(seconds=wait)
                await run(ledger.back_to_pending, job.id, not_before, f"flood wait {wait:.0f}s")
                await run(ledger.bump, "delivery.deferred")
                log.warning("chat %s: flood wait %.0fs is too long, deferred until %s", job.chat_id, wait, not_before)
                return "deferred", 0.0
            await run(ledger.back_to_pending, job.id, None, f"flood wait {wait:.0f}s")
            self.pacer.hold(job.chat_id, wait)
            return "again", 0.0
        except ChatMigrated as exc:
            await run(ledger.back_to_pending, job.id, None, "chat migrated")
            await run(ledger.migrate, job.chat_id, exc.new_chat_id)
            log.info("chat %s became supergroup %s; resending there", job.chat_id, exc.new_chat_id)
            self.pacer.forget(job.chat_id)
            job.chat_id, job.chat_type = exc.new_chat_id, "supergroup"
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
        except (TimedOut, NetworkError) as exc:
            kind = "timeout" if isinstance(exc, TimedOut) else "network"
            await run(ledger.bump, f"delivery.{kind}")
            if failures + 1 > self.settings.max_retries:
                await run(ledger.fail, job, f"{kind}: {exc.message} (after {failures + 1} tries)")
                await run(ledger.bump, "delivery.failed")
                return "failed", 0.0
            await run(ledger.back_to_pending, job.id, None, f"{kind}: {exc.message}")
            return "retry", self.settings.retry_backoff_seconds * (2**failures)
        except TelegramError as exc:
            await run(ledger.fail, job, f"{type(exc).__name__}: {exc.message}")
            await run(ledger.bump, "delivery.failed")
            return "failed", 0.0
        sent.append(int(message["message_id"]))
        await run(ledger.record_part, job, list(sent))
        return "part", 0.0
