"""Each source's poll state in the store: status, validators, counters, failure streak, backoff,
and whether the admins were told it is failing.

Statuses: `never` (not polled yet), `ok`, `not_modified` (304), `partial` (polled, but some
items failed or the feed was not well-formed: the detail says what), and the failures, which
count towards the streak and the backoff: `http_error`, `timeout`, `too_large`,
`redirect_loop`, `too_many_redirects`, `network`, `bad_url`, `not_a_feed`, `malformed`,
`undecodable`, `no_text`, `missing_folder`, `error` (a bug; logged with its traceback).

Telling admins once: `claim_notice` flips `alerted` with a conditional UPDATE, so of any number
of processes (the bot, `digestbot fetch`, a second instance) exactly one sends "failing" when
the streak reaches the threshold and exactly one sends "recovered" after the next good poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.sources import schedule
from bot.store.db import Store
from bot.store.models import SourceState, utcnow

GOOD = ("ok", "not_modified", "partial")


@dataclass
class Outcome:
    """What one poll of one source came to."""

    status: str
    detail: str = ""
    seen: int = 0
    new: int = 0
    repeated: int = 0
    failed: int = 0
    article_ids: list[int] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds a server asked for (429/503)
    notice: str | None = None  # "failing" | "recovered": the admins are to be told (claimed)

    @property
    def good(self) -> bool:
        return self.status in GOOD

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "detail": self.detail,
            "seen": self.seen,
            "new": self.new,
            "repeated": self.repeated,
            "failed": self.failed,
            "article_ids": self.article_ids,
        }


@dataclass(frozen=True)
class Schedule:
    every: str
    timezone: str
    max_backoff: timedelta


def load(store: Store, name: str) -> SourceState | None:
    with store.session() as s:
        return s.get(SourceState, name)


def load_all(store: Store) -> dict[str, SourceState]:
    with store.session() as s:
        return {row.name: row for row in s.scalars(select(SourceState))}


def record(store: Store, name: str, kind: str, outcome: Outcome, when: Schedule, now: datetime | None = None) -> None:
    """Write a poll's outcome: counters, streak, backoff; validators only from a good poll."""
    now = now or utcnow()
    with store.session.begin() as s:
        row = s.get(SourceState, name)
        if row is None:
            row = SourceState(name=name, kind=kind, failures=0, polls=0, total_new=0, alerted=False)
            s.add(row)
        row.kind, row.status, row.detail = kind, outcome.status, outcome.detail[:2000] or None
        row.last_poll_at, row.updated_at = now, now
        row.polls = (row.polls or 0) + 1
        row.seen, row.new, row.repeated, row.failed = outcome.seen, outcome.new, outcome.repeated, outcome.failed
        row.total_new = (row.total_new or 0) + outcome.new
        if outcome.good:
            row.failures, row.last_ok_at, row.retry_after = 0, now, None
            if outcome.status != "not_modified":
                row.etag, row.last_modified = outcome.etag, outcome.last_modified
        else:
            row.failures = (row.failures or 0) + 1
            row.retry_after = schedule.backoff_until(
                when.every, when.timezone, row.failures, now, when.max_backoff, outcome.retry_after
            )


def in_backoff(store: Store, name: str, now: datetime | None = None) -> datetime | None:
    """The backoff's end when a scheduled poll must not run yet, else None."""
    row = load(store, name)
    now = now or utcnow()
    return row.retry_after if row is not None and row.retry_after and row.retry_after > now else None


def claim_notice(store: Store, name: str, alert_after: int) -> str | None:
    """ "failing" or "recovered" when this caller is the one to tell the admins, else None."""
    with store.session.begin() as s:
        failing = s.execute(
            update(SourceState)
            .where(SourceState.name == name, SourceState.failures >= alert_after, SourceState.alerted.is_(False))
            .values(alerted=True)
        )
        if failing.rowcount == 1:
            return "failing"
        recovered = s.execute(
            update(SourceState)
            .where(SourceState.name == name, SourceState.failures == 0, SourceState.alerted.is_(True))
            .values(alerted=False)
        )
        return "recovered" if recovered.rowcount == 1 else None


def validators(store: Store, name: str) -> tuple[str | None, str | None]:
    row = load(store, name)
    return (row.etag, row.last_modified) if row is not None else (None, None)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def overview(store: Store, sources: list, timezone: str, now: datetime | None = None) -> list[dict]:
    """One dict per configured source (settings.sources order), as `digestbot sources --json`
    prints it: name, kind, where, every, status, detail, last poll, counters, next poll."""
    now = now or utcnow()
    rows = load_all(store)
    out = []
    for src in sources:
        row = rows.get(src.name)
        where = str(src.path) if src.kind == "inbox" else ", ".join(src.page_urls())
        retry = row.retry_after if row is not None else None
        upcoming = schedule.next_poll(src.every, timezone, row.last_poll_at if row else None, retry, now)
        out.append(
            {
                "name": src.name,
                "kind": src.kind,
                "where": where,
                "every": src.every,
                "status": row.status if row else "never",
                "detail": (row.detail if row else None) or "",
                "last_poll": _iso(row.last_poll_at) if row else None,
                "last_ok": _iso(row.last_ok_at) if row else None,
                "seen": row.seen if row else 0,
                "new": row.new if row else 0,
                "repeated": row.repeated if row else 0,
                "failed": row.failed if row else 0,
                "total_new": row.total_new if row else 0,
                "polls": row.polls if row else 0,
                "failures": row.failures if row else 0,
                "backoff_until": _iso(retry) if retry and retry > now else None,
                "next_poll": _iso(upcoming),
            }
        )
    return out
