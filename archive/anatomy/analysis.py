"""One text's anatomy: sections with their parts, the parts present and where, the figures.

``analyse`` is the single entry: ingestion stores what it returns, `fazhi reports anatomy`
prints it, and both therefore agree by construction. ``to_json`` is the shape the command's
``--json`` prints and the export's ``sections`` / ``figures`` fields carry (docs/anatomy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.anatomy.figures import Figure, find_figures
from archive.anatomy.outline import Heading, headings
from archive.anatomy.parts import PartSpan, map_parts
from archive.anatomy.scope import Body
from archive.anatomy.spans import lines_of
from archive.extract.dates import report_year as year_from_text


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    part: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Anatomy:
    year: int | None  # the report year the figures were judged against
    sections: tuple[Section, ...]
    part_spans: tuple[PartSpan, ...]
    figures: tuple[Figure, ...]

    @property
    def parts_present(self) -> list[int]:
        return sorted({span.part for span in self.part_spans})


def analyse(text: str, report_year: int | None = None, agency: str | None = None) -> Anatomy:
    """The anatomy of TEXT (one paragraph a line) for a report on REPORT_YEAR by AGENCY; without
    a year, the year the text's opening names (2023年，…), as extraction reads it."""
    year = report_year or year_from_text("", text)
    lines = lines_of(text)
    found = headings(lines)
    parts = map_parts(lines, found, year)
    sections = tuple(
        Section(
            h.title,
            h.level,
            parts.of_line[h.line.index],
            h.line.start,
            _section_end(found, index, parts.body_end),
        )
        for index, h in enumerate(found)
    )
    figures = find_figures(text, lines, parts, year, Body.of(agency, text))
    return Anatomy(year, sections, parts.spans, tuple(figures))


def _section_end(found: list[Heading], index: int, body_end: int) -> int:
    """Where the next heading of the same or a higher level starts (its newline excluded)."""
    level = found[index].level
    after = next((h for h in found[index + 1 :] if h.level <= level), None)
    return max(found[index].line.end, after.line.start - 1 if after else body_end)


def to_json(anatomy: Anatomy) -> dict[str, Any]:
    return {
        "sections": [
            {"title": s.title, "level": s.level, "part": s.part, "start": s.start, "end": s.end}
            for s in anatomy.sections
        ],
        "parts_present": anatomy.parts_present,
        "figures": [figure_json(f) for f in anatomy.figures],
    }


def figure_json(figure: Figure) -> dict[str, Any]:
    return {
        "indicator": figure.indicator,
        "value": number_json(figure.value),
        "unit": figure.unit,
        "year": figure.year,
        "evidence": figure.evidence,
        "start": figure.start,
        "end": figure.end,
    }


def number_json(value: float) -> int | float:
    """339 rather than 339.0; 12.5 stays 12.5."""
    return int(value) if float(value).is_integer() else value
