"""When a year's report is due, and whether one was published in time.

Kept apart from the accounting (archive/coverage/accounting.py) because the search index
(archive/search/index.py) states each report's timeliness too, as a facet, and must say it
exactly as ``fazhi coverage`` does.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The deadline is China's, whatever the scheduler's time zone: before 1 April of Y+1.
CHINA = ZoneInfo("Asia/Shanghai")
DEADLINE_MONTH, DEADLINE_DAY = 4, 1
#: A report's timeliness, as coverage and the search facet name it.
TIMELINESS = ("on_time", "late", "undated")


def deadline(year: int) -> dt.date:
    """The report on YEAR is on time when published before this day."""
    return dt.date(year + 1, DEADLINE_MONTH, DEADLINE_DAY)


def window_opens(year: int) -> dt.datetime:
    """From when a crawl can find the report on YEAR: 1 January of YEAR+1, China time."""
    return dt.datetime(year + 1, 1, 1, tzinfo=CHINA)


def timeliness(
    year: int, published_date: dt.date | None, first_seen: dt.datetime
) -> tuple[str, str]:
    """The report's timeliness and where its date came from (``page`` or ``first_seen``).

    A page's own publication date decides; without one, a first sighting before the deadline
    still proves the report on time, while a later one cannot say it was late (``undated``).
    """
    due = deadline(year)
    if published_date is not None:
        return ("on_time" if published_date < due else "late"), "page"
    seen = first_seen.astimezone(CHINA).date()
    return ("on_time" if seen < due else "undated"), "first_seen"


__all__ = ["CHINA", "TIMELINESS", "deadline", "timeliness", "window_opens"]
