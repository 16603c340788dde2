"""What the spider hands the archive pipeline: every response, and every failure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from archive.storage.source_info import SourceInfo


@dataclass
class PageItem:
    """One HTTP response, archived whatever it is (listing, report, file, error page)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    source: str  # registry slug
    kind: str  # crawler.discovery.LinkKind value: candidate, listing, attachment, …
    final_url: str | None = None
    parent_url: str | None = None  # the report page an attachment was linked from
    anchor: str | None = None
    rendered: bool = False  # fetched through the browser
    # The further resources a report page spans (archive.extract.spans): its continuation
    # pages or its body's frame, in order, and how they join (PAGES, FRAME); archived with it.
    parts: tuple[PageItem, ...] = ()
    span: str | None = None


@dataclass
class FailureItem:
    """A request that got no response: DNS, refused, timeout, too large, out of scope."""

    url: str
    error: str
    fetched_at: dt.datetime
    source: str
    status: int | None = None


@dataclass(frozen=True)
class Job:
    """One item with what storing it needs, so a spooled job stores without its crawl."""

    item: PageItem | FailureItem
    run_id: int
    source: SourceInfo | None
    region_hint: str | None = None
