"""The province tree served on 127.0.0.1: a province → city → county hierarchy of portals
(data/tree.yaml), the proving ground of portal discovery and of coverage accounting.

    with start_tree() as tree:
        tree.root                      # the provincial portal's URL
        tree.manifest()                # every site: kind, division code, level, reports by year
        tree.requests                  # every request, in arrival order

    .venv/bin/python -m tests.replica.tree   # serve until Ctrl-C

One server per site (the same server as the replica's), so host and port tell sites apart; a
`refused` site is a port nothing listens on.
"""

from __future__ import annotations

import datetime as dt
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from tests.replica import tree_pages
from tests.replica.config import DATA
from tests.replica.resource import Resource
from tests.replica.server import HOST, RequestRecord, _SiteServer, serve_all

PROPOSED = ("government", "department")
HTML = "text/html"
NOT_FOUND = Resource(404, "text/html; charset=utf-8", "<h1>404 页面不存在</h1>".encode())


@cache
def tree_data() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((DATA / "tree.yaml").read_text(encoding="utf-8"))


def deadline(year: int) -> dt.date:
    """The first day a report on YEAR is late: 1 April of the next year."""
    return dt.date(year + 1, 4, 1)


@dataclass
class TreeSite:
    """A site's routes, built once: the tree has no phases."""

    routes: dict[str, Resource] = field(default_factory=dict)
    fallback: Resource = NOT_FOUND

    def respond(self, target: str) -> Resource:
        return self.routes.get(target, self.fallback)


def build(slug: str, bases: dict[str, str]) -> TreeSite:
    site = tree_data()[slug]
    kind = site["kind"]
    if kind == "moved":  # an old address: every path answers 301 to the new site's home
        return TreeSite(fallback=Resource(301, HTML, b"", bases[site["to"]] + "/"))
    if kind in ("gone", "refused"):
        return TreeSite()
    encoding = site.get("encoding", "utf-8")
    # GBK portals: one declares the charset only in <meta>, as many old ones do
    content_type = HTML if encoding != "utf-8" else f"{HTML}; charset=utf-8"

    def serve(path: str, text: str) -> None:
        built.routes[path] = Resource(200, content_type, text.encode(encoding))

    built = TreeSite()
    links = site.get("links", {})
    targets = {other: (bases[other], _name(other)) for other in tree_data()}
    serve("/", tree_pages.home(site, links, targets))
    if kind in PROPOSED:
        serve(tree_pages.COLUMN_PATH, tree_pages.column(site))
        for year, date in site.get("reports", {}).items():
            if isinstance(date, dt.date):
                serve(tree_pages.report_path(date, year), tree_pages.report(site, year, date))
    if links.get("nav_page"):
        serve(tree_pages.NAV_PATH, tree_pages.nav_page(site, links, targets))
    if links.get("script"):
        body = tree_pages.sites_json(links, targets)
        built.routes[tree_pages.SITES_API] = Resource(200, "application/json", body)
    return built


def _name(slug: str) -> str:
    site = tree_data()[slug]
    if site["kind"] == "moved":
        return _name(site["to"])
    return str(site.get("name") or site.get("title") or slug)


class Tree:
    """The running tree: one server per site, and the log of every request."""

    def __init__(self, latency: float = 0.0) -> None:
        self._lock = threading.Lock()
        self.latency = latency
        self.requests: list[RequestRecord] = []
        self.phase = 1
        data = tree_data()
        serving = [slug for slug, site in data.items() if site["kind"] != "refused"]
        self._servers = {slug: _SiteServer(self, slug) for slug in serving}  # type: ignore[arg-type]
        self.sites = {
            slug: f"http://{HOST}:{server.server_address[1]}"
            for slug, server in self._servers.items()
        }
        for slug in data.keys() - self._servers.keys():
            self.sites[slug] = f"http://{HOST}:{_closed_port()}"
        self._built = {slug: build(slug, self.sites) for slug in data}
        self._threads = serve_all(self._servers, "tree")

    @property
    def root(self) -> str:
        return self.sites["jx"] + "/"

    def build(self, slug: str, phase: int) -> TreeSite:
        return self._built[slug]

    def record(self, slug: str, method: str, path: str, headers: dict[str, str]) -> int:
        with self._lock:
            self.requests.append(RequestRecord(slug, method, path, headers, self.phase))
        return self.phase

    def manifest(self) -> dict[str, Any]:
        """Every site: its URL and kind; for a government or department, the division code,
        level (部门 for a department) and, per report year, the status and date of its report."""
        sites = {}
        for slug, site in tree_data().items():
            entry: dict[str, Any] = {"url": self.sites[slug] + "/", "kind": site["kind"]}
            if site["kind"] in PROPOSED:
                entry |= {
                    "agency": site["name"],
                    "division_code": site["code"],
                    "level": site.get("level", "部门"),
                    "reports": {
                        year: _status(year, date, self.sites[slug])
                        for year, date in site["reports"].items()
                    },
                }
            if site["kind"] == "moved":
                entry["to"] = self.sites[site["to"]] + "/"
            sites[slug] = entry
        return {"root": self.root, "sites": sites}

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()


def _status(year: int, date: Any, base: str) -> dict[str, Any]:
    """A report's status on YEAR: on_time, late (on or after 1 April of YEAR + 1), missing;
    its date, where the date comes from, and its URL."""
    if not isinstance(date, dt.date):
        return {"status": "missing"}
    status = "on_time" if date < deadline(year) else "late"
    url = base + tree_pages.report_path(date, year)
    # every report page prints its 发布时间: the date is the page's
    return {"status": status, "date": date.isoformat(), "date_source": "page", "url": url}


def _closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released): a dead link."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def start_tree(latency: float = 0.0) -> Iterator[Tree]:
    tree = Tree(latency)
    try:
        yield tree
    finally:
        tree.close()


def main() -> int:
    with start_tree() as tree:
        for slug, url in tree.sites.items():
            print(f"{slug:<12} {url}/  {tree_data()[slug]['kind']}")
        print(f"root {tree.root}; Ctrl-C stops", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
