"""Report pages that span several resources: continuation pages (正文分页), a body in a frame.

A report candidate is held, not archived, while the further resources its text is in are
fetched one at a time, in order; then it is archived once with them (``PageItem.parts``) and
the archive joins their bodies (``archive.extract.spans``). Told by mechanism, never by a
portal's strings:

- **continuation pages**: links (or a TRS ``createPageHTML`` pager script) to the same URL
  stem with a page suffix — ``t…_123_1.html`` (TRS WCM), ``…_2.html`` (织梦), ``…-2.html``
  (PHPCMS), ``?page=2`` — in the same folder, or a 下一页 anchor to a file named after the page's
  own. Each page fetched is read for more (a pager that shows a window of numbers), ordered by
  its number; a URL is asked for once (no loop), at most ``FAZHI_ARTICLE_PAGES`` pages in all.
- **a body in a frame**: a candidate with thin readable text (``crawler.shells``) whose
  ``<iframe>``/``<frame>`` on its own site sits in the content area (not a header, menu, footer
  or sidebar, not a pixel): the frame document's body is the report's, the page keeps its title
  and date. Every other frame on any page is left with a reason in the skip audit.

A span's state travels in the request's ``cb_kwargs`` (``span``), so a worker of a fleet can
take its next page. A first page's validators are not kept: asked again it is fetched whole
and compared by content, since a 304 for it says nothing of its other pages.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from posixpath import splitext
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import html
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.statscollectors import StatsCollector
from w3lib.url import canonicalize_url

from archive.extract.spans import FRAME, PAGES
from crawler import shells
from crawler.discovery import TRS_PAGER, Link, LinkKind, rules
from crawler.items import PageItem
from crawler.rendering import VALIDATORS

logger = logging.getLogger(__name__)
PART_PRIORITY = 110  # before other candidates: a held page waits for its parts
# Query parameters that number a page (as the listing pager's, crawler/data/discovery.toml).
PAGE_PARAMS = frozenset({"page", "pageno", "pageindex", "pagenum", "p", "curpage", "pn"})
PAGE_SUFFIX = r"[_-](\d{1,4})"
# Where a frame is site furniture, not a body: by tag, or by an ancestor's class or id.
FURNITURE_TAGS = frozenset({"header", "nav", "footer", "aside"})
FURNITURE = re.compile(r"(^|[\s_-])(nav|menu|head|header|top|foot|footer|side|sidebar|banner|"
                       r"share|ads?|login|search|weather)([\s_-]|$)", re.I)  # fmt: skip
MIN_FRAME = 50  # pixels: a frame smaller than this is a tracker or a widget
FRAME_LEFT = "an embedded frame (<iframe>/<frame>), not this page's body"
Make = Callable[[Link], Request | None]  # the spider's request for a link, audited, or None
Leave = Callable[[str, str, str], None]  # the skip audit: url, reason, detail


@dataclass
class Span:
    """A held report page and the resources it spans, as far as they are fetched."""

    page: PageItem
    how: str  # PAGES or FRAME
    queue: list[tuple[int, str]]  # (page number, URL) still to fetch, in order
    known: set[str]  # canonical URLs met: the page's own and every continuation seen
    limit: int  # resources in all, the first page included
    parts: list[PageItem] = field(default_factory=list)
    # (page URL, its links) of each page read: followed once the span is archived, so an
    # attachment found on any page is stored after the version it belongs to
    follows: list[tuple[str, list[Link]]] = field(default_factory=list)

    def item(self) -> PageItem:
        """The first page, with its parts, to archive."""
        return dataclasses.replace(self.page, parts=tuple(self.parts), span=self.how)


def page_number(base: str, url: str) -> int | None:
    """N when URL is page N of the article at BASE: the same origin and folder, and BASE's
    file name with a page suffix before the same extension, or BASE's URL with a page
    parameter; None for any other URL (BASE itself included)."""
    b, u = urlsplit(base), urlsplit(url)
    if (b.scheme, b.netloc) != (u.scheme, u.netloc):
        return None
    (folder, _, name), (u_folder, _, u_name) = b.path.rpartition("/"), u.path.rpartition("/")
    if folder != u_folder:
        return None
    if name == u_name:
        asked, own = _paged_query(u.query), _paged_query(b.query)
        same_rest = asked[1] == own[1]
        return asked[0] if same_rest and asked[0] is not None and asked[0] != own[0] else None
    stem, ext = splitext(name)
    u_stem, u_ext = splitext(u_name)
    match = re.fullmatch(re.escape(stem) + PAGE_SUFFIX, u_stem) if stem else None
    return int(match[1]) if match and ext == u_ext and u.query == b.query else None


def _paged_query(query: str) -> tuple[int | None, list[tuple[str, str]]]:
    """The page number a query asks for, and the rest of it."""
    number, rest = None, []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            number = int(value)
        else:
            rest.append((key, value))
    return number, sorted(rest)


def continuations(response: TextResponse, base: str) -> list[tuple[int, str]]:
    """The pages of the article at BASE this page links to, numbered, in order."""
    found: dict[str, int] = {}
    stem = splitext(urlsplit(base).path.rpartition("/")[2])[0]
    for match in TRS_PAGER.finditer(response.text):  # TRS: createPageHTML(n, i, "stem", "ext")
        if match[3] == stem:
            for n in range(1, int(match[1])):
                found.setdefault(urljoin(base, f"{stem}_{n}.{match[4]}"), n)
    root = response.selector.root
    if not isinstance(root, html.HtmlElement):
        return sorted((n, url) for url, n in found.items())
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(response.url, href).split("#", 1)[0]
        number = page_number(base, url)
        if number is None and _next_anchor(anchor.text_content(), base, url, stem):
            number = 10**6  # numbered by no suffix we know: after the numbered ones
        if number is not None:
            found.setdefault(url, number)
    return sorted((n, url) for url, n in found.items())


def _next_anchor(text: str, base: str, url: str, stem: str) -> bool:
    """A 下一页 anchor to another file of the same folder named after the page's own."""
    b, u = urlsplit(base), urlsplit(url)
    folder, _, name = u.path.rpartition("/")
    return (
        " ".join(text.split()) in rules().next_anchors
        and (b.scheme, b.netloc, b.path.rpartition("/")[0]) == (u.scheme, u.netloc, folder)
        and bool(stem)
        and name.startswith(stem)
        and canonicalize_url(url) != canonicalize_url(base)
    )


def frames(response: Response) -> list[tuple[str, html.HtmlElement]]:
    """The frames a page embeds: (absolute URL, element), in document order."""
    if not isinstance(response, HtmlResponse):
        return []
    root = response.selector.root
    if not isinstance(root, html.HtmlElement):
        return []
    found = []
    for element in root.iter("iframe", "frame"):
        src = (element.get("src") or "").strip()
        if src and not src.startswith(("javascript:", "about:", "data:", "#")):
            url = urljoin(response.url, src).split("#", 1)[0]
            if urlsplit(url).scheme in ("http", "https"):
                found.append((url, element))
    return found


def body_frame(response: Response, allows: Callable[[str], bool]) -> str | None:
    """The frame holding a candidate page's body, or None: the page's own readable text is
    thin and a frame on its site sits in the content area."""
    found = frames(response)
    if not found or not isinstance(response, HtmlResponse):
        return None
    root = response.selector.root
    if len(shells.readable_text(root)) >= shells.rules().thin_text:
        return None  # the page holds its own document
    return next((url for url, el in found if allows(url) and _in_content(el)), None)


def _in_content(element: html.HtmlElement) -> bool:
    for size in (element.get("width", ""), element.get("height", "")):
        if size.isdigit() and int(size) < MIN_FRAME:
            return False
    for ancestor in element.iterancestors():
        if ancestor.tag in FURNITURE_TAGS:
            return False
        if FURNITURE.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
            return False
    return True


def frames_left(response: Response, kind: str, allows: Callable[[str], bool], leave: Leave) -> None:
    """Every frame of a page to the skip audit; the one followed as a body leaves it again
    when requested (``SkipAudit.followed``)."""
    for url, _ in frames(response):
        if not allows(url):
            leave(url, "off-scope", FRAME_LEFT)
        else:
            of_report = kind in (LinkKind.CANDIDATE, LinkKind.PART)
            leave(url, "report-page" if of_report else "not-a-report", FRAME_LEFT)


def hold(
    span: Span | None,
    response: Response,
    item: PageItem,
    kind: str,
    allows: Callable[[str], bool],
    limit: int,
) -> Span | None:
    """The span ITEM joins (a part's answer, an error page too: the archive skips its body) or
    starts (a candidate page with continuations or a body frame); None: archive ITEM as it is."""
    if span is not None:
        span.parts.append(item)
        return span
    if kind != LinkKind.CANDIDATE or limit < 2:
        return None
    if not isinstance(response, TextResponse) or not 200 <= response.status < 300:
        return None
    page = dataclasses.replace(
        item, headers={k: v for k, v in item.headers.items() if k.lower() not in VALIDATORS}
    )
    base = response.url
    pages = [(n, url) for n, url in continuations(response, base) if allows(url)]
    if pages:
        known = {canonicalize_url(base)} | {canonicalize_url(url) for _, url in pages}
        return Span(page, PAGES, pages, known, limit)
    frame = body_frame(response, allows)
    if frame is None:
        return None
    return Span(page, FRAME, [(1, frame)], {canonicalize_url(base)}, 2)


def advance(
    span: Span, response: Response | None, make: Make, leave: Leave, stats: StatsCollector
) -> Request | PageItem:
    """The span's next request, or its page with every part fetched (RESPONSE: the page or
    part just answered; None when a part failed)."""
    if response is not None and span.how == PAGES and isinstance(response, TextResponse):
        base = span.page.final_url or span.page.url
        for number, url in continuations(response, base):
            key = canonicalize_url(url)
            if key not in span.known:
                span.known.add(key)
                span.queue.append((number, url))
        span.queue.sort()
    while span.queue:
        number, url = span.queue.pop(0)
        if len(span.parts) + 1 >= span.limit:
            leave(url, "page-budget", f"article pages past FAZHI_ARTICLE_PAGES {span.limit}")
            stats.inc_value("fazhi/span/limit")
            continue
        request = make(Link(url, "", LinkKind.PART, PART_PRIORITY))
        if request is not None:  # None: asked for already, or left (the audit says why)
            request.cb_kwargs["span"] = span
            return request.replace(dont_filter=True)  # a redirect home must not lose the span
    stats.inc_value(f"fazhi/span/{span.how}")
    stats.inc_value("fazhi/span/parts", len(span.parts))
    logger.info("report page %s spans %d resources (%s): archived as one",
                span.page.url, len(span.parts) + 1, span.how)  # fmt: skip
    return span.item()
