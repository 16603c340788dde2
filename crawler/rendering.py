"""A page sent to the browser: the meta that asks for it, and the headers kept with its capture.

The spider sends a page to the browser when its static answer is not the page; the reason
travels with the request (meta ``RENDERED_FOR``) and the browser's DOM is what the WARC record
and the extraction get.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.statscollectors import StatsCollector

from crawler import listing_api, shells
from crawler.discovery import LISTING_KINDS, Link, LinkKind, is_article
from crawler.discovery import SCRIPTED_LISTING as SCRIPT_FETCHES
from crawler.registry import Render, Source
from crawler.request_meta import RENDERED_FOR
from crawler.shells import SHELL

# Why a page is rendered (besides SHELL: a report candidate whose body a script fills).
CHALLENGE = "challenge"  # an anti-bot challenge answered by running its script
BROWSER_SOURCE = "browser-source"  # the registry says the source needs a browser
SCRIPTED_LISTING = "scripted-listing"  # a listing whose items a script loads
# Anti-bot challenges common on government portals: answered by running the page's script.
CHALLENGE_PAGE = re.compile(
    rb"\$_ss|nsd=|_\$[a-zA-Z]{2}\(|document\.cookie\s*=.{0,200}location", re.S
)
CHALLENGE_STATUS = frozenset({412, 202})
# Response headers that validate the bytes the server sent (revalidation's If-None-Match /
# If-Modified-Since).
VALIDATORS = frozenset({"etag", "last-modified"})


def render_meta(reason: str) -> dict[str, Any]:
    """The meta of a request rendered by scrapy-playwright for REASON: it waits until the page
    stops fetching (script-built lists and bodies arrive after `load`) and records the
    fetch/XHR calls the page made (``crawler.listing_api``)."""
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
        "playwright_page_methods": listing_api.recording_calls(),
        RENDERED_FOR: reason,
    }


def captured_headers(response: Response) -> dict[str, str]:
    """The response headers archived with a capture, as text. A rendered shell's drop the
    validators: the shell's ETag stays the same while the data its script loads is corrected,
    so asking again with it would answer 304 and hide the correction; asked whole, the page is
    rendered again and compared by content."""
    headers = {
        name.decode("latin-1"): b", ".join(values).decode("latin-1")
        for name, values in response.headers.items()
    }
    request = response.request
    if request is not None and request.meta.get(RENDERED_FOR) == SHELL:
        headers = {k: v for k, v in headers.items() if k.lower() not in VALIDATORS}
    return headers


def needs_browser(
    response: Response, source: Source, kind: str, links: list[Link], stats: StatsCollector
) -> str | None:
    """Why a static answer must be rendered (the reasons above, or SHELL), or None."""
    if response.status in CHALLENGE_STATUS or CHALLENGE_PAGE.search(response.body[:20000]):
        stats.inc_value("fazhi/render/challenge")
        return CHALLENGE
    if not 200 <= response.status < 300:
        return None  # an error page stays an error page when rendered
    if source.render is Render.BROWSER:
        return BROWSER_SOURCE if isinstance(response, HtmlResponse) else None
    if kind == LinkKind.CANDIDATE:  # a report's page whose body a script fills
        shell = shells.needs_render(response, source.render is Render.AUTO, stats)
        return SHELL if shell else None
    if kind not in LISTING_KINDS or not isinstance(response, TextResponse):
        return None
    documents = (LinkKind.CANDIDATE, LinkKind.DISTRACTOR, LinkKind.ATTACHMENT)
    scripted = not any(link.kind in documents or is_article(link.url) for link in links) and any(
        SCRIPT_FETCHES.search(s) for s in response.css("script").getall()
    )
    if scripted:
        stats.inc_value("fazhi/render/scripted-listing")
    return SCRIPTED_LISTING if scripted and source.render is Render.AUTO else None
