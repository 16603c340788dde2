"""A source registry entry as the archive sees it: the portal a page was found on.

Its own module so that the crawl process can name a source without loading the
archive's extraction and dedup stack (``archive.storage.store`` does).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SourceInfo:
    """A source registry entry: the portal a page was found on.

    ``agency`` names the body whose portal it is; None marks an aggregator (a higher-level
    portal's reposts, media, a content farm), which is nobody's own site.
    """

    slug: str
    name: str
    home_url: str
    domains: tuple[str, ...]
    agency: str | None = None
    level: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None

    def owns(self, url: str) -> bool:
        """Whether URL is on this body's own site: one of its domains or a subdomain of one.

        A domain written with a port (``127.0.0.1:8001``, a local replica) owns that
        host and port only, as the crawler's scope check has it.
        """
        if self.agency is None:
            return False
        parts = urlsplit(url)
        host, netloc = (parts.hostname or "").lower(), parts.netloc.lower()
        return any(
            netloc == d if ":" in d else host == d or host.endswith("." + d)
            for d in (d.lower() for d in self.domains)
        )

    def row(self) -> dict[str, Any]:
        """The ``source`` table's columns."""
        return {**dataclasses.asdict(self), "domains": list(self.domains)}
