"""When each source is crawled: the spring publication window and the quieter rest of the year.

Pure computation on aware datetimes in the policy's time zone, never the machine's: nightly in
the window, weekly until ``late_until``, monthly otherwise, each source in its own slot from a
hash of its slug. docs/scheduling.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zlib
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_LEAP_YEAR = 2000  # validates 02-29, which exists in some years
_MINUTES_PER_DAY = 24 * 60
# Any phase has a run day within a month; this bounds the search should that ever break.
_SEARCH_DAYS = 400


class Phase(StrEnum):
    """How often a source is crawled on a given day."""

    DAILY = "daily"  # inside the publication window
    WEEKLY = "weekly"  # after it, until late_until: late publishers
    MONTHLY = "monthly"  # the rest of the year: corrections and takedowns


@dataclass(frozen=True, order=True)
class MonthDay:
    """A day of the year without the year (``04-30``); ``02-29`` is allowed and simply never
    matches in a common year, where the comparison puts 28 February before it and 1 March
    after it."""

    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> MonthDay:
        match = _MONTH_DAY.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a day written MM-DD")
        month, day = int(match[1]), int(match[2])
        try:
            dt.date(_LEAP_YEAR, month, day)
        except ValueError:
            raise ValueError(f"{text!r} is not a day of the year") from None
        return cls(month, day)

    @classmethod
    def of(cls, day: dt.date) -> MonthDay:
        return cls(day.month, day.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class Night:
    """The hours in which scheduled crawls start, e.g. ``01:00-06:00`` (may pass midnight)."""

    start: dt.time
    minutes: int

    @classmethod
    def parse(cls, text: str) -> Night:
        first, sep, last = text.partition("-")
        if not sep:
            raise ValueError(f"{text!r} is not a span of hours written HH:MM-HH:MM")
        start, end = _clock(first), _clock(last)
        minutes = (_minute_of_day(end) - _minute_of_day(start)) % _MINUTES_PER_DAY
        if minutes == 0:
            raise ValueError(f"{text!r} is an empty span of hours")
        return cls(start, minutes)

    @property
    def end(self) -> dt.time:
        minute = (_minute_of_day(self.start) + self.minutes) % _MINUTES_PER_DAY
        return dt.time(minute // 60, minute % 60)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Policy:
    """When sources are crawled; the defaults are the product's (docs/scheduling.md)."""

    timezone: str = "Asia/Shanghai"
    window_opens: MonthDay = MonthDay(1, 1)
    window_closes: MonthDay = MonthDay(4, 30)  # the last daily day, inclusive
    late_until: MonthDay = MonthDay(6, 30)  # the last weekly day, inclusive
    night: Night = Night(dt.time(1, 0), 5 * 60)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if not self.window_opens <= self.window_closes <= self.late_until:
            raise ValueError(
                f"window {self.window_opens}/{self.window_closes} and late_until "
                f"{self.late_until} must run in this order within one calendar year"
            )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_window(self, window: str | None, late_until: str | None) -> Policy:
        """This policy with a source's own window (``MM-DD/MM-DD``) or late_until."""
        opens, closes = self.window_opens, self.window_closes
        if window is not None:
            opens, closes = parse_window(window)
        late = self.late_until if late_until is None else MonthDay.parse(late_until)
        return dataclasses.replace(self, window_opens=opens, window_closes=closes, late_until=late)

    def phase(self, day: dt.date) -> Phase:
        """How often sources are crawled on DAY (a date in the policy's zone)."""
        today = MonthDay.of(day)
        if self.window_opens <= today <= self.window_closes:
            return Phase.DAILY
        if self.window_closes < today <= self.late_until:
            return Phase.WEEKLY
        return Phase.MONTHLY

    def window_close(self, year: int) -> dt.datetime:
        """The instant the window of YEAR closes: the start of the day after its last day."""
        last = _day_in(year, self.window_closes)
        return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), self.zone)

    def describe(self) -> str:
        return (
            f"daily {self.window_opens}/{self.window_closes}, weekly to {self.late_until}, "
            f"monthly otherwise; {self.night} {self.timezone}"
        )


@dataclass(frozen=True)
class Slot:
    """A source's own place in the schedule, fixed by its slug."""

    minute: int  # minutes after the night starts
    weekday: int  # Monday = 0, for weekly runs
    monthday: int  # 1–28 (every month has it), for monthly runs

    @classmethod
    def of(cls, slug: str, night: Night) -> Slot:
        # crc32, not hash(): Python salts str hashes per process, and the slot must not move
        # between restarts.
        digest = zlib.crc32(slug.encode("utf-8"))
        return cls(
            minute=digest % night.minutes,
            weekday=(digest // night.minutes) % 7,
            monthday=1 + (digest // (night.minutes * 7)) % 28,
        )


def next_run(policy: Policy, slug: str, start: dt.datetime) -> dt.datetime:
    """The first run of SLUG at or after START (aware), in the policy's time zone."""
    if start.tzinfo is None:
        raise ValueError(f"naive datetime {start!r}: pass an aware datetime")
    zone = policy.zone
    slot = Slot.of(slug, policy.night)
    # A night that passes midnight started the evening before: look one day back.
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(_SEARCH_DAYS):
        if _runs_on(policy, slot, day):
            begins = dt.datetime.combine(day, policy.night.start, zone)
            at = (begins + dt.timedelta(minutes=slot.minute)).astimezone(zone)
            if at >= start:
                return at
        day += dt.timedelta(days=1)
    raise AssertionError(f"no run day for {slug} within {_SEARCH_DAYS} days of {start}")


def target_year(when: dt.datetime, policy: Policy) -> int:
    """The report year a crawl at WHEN is after: the year before, in the policy's zone."""
    return when.astimezone(policy.zone).year - 1


def parse_window(text: str) -> tuple[MonthDay, MonthDay]:
    """``MM-DD/MM-DD``: the first and last day crawled daily."""
    first, sep, last = text.partition("/")
    if not sep:
        raise ValueError(f"{text!r} is not a window written MM-DD/MM-DD")
    return MonthDay.parse(first), MonthDay.parse(last)


def _runs_on(policy: Policy, slot: Slot, day: dt.date) -> bool:
    phase = policy.phase(day)
    if phase is Phase.DAILY:
        return True
    if phase is Phase.WEEKLY:
        return day.weekday() == slot.weekday
    return day.day == slot.monthday


def _day_in(year: int, day: MonthDay) -> dt.date:
    """DAY in YEAR; 02-29 in a common year is 28 February, the last day before March."""
    try:
        return dt.date(year, day.month, day.day)
    except ValueError:
        return dt.date(year, 2, 28)


def _clock(text: str) -> dt.time:
    match = _CLOCK.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{text!r} is not a time written HH:MM")
    return dt.time(int(match[1]), int(match[2]))


def _minute_of_day(time: dt.time) -> int:
    return time.hour * 60 + time.minute
