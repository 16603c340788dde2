"""Pages in layouts no fixture template has, saved after the rules were written, each with
its expected output beside it (``why`` says what is new in it). What the rules and mechanisms
learnt on tests/fixtures/pages must carry over to templates they were not written on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archive.extract.page import extract_page, to_json

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"
PAGES = sorted(UNSEEN.glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_an_unseen_layout_comes_out_clean(page: Path) -> None:
    expected: dict[str, Any] = json.loads(page.with_suffix(".expected.json").read_text("utf-8"))
    result = extract_page(page.read_bytes(), expected["url"], {"Content-Type": "text/html"})
    got = to_json(result)
    lines = result.text.split("\n")
    assert result.title == expected["title"]
    assert (lines[0], lines[-1]) == (expected["first_line"], expected["last_line"])
    assert [junk for junk in expected["absent"] if junk in result.text] == []
    for key in ("agency", "signed_date", "published_date", "report_year"):
        assert got[key] == expected[key], key
    assert expected["metadata"].items() <= result.metadata.items()
    assert [a.url for a in result.attachments] == expected["attachments"]
