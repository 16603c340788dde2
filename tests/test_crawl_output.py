"""What `fazhi crawl` prints: the progress line and a summary grouping failures by reason;
its log goes to a file, one line per expected failure, and to stderr only with --verbose.

The portals: the replica's 思明区 site (its menus link columns that answer 404), two hosts
that do not resolve and a port nothing listens on.
"""

from __future__ import annotations

import os
import pty
import re
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawl_process import (
    FAST,
    ROOT,
    crawl_command,
    crawl_env,
    crawl_log,
    run_crawl,
    write_registry,
)
from tests.replica.server import start_replica

pytestmark = pytest.mark.slow

# A line of Scrapy's log format: "2026-01-01 12:00:00 [scrapy.core.engine] INFO: …"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.-]+\] [A-Z]+: ", re.MULTILINE)
UNRESOLVABLE = ("http://nonexistent.invalid/", "http://also-nonexistent.invalid/")
# No waits between retries of the refused port: the run takes seconds.
QUICK = {**FAST, "FAZHI_RETRY_BACKOFF": "0"}


@dataclass(frozen=True)
class Portals:
    data: Path
    everything: Path  # the registry: the replica site and the three broken portals
    unresolvable: Path  # the registry: one host that does not resolve (a crawl of seconds)
    closed_port_url: str


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _moved(entry: dict[str, Any], slug: str, url: str) -> dict[str, Any]:
    """ENTRY as another source whose portal is at URL."""
    return {**entry, "slug": slug, "home_url": url, "entry_urls": [url], "domains": [url[7:-1]]}


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portals]:
    data = tmp_path_factory.mktemp("output")
    closed = f"http://127.0.0.1:{_closed_port()}/"
    with start_replica() as replica:
        [siming] = [e for e in replica.registry_entries() if e["slug"] == "xm-siming"]
        broken = [
            _moved(siming, f"broken-{n}", url) for n, url in enumerate([*UNRESOLVABLE, closed])
        ]
        yield Portals(
            data,
            write_registry([siming, *broken], data / "everything.yaml"),
            write_registry(broken[:1], data / "unresolvable.yaml"),
            closed,
        )


@dataclass(frozen=True)
class Piped:
    run: subprocess.CompletedProcess
    database: Path


@pytest.fixture(scope="module")
def piped(portals: Portals) -> Piped:
    """A crawl of every portal with its output captured: not a terminal, as under cron."""
    database = portals.data / "piped.sqlite3"
    command = crawl_command(
        portals.everything,
        f"sqlite:///{database}",
        "--all",
        settings={**QUICK, "FAZHI_PROGRESS_LOG_INTERVAL": "0.5"},
    )
    return Piped(run_crawl(command, crawl_env(portals.data)), database)


def _fetch_errors(database: Path, pattern: str) -> list[str]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT url FROM fetch WHERE error LIKE ?", (pattern,)).fetchall()
    return [url for (url,) in rows]


def test_piped_output_is_the_summary_without_log_or_traceback(piped: Piped) -> None:
    output = piped.run.stdout + piped.run.stderr
    assert re.search(r"^run \d+: finished; \d+ pages", piped.run.stdout, re.MULTILINE), output
    assert "Traceback" not in output
    assert not LOG_LINE.search(output), output
    assert "Dumping Scrapy stats" not in output


def test_failures_are_grouped_by_reason_with_their_counts(piped: Piped) -> None:
    unresolved = _fetch_errors(piped.database, "CannotResolveHostError:%")
    refused = _fetch_errors(piped.database, "DownloadConnectionRefusedError:%")
    not_found = _fetch_errors(piped.database, "HTTP 404")
    robots = _fetch_errors(piped.database, "IgnoreRequest: Forbidden by robots.txt")
    assert unresolved and refused and not_found and robots  # as each portal was built to fail
    groups = piped.run.stdout.split("failed, by reason:\n", 1)[1].split("log: ")[0].splitlines()
    assert sorted(groups) == sorted(
        [
            f"  {len(not_found)} pages answered HTTP 404 (1 host)",
            f"  2 hosts did not resolve ({len(unresolved)} requests)",
            f"  {len(robots)} requests skipped: robots.txt, off-site or too large unpacked"
            " (1 host)",
            f"  {len(refused)} connection{'s' * (len(refused) > 1)} refused (1 host)",
        ]
    )
    assert groups[0].endswith("answered HTTP 404 (1 host)")  # the most requests first


def test_the_log_file_named_holds_one_line_per_failure(piped: Piped, portals: Portals) -> None:
    log = crawl_log(piped.run)
    assert "Traceback" not in log
    assert "Dumping Scrapy stats" in log  # the stats stay in the file
    for url in UNRESOLVABLE:
        assert re.search(rf"WARNING: failed {re.escape(url)}: CannotResolveHostError: DNS", log)
    failed_closed = f"failed {portals.closed_port_url}: DownloadConnectionRefusedError: "
    assert failed_closed in log
    assert re.search(r"\[crawler.failures\] INFO: HTTP 404 from http://127.0.0.1:\d+/", log)
    assert f"log: {portals.data}/logs/crawls/all-" in piped.run.stdout


def test_off_a_terminal_progress_is_plain_lines(piped: Piped) -> None:
    assert "\r" not in piped.run.stderr
    assert re.search(r"^\d\d:\d\d:\d\d pages \d+ · candidates \d+", piped.run.stderr, re.M)


def test_verbose_streams_the_log_and_still_writes_the_file(portals: Portals) -> None:
    database = f"sqlite:///{portals.data}/verbose.sqlite3"
    command = crawl_command(portals.unresolvable, database, "--all", "--verbose", settings=QUICK)
    run = run_crawl(command, crawl_env(portals.data))
    failed = f"failed {UNRESOLVABLE[0]}: CannotResolveHostError: "
    assert "[scrapy.core.engine] INFO: Spider opened" in run.stderr
    assert failed in run.stderr and failed in crawl_log(run)
    assert "Traceback" not in run.stderr
    assert "Dumping Scrapy stats" not in run.stderr  # the summary says it for people


def test_the_summary_says_why_the_verdict_is_not_healthy(portals: Portals) -> None:
    database = portals.data / "unhealthy.sqlite3"
    command = crawl_command(portals.unresolvable, f"sqlite:///{database}", "--all", settings=QUICK)
    run = run_crawl(command, crawl_env(portals.data))
    with sqlite3.connect(database) as db:
        verdict, reasons = db.execute("SELECT verdict, verdict_reasons FROM crawl_run").fetchone()
    assert verdict == "failed" and reasons  # its only portal never answered
    assert f"; verdict failed ({reasons})\n" in run.stdout


def test_on_a_terminal_progress_is_redrawn_and_no_log_appears(portals: Portals) -> None:
    database = f"sqlite:///{portals.data}/terminal.sqlite3"
    settings = {**QUICK, "FAZHI_PROGRESS_INTERVAL": "0.2"}
    command = crawl_command(portals.unresolvable, database, "--all", settings=settings)
    output = _on_a_terminal(command, crawl_env(portals.data)).decode("utf-8")
    assert output.count("\rpages ") >= 3, output  # redrawn in place
    assert not LOG_LINE.search(output.replace("\r\n", "\n")), output
    assert "Traceback" not in output
    assert "failed, by reason:" in output and "log: " in output


def _on_a_terminal(command: list[str], env: dict[str, str]) -> bytes:
    """COMMAND's output with a pseudo-terminal as its stdin, stdout and stderr."""
    parent, child = pty.openpty()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdin=child, stdout=child, stderr=child)
    os.close(child)
    output = bytearray()
    try:
        while chunk := _read(parent):
            output += chunk
    finally:
        os.close(parent)
        process.wait(timeout=60)
    return bytes(output)


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: every holder of the terminal's other end has closed it
        return b""
