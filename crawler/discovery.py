"""Focused discovery: which links on a portal page lead to reports, and in what order.

Pure functions over (anchor text, URL) pairs, so they are tested without a
crawl. Report candidates are recognised by the same classifier the archive
uses (``archive.extract.classify``) on the anchor: a 政府信息公开工作年度报告 link is a
distractor, counted with its type, and never fetched as a report.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from scrapy.http import TextResponse, XmlResponse
from scrapy.utils.response import get_base_url

from archive.extract.classify import DocType, classify
from archive.extract.dates import report_year
from crawler import data_islands

RULES_FILE = Path(__file__).with_name("data") / "discovery.toml"
ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|ofd)$", re.IGNORECASE)
# TRS list pages write their pager with a script: createPageHTML(count, current, "index", "htm")
TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
# A listing built by script: no article links in the HTML, but code that fetches data.
SCRIPTED_LISTING = re.compile(r"\.json|ajax|fetch\(|XMLHttpRequest|axios|\$\.get|\$\.post", re.I)
SUBJECT = re.compile(r"法治政府|依法行政|法治建设|述法|法治")
MIN_TITLE = 8  # an anchor shorter than this is navigation, not a document title
API_PRIORITY = 60  # a listing's data: before its further pages (50)


class LinkKind(StrEnum):
    CANDIDATE = "candidate"  # its anchor names an annual report: fetch and archive
    DISTRACTOR = "distractor"  # a document of another type: count, do not fetch
    ATTACHMENT = "attachment"  # a report file linked from a listing
    PAGINATION = "pagination"
    LISTING = "listing"  # a column worth exploring
    EXPLORE = "explore"  # no signal either way: followed near the start pages only
    IGNORED = "ignored"
    API = "api"  # an endpoint a script-built listing called: read for links and other pages
    PART = "part"  # a further page or the frame of a report page's text (crawler/spans.py)


LISTING_KINDS = frozenset({LinkKind.LISTING, LinkKind.PAGINATION, LinkKind.EXPLORE})


@dataclass(frozen=True)
class Link:
    url: str
    anchor: str
    kind: LinkKind
    priority: int
    doc_type: DocType | None = None


@dataclass(frozen=True)
class _Rules:
    signals: tuple[tuple[str, re.Pattern[str], int], ...]
    article_urls: tuple[re.Pattern[str], ...]
    next_anchors: frozenset[str]
    back_anchors: frozenset[str]
    pagination_url: re.Pattern[str]


@cache
def rules() -> _Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    return _Rules(
        signals=tuple((s["where"], re.compile(s["pattern"]), s["weight"]) for s in data["signal"]),
        article_urls=tuple(re.compile(a["pattern"]) for a in data["article_url"]),
        next_anchors=frozenset(data["pagination"]["anchors"]),
        back_anchors=frozenset(data["pagination"]["back_anchors"]),
        pagination_url=re.compile(data["pagination"]["url"]),
    )


@lru_cache(maxsize=2**16)
def classify_link(url: str, anchor: str) -> Link:
    """What following this link gives, and how urgently (higher first).

    Cached: a portal repeats its navigation on every page, so most links a crawl
    meets it has classified before.
    """
    anchor = " ".join(anchor.split())
    r = rules()
    path = unquote(urlsplit(url).path)
    title = ATTACHMENT.sub("", anchor)  # "…工作报告.pdf" names the report too
    if len(title) >= MIN_TITLE:
        doc_type, _reason = classify(title)
        # A document title names its year; a column named like one (法治政府建设年度报告)
        # is a listing to explore, not a report.
        is_document = report_year(title) is not None or is_article(url) or ATTACHMENT.search(path)
        if doc_type is DocType.ANNUAL_REPORT and is_document:
            kind = LinkKind.ATTACHMENT if ATTACHMENT.search(path) else LinkKind.CANDIDATE
            return Link(url, anchor, kind, 100, doc_type)
        if _confusable(doc_type, title) and is_document:
            return Link(url, anchor, LinkKind.DISTRACTOR, 0, doc_type)
    pager_url = r.pagination_url.search(url) is not None
    if anchor in r.next_anchors or (pager_url and (anchor.isdigit() or anchor in r.back_anchors)):
        return Link(url, anchor, LinkKind.PAGINATION, 50)
    if is_article(url) or ATTACHMENT.search(path):
        return Link(url, anchor, LinkKind.IGNORED, 0)
    score = sum(
        weight
        for where, pattern, weight in r.signals
        if pattern.search(anchor if where == "anchor" else url)
    )
    if score > 0:
        return Link(url, anchor, LinkKind.LISTING, score)
    if score == 0:
        return Link(url, anchor, LinkKind.EXPLORE, 1)
    return Link(url, anchor, LinkKind.IGNORED, 0)


def _confusable(doc_type: DocType, title: str) -> bool:
    """A document a keyword crawler would mistake for the report: counted, with its type."""
    return doc_type is DocType.INFO_DISCLOSURE_REPORT or (
        doc_type is not DocType.OTHER and SUBJECT.search(title) is not None
    )


def is_article(url: str) -> bool:
    return any(pattern.search(url) for pattern in rules().article_urls)


def trs_pages(script: str, page_url: str) -> list[str]:
    """All pages of a TRS list from its createPageHTML(...) call."""
    match = TRS_PAGER.search(script)
    if not match:
        return []
    count, _current, stem, ext = int(match[1]), int(match[2]), match[3], match[4]
    names = [f"{stem}.{ext}"] + [f"{stem}_{n}.{ext}" for n in range(1, count)]
    return [urljoin(page_url, name) for name in names]


def page_links(response: TextResponse) -> Iterator[Link]:
    """Every distinct http(s) link with its anchor text (or title), classified: the page's
    anchors, then the links of markup it holds as data (crawler/data_islands.py); an XML
    answer is all data.

    Walks lxml's tree directly: a listing page holds hundreds of anchors and a
    selector per anchor costs more than the rest of the page's handling. A portal
    repeats its menus on every page, so joining and classifying are cached.
    """
    seen: set[str] = set()
    base = get_base_url(response)  # <base href> when the page has one
    # What an href resolves against, as little of the base as it depends on: "/x" on the
    # origin, "x" and "../x" on the folder, only "?x" on the whole URL (RFC 3986 5.2.2).
    against = {"/": urljoin(base, "/"), "?": base}
    folder = urljoin(base, ".")

    def resolved(href: str) -> str | None:
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            return None
        url = _resolve(against.get(href[0], folder), href)
        if url is None or url in seen:
            return None
        seen.add(url)
        return url

    if isinstance(response, XmlResponse):  # a data endpoint's answer: records as markup
        yield from _island_links(data_islands.read_island(response.text), resolved, inline=False)
        return
    root = response.selector.root
    for anchor in root.iter("a"):
        url = resolved((anchor.get("href") or "").strip())
        if url is not None:
            yield classify_link(url, anchor.text_content().strip() or anchor.get("title", ""))
    for text in data_islands.held_markup(root):
        yield from _island_links(data_islands.read_island(text), resolved, inline=True)


def _island_links(
    island: data_islands.Island, resolved: Callable[[str], str | None], inline: bool
) -> Iterator[Link]:
    """A data island's links, classified; an anchorless one with a query is its data
    endpoint, read as an API, and (INLINE: the island is in a page) asked for the records
    past the island's own, the way the island's pager script would."""
    for href, anchor in island.links:
        url = resolved(href)
        if url is None:
            continue
        link = classify_link(url, anchor)
        if link.kind in (LinkKind.CANDIDATE, LinkKind.DISTRACTOR, LinkKind.ATTACHMENT):
            yield link
        elif data_islands.is_endpoint(href, anchor) and not is_article(url):
            yield Link(url, "", LinkKind.API, API_PRIORITY)
            if inline and island.records:
                more = resolved(data_islands.next_range(url, island.records))
                if more is not None:
                    yield Link(more, "", LinkKind.API, API_PRIORITY)
        else:
            yield link


@lru_cache(maxsize=2**16)
def _resolve(base: str, href: str) -> str | None:
    """HREF made absolute against BASE without its fragment; None unless http(s)."""
    url = urljoin(base, href).split("#", 1)[0]
    return url if urlsplit(url).scheme in ("http", "https") else None
