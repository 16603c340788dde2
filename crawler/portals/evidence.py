"""What a portal page says about itself and where it links, read as a person reads it.

Its own name: the ``<title>``, the SiteName and SiteIDCode meta tags the national web-page
specification asks government sites for, the footer's 主办单位 and 网站标识码 (ten characters:
the six-digit 行政区划代码 and a serial, 3600000013 for a department of 江西省; ``bm`` and
eight digits for a central body, bm55000001). Its links: anchors (an image link's ``alt`` is
its text), image-map areas and the ``<option value="URL">`` of jump menus, each with the
text a person would read beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from crawler.discovery import SCRIPTED_LISTING
from crawler.portals.names import words

# The 网站标识码 of a local government site (division code + serial) or a central body's.
SITE_CODE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_SITE_CODE_TEXT = re.compile(r"网站标识码\s*[:：]?\s*([0-9A-Za-z]{6,12})")
_HOST_BODY_TEXT = re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s,，;；|｜/、<>]{2,40})")
_REFRESH = re.compile(r"^\s*\d*\s*;?\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)
# Separators between the parts of a title: 首页 - 南昌县人民政府, 南昌市人民政府_首页.
TITLE_PARTS = re.compile(r"[-_|｜—–·•:：>»\s]+")


@dataclass(frozen=True)
class PageLink:
    url: str
    anchor: str
    via: str  # a, img-alt, area, option


@dataclass(frozen=True)
class PageEvidence:
    """A page's own name in every place it gives one, and its links."""

    url: str
    title: str
    site_name: str | None
    site_code: str | None
    host_body: str | None
    links: tuple[PageLink, ...]
    refresh: str | None  # a <meta http-equiv="refresh"> target: an old site's way of moving
    scripted: bool  # scripts fetch data to build it
    lists_sites: bool  # its text says it lists subordinate governments' sites (区县政府)

    def own_names(self) -> Iterator[tuple[str, str]]:
        """(signal, text) of each name the site gives itself, the most deliberate first."""
        if self.site_name:
            yield "site_name", self.site_name
        for part in TITLE_PARTS.split(self.title):
            if part:
                yield "title", part
        if self.host_body:
            yield "host_body", self.host_body


def read_page(html: str, url: str) -> PageEvidence:
    """The evidence of one HTML page fetched from URL (after redirects)."""
    try:
        root = lxml.html.document_fromstring(html or "<html></html>")
    except ParserError:
        root = lxml.html.document_fromstring("<html></html>")
    base = _base(root, url)
    # text nodes apart: a footer's <p>主办单位：…</p><p>网站标识码：…</p> must not run together
    body = root.find("body")
    text = " ".join(" ".join(map(str, body.itertext())).split()) if body is not None else ""
    meta = {
        (m.get("name") or m.get("http-equiv") or "").lower(): (m.get("content") or "").strip()
        for m in root.iter("meta")
    }
    code = meta.get("siteidcode") or _first(_SITE_CODE_TEXT, text)
    refresh = _REFRESH.match(meta.get("refresh", ""))
    scripts = (s.text or "" for s in root.iter("script"))
    return PageEvidence(
        url=url,
        title=" ".join((root.findtext(".//title") or "").split()),
        site_name=meta.get("sitename") or None,
        site_code=code if code and SITE_CODE.match(code) else None,
        host_body=_first(_HOST_BODY_TEXT, text),
        links=tuple(_links(root, base)),
        refresh=urljoin(base, refresh[1].strip()) if refresh else None,
        scripted=any(SCRIPTED_LISTING.search(s) for s in scripts),
        lists_sites=bool(words().subordinate_cue.search(text)),
    )


def origin(url: str) -> str:
    """scheme://host[:port]: one site, as discovery counts them."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found[1] if found else None


def _base(root: lxml.html.HtmlElement, url: str) -> str:
    base = root.find(".//base")
    href = base.get("href") if base is not None else None
    return urljoin(url, href) if href else url


def _links(root: lxml.html.HtmlElement, base: str) -> Iterator[PageLink]:
    seen: set[str] = set()
    for element in root.iter("a", "area", "option"):
        if element.tag == "option":
            href, via, anchor = element.get("value") or "", "option", element.text_content()
        elif element.tag == "area":
            href, via, anchor = element.get("href") or "", "area", element.get("alt") or ""
        else:
            href, via, anchor = element.get("href") or "", "a", element.text_content()
            if not anchor.strip():  # an image link: its alt is what a person reads
                alts = [i.get("alt") or "" for i in element.iter("img")]
                alt = next((a for a in alts if a.strip()), "")
                anchor, via = (alt, "img-alt") if alt else (element.get("title") or "", via)
        url = _absolute(base, href.strip())
        if url and url not in seen:
            seen.add(url)
            yield PageLink(url, " ".join(anchor.split()), via)


def _absolute(base: str, href: str) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    url = urljoin(base, href).split("#", 1)[0]
    return url if urlsplit(url).scheme in ("http", "https") else None
