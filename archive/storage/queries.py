"""Read-side queries behind `fazhi reports`: list, show, diff between versions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archive.errors import ArchiveError
from archive.storage.anatomies import LOADS
from archive.storage.models import Report, ReportVersion


class NotFound(ArchiveError):
    """No such report or version."""


def list_reports(
    session: Session, year: int | None = None, agency: str | None = None, limit: int = 200
) -> Sequence[tuple[Report, int]]:
    """Reports with their number of versions, newest year first; agency matches a substring."""
    versions = func.count(ReportVersion.id)
    query = (
        select(Report, versions)
        .join(ReportVersion, ReportVersion.report_id == Report.id)
        .group_by(Report.id)
        .order_by(Report.report_year.desc(), Report.agency, Report.id)
        .limit(limit)
    )
    if year is not None:
        query = query.where(Report.report_year == year)
    if agency:
        query = query.where(Report.agency.contains(agency))
    return [(report, count) for report, count in session.execute(query)]


def get_report(session: Session, report_id: int) -> Report:
    report = session.scalar(
        select(Report)
        .where(Report.id == report_id)
        .options(
            selectinload(Report.versions).selectinload(ReportVersion.sightings),
            selectinload(Report.versions).selectinload(ReportVersion.attachments),
            selectinload(Report.versions).options(*LOADS),
        )
    )
    if report is None:
        raise NotFound(f"no report {report_id}")
    return report


def pick(
    report: Report, old: int | None = None, new: int | None = None
) -> tuple[ReportVersion, ReportVersion]:
    """The two versions to compare: those asked for, by default the last two."""
    by_number = {v.version: v for v in report.versions}
    if not by_number:
        raise NotFound(f"report {report.id} has no versions")
    new = new if new is not None else max(by_number)
    old = old if old is not None else max((n for n in by_number if n < new), default=new)
    for number in (old, new):
        if number not in by_number:
            raise NotFound(f"report {report.id} has no version {number}")
    return by_number[old], by_number[new]


def diff(report: Report, old: int | None = None, new: int | None = None) -> list[str]:
    """Unified diff, a paragraph a line, between two versions (default: the last two)."""
    before, after = pick(report, old, new)
    return list(
        difflib.unified_diff(
            before.text.split("\n"),
            after.text.split("\n"),
            fromfile=f"report {report.id} v{before.version} ({before.first_seen:%Y-%m-%d})",
            tofile=f"report {report.id} v{after.version} ({after.first_seen:%Y-%m-%d})",
            lineterm="",
        )
    )
