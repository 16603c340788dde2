"""The query and path parameters pages and API share, with the bounds that make a bad one a
422 instead of a database error: ids within the columns' range, text without control
characters (PostgreSQL refuses NUL), levels from their list, a page size that stays small."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from pydantic import BeforeValidator

from reading_room.catalogue import Filters
from reading_room.links import MAX_ID, BadRequest

MAX_LIMIT = 500
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="Report id")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="Version number, from 1")]
Year = Annotated[int | None, Query(ge=1949, le=2100, description="Year reported on")]
Province = Annotated[
    str | None, Query(max_length=50, pattern=PRINTABLE, description="Province, e.g. 福建省")
]
City = Annotated[str | None, Query(max_length=50, pattern=PRINTABLE, description="City")]
Level = Annotated[
    Literal["省", "市", "县", "部门", ""] | None,
    Query(description="Level of the issuing body (empty: any, as a form sends it)"),
]
Timeliness = Annotated[
    Literal["on_time", "late", "undated", ""] | None,
    Query(
        description="Reports published before the deadline (on_time), after it (late), or "
        "first seen after it with no date on the page (undated), as fazhi coverage says"
    ),
]
#: A report year the ``coverage`` view accounts for (it starts with the division data, 2002).
CoverageYear = Annotated[int | None, Query(ge=2002, le=2100, description="Report year")]
#: The year as a form sends it: empty when not chosen.
YearField = Annotated[str | None, Query(max_length=4, pattern=r"^(\d{4})?$")]
Agency = Annotated[
    str | None, Query(max_length=200, pattern=PRINTABLE, description="Part of the agency name")
]


def iso_only(value: object) -> object:
    """A date or moment in ISO 8601 text only: pydantic would also read a number as a Unix
    time (``since=0.0`` as 1970-01-01), which no consumer means."""
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError("expected an ISO 8601 date, e.g. 2024-03-31 or 2024-03-31T08:00:00Z")
    return value


ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
Day = Annotated[
    dt.date | None,
    BeforeValidator(iso_only),
    Query(description="Only versions seen on or after this day (ISO 8601)"),
]
ChangedSince = Annotated[
    dt.datetime | None,
    BeforeValidator(iso_only),
    Query(
        description="Only reports with a version first archived at or after this moment "
        "(ISO 8601; UTC unless it says otherwise)"
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")]
Cursor = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{1,10}$", description="From a previous page's `next`"),
]
VersionChoice = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """MOMENT as an aware UTC datetime (a naive one is taken as UTC)."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except OverflowError:
        raise BadRequest(f"{moment.isoformat()} is out of range") from None


def filters(
    year: int | None = None,
    province: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    changed_since: dt.datetime | None = None,
) -> Filters:
    return Filters(year, province or None, level or None, agency or None, utc(changed_since))


def one_value_each(request: Request) -> None:
    """A parameter given twice (``?year=2023&year=2024``) is ambiguous: refused, not guessed."""
    keys = [key for key, _ in request.query_params.multi_items()]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise BadRequest(f"give each parameter once: {', '.join(repeated)} given more than once")
