"""The delivery ledger: one row per (chat, edition, key), written before anything is sent.

Exactly-once rests on three rules:

* planning inserts rows with ON CONFLICT DO NOTHING, so two instances, a restart or a
  catch-up can never create a second row for the same chat and day;
* a sender claims rows with a short lease (renewed while it works), so two instances never
  work on the same row, and a dead instance's rows come back when its lease runs out;
* a row is marked `sending` (committed) before each message goes out and `pending`/`sent`
  after. A row found `sending` with an expired lease was in flight when its sender died: the
  message may or may not have reached Telegram. Sending it again could duplicate it, so by
  default it becomes `uncertain` (counted in /stats) instead; `delivery.resend_uncertain`
  flips that choice to at-least-once.

Writes go through `LedgerWriter`, one thread that commits whatever is queued in a single
transaction (group commit), so durability per message costs little at 500+ messages/s.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.chats import migrate_chat
from bot.store.db import Store
from bot.store.models import Chat, Delivery, Total, utcnow

LINGER_SECONDS = 0.002  # a writer commit waits this long for more ops to share it
MAX_BATCH = 512
PENDING, SENDING, SENT, SKIPPED, FAILED, UNCERTAIN = "pending", "sending", "sent", "skipped", "failed", "uncertain"
ALERT = "alert"


@dataclass
class Job:
    """A claimed ledger row, detached from its session."""

    id: int
    chat_pk: int
    chat_id: int  # Telegram id
    chat_type: str
    edition: str
    key: str
    messages: list[dict]
    message_ids: list[int]
    attempts: int
    cursor: int | None

    @property
    def is_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")


def _insert(session: Session) -> Any:
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Delivery)


def plan(session: Session, edition: str, key: str, rows: list[tuple[int, dict | None]]) -> int:
    """Insert ledger rows (chat pk, payload); a None payload is a `skipped` row. Returns new rows."""
    if not rows:
        return 0
    now = utcnow()
    values = [
        {
            "chat_id": chat_pk,
            "edition": edition,
            "key": key,
            "status": PENDING if payload else SKIPPED,
            "payload": payload,
            "message_ids": [],
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for chat_pk, payload in rows
    ]
    inserted = 0
    for start in range(0, len(values), 500):
        stmt = (
            _insert(session)
            .values(values[start : start + 500])
            .on_conflict_do_nothing(index_elements=["chat_id", "edition", "key"])
            .returning(Delivery.id)
        )
        inserted += len(session.execute(stmt).all())
    return inserted


def existing_chats(session: Session, edition: str, key: str) -> set[int]:
    return set(session.scalars(select(Delivery.chat_id).where(Delivery.edition == edition, Delivery.key == key)))


def expire_in_flight(session: Session, now: datetime, resend: bool) -> int:
    """Rows left `sending` by a dead sender: uncertain (default) or back to pending."""
    stmt = (
        update(Delivery)
        .where(Delivery.status == SENDING, Delivery.claimed_until < now)
        .values(status=PENDING if resend else UNCERTAIN, claimed_by=None, claimed_until=None, updated_at=now)
        .returning(Delivery.id)
    )
    n = len(session.execute(stmt).all())
    if n:
        bump(session, "delivery.uncertain_resent" if resend else "delivery.uncertain", n)
    return n


def claim(
    session: Session, owner: str, limit: int, lease: timedelta, now: datetime, edition: str | None = None
) -> list[Job]:
    """Atomically take up to `limit` due pending rows for `owner` (with a lease)."""
    due = and_(
        Delivery.status == PENDING,
        or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
    )
    pick = select(Delivery.id).where(due).order_by(Delivery.id).limit(limit)
    if edition is not None:
        pick = pick.where(Delivery.edition == edition)
    stmt = update(Delivery).values(claimed_by=owner, claimed_until=now + lease).returning(Delivery.id)
    if session.get_bind().dialect.name == "postgresql":
        # A materialised CTE runs the LIMIT … SKIP LOCKED pick exactly once. Inside `id IN
        # (subquery)` the planner may re-run it per row (each run skipping the rows the previous
        # one locked), which claimed every pending row and grew quadratically with the ledger.
        picked = pick.with_for_update(skip_locked=True).cte("pick").prefix_with("MATERIALIZED")
        stmt = stmt.where(Delivery.id == picked.c.id, due)
    else:  # SQLite: one writer at a time, the subquery runs once
        stmt = stmt.where(Delivery.id.in_(pick.scalar_subquery()), due)
    ids = [r[0] for r in session.execute(stmt.execution_options(synchronize_session=False)).all()]
    if not ids:
        return []
    rows = session.execute(
        select(Delivery, Chat).join(Chat, Chat.id == Delivery.chat_id).where(Delivery.id.in_(ids)).order_by(Delivery.id)
    ).all()
    return [_job(d, c) for d, c in rows]


def _job(d: Delivery, c: Chat) -> Job:
    payload = d.payload or {}
    return Job(
        d.id,
        c.id,
        c.telegram_id,
        c.type,
        d.edition,
        d.key,
        list(payload.get("messages", [])),
        list(d.message_ids or []),
        d.attempts,
        payload.get("cursor"),
    )


def pending_count(session: Session) -> int:
    """Rows still to send (due or not): the backlog /metrics reports."""
    from sqlalchemy import func

    return int(session.scalar(select(func.count(Delivery.id)).where(Delivery.status == PENDING)) or 0)


def any_due(session: Session, now: datetime) -> bool:
    """Is there work for a sender now: a pending row it could claim, or one a dead sender left
    `sending` (to be made uncertain)? One indexed probe, for instances between broadcasts."""
    due = and_(
        Delivery.status == PENDING,
        or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
    )
    orphaned = and_(Delivery.status == SENDING, Delivery.claimed_until < now)
    return session.scalar(select(Delivery.id).where(or_(due, orphaned)).limit(1)) is not None


def renew(session: Session, owner: str, lease: timedelta, now: datetime) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.claimed_by == owner, Delivery.status.in_([PENDING, SENDING]))
        .values(claimed_until=now + lease)
    )


def release(session: Session, owner: str) -> None:
    """Give back claimed rows that were not started (clean shutdown)."""
    session.execute(
        update(Delivery)
        .where(Delivery.claimed_by == owner, Delivery.status == PENDING)
        .values(claimed_by=None, claimed_until=None)
    )


def mark_sending(session: Session, job_id: int, owner: str) -> bool:
    """Mark a row in flight, if `owner` still holds its claim; False means it lost the claim
    (its lease ran out and another sender may have it), so it must not send."""
    return bool(_mark_sending_many(session, [job_id], owner))


def _mark_sending_many(session: Session, ids: list[int], owner: str) -> set[int]:
    rows = session.execute(_MARK_SENDING, {"ids": ids, "owner": owner, "now": utcnow()}).all()
    return {r[0] for r in rows}


def mark_uncertain(session: Session, job: Job, reason: str) -> None:
    """Sent, but no answer came (timeout, dropped connection): never sent again, counted."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == job.id)
        .values(status=UNCERTAIN, last_error=reason[:500], claimed_by=None, claimed_until=None, updated_at=utcnow())
    )
    bump(session, "delivery.uncertain")


def record_part(session: Session, job: Job, message_ids: list[int]) -> bool:
    """Messages went out: keep their ids; the row is `sent` once every part is out (and the
    chat's digest cursor moves). Pure with respect to `job`: the writer may re-run an op."""
    bumps: Counter[str] = Counter()
    (done,) = _record_parts(session, [(job, message_ids)], bumps)
    for name, n in sorted(bumps.items()):
        bump(session, name, n)
    return done


def back_to_pending(session: Session, job_id: int, not_before: datetime | None, error: str | None) -> None:
    """The message did not go out (429, retryable error): the row waits, lease kept or dropped."""
    values: dict[str, Any] = {"status": PENDING, "not_before": not_before, "last_error": error, "updated_at": utcnow()}
    if not_before is not None:
        values |= {"claimed_by": None, "claimed_until": None}
    session.execute(update(Delivery).where(Delivery.id == job_id).values(**values))


def fail(session: Session, job: Job, reason: str, unsubscribe: bool = False) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.id == job.id)
        .values(status=FAILED, last_error=reason[:500], claimed_by=None, claimed_until=None, updated_at=utcnow())
    )
    if unsubscribe:
        session.execute(
            update(Chat)
            .where(Chat.id == job.chat_pk)
            .values(subscribed=False, unsubscribed_reason="blocked", updated_at=utcnow())
        )


def migrate(session: Session, job: Job, new_id: int) -> str | None:
    """Follow the chat to its supergroup; return the job row's status afterwards (`sent` when
    the supergroup had already received this digest under its new id)."""
    migrate_chat(session, job.chat_id, new_id)
    bump(session, "delivery.migrated")
    return session.scalar(select(Delivery.status).where(Delivery.id == job.id))


def bump(session: Session, name: str, n: float = 1) -> None:
    """Add to a named counter (upsert)."""
    stmt = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Total)
    stmt = stmt.values(name=name, value=n)
    session.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": Total.value + n}))


def counters(session: Session, prefix: str = "") -> dict[str, float]:
    rows = session.execute(select(Total.name, Total.value).where(Total.name.startswith(prefix)))
    return {name: value for name, value in rows}


def status_counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status))
    return {status: int(n) for status, n in rows}


# one queued op: fn(session, *args), the future its caller awaits, and the caller's loop
_Queued = tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any], asyncio.AbstractEventLoop]


class LedgerWriter:
    """One writer thread with group commit: `await writer.run(fn, *args)` runs fn(session, …)."""

    def __init__(self, store: Store):
        self.store = store
        self._queue: queue.Queue[_Queued | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="ledger-writer", daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._queue.put((fn, args, future, loop))
        return await future

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            deadline = time.monotonic() + LINGER_SECONDS
            while len(batch) < MAX_BATCH:
                try:  # wait a moment for company: one commit for many ops is the point
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[_Queued]) -> None:
        """Run the batch in one transaction, the hot ops coalesced (see `_run_batch`); if it
        fails, run each op alone so one bad op cannot sink the others."""
        try:
            with self.store.session.begin() as session:
                results = _run_batch(session, [(fn, args) for fn, args, _, _ in batch])
        except Exception:
            results = []
            for fn, args, _, _ in batch:
                try:
                    with self.store.session.begin() as session:
                        results.append((fn(session, *args), None))
                except Exception as exc:
                    results.append((None, exc))
        for (_, _, future, loop), (value, error) in zip(batch, results, strict=True):
            loop.call_soon_threadsafe(_settle, future, value, error)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)


def _run_batch(session: Session, ops: list[tuple[Callable[..., Any], tuple]]) -> list[tuple[Any, BaseException | None]]:
    """Run ops in one session. The per-message ops of a broadcast are coalesced — all
    `mark_sending` in one UPDATE … IN, all `record_part` as one executemany, counters summed —
    so a commit costs a few statements however many messages it covers."""
    results: list[tuple[Any, BaseException | None]] = [(None, None)] * len(ops)
    sending = [i for i, (fn, _) in enumerate(ops) if fn is mark_sending]
    records = [i for i, (fn, _) in enumerate(ops) if fn is record_part]
    bumps: Counter[str] = Counter()
    for i, (fn, args) in enumerate(ops):
        if fn is bump:
            bumps[args[0]] += args[1] if len(args) > 1 else 1
        elif fn is not mark_sending and fn is not record_part:
            results[i] = (fn(session, *args), None)
    if sending:
        by_owner: dict[str, list[int]] = {}
        for i in sending:
            job_id, owner = ops[i][1]
            by_owner.setdefault(owner, []).append(job_id)
        marked = set().union(*(_mark_sending_many(session, ids, owner) for owner, ids in by_owner.items()))
        for i in sending:
            results[i] = (ops[i][1][0] in marked, None)
    if records:
        done = _record_parts(session, [ops[i][1] for i in records], bumps)
        for i, flag in zip(records, done, strict=True):
            results[i] = (flag, None)
    for name, n in sorted(bumps.items()):
        bump(session, name, n)
    return results


# The hot statements, built once (building and cache-keying them cost more than running them).
# Core tables, so a list of parameters is an executemany, not the ORM's bulk-update-by-PK.
_DELIVERIES, _CHATS = Delivery.__table__, Chat.__table__
_MARK_SENDING = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id.in_(bindparam("ids", expanding=True)), _DELIVERIES.c.claimed_by == bindparam("owner"))
    .values(status=SENDING, attempts=_DELIVERIES.c.attempts + 1, updated_at=bindparam("now"))
    .returning(_DELIVERIES.c.id)
)
_BY_ID = update(_DELIVERIES).where(_DELIVERIES.c.id == bindparam("_id"))
_RECORD_DONE = _BY_ID.values(  # sent: the claim is over
    message_ids=bindparam("_mids"),
    status=SENT,
    claimed_by=None,
    claimed_until=None,
    updated_at=bindparam("_now"),
    last_error=None,
)
_RECORD_PARTIAL = _BY_ID.values(  # more parts to go: the claim stays
    message_ids=bindparam("_mids"), status=PENDING, updated_at=bindparam("_now"), last_error=None
)
_MOVE_CURSOR = (
    update(_CHATS)
    .where(
        _CHATS.c.id == bindparam("_cid"),
        or_(_CHATS.c.digest_cursor.is_(None), _CHATS.c.digest_cursor < bindparam("_cur")),
    )
    .values(digest_cursor=bindparam("_cur"))
)


def _record_parts(session: Session, items: list[tuple], bumps: Counter[str]) -> list[bool]:
    """The batched `record_part`: one executemany for the rows, one for the chat cursors."""
    now = utcnow()
    finished, partial, cursors, flags = [], [], [], []
    for job, message_ids in items:
        done = len(message_ids) >= len(job.messages)
        flags.append(done)
        (finished if done else partial).append({"_id": job.id, "_mids": list(message_ids)})
        bumps["delivery.messages_sent"] += 1
        if done:
            bumps["delivery.alerts_sent" if job.edition == ALERT else "delivery.digests_sent"] += 1
            if job.cursor is not None:
                cursors.append({"_cid": job.chat_pk, "_cur": job.cursor})
    for row in finished + partial:
        row["_now"] = now
    if finished:
        session.execute(_RECORD_DONE, finished)
    if partial:
        session.execute(_RECORD_PARTIAL, partial)
    if cursors:
        session.execute(_MOVE_CURSOR, cursors)
    return flags


def _settle(future: asyncio.Future, value: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
