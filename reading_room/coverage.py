"""The coverage matrix: regions down the side, report years across, and in each cell how many
expected publishers published on time, late, undated, are missing (checked by a crawl or not)
or have no portal known. Everything is read from the ``coverage`` view, the SQL twin of
`fazhi coverage`, so the page, the API and the command count alike.

Rows drill down: the provinces; then a province's own publishers (its government and its
departments), its cities, and the county-level divisions it governs directly (a 直辖市's
districts, 省直辖县级 cities); then a city's publishers: itself, its departments, its counties
and theirs. A publisher's row says its status in each year and links its report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Boolean, Date, Integer, String, column, func, select, table
from sqlalchemy.orm import Session

from archive.coverage.accounting import DEPARTMENT
from archive.coverage.deadline import CHINA, deadline
from archive.storage.models import AdminDivision, Report
from archive.storage.queries import NotFound

#: What a cell counts, in the order pages show them; ``missing`` is split by ``crawled``.
MEASURES = ("on_time", "late", "undated", "missing_checked", "missing_unchecked", "no_portal")

#: How a page names each measure, and what it means.
MEASURE_LABELS = {
    "on_time": ("按时", "次年4月1日前发布（页面日期，或首次发现早于截止日）"),
    "late": ("逾期", "4月1日当天或之后发布"),
    "undated": ("无日期", "已收录，页面无发布日期，首次发现晚于截止日"),
    "missing_checked": ("缺·已查", "门户在该年度窗口开启后已抓取，未见报告"),
    "missing_unchecked": ("缺·未查", "有已知门户，但尚未在窗口开启后抓取成功"),
    "no_portal": ("无门户", "尚无已知门户网站"),
}

#: The ``coverage`` view (migration 0009), as much of it as the matrix reads.
COVERAGE = table(
    "coverage",
    column("division_code", String),
    column("agency", String),
    column("level", String),
    column("report_year", Integer),
    column("status", String),
    column("published_date", Date),
    column("date_source", String),
    column("report_id", Integer),
    column("province", String),
    column("crawled", Boolean),
)


def measure(status: str, crawled: bool) -> str:
    """The matrix's measure of a publisher's status: a ``missing`` is checked when a crawl of
    its portal answered after the window opened (the view's ``crawled``)."""
    if status == "missing":
        return "missing_checked" if crawled else "missing_unchecked"
    return status


@dataclass(frozen=True)
class Status:
    """A publisher's standing on one report year."""

    measure: str
    published_date: dt.date | None
    date_source: str | None
    report_id: int | None


@dataclass
class Row:
    """A region (counts over its publishers) or one publisher (its status per year)."""

    kind: Literal["region", "publisher"]
    name: str
    code: str  # the region's or the publisher's division code
    level: str | None = None  # a publisher's: 省 / 市 / 县 / 部门
    cells: defaultdict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    statuses: dict[int, Status] = field(default_factory=dict)  # a publisher's, by year
    drill: tuple[str, str | None] | None = None  # (province, city) one level down

    def count(self, year: int, measure: str) -> int:
        return self.cells[year][measure] if year in self.cells else 0

    def add(self, year: int, status: Status) -> None:
        self.cells[year][status.measure] += 1
        if self.kind == "publisher":
            self.statuses[year] = status


@dataclass(frozen=True)
class Matrix:
    province: str | None
    city: str | None
    level: str | None
    year: int | None  # the one year asked for, if any
    years: list[int]
    rows: list[Row]
    measures: tuple[str, ...] = MEASURES

    def totals(self) -> dict[int, Counter[str]]:
        summed: dict[int, Counter[str]] = {year: Counter() for year in self.years}
        for row in self.rows:
            for year, counts in row.cells.items():
                summed[year].update(counts)
        return summed


def matrix_query(found: Matrix, province: str | None, city: str | None) -> dict[str, Any]:
    """The query of the matrix at PROVINCE and CITY with FOUND's filters (level, year)."""
    return {"province": province, "city": city, "level": found.level, "year": found.year}


def matrix(
    session: Session,
    province: str | None = None,
    city: str | None = None,
    level: str | None = None,
    year: int | None = None,
) -> Matrix:
    """Provinces × years; with PROVINCE, what it holds; with CITY too, that city's publishers.
    LEVEL keeps the publishers of one level (省/市/县/部门); YEAR one report year, else every
    year the archive holds reports on (the last year already due when it holds none)."""
    years = [year] if year is not None else report_years(session)
    if province is None:
        rows = _provinces(session, years, level)
    else:
        rows = _within(session, years, province, city, level)
    return Matrix(province, city, level, year, years, rows)


def report_years(session: Session, today: dt.date | None = None) -> list[int]:
    """Years the archive holds reports on, or, for an archive without any, the last year
    whose reports are already due (the deadline passed, China time)."""
    found = session.scalars(
        select(Report.report_year).where(Report.report_year.is_not(None)).distinct()
    )
    years = sorted(y for y in found if y is not None)
    if years:
        return years
    today = today or dt.datetime.now(CHINA).date()
    return [today.year - 1 if today >= deadline(today.year - 1) else today.year - 2]


def _provinces(session: Session, years: Sequence[int], level: str | None) -> list[Row]:
    view = COVERAGE.c
    query = (
        select(view.province, view.report_year, view.status, view.crawled, func.count())
        .where(view.report_year.in_(years))
        .group_by(view.province, view.report_year, view.status, view.crawled)
    )
    if level is not None:
        query = query.where(view.level == level)
    codes = {
        name: code
        for name, code in session.execute(
            select(AdminDivision.name, AdminDivision.code).where(_is_province())
        )
    }
    rows: dict[str, Row] = {}
    for name, report_year, state, crawled, n in session.execute(query):
        row = rows.setdefault(name, Row("region", name, codes.get(name, ""), drill=(name, None)))
        row.cells[report_year][measure(state, bool(crawled))] += n
    return sorted(rows.values(), key=lambda row: (row.code, row.name))


def _is_province() -> Any:
    return AdminDivision.level == "省"


@dataclass(frozen=True)
class _Life:
    name: str
    level: str
    parent_code: str | None
    valid_from: int
    valid_to: int | None

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


class _Places:
    """Where in a province a division sits in a year: the province itself, a city, or a
    county-level division the province governs directly."""

    def __init__(self, session: Session, province_code: str) -> None:
        self.province_code = province_code
        self.lives: defaultdict[str, list[_Life]] = defaultdict(list)
        rows = session.execute(
            select(
                AdminDivision.code,
                AdminDivision.name,
                AdminDivision.level,
                AdminDivision.parent_code,
                AdminDivision.valid_from,
                AdminDivision.valid_to,
            ).where(AdminDivision.code.like(province_code[:2] + "%"))
        )
        for code, name, level, parent, first, last in rows:
            self.lives[code].append(_Life(name, level, parent, first, last))

    def life(self, code: str, year: int) -> _Life | None:
        return next((life for life in self.lives[code] if life.valid_in(year)), None)

    def city(self, code: str, year: int) -> str | None:
        """The code of the city CODE is or lies in, in YEAR; None for the province itself and
        for what it governs directly."""
        life = self.life(code, year)
        if life is None or life.level == "省":
            return None
        if life.level == "市":
            return code
        parent = self.life(life.parent_code or "", year)
        return life.parent_code if parent is not None and parent.level == "市" else None

    def name(self, code: str, years: Iterable[int]) -> str:
        """CODE's name in the latest of YEARS it bore one."""
        for year in sorted(years, reverse=True):
            if (life := self.life(code, year)) is not None:
                return life.name
        return self.lives[code][-1].name if self.lives[code] else code

    def cities(self, name: str) -> set[str]:
        return {
            code
            for code, lives in self.lives.items()
            if any(life.level == "市" and life.name == name for life in lives)
        }


def _within(
    session: Session, years: Sequence[int], province: str, city: str | None, level: str | None
) -> list[Row]:
    code = session.scalar(
        select(AdminDivision.code).where(_is_province(), AdminDivision.name == province)
    )
    if code is None:
        raise NotFound(f"no province named {province}")
    places = _Places(session, code)
    cities = places.cities(city) if city is not None else set()
    if city is not None and not cities:
        raise NotFound(f"no city named {city} in {province}")
    view = COVERAGE.c
    query = select(
        view.division_code, view.agency, view.level, view.report_year, view.status,
        view.crawled, view.published_date, view.date_source, view.report_id,
    ).where(view.report_year.in_(years), view.province == province)  # fmt: skip
    if level is not None:
        query = query.where(view.level == level)
    regions: dict[str, Row] = {}
    publishers: dict[tuple[str, str, str], Row] = {}
    for division, agency, lvl, report_year, state, crawled, date, source, report in session.execute(
        query.order_by(view.report_year)
    ):
        status = Status(measure(state, bool(crawled)), date, source, report)
        place = places.city(division, report_year)
        if city is None and place is not None:  # a city's, counted on the city's row
            row = regions.setdefault(place, Row("region", place, place))
            row.add(report_year, status)
            continue
        if city is not None and place not in cities:
            continue
        key = (division, lvl, agency if lvl == DEPARTMENT else "")
        row = publishers.setdefault(key, Row("publisher", agency, division, lvl))
        row.name = agency  # the latest year's name: the query goes by year
        row.add(report_year, status)
    for region in regions.values():
        region.name = places.name(region.code, years)
        region.drill = (province, region.name)
    return sorted(
        [*regions.values(), *publishers.values()],
        key=lambda row: (row.code, row.level == DEPARTMENT, row.name),
    )
