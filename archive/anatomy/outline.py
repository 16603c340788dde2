"""A report's headings as published: 第一部分 / 一、 / (一) / 1. / (1), by the shape of the line.

What survives extraction is one paragraph a line (archive/extract/page.py): bold and centring
are not carried into the stored text, so a heading is known by its numbering and its length
only; a heading inside a layout table arrives as its own line, one in a data table as a row
whose other cells are empty. Levels follow the official-document order of numbering styles
(GB/T 9704: 一、 above (一) above 1. above (1)), counted among the styles the report uses, so
``level`` 1 is the report's top heading whatever its style. A numbered line is a heading only
where its number continues its style's sequence (1, or one more than the last), which keeps
stray line starts out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.anatomy.numbers import chinese_integer
from archive.anatomy.spans import Line

_CN = "[一二三四五六七八九十]+"
# Rank order of numbering styles, highest first; NFKC has made （一） and 1． ASCII.
STYLES = (
    ("part", re.compile(rf"第({_CN})(?:部分|章|篇)[、,.:\s]?")),
    ("cn", re.compile(rf"({_CN})(?:、|\.(?!\d))")),
    ("paren_cn", re.compile(rf"\(({_CN})\)、?")),
    ("arabic", re.compile(r"(\d{1,2})(?:[、]|\.(?!\d))")),
    ("paren_arabic", re.compile(r"\((\d{1,2})\)、?")),
)
RANK = {name: rank for rank, (name, _) in enumerate(STYLES)}
MAX_STANDALONE = 80  # a heading alone on its line, without a run-in paragraph after it
MAX_RUN_IN = 60  # a heading ending in 。 with its paragraph after it on the same line
_TITLE_END = re.compile(r"[。;:!?]")


@dataclass(frozen=True)
class Heading:
    line: Line
    style: str
    number: int
    title: str  # as published, with its numbering, without the run-in paragraph
    level: int = 0  # set once every style in the text is known


def headings(lines: list[Line]) -> list[Heading]:
    found: list[Heading] = []
    last: dict[str, int] = {}
    for line in lines:
        heading = _heading(line)
        if heading is None:
            continue
        if heading.number not in (1, last.get(heading.style, 0) + 1):
            continue
        last[heading.style] = heading.number
        found.append(heading)
    used = sorted({h.style for h in found}, key=RANK.__getitem__)
    levels = {style: index + 1 for index, style in enumerate(used)}
    return [Heading(h.line, h.style, h.number, h.title, levels[h.style]) for h in found]


def _heading(line: Line) -> Heading | None:
    text = _only_cell(line.text).strip()
    for style, pattern in STYLES:
        match = pattern.match(text)
        if match is None:
            continue
        number = _number(match[1])
        if number is None or not text[match.end() :].strip():
            return None
        title = _title(text, match.end())
        return Heading(line, style, number, title) if title else None
    return None


def _only_cell(text: str) -> str:
    """A table row whose other cells are empty is that cell; any other row is not a heading."""
    if "\t" not in text:
        return text
    cells = [cell for cell in text.split("\t") if cell.strip()]
    return cells[0] if len(cells) == 1 else ""


def _number(written: str) -> int | None:
    return int(written) if written.isdigit() else chinese_integer(written)


def _title(text: str, body_start: int) -> str | None:
    end = _TITLE_END.search(text, body_start)
    if end is None or end.end() >= len(text.rstrip()):
        stripped = text.rstrip("。;: ")
        return stripped if len(stripped) <= MAX_STANDALONE else None
    return text[: end.start()] if end.start() <= MAX_RUN_IN else None
