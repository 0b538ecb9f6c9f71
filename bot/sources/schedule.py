"""When a source is polled: `every = "30m"` (an interval) or a 5-field cron line, as APScheduler
triggers (the bot's JobQueue runs them beside the editions), and the backoff of a failing source.

Backoff policy: after N failed polls in a row, the next scheduled poll waits until
min(period × 2^(N−1), max_backoff) after the last attempt, where the period is the interval (or,
for a cron line, the gap between its next two fires), and never less than what a server asked
for with Retry-After (429/503). Scheduled fires before then are skipped; `digestbot fetch NAME`
polls at once regardless. One good poll ends the backoff.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config.cron import crontab_trigger, parse_every


def trigger(every: str, timezone: str) -> BaseTrigger:
    seconds = parse_every(every)
    if seconds is not None:
        return IntervalTrigger(seconds=seconds, timezone=ZoneInfo(timezone))
    return crontab_trigger(every, ZoneInfo(timezone))


def next_fire(every: str, timezone: str, after: datetime) -> datetime | None:
    """The first scheduled poll strictly after `after` (intervals count from `after`)."""
    seconds = parse_every(every)
    if seconds is not None:
        return after + timedelta(seconds=seconds)
    return trigger(every, timezone).get_next_fire_time(None, after + timedelta(seconds=1))


def period(every: str, timezone: str, now: datetime) -> timedelta:
    seconds = parse_every(every)
    if seconds is not None:
        return timedelta(seconds=seconds)
    first = next_fire(every, timezone, now)
    second = next_fire(every, timezone, first) if first else None
    return (second - first) if first and second else timedelta(days=1)


def backoff_until(
    every: str,
    timezone: str,
    failures: int,
    attempted: datetime,
    max_backoff: timedelta,
    retry_after: float | None = None,
) -> datetime | None:
    """No scheduled poll before this (None: no backoff, the source is fine)."""
    if failures <= 0:
        return None
    wait = min(period(every, timezone, attempted) * (2 ** (failures - 1)), max_backoff)
    if retry_after:
        wait = max(wait, timedelta(seconds=min(retry_after, max_backoff.total_seconds())))
    return attempted + wait


def next_poll(
    every: str, timezone: str, last_poll: datetime | None, retry_after: datetime | None, now: datetime
) -> datetime | None:
    """When the source is polled next: an interval counts from the last poll (a source never
    polled, or overdue, is due now); a cron line fires at its next time. Never before the backoff."""
    floor = max(now, retry_after) if retry_after else now
    seconds = parse_every(every)
    if seconds is not None:
        due = last_poll + timedelta(seconds=seconds) if last_poll else now
        return max(due, floor)
    return next_fire(every, timezone, floor - timedelta(seconds=1))
