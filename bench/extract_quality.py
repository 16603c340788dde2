"""Extraction quality: our extractor against plain trafilatura on the saved pages.

Prints, per fixture and on average, body-text F1 (character LCS, whitespace
ignored) and the boilerplate strings each leaves in the text: the built pages the rules were
written on (fixtures/pages/) and the unseen layouts they were not (fixtures/unseen/), apart.

    .venv/bin/python -m bench.extract_quality
"""

from __future__ import annotations

import statistics

import trafilatura

from archive.extract.page import extract_page
from archive.extract.zh_script import normalize, to_simplified
from tests.evaluation import char_f1
from tests.pages import PAGES, UNSEEN, Page, load_pages


def plain_trafilatura(body: bytes) -> str:
    """trafilatura alone (bytes in, default settings), then normalised like ours.

    Normalising its output (t2s, NFKC) is generous to trafilatura: F1 then measures
    what it found, not the script or punctuation it kept.
    """
    return normalize(to_simplified(trafilatura.extract(body) or ""))


def main() -> None:
    print(f"{'fixture':<48} {'ours F1':>8} {'traf F1':>8} {'ours junk':>9} {'traf junk':>9}")
    for name, root in (("pages", PAGES), ("unseen", UNSEEN)):
        _report(name, load_pages(root))


def _report(name: str, pages: list[Page]) -> None:
    rows = []
    for page in pages:
        want = page.expected
        ours = extract_page(page.body(), page.url, page.headers()).text
        theirs = plain_trafilatura(page.body())
        junk = want.get("without", [])
        row = (
            char_f1(ours, want["text"]),
            char_f1(theirs, want["text"]),
            sum(j in ours for j in junk),
            sum(j in theirs for j in junk),
        )
        rows.append(row)
        print(f"{page.fixture_id:<48} {row[0]:>8.4f} {row[1]:>8.4f} {row[2]:>9} {row[3]:>9}")
    means = [statistics.fmean(col) for col in zip(*rows, strict=True)]
    print(
        f"{f'mean, {name} ({len(rows)} pages)':<48} {means[0]:>8.4f} {means[1]:>8.4f} "
        f"{means[2]:>9.2f} {means[3]:>9.2f}"
    )


if __name__ == "__main__":
    main()
