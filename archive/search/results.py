"""What a search is asked and what it answers: the contract the reading room codes against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Facets computed over the whole result set, in the order pages show them: each a search_doc
#: column and a SearchFilters field of the same name. ``timeliness`` is the report's on_time /
#: late / undated as ``fazhi coverage`` decides it (archive/coverage/deadline.py).
FACETS = ("report_year", "province", "level", "timeliness", "agency")


@dataclass(frozen=True)
class SearchFilters:
    """Narrow the results; every field optional, None = no filter. Values match exactly."""

    report_year: int | None = None
    province: str | None = None
    level: str | None = None
    agency: str | None = None
    timeliness: str | None = None  # on_time / late / undated
    changed_since: dt.datetime | None = None  # versions first seen at or after this (aware) time


@dataclass(frozen=True)
class Hit:
    report_id: int
    version: int
    title: str
    snippet: str  # HTML-escaped text with <mark>…</mark> around matches, safe to insert as markup
    agency: str | None
    report_year: int | None
    province: str | None
    level: str | None
    published_date: dt.date | None
    score: float


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]  # facet -> (value, count), over all results
    next_cursor: str | None  # opaque; None on the last page


__all__ = ["FACETS", "Hit", "SearchFilters", "SearchPage"]
