"""The one generic spider: finds every report on a portal from its registry entry.

Data-driven: what differs between portals lives in the source registry
(`crawler/sources/`) and the discovery signals (`crawler/data/discovery.toml`),
not in per-portal code. Every response becomes a PageItem (the pipeline archives
it); only links whose anchor classifies as an annual report are fetched as
report candidates, distractors are counted by type and never fetched. A source's
robots.txt and sitemaps are read too, for what those same rules would follow
(`crawler/sitemaps.py`): they reach columns no menu links any more.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from archive.config import Settings
from crawler import data_islands, listing_api, rendering, shells, sitemaps, spans
from crawler.discovery import API_PRIORITY as DATA
from crawler.discovery import LISTING_KINDS, Link, LinkKind, page_links, trs_pages
from crawler.failures import FailureLog, failed_request
from crawler.floods import FloodCut, FloodCuts
from crawler.items import FailureItem, PageItem
from crawler.registry import Source
from crawler.registry.discovered import chosen_sources
from crawler.request_meta import FOUND_ON, PARENT, RENDERED_FOR, SOURCE
from crawler.skips import SkipAudit, dropped_reason, reason_to_leave
from crawler.traps import TrapGuard

logger = logging.getLogger(__name__)

SEARCH_QUERY = "法治政府建设情况报告"
PAGE_PRIORITY = 50  # a listing's further pages: after its data (DATA)


class ReportsSpider(scrapy.Spider):
    name = "reports"
    finds_reports = True  # a run judged by the reports it finds again (archive.runs.verdict)
    with_discovered = True  # the database's discovered sources join the registry's
    # Set by from_crawler, from the crawl's settings.
    max_pages: int  # per source
    max_depth: int
    explore_depth: int
    sitemap_depth: int
    api_pages: int  # pages of one listing endpoint read at most
    article_pages: int  # pages of one report read at most (crawler/spans.py)
    max_size: int
    failures: FailureLog
    floods: FloodCuts

    def __init__(
        self,
        source: str | None = None,
        start_url: str | None = None,
        all: str | bool = False,
        max_pages: str | int | None = None,
        registry: str | None = None,
        database: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        chosen = chosen_sources(source, start_url, bool(all), registry, database)
        self.sources = {s.slug: s for s in chosen}
        # Scrapy's offsite filter knows hosts only; Source.allows also checks host:port.
        self.allowed_domains = sorted(
            {d.split(":")[0] for s in self.sources.values() for d in s.domains}
        )
        self.max_pages = int(max_pages) if max_pages else 0  # 0: FAZHI_MAX_PAGES
        self.pages: Counter[str] = Counter()
        self.guard = TrapGuard()
        self.seen_links: dict[str, set[str]] = {}
        self.requested: set[str] = set()  # canonical URLs already requested
        self.skips = SkipAudit()  # what was seen and left: written at close

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        if cls.with_discovered:
            url = crawler.settings.get("FAZHI_DATABASE_URL") or Settings.from_env().database_url
            kwargs.setdefault("database", url)
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = spider.max_pages or settings.getint("FAZHI_MAX_PAGES", 2000)
        spider.max_depth = settings.getint("FAZHI_MAX_DEPTH", 6)
        spider.explore_depth = settings.getint("FAZHI_EXPLORE_DEPTH", 2)
        spider.sitemap_depth = settings.getint("FAZHI_SITEMAP_DEPTH", 3)
        spider.api_pages = settings.getint("FAZHI_API_PAGES", 50)
        spider.article_pages = settings.getint("FAZHI_ARTICLE_PAGES", 30)
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        spider.failures = FailureLog(crawler)
        spider.floods = FloodCuts.from_crawler(crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources.values():
            for request in self.seed(source):
                yield request

    def seed(self, source: Source) -> Iterator[scrapy.Request]:
        """A source's start requests (a worker calls this for each source taken off Redis)."""
        links = [Link(url, "", LinkKind.LISTING, 10) for url in source.start_urls]
        search = source.search_url_for(SEARCH_QUERY)
        if search:  # the portal's own search finds reports its menus hide
            links.append(Link(search, SEARCH_QUERY, LinkKind.LISTING, 20))
        for link in links:
            request = self._request(source, link, depth=0)
            if request is not None:
                yield request
        robots = dict.fromkeys(urljoin(url, "/robots.txt") for url in source.start_urls)
        yield from self._sitemap_requests(source, list(robots), level=0)
        yield from self._sitemap_requests(source, list(source.sitemaps), level=1)

    # -- responses ---------------------------------------------------------------------------

    def parse(
        self,
        response: Response,
        url: str,
        kind: str,
        depth: int,
        anchor: str | None = None,
        sitemap: int | None = None,
        rendered: bool = False,
        span: spans.Span | None = None,
    ) -> Iterator[Any]:
        """A response to a request of ours; the keywords are its ``cb_kwargs``: the link
        followed (URL as found, before redirects), its kind, its listing depth, its anchor, the
        sitemap level of robots.txt (0) and sitemaps, whether the browser rendered it, and the
        report page it is a part of (crawler/spans.py)."""
        source = self.sources[response.meta[SOURCE]]
        if sitemap is not None:  # robots.txt or a sitemap: read here, never rendered
            yield self._page_item(response, url, kind, anchor, rendered)
            yield from self._sitemap(response, source, sitemap)
            return
        links = self._links(response, kind, rendered)
        why = (
            None
            if rendered
            else rendering.needs_browser(response, source, kind, links, self.crawler.stats)
        )
        if why is not None:
            request = response.request
            assert request is not None  # a response to a request of ours
            yield request.replace(
                meta={k: v for k, v in response.meta.items() if k in (SOURCE, PARENT)}
                | rendering.render_meta(why),
                cb_kwargs={**request.cb_kwargs, "rendered": True},
                dont_filter=True,
            )
            return
        if rendered and response.meta.get(RENDERED_FOR) == shells.SHELL:  # once, never again
            shells.judge_rendered(response, self.crawler.stats)
        item = self._page_item(response, url, kind, anchor, rendered)
        read = isinstance(response, TextResponse) and 200 <= response.status < 300
        if read:
            spans.frames_left(response, kind, source.allows, self._leaver(source, response.url))
        span = spans.hold(span, response, item, kind, source.allows, self.article_pages)
        if span is None:
            yield item  # archived: counted now
            if read:
                yield from self._follow(source, response.url, response.text, kind, depth, links)
            return
        span.follows += [(response.url, links)] if read else []
        yield from self._span_step(span, response, source, depth)

    def _span_step(
        self, span: spans.Span, response: Response | None, source: Source, depth: int
    ) -> Iterator[Any]:
        """A held report page's next part; or the page archived with its parts, then the links
        of each of its pages followed (their files hang from the first page)."""
        leave = self._leaver(source, span.page.url)
        make = lambda link: self._request(source, link, depth, found_on=span.page.url)  # noqa: E731
        step = spans.advance(span, response, make, leave, self.crawler.stats)
        yield step
        for page, links in span.follows if isinstance(step, PageItem) else []:
            parent = span.page.final_url or span.page.url
            yield from self._follow(source, page, "", LinkKind.CANDIDATE, depth, links, parent)

    def _links(self, response: Response, kind: str, rendered: bool) -> list[Link]:
        """A page's links; an endpoint's (JSON or XML), with its other pages or record ranges;
        a rendered listing's, with the endpoints its script called (crawler/listing_api.py)."""
        if not isinstance(response, TextResponse):
            return []
        data = listing_api.read_json(response) if kind == LinkKind.API else None
        pages: list[str] = []
        if data is not None:
            links = listing_api.json_links(data, response.url)
            pages = listing_api.other_pages(response.url, data, self.api_pages)
        else:
            links = list(page_links(response))  # an XML answer's too (crawler/data_islands.py)
            if kind == LinkKind.API and isinstance(response, XmlResponse):
                pages = data_islands.answer_ranges(response.text, response.url, self.api_pages)
        links += [Link(url, "", LinkKind.API, PAGE_PRIORITY) for url in pages]
        if rendered and kind in LISTING_KINDS:
            calls = listing_api.api_calls(response)
            links += [Link(url, "", LinkKind.API, DATA) for url in calls]
        return links

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failed_request(failure)
        if (span := request.cb_kwargs.get("span")) is not None:  # a part failed: the span goes on
            source = self.sources[request.meta[SOURCE]]
            yield from self._span_step(span, None, source, request.cb_kwargs["depth"])
        if isinstance(failure.value, IgnoreRequest):  # dropped before it was sent
            self._dropped(request, failure.value)
        if isinstance(failure.value, FloodCut):
            return  # never asked for: counted under fazhi/retired/ (crawler/floods.py)
        assert failure.type is not None  # an errback's failure holds an exception
        self.failures.failed(failure)
        yield FailureItem(
            url=request.cb_kwargs.get("url", request.url),  # the link followed, as PageItem
            error=f"{failure.type.__name__}: {failure.getErrorMessage()}",
            fetched_at=dt.datetime.now(dt.UTC),
            source=request.meta.get(SOURCE, ""),
            status=getattr(getattr(failure.value, "response", None), "status", None),
        )

    def _dropped(self, request: scrapy.Request, why: IgnoreRequest) -> None:
        """A request refused before it was sent (robots.txt, a flood rule) joins the audit."""
        reason = dropped_reason(why)
        if reason is None:
            return
        self.skips.dropped(
            request.meta.get(SOURCE, ""),
            request.cb_kwargs.get("url", request.url),
            reason,
            found_on=request.meta.get(FOUND_ON),
            anchor=request.cb_kwargs.get("anchor"),
            detail=str(why),
        )

    def _page_item(
        self, response: Response, url: str, kind: str, anchor: str | None, rendered: bool
    ) -> PageItem:
        self.failures.answered(response)
        return PageItem(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=rendering.captured_headers(response),
            body=response.body,
            fetched_at=dt.datetime.now(dt.UTC),
            source=response.meta[SOURCE],
            kind=kind,
            parent_url=response.meta.get(PARENT),
            anchor=anchor,
            rendered=rendered,
        )

    def _follow(
        self,
        source: Source,
        page: str,
        script: str,
        kind: str,
        depth: int,
        links: list[Link],
        parent: str | None = None,
    ) -> Iterator[scrapy.Request]:
        """The requests for the LINKS of PAGE (SCRIPT: its text, read for a TRS list pager);
        the rest to the skip audit. PARENT: the report page a file found there hangs from."""
        stale = kind == LinkKind.PAGINATION and self._nothing_new(source, links)
        if stale:
            self.crawler.stats.inc_value("fazhi/trap/stale-pagination")
            logger.info("pager at %s brings no new link: not followed further", page)
        for link in links:
            next_depth = depth + (link.kind in (LinkKind.LISTING, LinkKind.EXPLORE))
            left = reason_to_leave(
                link, kind, stale, next_depth, self.max_depth, self.explore_depth
            )
            if left is not None:
                if link.kind is LinkKind.DISTRACTOR:
                    self.crawler.stats.inc_value(f"fazhi/distractor/{link.doc_type}")
                reason, detail = left
                self.skips.left(
                    source.slug, link.url, reason,
                    found_on=page, anchor=link.anchor, detail=detail,
                )  # fmt: skip
                continue
            of = (parent or page) if link.kind is LinkKind.ATTACHMENT else None
            request = self._request(source, link, next_depth, of, found_on=page)
            if request is not None:
                yield request
        for url in [] if stale or kind == LinkKind.CANDIDATE else trs_pages(script, page):
            link = Link(url, "", LinkKind.PAGINATION, 50)  # a report's own pages: crawler/spans
            request = self._request(source, link, depth, found_on=page)
            if request is not None:
                yield request

    def _leaver(self, source: Source, page: str) -> spans.Leave:
        return lambda url, reason, detail: self.skips.left(
            source.slug, url, reason, found_on=page, detail=detail
        )

    def _nothing_new(self, source: Source, links: list[Link]) -> bool:
        """Whether a list page only repeats links this source already showed (endless pagers)."""
        seen = self.seen_links.setdefault(source.slug, set())
        found = {link.url for link in links if link.kind is not LinkKind.PAGINATION}
        new = found - seen
        seen |= found
        return not new

    def _sitemap(self, response: Response, source: Source, level: int) -> Iterator[scrapy.Request]:
        """What robots.txt (LEVEL 0) or a sitemap LEVEL deep (1: the one robots.txt names)
        leads to: the sitemaps it names, or the entries worth a page (crawler/sitemaps.py)."""
        stats = self.crawler.stats
        if level == 0:
            named = sitemaps.robots_sitemaps(response)
            if named:
                stats.inc_value("fazhi/sitemap/robots/named", len(named))
            else:  # no Sitemap: line (or no robots.txt): the usual place, once
                stats.inc_value("fazhi/sitemap/robots/guessed")
            urls = named or [urljoin(response.url, "/sitemap.xml")]
            yield from self._sitemap_requests(source, urls, level=1)
            return
        if not 200 <= response.status < 300:
            stats.inc_value("fazhi/sitemap/missing")
            return
        try:
            kind, entries = sitemaps.read(response, self.max_size)
        except sitemaps.SitemapError as error:
            stats.inc_value("fazhi/sitemap/invalid")
            logger.warning("sitemap ignored: %s", error)
            return
        stats.inc_value(f"fazhi/sitemap/{kind}")
        if kind == sitemaps.URLSET:
            yield from self._urlset(source, entries)
        elif level < self.sitemap_depth:
            urls = [entry.url for entry in sitemaps.newest_first(entries)]
            yield from self._sitemap_requests(source, urls, level + 1)
        else:
            stats.inc_value("fazhi/sitemap/too-deep")
            logger.info("sitemap index %s is %d deep: not followed", response.url, level)

    def _urlset(self, source: Source, entries: list[sitemaps.Entry]) -> Iterator[scrapy.Request]:
        """The entries of a urlset discovery would follow as links; the rest are counted."""
        stats = self.crawler.stats
        stats.inc_value("fazhi/sitemap/entries", len(entries))
        for link in sitemaps.urlset_links(entries):
            if link.kind is LinkKind.DISTRACTOR:
                stats.inc_value(f"fazhi/distractor/{link.doc_type}")
                continue
            if link.kind not in sitemaps.FOLLOWED:
                stats.inc_value("fazhi/sitemap/unsignalled")
                continue
            stats.inc_value(f"fazhi/sitemap/followed/{link.kind}")
            # a column in a sitemap sits one level below the start pages, as a menu's does
            request = self._request(source, link, depth=int(link.kind is LinkKind.LISTING))
            if request is not None:
                yield request

    # -- requests ----------------------------------------------------------------------------

    def _request(
        self,
        source: Source,
        link: Link,
        depth: int,
        parent: str | None = None,
        sitemap: int | None = None,
        found_on: str | None = None,
    ) -> scrapy.Request | None:
        """The request for LINK, or None: a link not made into a request goes to the skip
        audit with its reason (but a repeat of one already requested, which was followed)."""
        stats = self.crawler.stats

        def left(reason: str, detail: str | None = None) -> None:
            self.skips.left(
                source.slug, link.url, reason, found_on=found_on, anchor=link.anchor, detail=detail
            )

        if not source.allows(link.url):
            stats.inc_value("fazhi/offsite")
            left("off-scope")
            return None
        key = canonicalize_url(link.url)
        if key in self.requested:
            return None  # asked for already: a repeat must not spend the page budget
        self.requested.add(key)
        if trap := self.guard.check(link.url):
            stats.inc_value(f"fazhi/trap/{trap.split(':')[0]}")
            if self.guard.first_report(trap, link.url):
                logger.info("trap cut: %s (first at %s)", trap, link.url)
            left("trap", trap)
            return None
        if cut := self.floods.cut(source.slug, link.url):
            left(cut)
            return None
        if not self._spend_page(source):
            stats.inc_value("fazhi/budget_cut")
            left("page-budget", f"{self.max_pages} pages")
            return None
        self.skips.followed(key)
        stats.inc_value(f"fazhi/request/{link.kind}")
        return scrapy.Request(
            link.url,
            callback=self.parse,
            errback=self.failed,
            priority=link.priority,
            meta={SOURCE: source.slug, PARENT: parent, FOUND_ON: found_on},
            cb_kwargs={
                "url": link.url,
                "kind": str(link.kind),
                "depth": depth,
                "anchor": link.anchor,
                "sitemap": sitemap,
            },
        )

    def _sitemap_requests(
        self, source: Source, urls: list[str], level: int
    ) -> Iterator[scrapy.Request]:
        """Requests for robots.txt (LEVEL 0) or sitemaps LEVEL deep, answered by _sitemap."""
        for url in urls:
            link = Link(url, "", LinkKind.LISTING, sitemaps.SITEMAP_PRIORITY)
            request = self._request(source, link, depth=0, sitemap=level)
            if request is not None:
                yield request

    def _spend_page(self, source: Source) -> bool:
        """Take one page off the source's budget; False once it is spent (logged once)."""
        if self.pages[source.slug] >= self.max_pages:
            if self.pages[source.slug] == self.max_pages:
                logger.info("page budget of %s reached for %s", self.max_pages, source.slug)
                self.pages[source.slug] += 1
            return False
        self.pages[source.slug] += 1
        return True


def spider_of(crawler: Crawler) -> ReportsSpider:
    """The crawl's spider, typed: each spider of fazhi is a ReportsSpider (or a subclass)."""
    spider = crawler.spider
    assert isinstance(spider, ReportsSpider)
    return spider
