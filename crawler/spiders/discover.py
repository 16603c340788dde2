"""The discovery spider: walks a parent portal for its subordinate governments' sites.

As a person would: from a portal's home page to its 政府网站导航 page, through the 市县政府
blocks of its footer, its jump menus and its image links; a list only a browser sees (built
by script from data) is rendered with the crawl's Playwright. Every other site linked is asked
about once: its home page is fetched (redirects followed, one hop at a time, each hop a site of
its own in scope) and identified (``crawler.portals.identify``); a government portal is walked
in turn, down to ``depth`` levels below the start. Same settings, middlewares, robots.txt,
politeness and private-address guard as a crawl; every page is archived as a fetch of a
``crawl_run`` with the trigger ``discover``. At the end the proposals go to a registry file
(``out``) or to the database as discovered sources (``crawler.registry.discovered``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from sqlalchemy.orm import Session
from twisted.python.failure import Failure

from archive.config import Settings
from archive.coverage.divisions import Division, DivisionLookup
from archive.coverage.history import contains, shipped
from archive.storage import db
from archive.storage.discovered import save_discovered
from crawler.discovery import Link, LinkKind
from crawler.failures import failed_request
from crawler.items import FailureItem, PageItem
from crawler.portals.evidence import PageEvidence, origin, read_page
from crawler.portals.identify import Identity, Verdict, identify
from crawler.portals.names import is_navigation, read_name
from crawler.portals.proposals import Found, entries, write_yaml
from crawler.registry import Source, load
from crawler.request_meta import SOURCE
from crawler.spiders.reports import ReportsSpider

logger = logging.getLogger(__name__)
PORTAL, NAVIGATION = "portal", "navigation"
MAX_HOPS = 5  # redirects followed from a linked site to its current home


class DiscoverySpider(ReportsSpider):
    name = "discover"
    finds_reports = False
    lookup: DivisionLookup
    year: int

    def __init__(self, depth: str | int = 3, out: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.roots = dict(self.sources)
        self.allowed_domains = []  # each site asked about is held to itself by ScopeGuard
        self.depth = int(depth)
        self.out = out
        self.registry_path = kwargs.get("registry")
        self.asked: set[str] = set()  # origins asked about, once each
        self.found: list[Found] = []
        self.portals: dict[str, str] = {}  # division code -> the government portal's URL

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.lookup = shipped()
        spider.year = dt.date.today().year
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for root in self.roots.values():
            self.asked.add(origin(root.home_url))
            request = self._visit(root, root.home_url, PORTAL, {"level": 0, "scope": None})
            if request is not None:
                yield request

    # -- responses ---------------------------------------------------------------------------

    def read(self, response: Response, url: str, kind: str, visit: dict[str, Any]) -> Iterator[Any]:
        """A page discovery asked for: a site's home page (PORTAL) or a navigation page."""
        yield self._item(response, url, visit)
        moved = self._moved_to(response)
        if moved and kind == PORTAL:
            yield from self._follow_move(response, moved, visit)
            return
        if not isinstance(response, TextResponse) or not 200 <= response.status < 300:
            if kind == PORTAL:
                self._record(Found(_dead(f"HTTP {response.status}"), url, visit.get("parent")))
            return
        page = read_page(response.text, response.url)
        if page.refresh and kind == PORTAL and origin(page.refresh) != origin(response.url):
            yield from self._follow_move(response, page.refresh, visit)
            return
        if kind == PORTAL and not visit.get("rendered"):  # a rendered page was identified
            identity = self._identity(page, visit)
            name = page.site_name or identity.evidence.get("title")
            redirects = tuple(visit.get("redirects", ()))
            found = Found(identity, response.url, visit.get("parent"), redirects, name)
            if not self._record(found):
                return
            if visit["level"] == 0:  # the start portal sets the walk's scope
                root = self.sources[response.meta[SOURCE]]
                code = root.division_code or (identity.division.code if identity.division else None)
                visit = {**visit, "scope": code}
            walk = identity.verdict is Verdict.GOVERNMENT or visit["level"] == 0
            if not walk or visit["level"] >= self.depth:
                return
            visit = {**visit, "owner": identity.division.code if identity.division else None}
        yield from self._walk(response, page, kind, visit)

    def failed_visit(self, failure: Failure) -> Iterator[FailureItem]:
        request = failed_request(failure)
        yield from self.failed(failure)
        if request.cb_kwargs.get("kind") == PORTAL:
            reason = f"{failure.type.__name__ if failure.type else 'error'}: no answer"
            url = request.cb_kwargs.get("url", request.url)
            self._record(Found(_dead(reason), url, request.cb_kwargs["visit"].get("parent")))

    def _walk(
        self, response: TextResponse, page: PageEvidence, kind: str, visit: dict[str, Any]
    ) -> Iterator[scrapy.Request]:
        """A walked portal's page: its navigation pages, then every other site it links."""
        here = origin(response.url)
        source = self.sources[response.meta[SOURCE]]
        owner = visit.get("owner")
        outside = [link for link in page.links if origin(link.url) != here]
        below = any(self._below(link.anchor, owner) for link in outside)
        if not below and not visit.get("rendered") and page.scripted and page.lists_sites:
            # the subordinate sites are named only once a script has run: ask the browser
            self.crawler.stats.inc_value("fazhi/discovery/rendered")
            yield self._rendered(response, kind, visit)
            return
        if kind == PORTAL:
            for link in page.links:
                if origin(link.url) == here and is_navigation(link.anchor):
                    nav = {**visit, "rendered": False}
                    request = self._visit(source, link.url, NAVIGATION, nav, link.anchor)
                    if request is not None:
                        yield request
        for link in outside:
            site = origin(link.url)
            if site in self.asked:
                continue
            self.asked.add(site)
            child = {"level": visit["level"] + 1, "scope": visit["scope"], "parent": response.url}
            request = self._visit(self._site(link.url), link.url, PORTAL, child, link.anchor)
            if request is not None:
                yield request

    def _follow_move(
        self, response: Response, target: str, visit: dict[str, Any]
    ) -> Iterator[scrapy.Request]:
        """A linked site that moved (3xx, meta refresh): asked again at its new address."""
        redirects = [*visit.get("redirects", ()), response.url]
        site = origin(target)
        if len(redirects) > MAX_HOPS or (site in self.asked and site != origin(response.url)):
            self.crawler.stats.inc_value("fazhi/discovery/redirect_dropped")
            return
        self.asked.add(site)
        moved = {**visit, "redirects": redirects}
        request = self._visit(self._site(target), target, PORTAL, moved, visit.get("anchor", ""))
        if request is not None:
            yield request

    # -- identity and results ----------------------------------------------------------------

    def _identity(self, page: PageEvidence, visit: dict[str, Any]) -> Identity:
        scope = self.lookup.by_code(visit["scope"]) if visit.get("scope") else None
        return identify(page, self.lookup, self.year, scope, visit.get("anchor", ""))

    def _record(self, found: Found) -> bool:
        """Keep FOUND; False for a second government portal of a division (not proposed)."""
        identity = found.identity
        if identity.verdict is Verdict.GOVERNMENT and identity.division:
            first = self.portals.setdefault(identity.division.code, found.url)
            if first != found.url:
                reason = f"a second portal of {identity.division.code} (first {first})"
                found = Found(Identity(Verdict.DUPLICATE, reason), found.url, found.discovered_from)
        self.found.append(found)
        self.crawler.stats.inc_value(f"fazhi/discovery/{found.identity.verdict}")
        logger.info(
            "discovered %s: %s (%s)", found.url, found.identity.verdict, found.identity.reason
        )
        return found.identity.verdict is not Verdict.DUPLICATE

    def _below(self, anchor: str, owner: str | None) -> bool:
        """Whether a link's text names a division below OWNER (a subordinate government)."""
        outer = self.lookup.by_code(owner) if owner else None
        if not anchor or outer is None:
            return False
        division: Division | None = read_name(anchor, self.lookup, self.year, owner).division
        return division is not None and contains(outer, division)

    def closed(self, reason: str) -> None:
        """Write the proposals: the registry file, or the database's discovered sources."""
        taken = [] if self.out else [s.slug for s in load(_path(self.registry_path))]
        records = entries(self.found, taken)
        self.crawler.stats.set_value("fazhi/discovery/proposed", len(records))
        if self.out:
            start = ", ".join(s.home_url for s in self.roots.values())
            write_yaml(self.out, records, self.found, start)
            logger.info("%d sources proposed in %s", len(records), self.out)
            return
        url = self.settings.get("FAZHI_DATABASE_URL") or Settings.from_env().database_url
        engine = db.make_engine(url)
        try:
            with Session(engine) as session:
                stored = save_discovered(
                    session, records, self.crawler.stats.get_value("fazhi/run_id")
                )
                session.commit()
        finally:
            engine.dispose()
        logger.info("%d discovered sources stored (%s)", len(stored), db.redact(url))

    # -- requests ----------------------------------------------------------------------------

    def _visit(
        self, source: Source, url: str, kind: str, visit: dict[str, Any], anchor: str = ""
    ) -> scrapy.Request | None:
        request = self._request(source, Link(url, anchor, LinkKind.LISTING, 10), depth=0)
        if request is None:
            return None
        return request.replace(
            callback=self.read,
            errback=self.failed_visit,
            meta={**request.meta, "dont_redirect": True},  # a move is followed as a new site
            cb_kwargs={"url": url, "kind": kind, "visit": {**visit, "anchor": anchor}},
        )

    def _rendered(self, response: Response, kind: str, visit: dict[str, Any]) -> scrapy.Request:
        request = response.request
        assert request is not None  # a response to a request of ours
        return request.replace(
            meta={
                **request.meta,
                "playwright": True,
                "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
            },
            cb_kwargs={**request.cb_kwargs, "visit": {**visit, "rendered": True}},
            dont_filter=True,
        )

    def _site(self, url: str) -> Source:
        """A linked site, as a source of its own: its host (and port, when it has one)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        domain = f"{host}:{parts.port}" if parts.port else host
        slug = "site-" + "-".join(filter(None, (host.replace(".", "-"), str(parts.port or ""))))
        source = self.sources.get(slug) or Source(
            slug=slug, name=host, home_url=url, domains=(domain,)
        )
        self.sources[slug] = source
        return source

    def _item(self, response: Response, url: str, visit: dict[str, Any]) -> PageItem:
        return self._page_item(
            response, url, LinkKind.LISTING, visit.get("anchor"), bool(visit.get("rendered"))
        )

    def _moved_to(self, response: Response) -> str | None:
        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location:
            return urljoin(response.url, location.decode("latin-1"))
        return None


def _dead(reason: str) -> Identity:
    return Identity(Verdict.DEAD, reason)


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None
