"""What a built replica site holds, as records: the facts its manifest is read off
(tests/replica/ground_truth.py), and the filler titles its columns are padded with."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from tests.replica import hazards
from tests.replica.listing import Entry


@dataclass(frozen=True)
class CopyFact:
    report: str
    path: str
    text: str  # the report text a reader must get from the page
    attachments: tuple[dict[str, str], ...]
    date: dt.date  # the page's publication date, as it prints it
    parts: tuple[str, ...] = ()  # its later pages (正文分页) or its frame: the copy as well


@dataclass(frozen=True)
class FileFact:
    report: str
    path: str
    media_type: str
    text: str


@dataclass(frozen=True)
class DocumentFact:
    path: str
    title: str
    doc_type: str | None  # what archive.extract.classify must say; None for fillers (not claimed)


@dataclass(frozen=True)
class ListingFact:
    column: str
    title: str
    pages: tuple[str, ...]  # canonical path of each page
    items: int


@dataclass(frozen=True)
class RedirectFact:
    hops: tuple[tuple[int, str], ...]  # (status, path) of each redirecting URL, in order
    target: str


@dataclass(frozen=True)
class DecoyFact:
    path: str
    title: str
    rule: str  # the robots.txt line that forbids it


@dataclass(frozen=True)
class SitemapFact:
    index: str
    urlsets: tuple[str, ...]


@dataclass
class Facts:
    copies: list[CopyFact] = field(default_factory=list)
    files: list[FileFact] = field(default_factory=list)
    documents: list[DocumentFact] = field(default_factory=list)
    listings: list[ListingFact] = field(default_factory=list)
    redirects: list[RedirectFact] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)
    decoys: list[DecoyFact] = field(default_factory=list)
    traps: list[hazards.Trap] = field(default_factory=list)
    sitemaps: list[SitemapFact] = field(default_factory=list)


def filler_titles(templates: list[str], count: int) -> list[tuple[str, int]]:
    """`count` (template, n) pairs: every template once, then the numbered ones for n = 2, 3, …"""
    numbered = [t for t in templates if "{n}" in t]
    if count > len(templates) and not numbered:
        raise ValueError(f"only {len(templates)} filler titles, {count} wanted")
    pairs = [(template, 1) for template in templates]
    for n in itertools.count(2):
        if len(pairs) >= count:
            return pairs[:count]
        pairs += [(template, n) for template in numbered]
    raise AssertionError("unreachable")
