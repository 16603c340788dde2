"""A replica site's own pages and hazards, beside its documents and columns (site.py): the
home and 专题 pages, menu redirects, the sitemap, robots.txt, redirect chains and traps.

A mixin of site.py's builder, kept apart so each module holds one part of a site: it reads the
builder's site, base URL, routes, entries and facts, and serves through its helpers.
"""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

from tests.replica import hazards, listing
from tests.replica.config import Column, Site
from tests.replica.drawing import Chrome
from tests.replica.facts import Facts, RedirectFact, SitemapFact
from tests.replica.listing import Entry
from tests.replica.resource import Resource, target_of

TODAY = dt.date(2024, 4, 16)  # the replica's "now": just after the spring report season
HOME_LATEST = 6
HOME_LABELS = ("首页", "网站首页")
XML_TYPE = "application/xml"
GZIP_TYPE = "application/x-gzip"


class SiteRoutes:
    """The site-wide routes of a replica site (mixed into site.py's builder)."""

    site: Site
    base: str
    chrome: Chrome
    routes: dict[str, Resource]
    entries: dict[str, list[Entry]]
    facts: Facts

    def _home(self) -> None:
        self._block_page(self.site.home_path, self.site.name, self.site.home)
        for topic in self.site.topics:
            self._block_page(topic["path"], topic["title"], tuple(topic["blocks"]))
        if self.site.home_path != "/" and self.site.host is None:  # a 站群's / is its portal's
            self.routes["/"] = Resource(302, "text/html", b"", self.base + self.site.home_path)

    def _block_page(self, path: str, title: str, layout: tuple[dict[str, Any], ...]) -> None:
        """A page of blocks: the home page, a 专题 page. A block lists a column's latest
        documents (with a 更多 link) or fixed links."""
        blocks = []
        for block in layout:
            if "column" in block:
                column = self.site.columns[block["column"]]
                latest = self._sorted(column.key)[:HOME_LATEST]
                links = [(entry.title, entry.path) for entry in latest]
                blocks.append(listing.home_block(column.title, links, more=column.path))
            else:
                blocks.append(
                    listing.home_block(block["title"], [tuple(link) for link in block["links"]])
                )
        self._serve(path, self.site.content_type, self._page(title, "\n".join(blocks)))

    def _menu(self) -> None:
        """Menu entries named like a column (or 首页) lead there, through a 302 as CMS menus do."""
        targets = {column.title: column.path for column in self.site.columns.values()}
        targets |= dict.fromkeys(HOME_LABELS, self.site.home_path)
        for label, href in self.chrome.nav_links():
            path = target_of(href)
            if label in targets and href.startswith("/") and path not in self.routes:
                self.routes[path] = Resource(302, "text/html", b"", self.base + targets[label])

    def _sitemap(self) -> None:
        """The index robots.txt names and its urlsets (a `.gz` one gzipped), each listing the
        pages of some columns with their dates: the only way to a column no page links."""
        sitemap = self.site.sitemap
        if sitemap is None:
            return
        urlsets = []
        for part in sitemap["urlsets"]:
            pages = [(self.site.home_path, TODAY)] if part.get("home") else []
            for key in part["columns"]:
                pages += self._column_pages(self.site.columns[key])
            body = listing.urlset(self.base, pages)
            if part["path"].endswith(".gz"):
                self._serve(part["path"], GZIP_TYPE, gzip.compress(body, mtime=0))
            else:
                self._serve(part["path"], XML_TYPE, body)
            urlsets.append((part["path"], max(date for _, date in pages)))
        self._serve(sitemap["index"], XML_TYPE, listing.sitemap_index(self.base, urlsets))
        self.facts.sitemaps.append(SitemapFact(sitemap["index"], tuple(p for p, _ in urlsets)))

    def _column_pages(self, column: Column) -> list[tuple[str, dt.date]]:
        """A column's list pages (dated by their newest document), then its documents."""
        entries = self._sorted(column.key)
        newest = entries[0].date if entries else TODAY
        paged = [fact.pages for fact in self.facts.listings if fact.column == column.key]
        pages = paged[0] if paged else (column.path,)
        return [(path, newest) for path in pages] + [(entry.path, entry.date) for entry in entries]

    def _robots(self) -> None:
        if self.site.robots:
            text = self.site.robots.format(base=self.base)
            self.routes["/robots.txt"] = hazards.robots(text)

    def _redirects(self) -> None:
        for item in self.site.redirects:
            chain = hazards.redirect_chain(self.base, item["chain"], item["to"])
            if item["to"] not in self.routes or chain.keys() & self.routes.keys():
                raise ValueError(f"{self.site.slug}: a redirect must lead from new paths to a page")
            self.routes |= chain
            hops = tuple((resource.status, path) for path, resource in chain.items())
            self.facts.redirects.append(RedirectFact(hops, item["to"]))

    def _traps(self) -> list[hazards.Trap]:
        render, content_type = self._page, self.site.content_type
        for item in self.site.traps:
            if item["kind"] == "calendar":
                trap = hazards.calendar(render, content_type, item["path"], item["title"])
            elif item["kind"] == "repeating_segments":
                topical = [
                    e for c in self.site.columns for e in self._sorted(c) if "法治" in e.title
                ]
                trap = hazards.repeating_segments(
                    render, content_type, item["path"], item["title"], topical
                )
            else:
                trap = self._endless_trap(self.site.columns[item["column"]])
            self.facts.traps.append(trap)
        return self.facts.traps

    def _endless_trap(self, column: Column) -> hazards.Trap:
        assert column.pager is not None and column.pager.style == "dede"
        real = listing.page_count(len(self.entries[column.key]), column.pager)
        numbered = (f"{column.path}list_{column.pager.list_id}_", ".html")
        return hazards.endless_pages(
            lambda number: self._list_page(column, number), self.site.content_type, numbered, real
        )
