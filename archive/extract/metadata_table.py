"""The 索引号 table of a 政府信息公开 page, in whatever markup the CMS gave it, cut into metadata.

Portals lay the same dozen label/value pairs out every way markup allows: a ``<table>`` with
one or two pairs a row, a ``<dl>``, label/value ``<div>`` or ``<span>`` pairs, label and value
on separate lines, ``label：value`` runs in one paragraph, labels padded to one width with
spaces (``名　　称``), a stray ``：`` cell, a column title above it all (``政府信息公开``). What
they share is the structure read here: the block's runs of text, in order, are a title at most,
then labels each followed by its value. A label is a known one (``data/boilerplate.toml``) in
any spacing, or any short Han word ending in a colon. The largest block of that shape is cut
from the tree, title and all, so the table becomes metadata once and never text.

One layout breaks the run order: the column-wise table of the 信息公开 platforms, a row of
labels over a row of their values (several such bands). It is read by its grid instead: rows
of cells where a row of labels only is followed by a row of as many values, paired by column.
A report's own data table can have that shape too (文号 / 发布日期 / 名称 over one row), so a
grid is taken only as the page's first 索引号 table and only when every label in it is known.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import html

from archive.extract.boilerplate import label_pairs, rules
from archive.extract.dom import ATTACHMENT_EXT

# Blocks that can hold a whole table (the walk looks at these, largest first).
TABLE_BLOCKS = frozenset(
    ("div", "ul", "ol", "dl", "table", "tbody", "section", "p", "span", "td", "tr", "li", "form")
)
# Inline markup inside one cell's text: a label in <b>, a value in <a> or <font>.
INLINE = frozenset(("a", "font", "b", "strong", "em", "i", "u", "small", "big", "sub", "sup"))
# These end a run of text but not the cell: a label and its value in two <span>s, or one
# value split by a <span> (某某县<span>司法局</span>).
SOFT = frozenset(("span", "br", "label"))
MAX_VALUE = 120  # 名称 (the title) is the longest field of a real 索引号 table
TITLE_MAX = 16  # a column title above a table: 政府信息公开, 信息公开基本信息
STRAY = re.compile(r"[\s:：|｜丨/\\\-—_·•]+")
_SPACE = re.compile(r"\s+")
_EDGE = ":：【】[]「」"
_UNKNOWN_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}")
_NOT_A_TITLE = re.compile(r"[\d。，；！？,;!?:：]|报告")


@dataclass(frozen=True)
class _Run:
    """A run of text between two cell boundaries, and the cell it sits in."""

    text: str
    cell: int


def pop_metadata_tables(tree: html.HtmlElement) -> tuple[dict[str, str], list[str]]:
    """Cut the 索引号 tables out of TREE; return their pairs and the text each cut held.

    Only when the page holds ``min_pairs`` known labels at all (the common page has none,
    and is then not walked block by block).
    """
    metadata: dict[str, str] = {}
    removed: list[str] = []
    if _known_labels(tree) < rules().metadata_min_pairs:
        return metadata, removed
    stack = [tree]
    while stack:
        element = stack.pop()
        pairs = _table_pairs(element, not metadata) if element.tag in TABLE_BLOCKS else None
        if pairs is not None and element.getparent() is not None:
            for label, value in pairs:
                metadata.setdefault(label, value)
            removed.extend(_cut_with_title(element, _known(pairs) >= rules().metadata_min_pairs))
        else:
            stack.extend(reversed([c for c in element if isinstance(c.tag, str)]))
    return metadata, removed


def _known_labels(tree: html.HtmlElement) -> int:
    """How many known labels the page's text holds, alone in a node or before a colon.

    One regex over the page's text nodes, newline-joined: this runs on every page.
    """
    text = "\n".join(t.strip() for t in tree.itertext()) + "\n"
    return len(_label_anywhere().findall(text))


@functools.cache
def _label_anywhere() -> re.Pattern[str]:
    labels = sorted(rules().metadata_table.labels, key=len, reverse=True)
    spaced = "|".join(r"[ \t\u3000\xa0]*".join(map(re.escape, label)) for label in labels)
    return re.compile(rf"(?<![\u4e00-\u9fff])(?:{spaced})[ \t\u3000\xa0]*(?:[:：]|\n)")


def label_key(text: str) -> str:
    """A label as written (``索 引 号：``, ``【名　　称】``) in its one spelling (索引号)."""
    return _SPACE.sub("", text).strip(_EDGE)


def _table_pairs(element: html.HtmlElement, first: bool = True) -> list[tuple[str, str]] | None:
    """ELEMENT's pairs, if it is a metadata table and nothing else (a column-wise grid only
    when it would be the FIRST table of the page)."""
    head = _first_texts(element, 2)
    if not head or not (_is_label(head[0]) or (len(head) == 2 and _is_label(head[1]))):
        return None  # cheap: a table's text starts with a label, or a title and a label
    parsed = (_grid(element) if first else None) or _parse(runs(element))
    if parsed is None:
        return None
    titled, pairs = parsed
    known = _known(pairs)
    if not known or not any(value for _label, value in pairs):
        return None
    if titled and known < rules().metadata_min_pairs:
        return None  # a short line above one pair is more likely a heading than a title
    if any(ATTACHMENT_EXT.search(a.get("href") or "") for a in element.iter("a")):
        return None  # a block linking the report's file is the report's
    return pairs


def _known(pairs: list[tuple[str, str]]) -> int:
    return sum(label in rules().metadata_table.labels for label, _value in pairs)


def _first_texts(element: html.HtmlElement, count: int) -> list[str]:
    found: list[str] = []
    for text in element.itertext():
        found.extend(line.strip() for line in text.splitlines() if line.strip())
        if len(found) >= count:
            break
    return found[:count]


def _is_label(text: str) -> bool:
    return _bare_label(text) is not None or bool(_inline_pairs(text))


def _bare_label(text: str) -> str | None:
    """The label a whole run is: a known one in any spacing, or a Han word and a colon."""
    key = label_key(text)
    if key in rules().metadata_table.labels:
        return key
    if text.rstrip().endswith((":", "：")) and _UNKNOWN_LABEL.fullmatch(key):
        return key
    return None


def _inline_pairs(text: str) -> list[tuple[str, str]]:
    """``索引号：A1 发布机构：X局`` in one run; empty unless the run starts with its label."""
    if not rules().metadata_table.pair.match(text.lstrip(_EDGE + " ")):
        return []
    return label_pairs(text, rules().metadata_table)


def _parse(runs: Iterable[_Run]) -> tuple[bool, list[tuple[str, str]]] | None:
    """(whether a title came first, the pairs), or None when a run fits no table shape.

    Runs are read lazily and the first misfit ends the reading: a wrapper around the whole
    page that starts with the table is given up at the first line of the report.
    """
    pairs: list[tuple[str, str]] = []
    titled = False
    pending: str | None = None  # a label waiting for its value
    value_cell: int | None = None  # where the last value sits: markup may split it
    for run in runs:
        if STRAY.fullmatch(run.text):
            continue
        label = _bare_label(run.text)
        inline = [] if label else _inline_pairs(run.text)
        if label or inline:
            if pending is not None:
                pairs.append((pending, ""))
            pending = label
            if inline:
                *whole, (last, value) = inline
                pairs.extend(whole)
                pending, value_cell = (None, run.cell) if value else (last, None)
                if value:
                    pairs.append((last, value))
        elif pending is not None:
            pairs.append((pending, run.text))
            pending, value_cell = None, run.cell
        elif pairs and run.cell == value_cell:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + run.text)
        elif not pairs and not titled and _is_title(run.text):
            titled = True
        else:
            return None
        if pairs and len(pairs[-1][1]) > MAX_VALUE:
            return None  # a value running into prose: page, not table
    if pending is not None:
        pairs.append((pending, ""))
    return (titled, pairs) if pairs else None


def _grid(element: html.HtmlElement) -> tuple[bool, list[tuple[str, str]]] | None:
    """(whether a title row came first, the pairs) of a column-wise table, else None.

    Rows are ELEMENT's children (a table's ``<tr>``s through ``<tbody>``), cells a row's
    children. Each band is a row of known labels only, then a row of as many values (empty
    cells are empty values): one record, never a list (a header over several rows).
    """
    pairs: list[tuple[str, str]] = []
    titled = False
    labels: list[str] | None = None  # the band waiting for its values
    for row in _rows(element):
        cells = _cells(row)
        if cells is None:
            return None
        if labels is not None:
            if len(cells) != len(labels) or any(_bare_label(c) for c in cells if c):
                return None
            pairs.extend(zip(labels, cells, strict=True))
            labels = None
        elif len(cells) > 1 and all(label_key(c) in rules().metadata_table.labels for c in cells):
            labels = [label_key(c) for c in cells]
        elif not pairs and not titled and len(cells) == 1 and _is_title(cells[0]):
            titled = True
        else:
            return None
    return (titled, pairs) if pairs and labels is None else None


def _rows(element: html.HtmlElement) -> Iterator[html.HtmlElement]:
    for child in element:
        if child.tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)
        elif isinstance(child.tag, str) and child.tag != "caption":
            yield child


def _cells(row: html.HtmlElement) -> list[str] | None:
    """The texts of ROW's cells (a row without children is one cell); None when text sits
    between them or a cell is too long to be a value (a wrapper around the page is read no
    further than that)."""
    if not len(row):  # a bare line: a title row at most
        text = (row.text or "").strip()
        return [text] if len(text) <= MAX_VALUE else None
    if not _blank(row.text):
        return None
    cells: list[str] = []
    for cell in row:
        if not _blank(cell.tail):
            return None
        if not isinstance(cell.tag, str):
            continue  # a comment between two cells
        text = ""
        for piece in cell.itertext():
            text += piece
            if len(text) > MAX_VALUE + 20:
                return None
        cells.append(_SPACE.sub(" ", text).strip())
    return cells


def _blank(text: str | None) -> bool:
    return not text or STRAY.fullmatch(text) is not None


def _is_title(text: str) -> bool:
    """A column title over a table (政府信息公开): short, no numbers, not a sentence or report."""
    compact = _SPACE.sub("", text)
    return 2 <= len(compact) <= TITLE_MAX and not _NOT_A_TITLE.search(compact)


def runs(element: html.HtmlElement) -> Iterator[_Run]:
    """ELEMENT's text as runs: every block element or <br> ends one; inline markup does not.

    The header lines above a report are read the same way (archive/extract/furniture.py)."""
    parts: list[str] = []
    cell = id(element)
    for event, node in html.etree.iterwalk(element, events=("start", "end")):
        if not isinstance(node.tag, str):
            if event == "end" and node is not element:
                parts.append(node.tail or "")
            continue
        inline = node.tag in INLINE
        if event == "start":
            if not inline:
                yield from _flush(parts, cell)
                cell = cell if node.tag in SOFT else id(node)
            parts.append(node.text or "")
        else:
            if not inline:
                yield from _flush(parts, cell)
                cell = _cell_of(node.getparent(), cell)
            if node is not element:
                parts.append(node.tail or "")
    yield from _flush(parts, cell)


def _cell_of(element: html.HtmlElement | None, default: int) -> int:
    """The nearest enclosing element that is a cell, not inline markup or a soft break."""
    while element is not None and (element.tag in INLINE or element.tag in SOFT):
        element = element.getparent()
    return id(element) if element is not None else default


def _flush(parts: list[str], cell: int) -> Iterator[_Run]:
    text = "".join(parts)
    parts.clear()
    for line in text.splitlines():
        if line.strip():
            yield _Run(line.strip(), cell)


def _cut_with_title(element: html.HtmlElement, whole_table: bool) -> list[str]:
    """Drop a table and, if it is a WHOLE_TABLE (not a stray pair), the column title right
    above it; return the text of each."""
    cut = [" ".join(run.text for run in runs(element))]
    above = element.getprevious()
    if (
        whole_table
        and above is not None
        and isinstance(above.tag, str)
        and above.tag != "h1"
        and not len(above)
    ):
        title = (above.text or "").strip()
        if title and _is_title(title):
            cut.insert(0, title)
            above.drop_tree()  # its tail text is not its own: drop_tree keeps it
    element.drop_tree()
    return cut
