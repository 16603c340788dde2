"""Extraction speed: pages/s of extract_page vs plain trafilatura.extract, same pages, same run.

Also checks memory stays flat: RSS after 10,000 pages against RSS after the warm-up.

    .venv/bin/python -m bench.extract_speed [--pages 10000]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable

import trafilatura

from archive.extract.page import extract_page
from tests.pages import load_pages


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:  # noqa: PTH123 (a /proc file, not a path)
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def rate(work: Callable[[], object], pages: int, per_call: int) -> float:
    start = time.perf_counter()
    for _ in range(pages // per_call):
        work()
    return pages / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    corpus = [(p.body(), p.url, p.headers()) for p in load_pages()]

    def ours() -> None:
        for body, url, headers in corpus:
            extract_page(body, url, headers)

    def theirs() -> None:
        for body, _url, _headers in corpus:
            trafilatura.extract(body)

    ours()  # warm-up: rules, OpenCC and region data load once
    theirs()
    rss_start = rss_mb()
    ours_rate = rate(ours, args.pages, len(corpus))
    rss_end = rss_mb()
    theirs_rate = rate(theirs, args.pages, len(corpus))
    print(f"pages per run: {args.pages} over {len(corpus)} fixtures")
    print(f"extract_page:        {ours_rate:8.1f} pages/s")
    print(f"trafilatura.extract: {theirs_rate:8.1f} pages/s")
    print(f"ratio ours/trafilatura: {ours_rate / theirs_rate:.2f} (target >= 1.0)")
    print(
        f"RSS after warm-up {rss_start:.1f} MB, after {args.pages} pages {rss_end:.1f} MB "
        f"(growth {rss_end - rss_start:+.1f} MB)"
    )


if __name__ == "__main__":
    main()
