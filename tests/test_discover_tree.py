"""`fazhi sources discover` on the province tree (tests/replica/tree.py): every government
portal found with its exact division code and level, every department as 部门, no decoy
proposed, each with its evidence; the database path stores discovered sources a curated entry
overrides, on SQLite and PostgreSQL. The file's crawl and the coverage it gives are the
operator's flow (tests/test_coverage_tree.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.models import CrawlRun
from archive.storage.models import Source as SourceRow
from crawler.registry import load
from tests.cli_runner import fazhi
from tests.crawl_process import ROOT, crawl_env, overrides, write_registry
from tests.replica.tree import PROPOSED, Tree
from tests.tree_flow import QUICK

pytestmark = pytest.mark.slow


def discover(tree: Tree, data: Path, *args: str) -> Any:
    command = [sys.executable, "-m", "fazhi", "sources", "discover", "--start-url", tree.root,
               *args, *overrides(QUICK)]  # fmt: skip
    run = subprocess.run(
        command, env=crawl_env(data), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    return run


@dataclass
class Discovered:
    tree: Tree
    manifest: dict[str, Any]
    data: Path
    path: Path
    entries: list[dict[str, Any]]
    output: str


@pytest.fixture(scope="module")
def discovered(province_tree: Tree, tmp_path_factory: pytest.TempPathFactory) -> Discovered:
    data = tmp_path_factory.mktemp("discover")
    path = data / "found.yaml"
    run = discover(
        province_tree, data, "--out", str(path), "--db", f"sqlite:///{data}/archive.sqlite3"
    )
    found = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Discovered(province_tree, province_tree.manifest(), data, path, found, run.stdout)


def by_url(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["home_url"]: entry for entry in entries}


def test_every_portal_and_department_is_found_with_its_code_and_level(
    discovered: Discovered,
) -> None:
    expected = {
        site["url"]: (site["division_code"], site["level"])
        for site in discovered.manifest["sites"].values()
        if site["kind"] in PROPOSED
    }
    found = {url: (e["division_code"], e["level"]) for url, e in by_url(discovered.entries).items()}
    assert found == expected
    assert "proposed: 16 sources" in discovered.output


def test_no_decoy_is_proposed_and_each_is_said_why(discovered: Discovered) -> None:
    text = discovered.path.read_text(encoding="utf-8")
    reasons = {
        "national": "central",
        "other_province": "outside",
        "platform": "platform",
        "hotline": "platform",
        "media": "not_government",
        "enterprise": "not_government",
        "school": "not_government",
        "legislature": "not_executive",
        "gone": "dead",
        "refused": "dead",
    }
    for slug, site in discovered.manifest["sites"].items():
        if site["kind"] in reasons:
            assert site["url"] not in by_url(discovered.entries), slug
            assert f"# not proposed: {site['url']} — {reasons[site['kind']]}:" in text, slug


def test_entries_carry_where_they_were_found_and_the_evidence(discovered: Discovered) -> None:
    sites, entries = discovered.manifest["sites"], by_url(discovered.entries)
    root = entries[discovered.tree.root]
    assert "discovered_from" not in root  # the start portal itself
    assert root["evidence"]["site_code"] == "3600000001 → 360000"
    fuliang = entries[sites["fuliang"]["url"]]  # a GBK portal in a <select> jump menu
    assert fuliang["discovered_from"] == sites["jdz"]["url"]
    assert fuliang["evidence"]["host_body"] == "浮梁县人民政府办公室"
    leping = entries[sites["leping"]["url"]]  # an image link's alt, a site without a code
    assert leping["evidence"]["anchor"] == "乐平市人民政府"
    assert "site_code" not in leping["evidence"]
    # the old 上饶县 address, in a list only a browser sees, answers 301 to 广信区's portal
    guangxin = entries[sites["guangxin"]["url"]]
    assert guangxin["evidence"]["redirected_from"] == sites["srx"]["url"]
    assert guangxin["evidence"]["anchor"] == "上饶县 (上饶县 361121 → 361104)"
    assert guangxin["expected_years"] == "2019-"  # 广信区 exists since 2019
    xinjian = entries[sites["xinjian"]["url"]]  # the parent's link still says 新建县
    assert xinjian["evidence"]["anchor"] == "新建县 (新建县 360122 → 360112)"


def test_the_script_built_list_was_rendered(discovered: Discovered) -> None:
    with sqlite3.connect(discovered.data / "archive.sqlite3") as conn:
        trigger, raw = conn.execute("SELECT trigger, stats FROM crawl_run").fetchone()
    assert trigger == "discover"
    assert json.loads(raw)["fazhi/discovery/rendered"] == 1


def test_discovered_sources_are_stored_and_a_curated_entry_wins(
    province_tree: Tree, database_url: str, tmp_path: Path
) -> None:
    """Without --out: discovered sources in the database, crawled with the registry's; a
    curated entry for a site discovery also found keeps it."""
    manifest = province_tree.manifest()
    nc = manifest["sites"]["nc"]["url"]
    curated = write_registry(
        [
            {
                "slug": "jx-nc-portal",
                "name": "南昌市人民政府门户网站",
                "agency": "南昌市人民政府",
                "level": "市",
                "region": {"province": "江西省", "city": "南昌市"},
                "home_url": nc,
                "domains": [nc.split("//")[1].rstrip("/")],
                "expected_years": "2015-",
            }
        ],
        tmp_path / "curated.yaml",
    )
    discover(province_tree, tmp_path, "--registry", str(curated), "--db", database_url)
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(SourceRow).where(SourceRow.origin == "discovered"))
            stored = {row.home_url: row for row in rows}
            run = session.scalars(select(CrawlRun)).one()
    finally:
        engine.dispose()
    expected = {s["url"] for s in manifest["sites"].values() if s["kind"] in PROPOSED}
    assert set(stored) == expected
    assert stored[nc].evidence and stored[nc].evidence["site_code"] == "3601000001 → 360100"
    assert all(row.discovery_run_id == run.id for row in stored.values())
    assert (run.trigger, run.status) == ("discover", "ok")
    listed = fazhi("sources", "list", "--registry", str(curated), "--db", database_url)
    assert listed.exit_code == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:] if line.strip()]
    origins = {row[4]: row[5] for row in rows if row[4].startswith("http")}
    assert origins[nc] == "curated"  # the curated entry, not the discovered jx-nc
    assert origins[manifest["sites"]["fuliang"]["url"]] == "discovered"
    assert len(origins) == len(expected)
    assert "1 discovered source(s) left out: a curated entry has the site" in listed.stdout
    schedule = fazhi("schedule", "list", "--registry", str(curated), "--db", database_url)
    assert schedule.exit_code == 0, schedule.stderr
    assert "jx-jdz-fuliang" in schedule.stdout and "jx-nc-portal" in schedule.stdout
    assert len(load(curated)) == 1  # the registry file itself is untouched
