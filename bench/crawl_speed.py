"""Crawl speed: the full stack against a bare Scrapy spider, same replica, same URLs, same run.

    .venv/bin/python -m bench.crawl_speed

Politeness is off in both (no delay, no AutoThrottle, 8 requests per host): this measures
what the archive adds per page (extraction, dedup, WARC, database), not the network.
The full stack crawls the local replica with `fazhi crawl --all`; the bare spider then
fetches exactly the URLs the full stack fetched. Peak RSS is each child process's maximum.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.replica.server import start_replica

FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s",
    "LOG_LEVEL=WARNING",
]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one child process (os.wait4 reports that child alone)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[2:4]} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, start_replica() as replica:
        data = Path(scratch)
        registry = data / "replica.yaml"
        registry.write_text(yaml.safe_dump(replica.registry_entries(), allow_unicode=True))
        env = {**os.environ, "FAZHI_ALLOW_PRIVATE": "1", "FAZHI_DATA_DIR": str(data)}
        database = data / "archive.sqlite3"
        full_s, full_rss = timed(
            [
                sys.executable,
                "-m",
                "fazhi",
                "crawl",
                "--all",
                "--registry",
                str(registry),
                "--db",
                f"sqlite:///{database}",
                *FAST,
            ],
            env,
        )
        with sqlite3.connect(database) as db:
            urls = [u for (u,) in db.execute("SELECT url FROM fetch WHERE status IS NOT NULL")]
        listing = data / "urls.txt"
        listing.write_text("\n".join(urls))
        bare_s, bare_rss = timed([sys.executable, "-m", "bench.bare_spider", str(listing)], env)
    full_rate, bare_rate = len(urls) / full_s, len(urls) / bare_s
    print(f"pages fetched: {len(urls)}")
    print(f"full stack:  {full_rate:7.1f} pages/s  ({full_s:.1f} s, peak RSS {full_rss:.0f} MB)")
    print(f"bare Scrapy: {bare_rate:7.1f} pages/s  ({bare_s:.1f} s, peak RSS {bare_rss:.0f} MB)")
    print(f"ratio full/bare: {full_rate / bare_rate:.2f} (target >= 0.7)")


if __name__ == "__main__":
    main()
