"""Issue 16's must-show, end to end: the operator's three commands on the province tree
(tests/tree_flow.py) find every government portal with its exact division code and level,
propose no decoy, class every department as 部门, and the coverage report says of every
publisher exactly what the replica's manifest says (status, date, where the date came from,
the report's URL) — on SQLite and PostgreSQL. The reading room counts what the command says."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.models import Report, ReportVersion
from reading_room.app import create_app
from reading_room.coverage import MEASURES, measure
from tests.replica.tree import PROPOSED
from tests.tree_flow import Flow, report_years

pytestmark = pytest.mark.slow


def publishers(flow: Flow) -> dict[str, dict[str, Any]]:
    """The manifest's governments and departments, by slug."""
    return {slug: s for slug, s in flow.manifest["sites"].items() if s["kind"] in PROPOSED}


def key(row: dict[str, Any]) -> tuple[str, str, str]:
    """A coverage row's publisher: its code and level, and for a department its agency."""
    return row["division_code"], row["level"], row["agency"] if row["level"] == "部门" else ""


def test_every_portal_is_found_with_its_code_and_level_and_no_decoy(tree_flow: Flow) -> None:
    found = {e["home_url"]: (e["division_code"], e["level"]) for e in tree_flow.entries}
    expected = {
        site["url"]: (site["division_code"], site["level"])
        for site in publishers(tree_flow).values()
    }
    assert found == expected  # departments included, each as 部门: no decoy, none missed
    departments = {s["url"] for s in publishers(tree_flow).values() if s["kind"] == "department"}
    assert {e["home_url"] for e in tree_flow.entries if e["level"] == "部门"} == departments


def test_the_crawl_archives_each_report_with_its_date(tree_flow: Flow) -> None:
    engine = db.make_engine(tree_flow.url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Report.agency, Report.report_year, ReportVersion.published_date).join(
                    ReportVersion, ReportVersion.report_id == Report.id
                )
            ).all()
    finally:
        engine.dispose()
    archived = {(agency, year): date.isoformat() for agency, year, date in rows}
    assert len(archived) == len(rows)  # one version each
    assert archived == {
        (site["agency"], year): report["date"]
        for site in publishers(tree_flow).values()
        for year, report in site["reports"].items()
        if report["status"] != "missing"
    }


@pytest.mark.parametrize("year", [2022, 2023])
def test_coverage_says_what_the_manifest_says(tree_flow: Flow, year: int) -> None:
    assert year in report_years(tree_flow.manifest)
    rows = {key(row): row for row in tree_flow.coverage[year]}
    assert len(rows) == len(tree_flow.coverage[year])  # one row per publisher
    slugs = {e["home_url"]: e["slug"] for e in tree_flow.entries}
    seen = set()
    for name, site in publishers(tree_flow).items():
        agency = site["agency"] if site["level"] == "部门" else ""
        row = rows[(site["division_code"], site["level"], agency)]
        seen.add(key(row))
        report = site["reports"][year]
        got = {
            "status": row["status"],
            "date": row["published_date"],
            "date_source": row["date_source"],
            "url": row["url"],
        }
        want = {
            "status": report["status"],
            "date": report.get("date"),
            "date_source": report.get("date_source"),
            "url": report.get("url"),
        }
        assert got == want, name
        assert row["source_slug"] == slugs[site["url"]], name
        assert row["crawled"] is True, name  # the crawl reached it: a missing is a checked one
        assert row["report_year"] == year and row["province"] == "江西省", name
    others = Counter((r["status"], r["crawled"]) for k, r in rows.items() if k not in seen)
    assert others == {("no_portal", False): len(rows) - len(seen)}  # no one else is claimed


@pytest.fixture
def reading_room(tree_flow: Flow) -> Iterator[TestClient]:
    """The reading room over the flow's archive, called in-process."""
    app = create_app(tree_flow.url, tree_flow.data)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_the_reading_room_counts_what_the_command_says(
    tree_flow: Flow, reading_room: TestClient
) -> None:
    """/api/v1/coverage and `fazhi coverage --format json` for the same year: the same numbers
    by province, the same totals a level down, and the same status for each publisher."""
    for year, entries in tree_flow.coverage.items():
        by_province: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for e in entries:
            by_province[e["province"]][measure(e["status"], e["crawled"])] += 1
        national = reading_room.get("/api/v1/coverage", params={"year": year}).json()
        assert national["years"] == [year]
        assert {
            row["name"]: Counter({m: n for m, n in row["cells"][0]["counts"].items() if n})
            for row in national["rows"]
        } == by_province
        jiangxi = next(r for r in national["rows"] if r["name"] == "江西省")
        province = reading_room.get(jiangxi["drill_url"]).json()
        assert province["totals"][0]["counts"] == jiangxi["cells"][0]["counts"]
        assert publisher_statuses(reading_room, province) == {
            key(e): (measure(e["status"], e["crawled"]), e["report_id"])
            for e in entries
            if e["province"] == "江西省"
        }


def publisher_statuses(client: TestClient, matrix: dict[str, Any]) -> dict[Any, Any]:
    """Every publisher row under MATRIX, drilling down: key → (measure, report id)."""
    found = {}
    for row in matrix["rows"]:
        if row["kind"] == "region":
            found |= publisher_statuses(client, client.get(row["drill_url"]).json())
            continue
        [cell] = row["cells"]
        assert cell["status"] in MEASURES
        assert cell["counts"] == {m: int(m == cell["status"]) for m in MEASURES}
        publisher = {"division_code": row["division_code"], "level": row["level"],
                     "agency": row["name"]}  # fmt: skip
        found[key(publisher)] = (cell["status"], cell["report_id"])
    return found
