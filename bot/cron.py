"""Standard 5-field crontab expressions as APScheduler triggers.

APScheduler 3's `CronTrigger.from_crontab` numbers weekdays from Monday = 0, while every
crontab an admin has ever written numbers them from Sunday = 0 (and 7). `0 8 * * 1-5` must
mean weekdays, so the day-of-week field is translated to names before APScheduler sees it.
"""

from __future__ import annotations

import re
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
