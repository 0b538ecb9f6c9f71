"""An edition's schedule in words, from its cron line: 每天 08:00, 工作日 08:00, 每周一、三 08:00,
每月1日 08:00, every day at 08:00, on weekdays at 08:00, on Mondays and Wednesdays at 08:00.

An edition delivers at most once per chat per local day (the ledger key is the date), so the
time said is the day's first fire: `0 8,18 * * *` delivers at 08:00, and saying 18:00 too would
promise a digest that never comes. The time zone is said when it is not the bot's own.
Pure functions: no database, no Telegram.
"""

from __future__ import annotations

from typing import Any

from bot.config.cron import expand, weekdays
from bot.ui.i18n import t

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_ZH_DAYS = "日一二三四五六"  # cron numbering: 0 = Sunday
_EN_DAYS = ["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"]
_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _join(lang: str, items: list[str]) -> str:
    if lang == "en" and len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return "、".join(items)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _runs(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return runs


def _month_days(lang: str, days: list[int]) -> str:
    """1日、15日 / 1st and 15th; three or more days in a row as a range (1日至7日 / 1st to 7th)."""
    parts = []
    for lo, hi in _runs(days):
        if hi - lo >= 2:
            parts.append(f"{lo}日至{hi}日" if lang == "zh" else f"{_ordinal(lo)} to {_ordinal(hi)}")
        else:
            parts += [f"{d}日" if lang == "zh" else _ordinal(d) for d in range(lo, hi + 1)]
    return _join(lang, parts)


def _week_days(lang: str, dow: list[int]) -> str:
    order = sorted(dow, key=lambda d: (d + 6) % 7)  # Monday first, as people list them
    if lang == "zh":
        return "、".join(_ZH_DAYS[d] for d in order)
    return _join(lang, [_EN_DAYS[d] for d in order])


def _days(lang: str, dom: str, dow: str) -> str:
    if dom != "*":
        return t(lang, "schedule.month_days", days=_month_days(lang, expand(dom, 1, 31)))
    week = weekdays(dow) if dow != "*" else list(range(7))
    if len(week) == 7:
        return t(lang, "schedule.every_day")
    if week == [1, 2, 3, 4, 5]:
        return t(lang, "schedule.weekdays")
    return t(lang, "schedule.week", days=_week_days(lang, week))


def describe_cron(lang: str, cron: str, timezone: str, bot_timezone: str | None = None) -> str:
    """The schedule of one edition in words; the time zone is said when it is not the bot's."""
    minute, hour, dom, month, dow = cron.split()
    try:
        time = f"{expand(hour, 0, 23)[0]:02d}:{expand(minute, 0, 59)[0]:02d}"
        months = expand(month, 1, 12, _MONTHS)
        dates = _month_days(lang, expand(dom, 1, 31)) if dom != "*" else None
        days = _days(lang, dom, dow)
    except (ValueError, IndexError):  # a cron line too unusual for words: say it as written
        text = t(lang, "schedule.cron", cron=cron)
    else:
        names = [f"{m}月" for m in months] if lang == "zh" else [_EN_MONTHS[m - 1] for m in months]
        if len(months) == 12:
            text = t(lang, "schedule.at", days=days, time=time)
        elif dates is not None:  # 每年1月1日 / on the 1st of January
            text = t(lang, "schedule.dates", months=_join(lang, names), days=dates, time=time)
        else:
            text = t(lang, "schedule.in_months", months=_join(lang, names), days=days, time=time)
    if bot_timezone is not None and timezone != bot_timezone:
        text = t(lang, "schedule.timezone", schedule=text, timezone=timezone)
    return text


def edition_title(lang: str, edition: Any) -> str:
    """What readers call an edition: its configured title in their language, else (Chinese) its
    schedule in words, or (English) its name; a Chinese reader never sees an ASCII config name."""
    title = edition.title_in(lang)
    if title:
        return title
    if lang == "zh":
        return describe_cron(lang, edition.cron, edition.timezone)
    return edition.name


def edition_schedule(lang: str, edition: Any | None, bot_timezone: str, several: bool = False) -> str:
    """An edition's schedule in words for /start and /subscribe, named when there are `several`."""
    if edition is None:
        return t(lang, "schedule.none")
    words = describe_cron(lang, edition.cron, edition.timezone, bot_timezone)
    if several and edition.title_in(lang):
        return t(lang, "schedule.edition", edition=edition.title_in(lang), schedule=words)
    return words
