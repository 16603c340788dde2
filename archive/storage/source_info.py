"""A source registry entry as the archive sees it: the portal a page was found on.

Its own module so that the crawl process can name a source without loading the
archive's extraction and dedup stack (``archive.storage.versions`` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_DEFAULT_PORT = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SourceInfo:
    """A source registry entry: the portal a page was found on.

    ``agency`` names the body whose portal it is; None marks an aggregator (a higher-level
    portal's reposts, media, a content farm), which is nobody's own site. ``registered`` is
    False for a portal nobody entered in the registry (an ad-hoc ``--start-url`` crawl): its
    pages must say themselves whose site it is (archive.storage.publisher).
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
    registered: bool = True
    origin: str = "curated"  # or "discovered": stored by `fazhi sources discover`

    def owns(self, url: str) -> bool:
        """Whether URL is on this body's own site: one of its domains or a subdomain of one.

        A domain written with a port (``127.0.0.1:8001``, a local replica) owns that
        host and port only, as the crawler's scope check has it.
        """
        return self.agency is not None and in_domains(url, self.domains)

    def row(self) -> dict[str, Any]:
        """The ``source`` table's columns."""
        row = {**dataclasses.asdict(self), "domains": list(self.domains)}
        del row["registered"]  # a property of how the crawl came to it, not of the portal
        return row


def in_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether URL is in scope of DOMAINS: a bare domain admits itself and its subdomains on
    any port, as Scrapy's offsite filter does; ``host:port`` (a portal on its own port, a
    local replica) admits exactly that host and port."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORT.get(parts.scheme)
    except ValueError:  # a link with a malformed port is nowhere in scope
        return False
    return any(_in_domain(parts.hostname or "", port, domain.lower()) for domain in domains)


def _in_domain(host: str, port: int | None, domain: str) -> bool:
    name, _, fixed = domain.partition(":")
    if fixed:
        return host == name and port == int(fixed)
    return host == name or host.endswith(f".{name}")
