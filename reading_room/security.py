"""Archived text is hostile input: the headers that keep it from running in a reader's browser.

Every page is rendered by Jinja2 with autoescaping, and on top of that the browser is told to
run no script at all: the pages have none (they work with JavaScript off), so the policy
allows none, inline or not, and an injection that slipped past escaping still cannot run.
Original captures are served under ``sandbox`` (a unique origin, no scripts, no forms, no
plugins), so a page as a portal served it, scripts and all, is inert. ``nosniff`` keeps a
browser from reading an attachment or capture as something its type does not say.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The pages: their own stylesheet and images, nothing else; forms post only here; no frame
#: may hold them.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: An archived capture or file: a sandbox with no permission at all (scripts, same origin,
#: forms, popups all refused); inline styles and embedded images only, so it still reads as
#: the page it was without loading anything from the portal.
CAPTURE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: HEADERS on every answer, PAGE_POLICY unless the answer set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = PAGE_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
