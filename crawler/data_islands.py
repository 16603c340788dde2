"""Links a page carries as data, not as elements: markup held in a page's data islands, and
in the XML a data endpoint answers, and the endpoint's further record ranges.

Some CMSs (Hanweb JCMS/大汉's jpage above all) write a column's list into the page as markup
inside a ``<script type="text/xml">`` data island — records whose ``<li><a href=…>`` sit in
CDATA — and let a script show one screen of it at a time behind ``javascript:`` pager links.
The island also names, by an anchorless link, the data endpoint that serves the records past
the inline ones, by record range (``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15``).
A browser would see one screen; the island holds them all. This module reads such markup
wherever a page holds it as text (a script of a non-code type, a ``<textarea>``, the elements
of an XML answer), and walks an endpoint's ranges the way its pager script asks for them —
up to the total the answer states, a bounded number of ranges, never by clicking.

Pure lxml: the spider classifies what it returns (crawler/discovery.py).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.etree
import lxml.html

RULES_FILE = Path(__file__).with_name("data") / "discovery.toml"
# Script types that are code, not data (HTML's "JavaScript MIME type essence matches", plus
# module, JSON and the empty type).
CODE_TYPES = re.compile(
    r"^\s*$|^module$|javascript|ecmascript|jscript|livescript|json|^text/babel$", re.I
)
CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
HOLDS_LINK = re.compile(r"<a\s", re.I)


@dataclass(frozen=True)
class _Rules:
    ranges: tuple[tuple[str, str, str], ...]  # (start, end, size) parameter names
    total_tags: frozenset[str]  # lower-cased element names stating the record count


@cache
def rules() -> _Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))["api"]
    ranges = tuple((start, end, size) for start, end, size in data["range_params"])
    return _Rules(ranges, frozenset(key.lower() for key in data["item_count_keys"]))


@dataclass(frozen=True)
class Island:
    """What one piece of held markup says: its links as (href, anchor text), how many records
    it holds (the largest run of same-named sibling elements carrying links) and the total
    it states (0: none)."""

    links: list[tuple[str, str]]
    records: int
    total: int


def held_markup(root: lxml.html.HtmlElement) -> Iterator[str]:
    """The markup an HTML page holds as text: scripts of a data type (``text/xml``,
    ``text/html``, ``text/template``…) and textareas, when they hold a link."""
    for element in root.iter("script", "textarea"):
        if element.tag == "script" and CODE_TYPES.search(element.get("type") or ""):
            continue
        text = element.text or ""
        if HOLDS_LINK.search(text):
            yield text


def read_island(text: str) -> Island:
    """Held markup (an island's text, an XML answer's body) read as HTML: its CDATA sections
    opened, so the records' markup becomes elements."""
    opened = CDATA.sub("", XML_DECLARATION.sub("", text, count=1))
    try:
        tree = lxml.html.fragment_fromstring(opened, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return Island([], 0, 0)
    links = [
        (anchor.get("href", "").strip(), (anchor.text_content() or anchor.get("title", "")).strip())
        for anchor in tree.iter("a")
        if anchor.get("href", "").strip()
    ]
    return Island(links, _records(tree), _total(tree))


def _records(tree: lxml.html.HtmlElement) -> int:
    """The largest number of same-named siblings that each carry a link: the records."""
    runs: Counter[tuple[int, str]] = Counter()
    for element in tree.iter():
        parent = element.getparent()
        if parent is not None and isinstance(element.tag, str) and element.find(".//a") is not None:
            runs[(id(parent), element.tag)] += 1
    return max(runs.values(), default=0)


def _total(tree: lxml.html.HtmlElement) -> int:
    """The record count the markup states in an element of its own (``<totalrecord>51``)."""
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in rules().total_tags:
            text = (element.text or "").strip()
            if text.isdigit() and int(text) > 0:
                return int(text)
    return 0


def is_endpoint(href: str, anchor: str) -> bool:
    """Whether a link in held markup points at more data: no text a reader could click, and
    a query for the endpoint (JCMS's ``<nextgroup><a href="dataproxy.jsp?…"></a>``)."""
    return not anchor and bool(urlsplit(href).query)


def next_range(endpoint: str, held: int) -> str:
    """The endpoint's range after the HELD records an island carries inline, as large as the
    island's (what jpage asks for next: startrecord=46&endrecord=90 after 45)."""
    return _with_range(endpoint, _names(endpoint) or rules().ranges[0], held + 1, held)


def _names(url: str) -> tuple[str, str, str] | None:
    """The range parameters URL already has (start and end), if any."""
    present = {key.lower() for key, _ in parse_qsl(urlsplit(url).query)}
    return next((n for n in rules().ranges if {n[0].lower(), n[1].lower()} <= present), None)


def answer_ranges(text: str, url: str, limit: int) -> list[str]:
    """The ranges after the one an XML answer (TEXT, from URL) holds: other_ranges."""
    return other_ranges(url, read_island(text), limit)


def other_ranges(url: str, island: Island, limit: int) -> list[str]:
    """The ranges after the one URL asked for, in its size: up to the total the answer
    states, or (no total) the next one when this one came back full; none past LIMIT ranges
    of records in all."""
    query = {key.lower(): value for key, value in parse_qsl(urlsplit(url).query)}
    names = _names(url)
    if names is None:
        return []
    first, last = (query[n.lower()] for n in names[:2])
    if not (first.isdigit() and last.isdigit()) or int(last) < int(first):
        return []
    start, size = int(first), int(last) - int(first) + 1
    if island.total:
        stop = island.total
    elif island.records >= size:
        stop = start + 2 * size - 1  # a full range: there may be one more
    else:
        return []
    stop = min(stop, limit * size)
    return [_with_range(url, names, at, size) for at in range(start + size, stop + 1, size)]


def _with_range(url: str, names: tuple[str, str, str], start: int, size: int) -> str:
    """URL asking for SIZE records from START: the range parameters replaced where the URL
    has them (whatever their case), added in front where not; a size the URL states stays
    (JCMS's perpage is the screen's, not the range's)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    values = {names[0].lower(): str(start), names[1].lower(): str(start + size - 1)}
    present = {key.lower() for key, _ in query}
    query = [(key, values.get(key.lower(), value)) for key, value in query]
    added = [(name, values[name.lower()]) for name in names[:2] if name.lower() not in present]
    if names[2].lower() not in present:
        added.append((names[2], str(size)))
    return urlunsplit(parts._replace(query=urlencode(added + query)))
