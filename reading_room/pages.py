"""The pages a person reads: the archive's listing, a report, a diff, coverage, the feeds.

Each page names its JSON twin (a link in the page and ``<link rel="alternate">``), so
what a person sees a program can fetch, as Datasette does. Pages are plain HTML forms and
links: they work with JavaScript off, and the security policy runs none.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from archive.storage import diffing
from archive.storage.models import Report, ReportVersion
from archive.storage.queries import NotFound, get_report, pick
from reading_room import captures, searching
from reading_room.catalogue import LEVELS, count, describe, facets, list_reports
from reading_room.coverage import MEASURE_LABELS, matrix, matrix_query
from reading_room.dependencies import Db, Urls
from reading_room.links import decode_cursor, encode_cursor
from reading_room.parameters import (
    Agency,
    ChangedSince,
    City,
    Cursor,
    Level,
    Province,
    ReportId,
    Timeliness,
    VersionChoice,
    VersionNumber,
    YearField,
    filters,
)
from reading_room.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PAGE_SIZE = 50
#: Unchanged paragraphs shown around a change; longer unchanged runs fold away.
CONTEXT = 2


@router.get("/")
def home(
    request: Request,
    db: Db,
    urls: Urls,
    year: YearField = None,
    province: Province = None,
    level: Level = None,
    agency: Agency = None,
    changed_since: ChangedSince = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    wanted = filters(int(year) if year else None, province, level, agency, changed_since)
    page = list_reports(db, wanted, decode_cursor(cursor), PAGE_SIZE)
    query = wanted.query()
    return render(
        request,
        "home.html",
        {
            "page": page,
            "total": count(db, wanted),
            "facets": facets(db, wanted),
            "filters": wanted,
            "query": query,
            "levels": LEVELS,
            "next_url": urls.home({**query, "cursor": encode_cursor(page.after)})
            if page.after is not None
            else None,
            "json_url": urls.api("/reports", query),
        },
    )


@router.get("/search")
def search_page(
    request: Request,
    db: Db,
    urls: Urls,
    q: searching.SearchText,
    year: YearField = None,
    province: Province = None,
    level: Level = None,
    agency: Agency = None,
    timeliness: Timeliness = None,
    all_versions: searching.AllVersions = False,
    cursor: searching.SearchCursor = None,
) -> HTMLResponse:
    asked = searching.Asked(
        q,
        int(year) if year else None,
        province,
        level,
        agency,
        all_versions=all_versions,
        timeliness=timeliness,
    )
    found = searching.run(db, asked, PAGE_SIZE, cursor)
    query = asked.query()
    return render(
        request,
        "search.html",
        {
            "found": found,
            "asked": asked,
            "query": query,
            "next_url": urls.search({**query, "cursor": found.next_cursor})
            if found.next_cursor
            else None,
            "json_url": urls.api("/search", query),
        },
    )


@router.get("/reports/{report_id}")
def report_page(request: Request, db: Db, urls: Urls, report_id: ReportId) -> HTMLResponse:
    return _report(request, db, urls, report_id, None)


@router.get("/reports/{report_id}/v/{version}")
def version_page(
    request: Request, db: Db, urls: Urls, report_id: ReportId, version: VersionNumber
) -> HTMLResponse:
    return _report(request, db, urls, report_id, version)


def _report(
    request: Request, db: Db, urls: Urls, report_id: int, number: int | None
) -> HTMLResponse:
    report = get_report(db, report_id)
    _, shown = pick(report, number, number)  # the latest when NUMBER is None
    [listed] = describe(db, [report_id])
    return render(
        request,
        "report.html",
        {
            "report": report,
            "listed": listed,
            "shown": shown,
            "latest": report.versions[-1],
            "permalink": urls.version(report_id, shown.version),
            "metadata": _metadata(shown),
            "sightings": _sightings(report),
            "origin": captures.first_sighting(shown),
            "json_url": urls.api_version(report_id, shown.version)
            if number is not None
            else urls.api_report(report_id),
        },
    )


def _metadata(version: ReportVersion) -> list[tuple[str, str]]:
    """The 索引号 table as (field, value) rows, values as text whatever their JSON type."""
    return [
        (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in version.metadata_.items()
    ]


def _sightings(report: Report) -> list[dict[str, Any]]:
    """Every URL the report was seen at, with the versions seen there, first seen first."""
    rows = [{"sighting": s, "version": v.version} for v in report.versions for s in v.sightings]
    return sorted(rows, key=lambda r: (r["sighting"].first_seen, r["sighting"].id))


@router.get("/reports/{report_id}/diff")
def diff_page(
    request: Request,
    db: Db,
    urls: Urls,
    report_id: ReportId,
    from_version: Annotated[VersionChoice, Query(alias="from")] = None,
    to_version: Annotated[VersionChoice, Query(alias="to")] = None,
) -> HTMLResponse:
    report = get_report(db, report_id)
    before, after = pick(report, from_version, to_version)
    rows = diffing.side_by_side(before.text, after.text)
    return render(
        request,
        "diff.html",
        {
            "report": report,
            "before": before,
            "after": after,
            "runs": fold(rows),
            "changes": sum(row.kind != "equal" for row in rows),
            "title_rows": diffing.side_by_side(before.title, after.title),
            "json_url": urls.api_diff(report_id, before.version, after.version),
        },
    )


def fold(rows: list[diffing.Row]) -> list[tuple[bool, list[tuple[int, diffing.Row]]]]:
    """ROWS in runs: (folded, [(change number or 0, row)…]). A run of unchanged paragraphs
    longer than 2 × CONTEXT + 1 is folded (a <details> the reader may open), but for the
    CONTEXT paragraphs next to each change; changes are numbered from 1 for their anchors."""
    near = {
        n
        for n, row in enumerate(rows)
        if row.kind != "equal"
        for n in range(n - CONTEXT, n + CONTEXT + 1)
    }
    runs: list[tuple[bool, list[tuple[int, diffing.Row]]]] = []
    change = 0
    for n, row in enumerate(rows):
        if row.kind != "equal":
            change += 1
        folded = row.kind == "equal" and n not in near
        if not runs or runs[-1][0] != folded:
            runs.append((folded, []))
        runs[-1][1].append((change if row.kind != "equal" else 0, row))
    # a folded run too short to be worth a click is shown
    return [(folded and len(run) > CONTEXT, run) for folded, run in runs]


@router.get("/coverage")
def coverage_page(
    request: Request,
    db: Db,
    urls: Urls,
    province: Province = None,
    city: City = None,
    level: Level = None,
    year: YearField = None,
) -> HTMLResponse:
    if city and not province:
        raise NotFound("a city is looked up within a province: give province too")
    found = matrix(db, province or None, city or None, level or None, int(year) if year else None)
    here = matrix_query(found, found.province, found.city)
    return render(
        request,
        "coverage.html",
        {
            "matrix": found,
            "totals": found.totals(),
            "here": here,
            "levels": LEVELS,
            "labels": MEASURE_LABELS,
            "json_url": urls.api("/coverage", here),
        },
    )


@router.get("/feeds")
def feeds_page(request: Request, db: Db, urls: Urls) -> HTMLResponse:
    provinces = [name for name, _ in facets(db, filters())["province"]]
    return render(
        request,
        "feeds.html",
        {"provinces": sorted(provinces), "levels": LEVELS, "json_url": urls.api("/reports")},
    )
