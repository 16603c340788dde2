"""What a replica server sends for one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Resource:
    """A response: status, Content-Type exactly as sent (charset or not), body, redirect target."""

    status: int
    content_type: str
    body: bytes
    location: str | None = None


# A dynamic route: the resource for a request target (path and query), or None if not its own.
Handler = Callable[[str], Resource | None]


def target_of(url: str) -> str:
    """The request target of a URL: path and query, never the fragment."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
