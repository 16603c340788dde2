"""Portal discovery's cost: requests per portal found, and wall time at the default politeness.

    .venv/bin/python -m bench.discovery [--latency SECONDS] [--fast]

Runs `fazhi sources discover --start-url <province> --depth 3` on the province tree
(tests/replica/tree.py: 江西省, 3 cities, 9 counties, 3 departments, 10 decoys, 1 old address)
with the crawler's own politeness (1 s delay, AutoThrottle, 2 requests per host; ``--fast``
turns it off to show what the waiting costs). Every tree answer waits ``--latency`` seconds
first (default 0.2 s, a government portal's usual time to first byte). Printed: requests the
tree received, by kind, per site proposed; browser renders; wall time; and the arithmetic for
the country's ~3,200 governments (docs/discovery.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from tests.crawl_process import FAST, crawl_env, last_run_stats, overrides, run_crawl
from tests.replica.tree import start_tree

LATENCY = 0.2  # seconds
COUNTRY = 3200  # governments at county level and above (31 + 333 + ~2,845)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=LATENCY)
    parser.add_argument("--fast", action="store_true", help="politeness off")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, start_tree(args.latency) as tree:
        data = Path(tmp)
        out = data / "found.yaml"
        command = [
            sys.executable, "-m", "fazhi", "sources", "discover", "--start-url", tree.root,
            "--depth", "3", "--out", str(out), "--db", f"sqlite:///{data}/archive.sqlite3",
            *overrides({**FAST, "LOG_LEVEL": "WARNING"} if args.fast else {"LOG_LEVEL": "WARNING"}),
        ]  # fmt: skip
        started = time.monotonic()
        run = run_crawl(command, crawl_env(data), timeout=3600)
        seconds = time.monotonic() - started
        if run.returncode != 0:
            print(run.stdout, run.stderr[-3000:], file=sys.stderr)
            return 1
        proposed = len(yaml.safe_load(out.read_text(encoding="utf-8")))
        stats = last_run_stats(data / "archive.sqlite3")
        kinds = Counter(_kind(r.path) for r in tree.requests)
    sites = len({r.site for r in tree.requests})
    total = sum(kinds.values())
    print(f"politeness {'off' if args.fast else 'default'}, latency {args.latency:.2f} s")
    print(f"{proposed} sources proposed, {sites} sites asked about (the rest not proposed)")
    print(f"requests: {total} ({', '.join(f'{k} {v}' for k, v in kinds.most_common())})")
    print(f"rendered in the browser: {stats.get('fazhi/discovery/rendered', 0)}")
    print(f"requests per source proposed: {total / proposed:.2f}")
    print(f"wall time: {seconds:.1f} s ({seconds / proposed:.2f} s per source proposed)")
    print(f"country: ~{COUNTRY * total / proposed:,.0f} requests for {COUNTRY:,} governments")
    return 0


def _kind(path: str) -> str:
    if path == "/robots.txt":
        return "robots.txt"
    return "home page" if path == "/" else "other page"


if __name__ == "__main__":
    sys.exit(main())
