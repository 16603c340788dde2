"""A division of GB/T 2260 over the years it existed, and how code is asked about one.

Discovery, coverage accounting and the reading room all ask the same two questions (which
division has this code, which divisions had this name in that year), so they meet on one
protocol and a table or an in-memory test gazetteer can answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Level = Literal["省", "市", "县"]


@dataclass(frozen=True)
class Division:
    """One code's life: valid from ``valid_from`` to ``valid_to`` (report years, inclusive;
    None while it still exists); ``successor_code`` is where it went when it ended."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    valid_from: int
    valid_to: int | None = None
    successor_code: str | None = None

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


class DivisionLookup(Protocol):
    def by_code(self, code: str) -> Division | None:
        """The division with this code (its latest life, if the code was reused)."""

    def by_name(
        self, name: str, year: int | None = None, within: str | None = None
    ) -> list[Division]:
        """Divisions that bore NAME (full or the short form portals write) in YEAR (any year
        when None), under the division coded WITHIN when given."""
