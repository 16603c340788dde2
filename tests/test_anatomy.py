"""One walker over every labelled anatomy (tests/anatomy_fixtures.py): sections, parts and figures
exactly as labelled, each figure's evidence the very text at its offsets."""

from __future__ import annotations

import pytest

from archive.anatomy.analysis import analyse, to_json
from tests.anatomy_fixtures import Labelled, load_labelled

CASES = load_labelled()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_anatomy(case: Labelled) -> None:
    got = to_json(analyse(case.text, case.report_year, case.agency))
    want = case.expected

    assert got["sections"] == want["sections"]
    assert got["parts_present"] == want["parts_present"]
    assert got["figures"] == case.figures(found_only=True)
    for figure in got["figures"]:
        assert case.text[figure["start"] : figure["end"]] == figure["evidence"]
    for section in got["sections"]:
        assert case.text[section["start"] : section["end"]].startswith(section["title"])


def test_the_labelled_set() -> None:
    """Five real reports (the seeds) and the synthetic pages; every text labelled once."""
    real = [c for c in CASES if c.real]
    assert len(real) == 5
    assert sum(len(c.figures()) for c in real) >= 10
    assert len({c.id for c in CASES}) == len(CASES) >= 20
