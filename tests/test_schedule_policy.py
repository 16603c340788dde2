"""Trigger times of the schedule policy at its edges, with a controlled clock.

Every time is computed through APScheduler's own interface (``get_next_fire_time(previous,
now)``) with explicit aware datetimes, while the machine runs in a zone far from Shanghai: the
schedule must not care where the machine thinks it is.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from archive.config import Settings
from archive.runs.schedule_policy import MonthDay, Night, Phase, Policy, Slot, next_run, target_year
from crawler.registry import RegistryError, load
from crawler.scheduling.triggers import PolicyTrigger

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLUG = "fj-xm-siming"
POLICY = Policy()


@pytest.fixture(autouse=True, params=["America/Los_Angeles", "Pacific/Kiritimati"])
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The machine in UTC−8 and in UTC+14: the day boundary falls elsewhere than in Shanghai."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def fires(trigger: PolicyTrigger, start: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Every fire time from START up to UNTIL, as APScheduler walks a trigger."""
    times = []
    at = trigger.get_next_fire_time(None, start)
    while at <= until:
        times.append(at)
        at = trigger.get_next_fire_time(at, at)
    return times


def test_machine_zone_is_really_elsewhere(machine_zone: str) -> None:
    assert time.localtime().tm_gmtoff != 8 * 3600


def test_new_year_opens_the_window() -> None:
    """31 Dec → 1 Jan: from monthly runs to the first nightly run, in Shanghai's night."""
    trigger = PolicyTrigger(POLICY, SLUG)
    slot = Slot.of(SLUG, POLICY.night)
    first = trigger.get_next_fire_time(None, shanghai(2026, 12, 31, 12, 0))
    assert first == shanghai(2027, 1, 1, 1, 0) + dt.timedelta(minutes=slot.minute)
    assert first.utcoffset() == dt.timedelta(hours=8)
    assert POLICY.phase(first.date()) is Phase.DAILY
    assert target_year(first, POLICY) == 2026
    # The last December run is the monthly one, before the window opens.
    december = fires(trigger, shanghai(2026, 12, 1), shanghai(2026, 12, 31, 23, 59))
    assert [t.day for t in december] == [slot.monthday]


def test_instant_of_new_year_is_shanghai_midnight_not_utc() -> None:
    """At 2026-12-31 16:30 UTC it is already 1 January 00:30 in Shanghai: the next run is
    that same night, not a day later."""
    trigger = PolicyTrigger(POLICY, SLUG)
    now = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    first = trigger.get_next_fire_time(None, now)
    assert first.astimezone(SHANGHAI).date() == dt.date(2027, 1, 1)
    assert first - now < dt.timedelta(hours=6)


def test_window_close_turns_nightly_into_weekly() -> None:
    """30 Apr → 1 May: the last nightly run is on 30 April, then one run a week."""
    trigger = PolicyTrigger(POLICY, SLUG)
    slot = Slot.of(SLUG, POLICY.night)
    april_30 = trigger.get_next_fire_time(None, shanghai(2027, 4, 30))
    assert april_30.date() == dt.date(2027, 4, 30)
    after = fires(trigger, april_30 + dt.timedelta(seconds=1), shanghai(2027, 6, 30, 23, 59))
    assert after[0].date() - dt.date(2027, 5, 1) < dt.timedelta(days=7)
    assert {t.weekday() for t in after} == {slot.weekday}
    assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(after))
    july = trigger.get_next_fire_time(after[-1], after[-1])
    assert july.date() == dt.date(2027, 7, slot.monthday)


@pytest.mark.parametrize(("year", "nights"), [(2027, 120), (2028, 121)])
def test_leap_years_get_their_29_february(year: int, nights: int) -> None:
    trigger = PolicyTrigger(POLICY, SLUG)
    window = fires(trigger, shanghai(year, 1, 1), shanghai(year, 5, 1))
    assert len(window) == nights
    assert len({t.time() for t in window}) == 1  # the same minute every night
    after_feb_28 = trigger.get_next_fire_time(window[58], window[58])
    expected = dt.date(year, 2, 29) if nights == 121 else dt.date(year, 3, 1)
    assert window[58].date() == dt.date(year, 2, 28)
    assert after_feb_28.date() == expected


def test_a_window_ending_on_29_february_closes_on_28_in_common_years() -> None:
    policy = Policy().with_window("01-01/02-29", "03-31")
    assert policy.window_close(2027) == shanghai(2027, 3, 1)
    assert policy.window_close(2028) == shanghai(2028, 3, 1)
    assert policy.phase(dt.date(2028, 2, 29)) is Phase.DAILY
    assert policy.phase(dt.date(2027, 3, 1)) is Phase.WEEKLY


def test_night_across_midnight_belongs_to_the_evening_it_starts() -> None:
    """A 23:00–04:00 night: the run at 01:xx on 1 May is still the night of 30 April."""
    policy = Policy(night=Night.parse("23:00-04:00"))
    slug = next(s for s in (f"s{i}" for i in range(1000)) if Slot.of(s, policy.night).minute > 60)
    slot = Slot.of(slug, policy.night)
    last = next_run(policy, slug, shanghai(2027, 4, 30, 12))
    assert last == shanghai(2027, 4, 30, 23) + dt.timedelta(minutes=slot.minute)
    assert last.date() == dt.date(2027, 5, 1)
    after = next_run(policy, slug, last + dt.timedelta(seconds=1))
    assert after - last >= dt.timedelta(days=1)  # the night of 1 May is weekly already
    assert (after - dt.timedelta(hours=4)).weekday() == slot.weekday


def test_sources_are_spread_over_the_night() -> None:
    slugs = [source.slug for source in load()]
    starts = {next_run(POLICY, slug, shanghai(2027, 2, 1)) for slug in slugs}
    assert all(shanghai(2027, 2, 1, 1) <= t < shanghai(2027, 2, 1, 6) for t in starts)
    assert len(starts) > len(slugs) * 0.6  # 300 minutes for 177 sources: few share one


def test_same_slot_in_every_process() -> None:
    """The slot comes from crc32, not Python's hash(), which is salted per process."""
    code = (
        "from archive.runs.schedule_policy import Policy, Slot\n"
        "print(Slot.of('fj-xm-siming', Policy().night))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert seen == {f"{Slot.of('fj-xm-siming', POLICY.night)}\n"}


def test_settings_configure_the_policy() -> None:
    settings = Settings.from_env(
        {
            "FAZHI_SCHEDULE_WINDOW": "01-15/05-10",
            "FAZHI_SCHEDULE_LATE_UNTIL": "07-31",
            "FAZHI_SCHEDULE_NIGHT": "22:30-02:30",
            "FAZHI_SCHEDULE_TIMEZONE": "Asia/Urumqi",
            "FAZHI_SCHEDULE_WORKERS": "2",
        }
    )
    policy = settings.schedule
    assert (policy.window_opens, policy.window_closes) == (MonthDay(1, 15), MonthDay(5, 10))
    assert policy.late_until == MonthDay(7, 31)
    assert str(policy.night) == "22:30-02:30"
    assert policy.zone == ZoneInfo("Asia/Urumqi")
    assert settings.schedule_workers == 2
    assert Settings.from_env({}).schedule == Policy()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FAZHI_SCHEDULE_WINDOW", "05-01/04-30", "in this order"),
        ("FAZHI_SCHEDULE_WINDOW", "01-01", "MM-DD/MM-DD"),
        ("FAZHI_SCHEDULE_LATE_UNTIL", "02-30", "not a day of the year"),
        ("FAZHI_SCHEDULE_NIGHT", "25:00-03:00", "HH:MM"),
        ("FAZHI_SCHEDULE_NIGHT", "02:00-02:00", "empty"),
        ("FAZHI_SCHEDULE_TIMEZONE", "Asia/Beijing", "unknown time zone"),
        ("FAZHI_SCHEDULE_CRAWL_TIMEOUT", "0", "above 0"),
    ],
)
def test_bad_settings_are_clear_errors(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({name: value})


def test_a_source_moves_its_own_window(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        """\
- slug: late-portal
  name: 迟发门户
  home_url: https://www.example.gov.cn/
  schedule:
    reason: publishes its report in May every year
    window: 02-01/05-31
    late_until: 07-31
- slug: plain-portal
  name: 普通门户
  home_url: https://www.example.org.cn/
""",
        encoding="utf-8",
    )
    sources = load(registry)
    late = sources["late-portal"].policy(Policy())
    assert late.phase(dt.date(2027, 5, 20)) is Phase.DAILY
    assert late.phase(dt.date(2027, 1, 20)) is Phase.MONTHLY
    assert late.window_close(2027) == shanghai(2027, 6, 1)
    assert sources["plain-portal"].policy(Policy()) == Policy()


def test_a_bad_schedule_entry_names_file_and_line(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        """\
- slug: bad-portal
  name: 门户
  home_url: https://www.example.gov.cn/
  schedule:
    window: 06-01/05-31
""",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as error:
        load(registry)
    messages = [str(p) for p in error.value.problems]
    assert any(":4: bad-portal: schedule.reason: required" in m for m in messages), messages
