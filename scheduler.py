"""The scheduler's entry point: re-crawl every source in each spring publication window.

``python scheduler.py [--registry FILE] [--db URL] [--set NAME=VALUE]`` is ``fazhi schedule
start``: one APScheduler process per archive, jobs kept in the archive database, each crawl a
child ``fazhi crawl`` process. The service lives in :mod:`crawler.scheduling`; how it decides
when, and what it records, is in docs/scheduling.md.
"""

from __future__ import annotations

import sys

from fazhi.cli import app


def main(argv: list[str] | None = None) -> None:
    app(["schedule", "start", *(sys.argv[1:] if argv is None else argv)], prog_name="scheduler")


if __name__ == "__main__":
    main()
