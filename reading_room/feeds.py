"""Atom feeds of new reports and new versions, and each report's Memento TimeMap (RFC 7089).

The feeds are feedgen's (it writes the XML with lxml, escaping as XML wants); a feed reader
polls them, narrowed by province and level, to learn what the crawler found. The TimeMap lists
a report's versions as mementos of the report's first URL, each dated by its first sighting,
so Memento tools (the Time Travel service, pywb, memgator) read the archive as any web archive.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from email.utils import format_datetime
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage.models import Report, ReportVersion, Source
from reading_room.catalogue import Filters, Listed, describe, filtered, report_level

ENTRIES = 50
#: What XML 1.0 cannot carry at all (lxml refuses it): C0 controls but tab, line feed and
#: carriage return; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Characters that may stand in a link-format URI reference as they are; the rest (<, >, ",
#: spaces, non-ASCII…) are percent-encoded so an archived URL cannot end its <…> early.
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def xml_safe(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def new_reports(session: Session, filters: Filters) -> list[Listed]:
    """The ENTRIES reports archived last, matching FILTERS (province and level)."""
    ids = session.scalars(
        filtered(filters).order_by(Report.created_at.desc(), Report.id.desc()).limit(ENTRIES)
    )
    return describe(session, list(ids))


def new_versions(session: Session, filters: Filters) -> list[tuple[ReportVersion, Report]]:
    """The ENTRIES corrections archived last (versions 2 and up), matching FILTERS."""
    query = (
        select(ReportVersion, Report)
        .join(Report, Report.id == ReportVersion.report_id)
        .outerjoin(Source, Source.id == Report.source_id)
        .where(ReportVersion.version > 1)
        .order_by(ReportVersion.first_seen.desc(), ReportVersion.id.desc())
        .limit(ENTRIES)
    )
    if filters.province:
        query = query.where(Report.province == filters.province)
    if filters.level:
        query = query.where(report_level == filters.level)
    return [(version, report) for version, report in session.execute(query)]


def atom(
    title: str,
    self_url: str,
    home_url: str,
    entries: Iterable[tuple[str, str, str, dt.datetime, str]],
) -> bytes:
    """An Atom document; each entry is (id URL, title, link, updated, summary)."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(xml_safe(title))
    feed.author({"name": "fazhi-archive"})
    feed.link(href=self_url, rel="self")
    feed.link(href=home_url, rel="alternate")
    feed.language("zh-CN")
    latest = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for entry_id, entry_title, link, updated, summary in entries:
        entry = feed.add_entry(order="append")
        entry.id(entry_id)
        entry.title(xml_safe(entry_title))
        entry.link(href=link)
        entry.updated(updated)
        entry.summary(xml_safe(summary))
        latest = max(latest, updated)
    feed.updated(latest)
    result: bytes = feed.atom_str(pretty=True)
    return result


def http_date(moment: dt.datetime) -> str:
    """RFC 1123 in GMT, as Memento's datetime attributes and headers want."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def link_uri(url: str) -> str:
    return quote(url, safe=_URI_SAFE)


def timemap(
    original: str,
    self_url: str,
    timegate_url: str,
    mementos: list[tuple[str, dt.datetime]],
) -> str:
    """An RFC 7089 TimeMap (application/link-format); MEMENTOS: (URL, datetime), oldest first."""
    links = [f'<{link_uri(original)}>; rel="original"']
    self_link = f'<{link_uri(self_url)}>; rel="self"; type="application/link-format"'
    if mementos:
        self_link += f'; from="{http_date(mementos[0][1])}"; until="{http_date(mementos[-1][1])}"'
    links += [self_link, f'<{link_uri(timegate_url)}>; rel="timegate"']
    for n, (url, moment) in enumerate(mementos):
        rel = " ".join(["first"] * (n == 0) + ["last"] * (n == len(mementos) - 1) + ["memento"])
        links.append(f'<{link_uri(url)}>; rel="{rel}"; datetime="{http_date(moment)}"')
    return ",\n".join(links) + "\n"


def memento_at(mementos: list[tuple[str, dt.datetime]], wanted: dt.datetime | None) -> str:
    """The TimeGate's choice: the last memento at or before WANTED, else the first one;
    the latest when WANTED is None (RFC 7089 §4.1.1)."""
    if wanted is None:
        return mementos[-1][0]
    before = [url for url, moment in mementos if moment <= wanted]
    return before[-1] if before else mementos[0][0]
