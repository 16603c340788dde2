"""The coverage matrix: regions down the side, report years across, counts in the cells.

Until the coverage accounting (expected reports against the archive) lands, the one measure
is ``archived``: reports archived per region and year. A cell holds a count per measure, so
the matrix takes on-time, late and missing counts as further measures without changing its
shape, its page or its API. Rows drill down: provinces, then a province's cities, then a
city's counties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from archive.storage.models import Report

MEASURES = ("archived",)


@dataclass(frozen=True)
class Row:
    name: str | None  # None: reports not placed at this level
    cells: dict[int, dict[str, int]]  # year -> measure -> count

    def count(self, year: int, measure: str = "archived") -> int:
        return self.cells.get(year, {}).get(measure, 0)


@dataclass(frozen=True)
class Matrix:
    province: str | None
    city: str | None
    years: list[int]
    rows: list[Row]
    measures: tuple[str, ...] = MEASURES

    @property
    def drills(self) -> bool:
        """Whether a row leads one level down (provinces to cities to counties)."""
        return self.city is None

    def totals(self) -> dict[int, int]:
        return {year: sum(row.count(year) for row in self.rows) for year in self.years}


def matrix(session: Session, province: str | None = None, city: str | None = None) -> Matrix:
    """Provinces × years; with PROVINCE, its cities; with CITY too, that city's counties."""
    column: InstrumentedAttribute[str | None] = Report.province
    query = select(Report.report_year, func.count(Report.id)).where(Report.report_year.is_not(None))
    if province is not None:
        query = query.where(Report.province == province)
        column = Report.city
        if city is not None:
            query = query.where(Report.city == city)
            column = Report.county
    counts: dict[str | None, dict[int, dict[str, int]]] = defaultdict(dict)
    years: set[int] = set()
    for year, n, name in session.execute(
        query.add_columns(column).group_by(column, Report.report_year)
    ):
        counts[name][year] = {"archived": n}
        years.add(year)
    rows = sorted(
        (Row(name, cells) for name, cells in counts.items()),
        key=lambda row: (row.name is None, row.name or ""),
    )
    return Matrix(province, city, sorted(years), rows)
