"""Crawl speed and memory: the full stack against a bare Scrapy spider, same URLs, same run.

    .venv/bin/python -m bench.crawl_speed [--copies N] [--render-all] [--latency SECONDS]

Politeness is off in both (no delay, no AutoThrottle, 8 requests per host): this measures
what the archive adds per page (discovery, extraction, dedup, WARC, database). The full
stack crawls the local replica with `fazhi crawl --all`; the bare spider then fetches
exactly the URLs the full stack fetched.

Every replica answer waits ``--latency`` seconds first (default 50 ms, a fast portal's time to
first byte; government portals are usually slower), as the web does: a crawler spends most of
its time waiting, and the question is whether archiving holds it back while it waits. With
``--latency 0`` both sides are bound by the CPU alone, and the ratio is the bare spider's CPU
per page over ours (the replica's sites all share 127.0.0.1, so the 8 requests per host are
8 for the whole crawl, on both sides).

``--copies N`` serves every replica portal N times on its own port (eight copies make a
crawl of about 5,800 pages); ``--render-all`` marks every source ``render: browser``, so
every HTML page goes through Chromium (two copies: about 600 rendered pages).

Printed per side: pages/s, CPU seconds per page (user + system of the whole process tree,
which holds steady on a busy machine where wall time does not), and peak memory: the
crawl process's own peak RSS and the peak PSS of its whole tree (Chromium included),
sampled every 0.2 s from /proc.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.crawl_process import FAST, crawl_command, crawl_env, last_run_stats, write_registry
from tests.replica.server import start_replica

QUIET = {**FAST, "LOG_LEVEL": "WARNING"}
LATENCY = 0.05  # seconds


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu: float  # user + system seconds, the child and every descendant it waited for
    rss_mb: float  # the child's own peak RSS
    tree_mb: float  # peak PSS of the child and all its descendants together


def tree_pss(root: int) -> int:
    """Bytes of memory ROOT and its descendants hold now, shared pages split between the
    processes that share them (PSS, /proc/*/smaps_rollup): Chromium's many processes map the
    same libraries, which a sum of RSS would count once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with Path(f"/proc/{entry.name}/stat").open(encoding="ascii") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss(pid)
        stack.extend(children.get(pid, []))
    return total


def _pss(pid: int) -> int:
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open(encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(command: list[str], env: dict[str, str]) -> Measured:
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, tree_pss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[2:4])} failed")
    own = usage.ru_maxrss / 1024
    return Measured(seconds, usage.ru_utime + usage.ru_stime, own, peak / 2**20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="serve every portal N times")
    parser.add_argument("--render-all", action="store_true", help="render every HTML page")
    parser.add_argument(
        "--latency",
        type=float,
        default=LATENCY,
        help=f"seconds each replica answer waits, as a portal's would (default {LATENCY})",
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        start_replica(copies=args.copies, latency=args.latency) as replica,
    ):
        data = Path(scratch)
        entries = replica.registry_entries()
        if args.render_all:
            entries = [{**e, "render": "browser"} for e in entries]
        registry = write_registry(entries, data / "r.yaml")
        env = crawl_env(data)
        database = data / "archive.sqlite3"
        full = measure(
            crawl_command(registry, f"sqlite:///{database}", "--all", "--max-pages", "5000",
                          settings=QUIET),
            env,
        )  # fmt: skip
        with sqlite3.connect(database) as db:
            urls = [u for (u,) in db.execute("SELECT url FROM fetch WHERE status IS NOT NULL")]
        rendered = last_run_stats(database).get("fazhi/render/pages", 0)
        listing = data / "urls.txt"
        listing.write_text("\n".join(urls))
        bare = measure([sys.executable, "-m", "bench.bare_spider", str(listing)], env)
    pages = len(urls)
    print(
        f"pages fetched: {pages} ({args.copies} copies; {rendered} rendered by Chromium; "
        f"{args.latency * 1000:.0f} ms latency)"
    )
    for name, m in (("full stack", full), ("bare Scrapy", bare)):
        print(
            f"{name:<12} {pages / m.seconds:7.1f} pages/s  ({m.seconds:.1f} s; "
            f"{m.cpu / pages * 1000:.1f} ms CPU a page; peak RSS {m.rss_mb:.0f} MB, "
            f"whole tree {m.tree_mb:.0f} MB PSS)"
        )
    # the bare spider never renders: with --render-all the ratio is what rendering costs
    target = "the bare spider renders nothing" if args.render_all else "target >= 0.7"
    print(f"ratio full/bare: {bare.seconds / full.seconds:.2f} pages/s ({target}), "
          f"{bare.cpu / full.cpu:.2f} CPU a page")  # fmt: skip


if __name__ == "__main__":
    main()
