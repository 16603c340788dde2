"""The archive's rows as the API's shapes (reading_room.schemas), links included."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from archive.search import Hit
from archive.storage import diffing
from archive.storage.models import Attachment, Report, ReportVersion, Sighting
from reading_room import schemas
from reading_room.catalogue import Listed, VersionLine
from reading_room.coverage import Matrix, Row, matrix_query
from reading_room.links import Links


def version_line(
    report_id: int, line: VersionLine | ReportVersion, links: Links
) -> schemas.VersionLine:
    return schemas.VersionLine(
        version=line.version,
        title=line.title,
        published_date=line.published_date,
        first_seen=line.first_seen,
        last_seen=line.last_seen,
        url=links.api_version(report_id, line.version),
        html_url=links.version(report_id, line.version),
    )


def summary(listed: Listed, links: Links) -> schemas.ReportSummary:
    latest = listed.latest
    return schemas.ReportSummary(
        report_id=listed.id,
        agency=listed.agency,
        report_year=listed.report_year,
        region=schemas.Region(
            province=listed.province,
            city=listed.city,
            county=listed.county,
            code=listed.division_code,
        ),
        level=listed.level,
        created_at=listed.created_at,
        versions=len(listed.versions),
        latest=version_line(listed.id, latest, links) if latest else None,
        url=links.api_report(listed.id),
        html_url=links.report(listed.id),
    )


def hit(found: Hit, links: Links) -> schemas.SearchHit:
    return schemas.SearchHit(
        **dataclasses.asdict(found),
        url=links.api_version(found.report_id, found.version),
        html_url=links.version(found.report_id, found.version),
    )


def sightings(version: ReportVersion) -> list[schemas.Sighting]:
    return [_sighting(s) for s in sorted(version.sightings, key=lambda s: (s.first_seen, s.id))]


def _sighting(sighting: Sighting) -> schemas.Sighting:
    return schemas.Sighting(
        url=sighting.url,
        site=sighting.site,
        is_repost=sighting.is_repost,
        first_seen=sighting.first_seen,
        last_seen=sighting.last_seen,
    )


def attachment(item: Attachment, links: Links) -> schemas.Attachment:
    return schemas.Attachment(
        id=item.id,
        url=item.url,
        file_name=item.file_name,
        media_type=item.media_type,
        size=item.size,
        sha256=item.sha256,
        text_unavailable=item.text_unavailable,
        download_url=links.attachment(item.id) if item.fetch_id is not None else None,
    )


def detail(listed: Listed, report: Report, links: Links) -> schemas.ReportDetail:
    history = [
        schemas.VersionHistory(
            **version_line(report.id, v, links).model_dump(), sightings=sightings(v)
        )
        for v in report.versions
    ]
    return schemas.ReportDetail(
        **summary(listed, links).model_dump(),
        history=history,
        timemap_url=links.timemap(report.id),
    )


def version(version: ReportVersion, links: Links) -> schemas.Version:
    report_id = version.report_id
    return schemas.Version(
        report_id=report_id,
        version=version.version,
        title=version.title,
        title_original=version.title_original,
        text=version.text,
        text_original=version.text_original,
        published_date=version.published_date,
        signed_date=version.signed_date,
        metadata=version.metadata_,
        script=version.script,
        repairs=version.repairs,
        content_sha256=version.content_sha256,
        first_seen=version.first_seen,
        last_seen=version.last_seen,
        sightings=sightings(version),
        attachments=[attachment(a, links) for a in sorted(version.attachments, key=lambda a: a.id)],
        capture_url=links.capture(report_id, version.version),
        html_url=links.version(report_id, version.version),
    )


def diff(report_id: int, old: int, new: int, rows: list[diffing.Row], links: Links) -> schemas.Diff:
    def spans(side: tuple[diffing.Span, ...] | None) -> list[schemas.Span] | None:
        return None if side is None else [schemas.Span(kind=s.kind, text=s.text) for s in side]

    return schemas.Diff(
        report_id=report_id,
        from_version=old,
        to_version=new,
        changed=sum(row.kind != "equal" for row in rows),
        rows=[
            schemas.DiffRow(
                kind=row.kind,
                old=spans(row.old),
                new=spans(row.new),
                old_number=row.old_number,
                new_number=row.new_number,
            )
            for row in rows
        ],
        html_url=links.diff(report_id, old, new),
    )


def coverage(matrix: Matrix, links: Links) -> schemas.Coverage:
    def cell(row: Row, year: int) -> schemas.CoverageCell:
        counts = {measure: row.count(year, measure) for measure in matrix.measures}
        status = row.statuses.get(year)
        if status is None:
            return schemas.CoverageCell(year=year, counts=counts)
        found = status.report_id
        return schemas.CoverageCell(
            year=year,
            counts=counts,
            status=status.measure,
            published_date=status.published_date,
            date_source=cast(Any, status.date_source),
            report_id=found,
            report_url=links.api_report(found) if found else None,
            report_html_url=links.report(found) if found else None,
        )

    def drill(row: Row) -> str | None:
        if row.drill is None:
            return None
        province, city = row.drill
        return links.api("/coverage", matrix_query(matrix, province, city))

    totals = matrix.totals()
    return schemas.Coverage(
        measures=list(matrix.measures),
        province=matrix.province,
        city=matrix.city,
        level=matrix.level,
        years=matrix.years,
        rows=[
            schemas.CoverageRow(
                kind=row.kind,
                name=row.name,
                division_code=row.code,
                level=row.level,
                cells=[cell(row, year) for year in matrix.years if year in row.cells],
                drill_url=drill(row),
            )
            for row in matrix.rows
        ],
        totals=[
            schemas.CoverageCell(year=year, counts={m: totals[year][m] for m in matrix.measures})
            for year in matrix.years
        ],
        html_url=links.coverage(**matrix_query(matrix, matrix.province, matrix.city)),
    )
