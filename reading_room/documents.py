"""What the reading room serves besides pages and JSON: archived bytes, feeds, Memento.

Archived bytes (a version's original capture, an attachment) go out under the capture
policy (reading_room.security): sandboxed, nothing in them runs, nothing loads from the
portal. Attachments are always downloads, under their archived name.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Path
from fastapi.responses import RedirectResponse, Response

from archive.storage.models import Attachment, Report
from archive.storage.queries import NotFound, get_report, pick
from reading_room import captures, feeds
from reading_room.catalogue import Filters
from reading_room.dependencies import DataDir, Db, Urls
from reading_room.links import MAX_ID, BadRequest, Links
from reading_room.parameters import Level, Province, ReportId, VersionNumber
from reading_room.security import CAPTURE_POLICY

router = APIRouter(include_in_schema=False)
ATOM = "application/atom+xml; charset=utf-8"
LINK_FORMAT = "application/link-format"
#: A media type as RFC 9110 writes one, parameters allowed; anything else is sent as bytes.
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;[\x20-\x7e]*)?$")
#: Files a reader downloads as what they are; any other type goes out as plain bytes.
_DOWNLOAD_TYPE = re.compile(
    r"^(application/(pdf|msword|vnd\.[\w.+-]+|zip|x-zip-compressed)|text/plain)\s*(;|$)"
)


@router.get("/reports/{report_id}/v/{version}/capture")
def capture(
    db: Db, data_dir: DataDir, urls: Urls, report_id: ReportId, version: VersionNumber
) -> Response:
    _, found = pick(get_report(db, report_id), version, version)
    original = captures.of_version(db, data_dir, found)
    media = original.content_type or "text/html"
    return Response(
        original.body,
        media_type=media if _MEDIA_TYPE.match(media) else "application/octet-stream",
        headers={
            "Content-Security-Policy": CAPTURE_POLICY,
            "Memento-Datetime": feeds.http_date(original.fetched_at),
            "Link": _memento_links(urls, report_id, original.url),
        },
    )


@router.get("/attachments/{attachment_id}")
def attachment(
    db: Db, data_dir: DataDir, attachment_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    item = db.get(Attachment, attachment_id)
    if item is None:
        raise NotFound(f"no attachment {attachment_id}")
    original = captures.of_attachment(db, data_dir, item)
    media = item.media_type or ""
    return Response(
        original.body,
        media_type=media if _DOWNLOAD_TYPE.match(media) else "application/octet-stream",
        headers={
            "Content-Security-Policy": CAPTURE_POLICY,
            "Content-Disposition": content_disposition(item.file_name),
        },
    )


def content_disposition(name: str) -> str:
    """A download under NAME (RFC 6266): UTF-8 for browsers, an ASCII stand-in for the rest."""
    fallback = re.sub(r"[^\w.-]", "_", name.encode("ascii", "replace").decode()) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/reports/{report_id}/timemap")
def timemap(db: Db, urls: Urls, report_id: ReportId) -> Response:
    report = get_report(db, report_id)
    text = feeds.timemap(
        _original(report),
        urls.timemap(report_id),
        urls.timegate(report_id),
        _mementos(report, urls),
    )
    return Response(text, media_type=LINK_FORMAT)


@router.get("/reports/{report_id}/timegate")
def timegate(
    db: Db,
    urls: Urls,
    report_id: ReportId,
    accept_datetime: Annotated[str | None, Header(max_length=100)] = None,
) -> Response:
    """RFC 7089 §4.1: a 302 to the version current at Accept-Datetime (the latest without)."""
    report = get_report(db, report_id)
    wanted = None
    if accept_datetime:
        try:
            wanted = parsedate_to_datetime(accept_datetime).astimezone(dt.UTC)
        except (TypeError, ValueError, OverflowError):
            raise BadRequest(f"Accept-Datetime {accept_datetime!r} is not an HTTP date") from None
    mementos = _mementos(report, urls)
    if not mementos:
        raise NotFound(f"report {report_id} has no versions")
    return RedirectResponse(
        feeds.memento_at(mementos, wanted),
        status_code=302,
        headers={
            "Vary": "accept-datetime",
            "Link": _memento_links(urls, report_id, _original(report)),
        },
    )


def _original(report: Report) -> str:
    first = captures.first_sighting(report.versions[0]) if report.versions else None
    return first.url if first else ""


def _mementos(report: Report, urls: Links) -> list[tuple[str, dt.datetime]]:
    return [(urls.capture(report.id, v.version), v.first_seen) for v in report.versions]


def _memento_links(urls: Links, report_id: int, original: str) -> str:
    return ", ".join(
        [
            f'<{feeds.link_uri(original)}>; rel="original"',
            f'<{urls.timemap(report_id)}>; rel="timemap"; type="{LINK_FORMAT}"',
            f'<{urls.timegate(report_id)}>; rel="timegate"',
        ]
    )


@router.get("/feeds/reports.atom")
def reports_feed(db: Db, urls: Urls, province: Province = None, level: Level = None) -> Response:
    wanted = Filters(province=province or None, level=level or None)
    entries = [
        (
            urls.report(r.id),
            r.latest.title if r.latest else f"{r.agency or '?'} {r.report_year or '?'}",
            urls.report(r.id),
            r.created_at,
            f"{r.agency or '?'} · {r.report_year or '?'} · {r.region or '—'}",
        )
        for r in feeds.new_reports(db, wanted)
    ]
    title = _feed_title("新报告", wanted)
    return Response(
        feeds.atom(title, urls.feed("reports", wanted.query()), urls.home(), entries),
        media_type=ATOM,
    )


@router.get("/feeds/versions.atom")
def versions_feed(db: Db, urls: Urls, province: Province = None, level: Level = None) -> Response:
    wanted = Filters(province=province or None, level=level or None)
    entries = [
        (
            urls.version(report.id, version.version),
            f"{version.title}（第{version.version}版）",
            urls.diff(report.id, version.version - 1, version.version),
            version.first_seen,
            f"{report.agency or '?'} · {report.report_year or '?'}: "
            f"第{version.version}版, {len(version.text)} 字",
        )
        for version, report in feeds.new_versions(db, wanted)
    ]
    title = _feed_title("报告新版本", wanted)
    return Response(
        feeds.atom(title, urls.feed("versions", wanted.query()), urls.home(), entries),
        media_type=ATOM,
    )


def _feed_title(what: str, wanted: Filters) -> str:
    scope = " · ".join(v for v in (wanted.province, wanted.level) if v)
    return f"法治政府建设情况报告 · {what}" + (f"（{scope}）" if scope else "")
