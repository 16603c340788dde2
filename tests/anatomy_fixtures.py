"""Labelled anatomies: `<name>.anatomy.json` beside a saved page's triple, for its stored text.

Each label file says what the page's extracted text (its expected.json ``text``) contains:
``sections`` and ``parts_present`` exactly as `fazhi reports anatomy --json` must print them,
and ``figures``, every figure of the catalogue's indicators the text states for its own body
and year. A figure the rules leave out carries ``missed`` (why); ``not_figures`` lists numbers
a reader might take for figures and why they are not. ``provenance`` is ``real`` (the seeds)
or ``synthetic``; only real texts count in the measured precision and recall
(tests/fixtures/README.md, docs/anatomy.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.pages import FIXTURES

FIGURE_KEYS = ("indicator", "value", "unit", "year", "evidence", "start", "end")


@dataclass(frozen=True)
class Labelled:
    path: Path
    text: str
    report_year: int | None
    agency: str | None
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.path.relative_to(FIXTURES)).removesuffix(".anatomy.json")

    @property
    def real(self) -> bool:
        return bool(self.expected["provenance"] == "real")

    def figures(self, *, found_only: bool = False) -> list[dict[str, Any]]:
        """The labelled figures in the command's shape (those the rules find, if asked)."""
        return [
            {key: figure[key] for key in FIGURE_KEYS}
            for figure in self.expected["figures"]
            if not (found_only and "missed" in figure)
        ]


def load_labelled() -> list[Labelled]:
    cases = []
    for path in sorted(FIXTURES.glob("*/**/*.anatomy.json")):
        page = json.loads(
            path.with_name(path.name.replace(".anatomy.json", ".expected.json")).read_text("utf-8")
        )
        expected = json.loads(path.read_text(encoding="utf-8"))
        cases.append(Labelled(path, page["text"], page["report_year"], page["agency"], expected))
    return cases


def key(figure: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(figure[k] for k in FIGURE_KEYS)


def score(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> tuple[int, int, int]:
    """True positives, false positives, false negatives: a figure counts only when every
    field (indicator, value, unit, year, evidence and its offsets) is the label's."""
    found, labelled = {key(f) for f in got}, {key(f) for f in want}
    return len(found & labelled), len(found - labelled), len(labelled - found)
