"""Who was expected to publish the report on a year, and who did: on time, late, undated,
missing (checked by a crawl or not), or with no portal known (docs/coverage.md).

The expected publishers of year Y are every division's 人民政府 valid in Y (the ``division``
table) and every department source (level 部门) of the ``source`` table whose division existed
in Y. This module reads the archive and decides each one's status in Python; the ``coverage``
view (migration 0009) says the same in SQL, and a test holds the two to each other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from archive.coverage.deadline import TIMELINESS, timeliness, window_opens
from archive.coverage.divisions import Division, Level
from archive.runs.verdict import ANSWERED_PREFIX
from archive.storage.models import (
    AdminDivision,
    CrawlRun,
    Report,
    ReportVersion,
    Sighting,
    Source,
)

GOVERNMENT_LEVELS = ("省", "市", "县")
DEPARTMENT = "部门"
STATUSES = (*TIMELINESS, "missing", "no_portal")
FIELDS = (
    "division_code",
    "agency",
    "level",
    "report_year",
    "status",
    "published_date",
    "date_source",
    "first_seen",
    "report_id",
    "url",
    "source_slug",
    "province",
    "crawled",
)


@dataclass(frozen=True)
class Publisher:
    """A body expected to publish the report on ``report_year``."""

    division_code: str
    agency: str
    level: str  # 省 / 市 / 县, or 部门
    report_year: int
    province: str
    portals: tuple[str, ...]  # slugs of its known sites, first the one shown
    current_code: str | None = None  # where a government's reports are filed today

    @property
    def government(self) -> bool:
        return self.level != DEPARTMENT


@dataclass(frozen=True)
class Found:
    """The archived report that counts for a publisher."""

    report_id: int
    published_date: dt.date | None
    first_seen: dt.datetime
    url: str | None


@dataclass(frozen=True)
class Entry:
    """One line of the coverage report (the JSON object and the view's row)."""

    division_code: str
    agency: str
    level: str
    report_year: int
    status: str
    published_date: dt.date | None
    date_source: str | None
    first_seen: dt.datetime | None
    report_id: int | None
    url: str | None
    source_slug: str | None
    province: str
    crawled: bool  # a portal of it answered a crawl after the window opened

    def as_json(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in FIELDS}
        for name in ("published_date", "first_seen"):
            row[name] = row[name].isoformat() if row[name] else None
        return row


def status(found: Found | None, publisher: Publisher) -> tuple[str, str | None]:
    """The status and where its date came from (``page`` or ``first_seen``). Whether a
    ``missing`` was checked by a crawl is the entry's ``crawled``, beside it."""
    if found is None:
        return ("missing" if publisher.portals else "no_portal"), None
    return timeliness(publisher.report_year, found.published_date, found.first_seen)


# --- reading the archive ---------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceRow:
    slug: str
    agency: str | None
    level: str | None
    division_code: str | None


def divisions(session: Session) -> list[tuple[Division, str | None]]:
    """The ``division`` table: each life with its current code."""
    rows = session.scalars(select(AdminDivision).order_by(AdminDivision.code, AdminDivision.id))
    return [
        (
            Division(
                code=r.code,
                name=r.name,
                level=cast(Level, r.level),
                parent_code=r.parent_code,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                successor_code=r.successor_code,
            ),
            r.current_code,
        )
        for r in rows
    ]


def publishers(
    table: Sequence[tuple[Division, str | None]], sources: Iterable[_SourceRow], year: int
) -> list[Publisher]:
    """Every body expected to report on YEAR: governments, then departments."""
    valid = {d.code: (d, current) for d, current in table if d.valid_in(year)}
    portals: defaultdict[str, list[str]] = defaultdict(list)
    departments: list[_SourceRow] = []
    for source in sorted(sources, key=lambda s: s.slug):
        if source.division_code is None:
            continue
        if source.level in GOVERNMENT_LEVELS:
            portals[source.division_code].append(source.slug)
        elif source.level == DEPARTMENT and source.agency and source.division_code in valid:
            departments.append(source)

    def province(code: str) -> str:
        found = valid.get(code[:2] + "0000")
        return found[0].name if found else ""

    found = []
    for division, current in valid.values():
        parent = valid.get(division.parent_code or "")
        city = parent[0].name if parent and parent[0].level == "市" else ""
        codes = dict.fromkeys(c for c in (division.code, current) if c)
        found.append(
            Publisher(
                division_code=division.code,
                agency=f"{city}{division.name}人民政府",
                level=division.level,
                report_year=year,
                province=province(division.code),
                portals=tuple(sorted(slug for code in codes for slug in portals[code])),
                current_code=current,
            )
        )
    found += [
        Publisher(
            division_code=cast(str, s.division_code),
            agency=cast(str, s.agency),
            level=DEPARTMENT,
            report_year=year,
            province=province(cast(str, s.division_code)),
            portals=(s.slug,),
        )
        for s in departments
    ]
    return found


Filed = dict[str, list[tuple[int, str | None]]]  # division code → (report id, agency), by id


def _reports(session: Session, year: int) -> Filed:
    rows = session.execute(
        select(Report.id, Report.division_code, Report.agency)
        .where(Report.report_year == year, Report.division_code.is_not(None))
        .order_by(Report.id)
    )
    filed: Filed = defaultdict(list)
    for report_id, code, agency in rows:
        filed[cast(str, code)].append((report_id, agency))  # not null: the query says so
    return filed


def _found(session: Session, report_id: int) -> Found:
    versions = session.execute(
        select(ReportVersion.published_date, ReportVersion.first_seen).where(
            ReportVersion.report_id == report_id
        )
    ).all()
    url = session.scalar(
        select(Sighting.url)
        .join(ReportVersion, ReportVersion.id == Sighting.version_id)
        .where(ReportVersion.report_id == report_id)
        .order_by(Sighting.is_repost, Sighting.first_seen, Sighting.id)
        .limit(1)
    )
    dates = [d for d, _ in versions if d is not None]
    return Found(report_id, min(dates, default=None), min(seen for _, seen in versions), url)


def answered_sources(session: Session, year: int) -> set[str]:
    """Slugs whose portal answered a page in a finished crawl since the window of YEAR opened."""
    stats = session.scalars(
        select(CrawlRun.stats).where(
            CrawlRun.status == "ok", CrawlRun.started_at >= window_opens(year)
        )
    )
    return {
        key.removeprefix(ANSWERED_PREFIX)
        for run in stats
        for key, value in (run or {}).items()
        if key.startswith(ANSWERED_PREFIX) and int(value) > 0
    }


def account(session: Session, year: int) -> list[Entry]:
    """The coverage report on YEAR, one entry per expected publisher, in code order."""
    sources = [
        _SourceRow(s.slug, s.agency, s.level, s.division_code)
        for s in session.scalars(select(Source))
    ]
    reports = _reports(session, year)
    answered = answered_sources(session, year)
    entries = []
    for publisher in publishers(divisions(session), sources, year):
        report_id = _match(publisher, reports)
        found = _found(session, report_id) if report_id is not None else None
        state, date_source = status(found, publisher)
        entries.append(
            Entry(
                division_code=publisher.division_code,
                agency=publisher.agency,
                level=publisher.level,
                report_year=year,
                status=state,
                published_date=found.published_date if found else None,
                date_source=date_source,
                first_seen=found.first_seen if found else None,
                report_id=report_id,
                url=found.url if found else None,
                source_slug=publisher.portals[0] if publisher.portals else None,
                province=publisher.province,
                crawled=any(slug in answered for slug in publisher.portals),
            )
        )
    return sorted(entries, key=lambda e: (e.division_code, e.level == DEPARTMENT, e.agency))


def _match(publisher: Publisher, reports: Filed) -> int | None:
    """The first archived report that is this publisher's: a government's is filed under its
    code or today's successor by a body named ...政府; a department's under its division by
    the agency its registry entry names."""
    if not publisher.government:
        filed = reports.get(publisher.division_code, [])
        return next((rid for rid, agency in filed if agency == publisher.agency), None)
    codes = {publisher.division_code, publisher.current_code} - {None}
    ids = [
        rid
        for code in codes
        for rid, agency in reports.get(cast(str, code), [])
        if agency is not None and agency.endswith("政府")
    ]
    return min(ids, default=None)


def missing_by_source(session: Session) -> dict[str, set[int]]:
    """Report years the ``coverage`` view has as missing (crawled, not found), per portal."""
    rows = session.execute(
        text("SELECT source_slug, report_year FROM coverage WHERE status = 'missing' AND crawled")
    )
    missing: defaultdict[str, set[int]] = defaultdict(set)
    for slug, year in rows:
        missing[slug].add(year)
    return dict(missing)


def totals(entries: Iterable[Entry], by: str) -> dict[str, Counter[str]]:
    """Counts of each status per value of BY (``province`` or ``level``)."""
    counted: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        counted[getattr(entry, by)][entry.status] += 1
    return dict(counted)
