"""A page sent to the browser: the meta that asks for it, and the headers kept with its capture.

The spider sends a page to the browser when its static answer is not the page; the reason
travels with the request (meta ``RENDERED_FOR``) and the browser's DOM is what the WARC record
and the extraction get.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from crawler import listing_api
from crawler.request_meta import RENDERED_FOR
from crawler.shells import SHELL

# Why a page is rendered (besides SHELL: a report candidate whose body a script fills).
CHALLENGE = "challenge"  # an anti-bot challenge answered by running its script
BROWSER_SOURCE = "browser-source"  # the registry says the source needs a browser
SCRIPTED_LISTING = "scripted-listing"  # a listing whose items a script loads
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
