"""Search, as the page and the API both ask it: parameters in, one page of results out.

The engine is ``archive.search`` (exact substring semantics, the same results on SQLite and
PostgreSQL: docs/search.md). Its query language can be wrong in ways no parameter schema can
say (an unclosed quote, only ``-terms``): those are 400s with the engine's own message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query
from sqlalchemy.orm import Session

from archive.search import MAX_LIMIT, QueryError, SearchFilters, SearchPage, search
from reading_room.links import BadRequest
from reading_room.parameters import PRINTABLE

SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        pattern=PRINTABLE,
        description='Terms (ANDed), "exact phrases", -excluded terms; matched as substrings '
        "of the Simplified text and title",
    ),
]
SearchCursor = Annotated[
    str | None,
    Query(
        max_length=400,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="From a previous page's `next`: valid for the same query and filters only",
    ),
]
AllVersions = Annotated[
    bool, Query(description="Search every version, not only each report's latest")
]
SearchLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")]


@dataclass(frozen=True)
class Asked:
    """One search as asked: its text, filters, scope and page."""

    q: str
    year: int | None = None
    province: str | None = None
    level: str | None = None
    agency: str | None = None  # exact, as the agency facet lists it
    changed_since: dt.datetime | None = None
    all_versions: bool = False
    timeliness: str | None = None

    def filters(self) -> SearchFilters:
        return SearchFilters(
            report_year=self.year,
            province=self.province,
            level=self.level or None,
            agency=self.agency,
            timeliness=self.timeliness or None,
            changed_since=self.changed_since,
        )

    def query(self) -> dict[str, str]:
        """As query parameters, for links that keep the search (facets, the next page)."""
        values = {
            "q": self.q,
            "year": self.year,
            "province": self.province,
            "level": self.level,
            "agency": self.agency,
            "timeliness": self.timeliness,
            "changed_since": self.changed_since.isoformat() if self.changed_since else None,
            "all_versions": "true" if self.all_versions else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def run(session: Session, asked: Asked, limit: int, cursor: str | None) -> SearchPage:
    try:
        return search(
            session,
            asked.q,
            asked.filters(),
            all_versions=asked.all_versions,
            limit=limit,
            cursor=cursor,
        )
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
