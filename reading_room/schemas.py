"""The JSON API's shapes: what `/api/v1/` answers, and what its OpenAPI description promises.

Field names follow the export contract (archive/storage/export.py) where they mean the same
thing (``report_id``, ``report_year``, ``region``, ``first_seen``…), so a consumer reads an
export and the API alike. Every shape links to its HTML twin (``html_url``) and back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class Region(BaseModel):
    province: str | None
    city: str | None
    county: str | None
    code: str | None = Field(description="6-digit 行政区划代码 (GB/T 2260)")


class VersionLine(BaseModel):
    version: int
    title: str
    published_date: dt.date | None
    first_seen: dt.datetime = Field(description="First sighting (UTC)")
    last_seen: dt.datetime = Field(description="Latest sighting (UTC)")
    url: str = Field(description="This version in the API")
    html_url: str


class ReportSummary(BaseModel):
    report_id: int
    agency: str | None
    report_year: int | None
    region: Region
    level: str | None = Field(description="省 / 市 / 县 / 部门")
    created_at: dt.datetime = Field(description="First archived (UTC)")
    versions: int
    latest: VersionLine | None
    url: str = Field(description="This report in the API")
    html_url: str


class ReportList(BaseModel):
    results: list[ReportSummary]
    total: int = Field(description="Reports matching the filters, on every page")
    next: str | None = Field(description="The next page's URL; null on the last page")


class SearchHit(BaseModel):
    report_id: int
    version: int
    title: str
    snippet: str = Field(
        description="The text around the first match, HTML-escaped, matches in <mark>…</mark>"
    )
    agency: str | None
    report_year: int | None
    province: str | None
    level: str | None
    published_date: dt.date | None
    score: float = Field(description="Higher first: matches in the title, then in the text")
    url: str = Field(description="This version in the API")
    html_url: str


class FacetCount(BaseModel):
    value: str
    count: int


class SearchResults(BaseModel):
    results: list[SearchHit]
    total: int = Field(description="Matching reports (or versions), on every page")
    facets: dict[str, list[FacetCount]] = Field(
        description="Counts over the whole result set, by report_year, province, level, agency"
    )
    next: str | None = Field(description="The next page's URL; null on the last page")


class Sighting(BaseModel):
    url: str
    site: str
    is_repost: bool = Field(description="Seen on a site that is not the issuing body's own")
    first_seen: dt.datetime
    last_seen: dt.datetime


class Attachment(BaseModel):
    id: int
    url: str = Field(description="Where the file was published")
    file_name: str
    media_type: str | None
    size: int | None
    sha256: str | None
    text_unavailable: str | None
    download_url: str | None = Field(description="The archived file; null if never fetched")


class VersionHistory(VersionLine):
    sightings: list[Sighting]


class ReportDetail(ReportSummary):
    history: list[VersionHistory] = Field(description="Every version, oldest first")
    timemap_url: str = Field(description="Memento TimeMap (RFC 7089) of the versions")


class Version(BaseModel):
    report_id: int
    version: int
    title: str
    title_original: str
    text: str = Field(description="Simplified, NFKC, a paragraph a line")
    text_original: str
    published_date: dt.date | None
    signed_date: dt.date | None
    metadata: dict[str, Any] = Field(description="索引号 table and meta tags")
    script: str | None
    repairs: list[str]
    content_sha256: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    sightings: list[Sighting]
    attachments: list[Attachment]
    capture_url: str = Field(description="The page as archived (sandboxed: nothing in it runs)")
    html_url: str


class Span(BaseModel):
    kind: Literal["equal", "delete", "insert"]
    text: str


class DiffRow(BaseModel):
    kind: Literal["equal", "change", "delete", "insert"]
    old: list[Span] | None
    new: list[Span] | None
    old_number: int | None
    new_number: int | None


class Diff(BaseModel):
    report_id: int
    from_version: int
    to_version: int
    changed: int = Field(description="Rows that are not equal")
    rows: list[DiffRow]
    html_url: str


class CoverageCount(BaseModel):
    year: int
    counts: dict[str, int] = Field(
        description="Expected publishers per measure (see `measures`); every measure is present"
    )


class CoverageCell(CoverageCount):
    status: str | None = Field(
        default=None, description="A publisher's row: its measure on this year (one of `measures`)"
    )
    published_date: dt.date | None = None
    date_source: Literal["page", "first_seen"] | None = Field(
        default=None, description="Where the date that decided the status came from"
    )
    report_id: int | None = Field(
        default=None, description="A publisher's row: the report that counts"
    )
    report_url: str | None = Field(default=None, description="That report in the API")
    report_html_url: str | None = Field(default=None, description="That report's page")


class CoverageRow(BaseModel):
    kind: Literal["region", "publisher"] = Field(
        description="A region (counts over its publishers) or one expected publisher"
    )
    name: str = Field(description="Province or city; a publisher's agency (…人民政府, a 部门)")
    division_code: str = Field(description="6-digit 行政区划代码 (GB/T 2260)")
    level: str | None = Field(description="A publisher's level: 省 / 市 / 县 / 部门")
    cells: list[CoverageCell] = Field(description="Years the row has expected publishers in")
    drill_url: str | None = Field(description="The same matrix one level down")


class Coverage(BaseModel):
    measures: list[str] = Field(
        description="What the counts count: on_time, late, undated, missing_checked (a crawl "
        "of its portal answered and found none), missing_unchecked, no_portal"
    )
    province: str | None
    city: str | None
    level: str | None = Field(description="Only publishers of this level, when given")
    years: list[int]
    rows: list[CoverageRow]
    totals: list[CoverageCount] = Field(description="Per year, over every row")
    html_url: str


class ErrorDetail(BaseModel):
    status: int
    message: str
    details: list[dict[str, Any]] | None = None


class Error(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Error, "description": description}
    for status, description in (
        (400, "A parameter the API cannot use (a bad cursor, a bad query)"),
        (404, "No such report, version or file"),
        (422, "A parameter of the wrong type or out of range"),
    )
}
