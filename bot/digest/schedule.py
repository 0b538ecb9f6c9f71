"""Digest editions: when each one fires, in its own time zone, DST included.

APScheduler's CronTrigger does the calendar arithmetic. Around DST it fires at the shifted
time when a wall time does not exist (spring forward) and twice when it repeats (fall back);
the ledger key of a fire is the edition's local date, so the repeat delivers nothing twice.
This module adds what the bot needs on top: the latest fire time at or before now (to catch
up after downtime), the next deliveries (for `digestbot schedule`), and that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import DigestSettings, EditionSettings
from bot.config.cron import crontab_trigger


def _after(moment: datetime) -> datetime:
    """One second later, in absolute time: wall-clock arithmetic on a zoned datetime would
    drop the DST fold and step back an hour on a fall-back day."""
    return moment.astimezone(UTC) + timedelta(seconds=1)


@dataclass(frozen=True)
class Edition:
    name: str
    cron: str
    timezone: str
    title: str | tuple[tuple[str, str], ...] | None = None  # one for all languages, or (language, title) pairs

    def title_in(self, lang: str) -> str | None:
        """The configured title for readers of `lang`, if any (bot.ui.when.edition_title falls back)."""
        if isinstance(self.title, str):
            return self.title
        return dict(self.title or ()).get(lang)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def trigger(self) -> CronTrigger:
        return crontab_trigger(self.cron, self.tz)

    def next_fire_times(self, count: int, after: datetime) -> list[datetime]:
        """The next `count` deliveries strictly after `after`: one per local day.

        The trigger can fire twice on a fall-back day (the wall time repeats) or several times
        a day by its cron; only the first fire of a local day delivers (the ledger key is the
        date), so those are the ones listed."""
        trigger, out, previous, days = self.trigger(), [], None, set()
        now = after + timedelta(seconds=1)
        for _ in range(count * 200):
            fire = trigger.get_next_fire_time(previous, now)
            if fire is None or len(out) >= count:
                break
            if self.key(fire) not in days:
                days.add(self.key(fire))
                out.append(fire)
            previous, now = fire, _after(fire)
        return out

    def fires_per_day(self, day: datetime) -> int:
        """How many times the trigger fires on the local day that starts at `day`."""
        trigger, previous, now, n = self.trigger(), None, day, 0
        end = day + timedelta(days=1)
        while True:
            fire = trigger.get_next_fire_time(previous, now)
            if fire is None or fire >= end:
                return n
            n, previous, now = n + 1, fire, _after(fire)

    def last_fire_time(self, now: datetime, lookback: timedelta = timedelta(days=8)) -> datetime | None:
        """The latest fire time at or before `now` (within `lookback`), or None."""
        trigger, previous, last = self.trigger(), None, None
        cursor = now - lookback
        while True:
            fire = trigger.get_next_fire_time(previous, cursor)
            if fire is None or fire > now:
                return last
            last, previous, cursor = fire, fire, _after(fire)

    def key(self, fire_time: datetime) -> str:
        """Ledger key of a fire: the edition's local date (one digest per chat per day)."""
        return self.local_date(fire_time).isoformat()

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


def editions(settings: DigestSettings) -> list[Edition]:
    return [edition_of(e, settings) for e in settings.editions]


def edition_of(edition: EditionSettings, settings: DigestSettings) -> Edition:
    title = edition.title if not isinstance(edition.title, dict) else tuple(sorted(edition.title.items()))
    return Edition(edition.name, edition.cron, settings.edition_timezone(edition), title)


def find_edition(settings: DigestSettings, name: str | None) -> Edition | None:
    """The named edition, else the first one (the default for chats that did not pick)."""
    all_editions = editions(settings)
    for edition in all_editions:
        if edition.name == name:
            return edition
    return all_editions[0] if all_editions else None


def schedule_report(settings: DigestSettings, count: int = 3, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(UTC)
    report = []
    for e in editions(settings):
        start = datetime.combine(e.local_date(now) + timedelta(days=1), datetime.min.time(), e.tz)
        report.append(
            {
                "edition": e.name,
                "cron": e.cron,
                "timezone": e.timezone,
                "next": [t.isoformat() for t in e.next_fire_times(count, now)],
                "fires_per_day": e.fires_per_day(start),
            }
        )
    return report
