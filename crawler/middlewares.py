"""Downloader middleware: requests never reach loopback or private networks by accident.

A portal page can link anywhere, and a hostile one can point at 127.0.0.1 or the
crawl machine's own network. Unless FAZHI_ALLOW_PRIVATE=1 (the tests' replica,
`make demo`), such requests are refused with a clear reason before any socket opens.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import cache
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from archive.config import Settings

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The URL's host is (or resolves to) a loopback, private or link-local address."""


class PrivateAddressGuard:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        if Settings.from_env().allow_private:
            raise NotConfigured("FAZHI_ALLOW_PRIVATE=1")
        return cls()

    def process_request(self, request: Request, spider: Spider) -> None:
        host = urlsplit(request.url).hostname or ""
        if is_private(host):
            raise PrivateAddressRefused(
                f"refused {request.url}: {host} is a private or loopback address "
                "(set FAZHI_ALLOW_PRIVATE=1 to allow)"
            )


@cache
def is_private(host: str) -> bool:
    """Whether HOST is, or resolves to, an address no public portal has. Cached per host."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError:
            return False  # unresolvable: the download fails on its own, with its own reason
        addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return any(
        a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_unspecified
        for a in addresses
    )
