"""Editions: cron parsing, time zones, DST, catch-up windows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, parse_settings
from bot.digest.schedule import Edition, editions, find_edition, schedule_report


def test_editions_from_config_with_default_and_own_time_zone():
    s = parse_settings(
        {
            "digest": {
                "timezone": "Asia/Shanghai",
                "editions": [
                    {"name": "morning", "cron": "0 8 * * *"},
                    {"name": "evening", "cron": "30 18 * * 1-5", "timezone": "Europe/Berlin"},
                ],
            }
        },
        "t",
        env={},
    )
    morning, evening = editions(s.digest)
    assert (morning.timezone, evening.timezone) == ("Asia/Shanghai", "Europe/Berlin")
    now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Shanghai
    assert [t.isoformat() for t in morning.next_fire_times(2, now)] == [
        "2026-11-22T08:00:00+08:00",
        "2026-11-23T08:00:00+08:00",
    ]
    # weekdays only: Saturday -> Monday
    assert evening.next_fire_times(1, now)[0].isoformat() == "2026-11-23T18:30:00+01:00"
    assert find_edition(s.digest, "evening") is evening or find_edition(s.digest, "evening").name == "evening"
    assert find_edition(s.digest, "gone").name == "morning"  # unknown choice falls back to the default


def test_spring_forward_fires_once_at_the_shifted_time():
    e = Edition("x", "30 2 * * *", "America/New_York")  # 02:30 does not exist on 2026-03-08
    fires = e.next_fire_times(3, datetime(2026, 3, 7, 12, tzinfo=UTC))
    assert [f.astimezone(UTC).isoformat() for f in fires] == [
        "2026-03-08T07:30:00+00:00",
        "2026-03-09T06:30:00+00:00",
        "2026-03-10T06:30:00+00:00",
    ]
    assert [e.key(f) for f in fires] == ["2026-03-08", "2026-03-09", "2026-03-10"]


def test_fall_back_repeats_the_wall_time_but_delivers_once_per_day():
    e = Edition("x", "30 1 * * *", "America/New_York")  # 01:30 happens twice on 2026-11-01
    day = datetime(2026, 11, 1, tzinfo=e.tz)
    assert e.fires_per_day(day) == 2
    first = e.last_fire_time(datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    second = e.last_fire_time(datetime(2026, 11, 1, 7, 0, tzinfo=UTC))
    assert first.astimezone(UTC) != second.astimezone(UTC)
    assert e.key(first) == e.key(second) == "2026-11-01"
    assert [e.key(f) for f in e.next_fire_times(3, datetime(2026, 10, 31, 12, tzinfo=UTC))] == [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
    ]


def test_last_fire_time_and_local_date_key():
    e = Edition("m", "0 8 * * *", "Asia/Shanghai")
    now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # 07:30 on the 21st in Shanghai
    fire = e.last_fire_time(now)
    assert fire.isoformat() == "2026-11-20T08:00:00+08:00" and e.key(fire) == "2026-11-20"
    assert e.key(datetime(2026, 11, 21, 0, 0, tzinfo=UTC)) == "2026-11-21"


def test_weekdays_use_standard_cron_numbering():
    from bot.config.cron import weekdays

    assert weekdays("1-5") == [1, 2, 3, 4, 5]
    assert weekdays("0,7") == [0] and weekdays("sat,sun") == [0, 6] and weekdays("*/2") == [0, 2, 4, 6]
    assert weekdays("7-7") == [0] and weekdays("5-7") == [0, 5, 6] and weekdays("7") == [0]
    e = Edition("w", "0 9 * * 1-5", "UTC")
    fires = e.next_fire_times(5, datetime(2026, 11, 20, 12, tzinfo=UTC))  # a Friday
    assert [f.strftime("%a") for f in fires] == ["Mon", "Tue", "Wed", "Thu", "Fri"]


@pytest.mark.parametrize(
    "cron", ["0 25 * * *", "61 8 * * *", "0 8 * * 9", "* * *", "every day", "0 8 1 * 1", "0 8 * * 5-1"]
)
def test_bad_cron_is_refused_with_reason(cron):
    with pytest.raises(ConfigError, match=r"digest\.editions\[0\].*cron"):
        parse_settings({"digest": {"editions": [{"name": "m", "cron": cron}]}}, "t", env={})


def test_schedule_report_flags_several_fires_a_day():
    s = parse_settings(
        {"digest": {"editions": [{"name": "twice", "cron": "0 8,20 * * *", "timezone": "UTC"}]}}, "t", env={}
    )
    (item,) = schedule_report(s.digest, 2, datetime(2026, 11, 21, 9, tzinfo=UTC))
    assert item["fires_per_day"] == 2
    assert item["next"] == ["2026-11-21T20:00:00+00:00", "2026-11-22T08:00:00+00:00"]


def test_no_editions_means_no_schedule():
    s = parse_settings({"digest": {"editions": []}}, "t", env={})
    assert editions(s.digest) == [] and find_edition(s.digest, None) is None
