"""The run history: crawl runs, what the scheduler recorded beside them, and each source's health.

A ``crawl_run`` row is written by the crawl itself (its pipeline opens and closes it); a
``schedule_event`` row is what the scheduler saw that is not a crawl: a due time missed or folded
into one run, a run refused because the source was already being crawled, a crawl process that
died before it opened its run, and a report that had not come when its window closed. Reading
both gives the operator one history (``fazhi runs``) and one verdict per source
(``fazhi health``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from archive.runs.schedule_policy import Policy
from archive.storage.models import CrawlRun, Report, ScheduleEvent, Source

# Scrapy stats the pipeline and spider keep, as the operator reads them.
REPORT_STATS = ("fazhi/archive/new_report", "fazhi/archive/new_version")
ERROR_STATS = ("fazhi/archive/failure", "fazhi/archive/error")


def counts(stats: dict[str, Any]) -> dict[str, int]:
    """The operator's four numbers, from a crawl's Scrapy stats."""
    return {
        "pages": stats.get("response_received_count", 0),
        "candidates": stats.get("fazhi/request/candidate", 0)
        + stats.get("fazhi/request/attachment", 0),
        "reports": sum(stats.get(key, 0) for key in REPORT_STATS),
        "errors": sum(stats.get(key, 0) for key in ERROR_STATS),
    }


def record(session: Session, kind: str, slug: str, **fields: Any) -> ScheduleEvent:
    """Add a ``schedule_event`` row (the caller commits)."""
    event = ScheduleEvent(kind=kind, source_slug=slug, **fields)
    session.add(event)
    return event


# `fazhi sources discover`'s runs: they walk a portal for other sites, not for its reports.
DISCOVER = "discover"


def crawls_of(slug: str) -> Any:
    """Runs whose sources include SLUG. Slugs are ``[a-z0-9-]``, so the quoted slug in the JSON
    list's text matches exactly that element on both backends."""
    return cast(CrawlRun.sources, String).like(f'%"{slug}"%')


def run_opened_by(session: Session, slug: str, trigger: str, since: dt.datetime) -> CrawlRun | None:
    """The run a crawl of SLUG started at SINCE opened. The scheduler lets one crawl of a
    source run at a time, so the latest such run is that crawl's."""
    return session.scalars(
        select(CrawlRun)
        .where(crawls_of(slug), CrawlRun.trigger == trigger, CrawlRun.started_at >= since)
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).first()


def running(session: Session, slug: str) -> CrawlRun | None:
    """The latest run of SLUG still marked running, if any."""
    return session.scalars(
        select(CrawlRun)
        .where(crawls_of(slug), CrawlRun.status == "running")
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).first()


def close(run: CrawlRun, status: str, reason: str) -> None:
    """End a run its crawl could not end itself (killed, timed out), saying why."""
    run.status = status
    run.finished_at = run.finished_at or dt.datetime.now(dt.UTC)
    run.error_summary = "; ".join(filter(None, (reason, run.error_summary)))


@dataclass(frozen=True)
class Entry:
    """One line of the history: a crawl run or a scheduler event."""

    at: dt.datetime
    sources: tuple[str, ...]
    what: str  # "run", or the event's kind
    trigger: str | None
    status: str
    pages: int | None = None
    reports: int | None = None
    errors: int | None = None
    duration: dt.timedelta | None = None
    detail: str | None = None
    run_id: int | None = None
    verdict: str | None = None  # archive.runs.verdict of a closed run


def history(session: Session, slug: str | None = None, limit: int = 30) -> list[Entry]:
    """The latest LIMIT runs and events, newest first; of one source when SLUG is given."""
    runs = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    events = select(ScheduleEvent).order_by(ScheduleEvent.id.desc()).limit(limit)
    if slug is not None:
        runs = runs.where(crawls_of(slug))
        events = events.where(ScheduleEvent.source_slug == slug)
    entries = [_run_entry(run) for run in session.scalars(runs)]
    entries += [_event_entry(event) for event in session.scalars(events)]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def _run_entry(run: CrawlRun) -> Entry:
    numbers = counts(run.stats or {})
    return Entry(
        at=run.started_at,
        sources=tuple(run.sources),
        what="run",
        trigger=run.trigger,
        status=run.status,
        pages=numbers["pages"],
        reports=numbers["reports"],
        errors=numbers["errors"],
        duration=run.finished_at - run.started_at if run.finished_at else None,
        detail="; ".join(filter(None, (run.error_summary, run.verdict_reasons))) or None,
        run_id=run.id,
        verdict=run.verdict,
    )


def _event_entry(event: ScheduleEvent) -> Entry:
    detail = event.detail
    if event.report_year is not None:
        detail = f"report on {event.report_year}: {detail}"
    return Entry(
        at=event.at,
        sources=(event.source_slug,),
        what=event.kind,
        trigger=event.trigger,
        status=event.kind,
        detail=detail,
        run_id=event.crawl_run_id,
    )


# --- expectations and health -------------------------------------------------------------


def years_found(session: Session, slug: str) -> dict[int, dt.datetime]:
    """Report years archived from SLUG's own site, with when each was first archived."""
    rows = session.execute(
        select(Report.report_year, func.min(Report.created_at))
        .join(Source, Report.source_id == Source.id)
        .where(Source.slug == slug, Report.report_year.is_not(None))
        .group_by(Report.report_year)
    )
    return {year: _aware(first) for year, first in rows if year is not None}


def check_expectation(
    session: Session,
    slug: str,
    policy: Policy,
    expects: Callable[[int], bool],
    now: dt.datetime,
) -> int | None:
    """Record ``missing`` when the window of this year has closed without the report on last
    year from a source that expects it and has published before; returns the year recorded.
    Idempotent: a year already recorded is not recorded again."""
    year = now.astimezone(policy.zone).year - 1
    if now < policy.window_close(year + 1) or not expects(year):
        return None
    found = years_found(session, slug)
    if year in found or not any(earlier < year for earlier in found):
        return None
    already = session.scalar(
        select(ScheduleEvent.id).where(
            ScheduleEvent.source_slug == slug,
            ScheduleEvent.kind == "missing",
            ScheduleEvent.report_year == year,
        )
    )
    if already is not None:
        return None
    closed = policy.window_close(year + 1)
    record(
        session,
        "missing",
        slug,
        report_year=year,
        detail=f"not archived when the window closed ({closed:%Y-%m-%d %H:%M %Z})",
    )
    return year


@dataclass(frozen=True)
class Health:
    """One source's state: when it last crawled well, what it has, what it lacks."""

    slug: str
    last_success: dt.datetime | None
    years: tuple[int, ...]
    missing: tuple[int, ...]  # recorded missing and still not archived
    late: tuple[int, ...]  # archived after the window of the following year closed
    failing: int = 0  # latest runs in a row that failed or were not judged healthy
    last_verdict: str | None = None  # archive.runs.verdict of the latest closed run, and why


def failing_streak(session: Session, slug: str, limit: int = 20) -> tuple[int, str | None]:
    """How many of SLUG's latest closed runs in a row went wrong, and the latest verdict."""
    rows = session.execute(
        select(CrawlRun.status, CrawlRun.verdict, CrawlRun.verdict_reasons)
        .where(crawls_of(slug), CrawlRun.status != "running", CrawlRun.trigger != DISCOVER)
        .order_by(CrawlRun.id.desc())
        .limit(limit)
    ).all()
    streak = 0
    for status, verdict, _ in rows:
        if status == "ok" and verdict in (None, "healthy"):
            break
        streak += 1
    latest = None
    if rows:
        status, verdict, reasons = rows[0]
        latest = ": ".join(filter(None, (verdict or status, reasons)))
    return streak, latest


def health(
    session: Session,
    slug: str,
    policy: Policy,
    seen_missing: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> Health:
    """SLUG's state. Its missing years are those the scheduler recorded and SEEN_MISSING (the
    ``coverage`` view's, archive.coverage.accounting.missing_by_source) whose window has
    closed by NOW, less any archived since."""
    now = now or dt.datetime.now(dt.UTC)
    after_window = {y for y in seen_missing if now >= policy.window_close(y + 1)}
    last = session.scalar(
        select(func.max(CrawlRun.finished_at)).where(
            crawls_of(slug),
            CrawlRun.trigger != DISCOVER,  # a discovery run walked the portal, found no reports
            CrawlRun.status == "ok",
            or_(CrawlRun.verdict.is_(None), CrawlRun.verdict != "failed"),
        )
    )
    found = years_found(session, slug)
    failing, last_verdict = failing_streak(session, slug)
    recorded = session.scalars(
        select(ScheduleEvent.report_year).where(
            ScheduleEvent.source_slug == slug, ScheduleEvent.kind == "missing"
        )
    )
    return Health(
        slug=slug,
        last_success=_aware(last) if last else None,
        years=tuple(sorted(found)),
        missing=tuple(sorted(({y for y in recorded if y is not None} | after_window) - set(found))),
        late=tuple(y for y, first in sorted(found.items()) if first >= policy.window_close(y + 1)),
        failing=failing,
        last_verdict=last_verdict,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    """Aggregates bypass the UTC column type: SQLite hands them back naive (or as text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
