"""Standard 5-field crontab expressions as APScheduler triggers.

APScheduler 3's `CronTrigger.from_crontab` numbers weekdays from Monday = 0, while every
crontab an admin has ever written numbers them from Sunday = 0 (and 7). `0 8 * * 1-5` must
mean weekdays, so the day-of-week field is translated to names before APScheduler sees it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_ITEM = re.compile(r"^(\*|\w+)(?:-(\w+))?(?:/(\d+))?$")


def _day(token: str) -> int:
    token = token.lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    if token[:3] in _DAYS and len(token) == 3:
        return _DAYS.index(token[:3])
    raise ValueError(f"day-of-week {token!r} is not 0-7 or sun..sat")


def weekdays(field: str) -> list[int]:
    """Standard cron day-of-week field -> sorted day numbers (0 = Sunday)."""
    days: set[int] = set()
    for item in field.split(","):
        m = _ITEM.match(item.strip())
        if not m:
            raise ValueError(f"day-of-week {item!r} is not valid")
        start, end, step = m.group(1), m.group(2), int(m.group(3) or 1)
        if step < 1:
            raise ValueError("a step must be at least 1")
        if start == "*":
            lo, hi = 0, 6
        else:
            lo = 7 if start == "7" else _day(start)  # 7 is Sunday too: `7-7`, `7` alone
            hi = (7 if end == "7" else _day(end)) if end else (lo if not m.group(3) else 6)
            if hi < lo:
                raise ValueError(f"day-of-week range {item!r} runs backwards")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return sorted(days)


def _number(token: str, names: list[str] | None, offset: int) -> int:
    token = token.lower()
    if names and token in names:
        return names.index(token) + offset
    return int(token)


def expand(field: str, low: int, high: int, names: list[str] | None = None) -> list[int]:
    """A cron field's values (`*`, `a`, `a-b`, steps, lists; month names), sorted."""
    values: set[int] = set()
    for item in field.split(","):
        m = _ITEM.match(item.strip())
        if not m:
            raise ValueError(f"cannot read cron field {field!r}")
        start, end, step = m.group(1), m.group(2), int(m.group(3) or 1)
        if start == "*":
            lo, hi = low, high
        else:
            lo = _number(start, names, low)
            hi = _number(end, names, low) if end else (high if m.group(3) else lo)
        values.update(range(lo, hi + 1, max(step, 1)))
    return sorted(v for v in values if low <= v <= high)


def crontab_trigger(expr: str, timezone: ZoneInfo) -> CronTrigger:
    """A CronTrigger for a 5-field crontab line, weekdays numbered the standard way."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError("must have 5 fields: minute hour day-of-month month day-of-week, e.g. '0 8 * * *'")
    minute, hour, day, month, dow = fields
    if day != "*" and dow != "*":
        raise ValueError(
            "restricts both day-of-month and day-of-week; cron would fire on either, "
            "which is rarely meant: keep one of them '*'"
        )
    names = "*" if dow == "*" else ",".join(_DAYS[d] for d in weekdays(dow))
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=names, timezone=timezone)


_EVERY = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> int | None:
    """`30m`, `2h`, `1d`, `90s` -> seconds; None when the text is not an interval (maybe a cron line)."""
    m = _EVERY.match(text)
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)] if m else None


def never_fires(expr: str, timezone: ZoneInfo) -> bool:
    """True for a valid line that matches no date at all (`0 8 30 2 *`: February 30th). Any
    month/day pair that exists comes round within eight years (a leap year among them)."""
    minute, hour, day, month, _ = expr.split()
    now = datetime.now(UTC)
    horizon = CronTrigger(
        minute=minute, hour=hour, day=day, month=month, timezone=timezone, end_date=now + timedelta(days=8 * 366 + 2)
    )
    return horizon.get_next_fire_time(None, now) is None
