"""Reports listed, filtered and paged: what the home page, the API and the feeds list.

Paging is by keyset, never by offset: a page is "the next LIMIT reports after id N", so the
50,000th report costs what the first did and a consumer walking the whole archive with
``next`` never skips nor repeats one while the crawler adds more (new reports get higher ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from archive.storage.models import Report, ReportVersion, Source

LEVELS = ("省", "市", "县", "部门")

#: A report's level: its source's (the registry says 省, 市, 县 or 部门), else read off its
#: 行政区划代码 (a province's code ends in 0000, a prefecture's in 00).
report_level: ColumnElement[str | None] = func.coalesce(
    Source.level,
    case(
        (Report.division_code.like("__0000"), "省"),
        (Report.division_code.like("____00"), "市"),
        (Report.division_code.is_not(None), "县"),
        else_=None,
    ),
)


@dataclass(frozen=True)
class Filters:
    """What a listing is narrowed to; ``changed_since``: a version of the report was first
    archived at or after that moment (a new report, or a new text of an old one)."""

    year: int | None = None
    province: str | None = None
    level: str | None = None
    agency: str | None = None  # part of the agency's name
    changed_since: dt.datetime | None = None

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links that keep them."""
        values = {
            "year": self.year,
            "province": self.province,
            "level": self.level,
            "agency": self.agency,
            "changed_since": self.changed_since.isoformat() if self.changed_since else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class VersionLine:
    """A version as a listing shows it: no text."""

    version: int
    title: str
    published_date: dt.date | None
    first_seen: dt.datetime
    last_seen: dt.datetime


@dataclass(frozen=True)
class Listed:
    id: int
    agency: str | None
    report_year: int | None
    province: str | None
    city: str | None
    county: str | None
    division_code: str | None
    level: str | None
    created_at: dt.datetime
    versions: list[VersionLine] = field(default_factory=list)

    @property
    def latest(self) -> VersionLine | None:
        return self.versions[-1] if self.versions else None

    @property
    def region(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county) if p)


@dataclass(frozen=True)
class Page:
    reports: list[Listed]
    after: int | None  # the cursor of the next page, None on the last


def filtered(filters: Filters) -> Select[Any]:
    """Report ids matching FILTERS (joined to their source for the level)."""
    query = select(Report.id).outerjoin(Source, Source.id == Report.source_id)
    if filters.year is not None:
        query = query.where(Report.report_year == filters.year)
    if filters.province:
        query = query.where(Report.province == filters.province)
    if filters.level:
        query = query.where(report_level == filters.level)
    if filters.agency:
        query = query.where(Report.agency.contains(filters.agency, autoescape=True))
    if filters.changed_since is not None:
        changed = select(ReportVersion.report_id).where(
            ReportVersion.first_seen >= filters.changed_since
        )
        query = query.where(Report.id.in_(changed))
    return query


def list_reports(
    session: Session, filters: Filters, after: int | None = None, limit: int = 50
) -> Page:
    """LIMIT reports matching FILTERS with ids above AFTER, by id."""
    query = filtered(filters).order_by(Report.id).limit(limit + 1)
    if after is not None:
        query = query.where(Report.id > after)
    ids = list(session.scalars(query))
    more = len(ids) > limit
    ids = ids[:limit]
    return Page(describe(session, ids), ids[-1] if more else None)


def describe(session: Session, ids: Sequence[int]) -> list[Listed]:
    """The reports IDS with their versions' lines, in the order of IDS."""
    if not ids:
        return []
    rows = session.execute(
        select(Report, report_level)
        .outerjoin(Source, Source.id == Report.source_id)
        .where(Report.id.in_(ids))
    )
    listed = {
        report.id: Listed(
            report.id,
            report.agency,
            report.report_year,
            report.province,
            report.city,
            report.county,
            report.division_code,
            level,
            report.created_at,
        )
        for report, level in rows
    }
    lines = session.execute(
        select(
            ReportVersion.report_id,
            ReportVersion.version,
            ReportVersion.title,
            ReportVersion.published_date,
            ReportVersion.first_seen,
            ReportVersion.last_seen,
        )
        .where(ReportVersion.report_id.in_(ids))
        .order_by(ReportVersion.report_id, ReportVersion.version)
    )
    for report_id, number, title, published, first_seen, last_seen in lines:
        listed[report_id].versions.append(
            VersionLine(number, title, published, first_seen, last_seen)
        )
    return [listed[i] for i in ids if i in listed]


def count(session: Session, filters: Filters) -> int:
    return session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0


def facets(session: Session, filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """Counts of the matching reports by year, province and level, most first (Datasette's
    facets): each value is a link that narrows the listing further."""
    matching = filtered(filters).subquery()
    columns: dict[str, ColumnElement[Any] | InstrumentedAttribute[Any]] = {
        "year": Report.report_year,
        "province": Report.province,
        "level": report_level,
    }
    result = {}
    for name, column in columns.items():
        label = column.label("value")
        rows = session.execute(
            select(label, func.count())
            .select_from(Report)
            .outerjoin(Source, Source.id == Report.source_id)
            .where(Report.id.in_(select(matching.c.id)), column.is_not(None))
            .group_by(label)
            .order_by(func.count().desc(), label)
        )
        result[name] = [(str(value), n) for value, n in rows]
    return result
