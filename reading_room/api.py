"""The JSON API under /api/v1/: the HTML pages' twins, for programs.

Lists page by cursor (``limit`` and a ``next`` URL, keyset underneath, so page 500 costs what
page 1 does). The export streams the `fazhi export` contract record by record, so a whole
archive leaves without being held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from archive.storage import diffing
from archive.storage import export as exporter
from archive.storage.queries import NotFound, get_report, pick
from reading_room import schemas, searching, serialize
from reading_room.catalogue import count, describe, list_reports
from reading_room.coverage import matrix
from reading_room.database import reading
from reading_room.dependencies import Db, Urls
from reading_room.links import decode_cursor, encode_cursor
from reading_room.parameters import (
    Agency,
    ChangedSince,
    City,
    CoverageYear,
    Cursor,
    Day,
    Level,
    Limit,
    Province,
    ReportId,
    Timeliness,
    VersionChoice,
    VersionNumber,
    Year,
    filters,
    utc,
)

router = APIRouter(prefix="/api/v1", tags=["api"], responses=schemas.ERRORS)


@router.get("/reports", response_model=schemas.ReportList, summary="Reports, filtered and paged")
def reports(
    db: Db,
    urls: Urls,
    year: Year = None,
    province: Province = None,
    level: Level = None,
    agency: Agency = None,
    changed_since: ChangedSince = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> schemas.ReportList:
    wanted = filters(year, province, level, agency, changed_since)
    page = list_reports(db, wanted, decode_cursor(cursor), limit)
    following = None
    if page.after is not None:
        following = urls.api(
            "/reports", {**wanted.query(), "limit": limit, "cursor": encode_cursor(page.after)}
        )
    return schemas.ReportList(
        results=[serialize.summary(r, urls) for r in page.reports],
        total=count(db, wanted),
        next=following,
    )


@router.get(
    "/reports/{report_id}",
    response_model=schemas.ReportDetail,
    summary="One report: its versions and every URL each was seen at",
)
def report(db: Db, urls: Urls, report_id: ReportId) -> schemas.ReportDetail:
    found = get_report(db, report_id)
    [listed] = describe(db, [report_id])
    return serialize.detail(listed, found, urls)


@router.get(
    "/reports/{report_id}/versions/{version}",
    response_model=schemas.Version,
    summary="One version's text, metadata, sightings and attachments",
)
def version(db: Db, urls: Urls, report_id: ReportId, version: VersionNumber) -> schemas.Version:
    _, found = pick(get_report(db, report_id), version, version)
    return serialize.version(found, urls)


@router.get(
    "/reports/{report_id}/diff",
    response_model=schemas.Diff,
    summary="Two versions side by side (default: the last two)",
)
def diff(
    db: Db,
    urls: Urls,
    report_id: ReportId,
    from_version: Annotated[VersionChoice, Query(alias="from")] = None,
    to_version: Annotated[VersionChoice, Query(alias="to")] = None,
) -> schemas.Diff:
    before, after = pick(get_report(db, report_id), from_version, to_version)
    rows = diffing.side_by_side(before.text, after.text)
    return serialize.diff(report_id, before.version, after.version, rows, urls)


@router.get(
    "/coverage",
    response_model=schemas.Coverage,
    summary="Expected publishers on time, late, undated, missing or without a portal, per "
    "region and year: provinces, a province's cities and own publishers, a city's publishers",
)
def coverage(
    db: Db,
    urls: Urls,
    province: Province = None,
    city: City = None,
    level: Level = None,
    year: CoverageYear = None,
) -> schemas.Coverage:
    if city and not province:
        raise NotFound("a city is looked up within a province: give province too")
    found = matrix(db, province or None, city or None, level or None, year)
    return serialize.coverage(found, urls)


@router.get(
    "/search",
    response_model=schemas.SearchResults,
    summary="Full-text search: every report whose text contains the terms",
)
def search_reports(
    db: Db,
    urls: Urls,
    q: searching.SearchText,
    year: Year = None,
    province: Province = None,
    level: Level = None,
    agency: Agency = None,
    timeliness: Timeliness = None,
    changed_since: ChangedSince = None,
    all_versions: searching.AllVersions = False,
    limit: searching.SearchLimit = 20,
    cursor: searching.SearchCursor = None,
) -> schemas.SearchResults:
    asked = searching.Asked(
        q, year, province, level, agency, utc(changed_since), all_versions, timeliness
    )
    found = searching.run(db, asked, limit, cursor)
    following = None
    if found.next_cursor is not None:
        following = urls.api(
            "/search", {**asked.query(), "limit": limit, "cursor": found.next_cursor}
        )
    return schemas.SearchResults(
        results=[serialize.hit(hit, urls) for hit in found.hits],
        total=found.total,
        facets={
            name: [schemas.FacetCount(value=v, count=n) for v, n in counts]
            for name, counts in found.facets.items()
        },
        next=following,
    )


@router.get(
    "/export",
    summary="Every version, streamed: the `fazhi export` contract (docs/schema.md)",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/x-ndjson": {}, "text/csv": {}},
            "description": "One record per report version",
        }
    },
)
def export(
    db: Db,
    format: Annotated[Literal["jsonl", "csv"], Query(description="jsonl or csv")] = "jsonl",
    since: Day = None,
) -> StreamingResponse:
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    lines = exporter.jsonl_lines if format == "jsonl" else exporter.csv_lines

    def stream() -> Iterator[bytes]:
        # its own session: the response is streamed after the request's session has closed
        with reading(engine) as session:
            for chunk in lines(exporter.records(session, since)):
                yield chunk.encode("utf-8")

    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    name = f"fazhi-export.{format}"
    return StreamingResponse(
        stream(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
