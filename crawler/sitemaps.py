"""Sitemaps: the pages a portal lists itself, read for what focused discovery wants of them.

The parsing is Scrapy's; this module decides what an entry is worth, by the rules a link on a
page is judged by, so a sitemap of tens of thousands of news articles does not spend the page
budget. docs/architecture.md ("The spider", Sitemaps).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import lxml.etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.discovery import Link, LinkKind, classify_link

# What a urlset entry may be fetched as; anything else it offers is not worth a page.
FOLLOWED = frozenset({LinkKind.CANDIDATE, LinkKind.ATTACHMENT, LinkKind.LISTING})
# Above listings and pagers (50): a sitemap's entries claim the page budget before the link
# walk has spent it on menus.
SITEMAP_PRIORITY = 60
INDEX, URLSET = "sitemapindex", "urlset"


class SitemapError(ValueError):
    """A response that should have been a sitemap and is not one (its URL in the message)."""


@dataclass(frozen=True)
class Entry:
    """One ``<url>`` of a urlset or ``<sitemap>`` of an index."""

    url: str
    title: str = ""  # news:title or image:title; "" when the sitemap gives none
    lastmod: str = ""  # W3C datetime as written; "" when absent


class _TitledSitemap(Sitemap):
    """Scrapy's parser, also keeping the title nested in ``<news:news>`` or ``<image:image>``:
    its own reads only the direct children of ``<url>`` (and then clears them)."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        titles = [
            " ".join(node.text.split())
            for node in elem.iterdescendants()
            if self._get_tag_name(node) == "title" and node.text and node.text.strip()
        ]
        found = super()._process_sitemap_element(elem)
        if found is not None and titles:
            found["title"] = titles[0]
        return found


def robots_sitemaps(response: Response) -> list[str]:
    """The sitemaps a robots.txt names, as absolute URLs (none from an error page)."""
    if not 200 <= response.status < 300:
        return []
    return list(sitemap_urls_from_robots(response.body, base_url=response.url))


def read(response: Response, max_size: int) -> tuple[str, list[Entry]]:
    """A sitemap's type (:data:`INDEX` or :data:`URLSET`) and its entries.

    A gzip body (``.xml.gz``) is unpacked up to ``max_size`` bytes (a gzip bomb stops
    there). Raises :class:`SitemapError` for anything that is not a sitemap.
    """
    body = _unpacked(response, max_size)
    try:
        sitemap = _TitledSitemap(body)
        entries = [
            Entry(item["loc"], item.get("title", ""), item.get("lastmod", ""))
            for item in sitemap
            if item["loc"]
        ]
    except (lxml.etree.LxmlError, StopIteration) as error:
        raise SitemapError(f"{response.url}: not XML ({error or 'empty'})") from None
    if sitemap.type not in (INDEX, URLSET):
        raise SitemapError(f"{response.url}: <{sitemap.type}> is not a sitemap")
    return sitemap.type, entries


def _unpacked(response: Response, max_size: int) -> bytes:
    if not gzip_magic_number(response):
        return response.body
    try:
        return gunzip(response.body, max_size=max_size)
    except ValueError:  # scrapy's _DecompressionMaxSizeExceeded
        raise SitemapError(f"{response.url}: more than {max_size} bytes unpacked") from None
    except (OSError, EOFError, struct.error) as error:
        raise SitemapError(f"{response.url}: broken gzip ({error})") from None


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """By ``lastmod``, newest first, undated last: a budget cut drops old pages, not new ones.
    (W3C datetimes of one sitemap share a format, so their text sorts as their time.)"""
    return sorted(entries, key=lambda entry: entry.lastmod, reverse=True)


def urlset_links(entries: Iterable[Entry]) -> Iterator[Link]:
    """Each entry as discovery classifies it, newest first; the caller keeps :data:`FOLLOWED`."""
    for entry in newest_first(entries):
        yield classify_link(entry.url, entry.title)
