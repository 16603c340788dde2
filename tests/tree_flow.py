"""The operator's flow on the province tree (tests/replica/tree.py), as three commands run as
an operator runs them, the database named by FAZHI_DATABASE_URL and private addresses allowed
by FAZHI_ALLOW_PRIVATE=1:

    fazhi sources discover --start-url URL --depth 3 --out FILE
    fazhi crawl --registry FILE --all
    fazhi coverage --year Y --registry FILE --format json      (each year the tree reports on)

Run once a session per backend (tests/conftest.py's `tree_flow`) on the session's one tree,
with the crawler's politeness off (the tree is the tests' own); docs/coverage.md has the
flow's wall time at the default politeness.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.crawl_process import FAST, crawl_env, overrides, run_crawl
from tests.replica.tree import Tree

# Politeness off, and a dead link asked about twice, not four times.
QUICK = {**FAST, "RETRY_TIMES": "1"}


@dataclass
class Flow:
    tree: Tree
    manifest: dict[str, Any]
    data: Path
    url: str  # the archive's database
    registry: Path  # the file discovery wrote
    entries: list[dict[str, Any]]  # its entries
    coverage: dict[int, list[dict[str, Any]]]  # report year -> `fazhi coverage` JSON
    seconds: dict[str, float] = field(default_factory=dict)  # command -> wall time


def fazhi_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "fazhi", *args]


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = run_crawl(command, env, timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr[-3000:]}"
    return done


def report_years(manifest: dict[str, Any]) -> list[int]:
    return sorted({y for site in manifest["sites"].values() for y in site.get("reports", {})})


def operator_flow(tree: Tree, data: Path, database_url: str) -> Flow:
    """Discover, crawl, account: the three commands, timed, into DATABASE_URL."""
    env = crawl_env(data, FAZHI_DATABASE_URL=database_url)
    registry = data / "found.yaml"
    manifest = tree.manifest()
    seconds = {}
    started = time.monotonic()
    run(fazhi_command("sources", "discover", "--start-url", tree.root, "--depth", "3",
                      "--out", str(registry), *overrides(QUICK)), env)  # fmt: skip
    seconds["discover"] = time.monotonic() - started
    started = time.monotonic()
    run(fazhi_command("crawl", "--registry", str(registry), "--all", *overrides(QUICK)), env)
    seconds["crawl"] = time.monotonic() - started
    coverage = {}
    for year in report_years(manifest):
        started = time.monotonic()
        done = run(fazhi_command("coverage", "--year", str(year), "--registry", str(registry),
                                 "--format", "json"), env)  # fmt: skip
        seconds[f"coverage {year}"] = time.monotonic() - started
        coverage[year] = json.loads(done.stdout)
    entries = yaml.safe_load(registry.read_text(encoding="utf-8"))
    return Flow(tree, manifest, data, database_url, registry, entries, coverage, seconds)
