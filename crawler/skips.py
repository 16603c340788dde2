"""What the spider saw and left, per URL, until the run's audit is written at close.

One entry per canonical URL and source: the first reason a link was left stands, and a link
requested later (met again on a shallower page, say) leaves the audit, since it was followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy import Request, Spider
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest
from w3lib.url import canonicalize_url

from archive.runs.skips import Skip
from crawler.discovery import Link, LinkKind
from crawler.floods import FloodCut
from crawler.middlewares import OffsiteRefused, PrivateAddressRefused, RedirectRefused
from crawler.request_meta import FOUND_ON, SOURCE
from crawler.robots import RobotsUnavailable

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # Scrapy's RobotsTxtMiddleware's refusal


@dataclass
class SkipAudit:
    entries: dict[str, Skip] = field(default_factory=dict)  # by canonical URL
    taken: set[str] = field(default_factory=set)  # canonical URLs requested

    def left(
        self,
        source: str,
        url: str,
        reason: str,
        *,
        found_on: str | None = None,
        anchor: str | None = None,
        detail: str | None = None,
    ) -> None:
        """URL was seen and not followed; ignored when it was followed from elsewhere."""
        key = canonicalize_url(url)
        if key not in self.taken:
            skip = Skip(source, url, found_on, anchor or None, reason, detail)
            self.entries.setdefault(key, skip)

    def followed(self, canonical_url: str) -> None:
        self.taken.add(canonical_url)
        self.entries.pop(canonical_url, None)

    def dropped(self, source: str, url: str, reason: str, **where: str | None) -> None:
        """A request made and then refused before it was sent: it was not followed after all."""
        self.taken.discard(canonicalize_url(url))
        self.left(source, url, reason, **where)

    def skips(self) -> list[Skip]:
        return list(self.entries.values())


def reason_to_leave(
    link: Link, page_kind: str, stale: bool, depth: int, max_depth: int, explore_depth: int
) -> tuple[str, str | None] | None:
    """Why a link on a page of PAGE_KIND is not followed, as (reason, detail); None: follow
    it. DEPTH is the listing depth following it would reach; STALE, whether the page is a
    pager that brought nothing new."""
    if stale and link.kind is LinkKind.PAGINATION:
        return "trap", "pager brings no new link"
    if link.kind is LinkKind.DISTRACTOR:
        return "not-a-report", str(link.doc_type)
    if link.kind is LinkKind.IGNORED:
        return "not-a-report", "no report or listing signal"
    if page_kind == LinkKind.CANDIDATE and link.kind is not LinkKind.ATTACHMENT:
        return "report-page", "from a report page only its files are followed"
    if depth > max_depth:
        return "depth", f"listing depth {depth} > FAZHI_MAX_DEPTH {max_depth}"
    if link.kind is LinkKind.EXPLORE and depth > explore_depth:
        return "depth", f"unsignalled link at depth {depth} > FAZHI_EXPLORE_DEPTH {explore_depth}"
    return None


def dropped_reason(refusal: IgnoreRequest) -> str | None:
    """The audit's reason for a request refused before it was sent; None for a refusal that
    is a fetch failure (its fetch row says why), not a link left."""
    if isinstance(refusal, FloodCut):
        return refusal.reason
    if isinstance(refusal, PrivateAddressRefused | OffsiteRefused | RedirectRefused):
        return "off-scope"
    if isinstance(refusal, RobotsUnavailable) or str(refusal) == ROBOTS_FORBIDDEN:
        return "robots"
    return None


class AuditedDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, telling the skip audit what it drops.

    The spider never asks twice for a URL, so what this filter drops is a redirect to a page
    the crawl already asked for (a dead column redirecting home): without this, the link would
    leave no trace, neither a fetch nor a skip.
    """

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        audit = getattr(spider, "skips", None)
        if isinstance(audit, SkipAudit):
            audit.dropped(
                request.meta.get(SOURCE, ""),
                request.cb_kwargs.get("url", request.url),
                "duplicate",
                found_on=request.meta.get(FOUND_ON),
                anchor=request.cb_kwargs.get("anchor"),
                detail=f"redirects to {request.url}, asked for already",
            )
