"""The local replica of government portals: one HTTP server per site, on 127.0.0.1 only.

    with start_replica() as replica:
        replica.sites["xm-siming"]           # 'http://127.0.0.1:41213'
        replica.set_phase(2)                 # corrections and re-publications go online
        replica.requests                     # every request, in arrival order
        replica.manifest()                   # the ground truth of the end-to-end test

    .venv/bin/python -m tests.replica.server [--phase 2]   # serve until Ctrl-C

Host and port tell the sites apart (per-site allowed domains work as on the real web). Ports come
from the OS. Every request is recorded before it is answered, so a test can prove a URL (the
robots.txt decoy) was never fetched.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.replica import config, ground_truth
from tests.replica.resource import Resource, target_of
from tests.replica.site import SiteBuild, build_site

HOST = "127.0.0.1"
SHUTDOWN_POLL = 0.05  # seconds; eight servers stopping at the default 0.5 s take seconds


@dataclass(frozen=True)
class RequestRecord:
    site: str  # the host's key: its site's slug, or a 站群's `host`
    method: str
    path: str  # the request target: path and query as sent
    headers: dict[str, str]
    phase: int


class _SiteServer(ThreadingHTTPServer):
    """One host's server (one site's, or a 站群's several); the handler finds its replica and
    host here."""

    def __init__(self, replica: Replica, slug: str) -> None:
        super().__init__((HOST, 0), _Handler)
        self.replica = replica
        self.slug = slug

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a browser closing its page) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as portals and Scrapy speak
    # TCP_NODELAY, as nginx and Apache set it: else the body, written after the headers,
    # waits for the client's delayed ACK, 40 ms a request on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _SiteServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        replica, slug = self.server.replica, self.server.slug
        time.sleep(replica.latency)  # a real portal's time to first byte (benchmarks)
        phase = replica.record(slug, self.command, self.path, dict(self.headers.items()))
        resource = replica.respond(slug, phase, target_of(self.path))
        etag = _etag(self.path, resource)
        if etag is not None and self.headers.get("If-None-Match") == etag:
            self.send_response(304)  # unchanged since the capture the client holds
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        if etag is not None:
            self.send_header("ETag", etag)
        if resource.location:
            self.send_header("Location", resource.location)
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `Replica.requests`."""


def serve_all(servers: dict[str, ThreadingHTTPServer], name: str) -> list[threading.Thread]:
    """Each server answering in its own daemon thread (named NAME-key), started."""
    threads = [
        threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL},
            name=f"{name}-{slug}",
            daemon=True,
        )
        for slug, server in servers.items()
    ]
    for thread in threads:
        thread.start()
    return threads


def _etag(path: str, resource: Resource) -> str | None:
    """A validator for a static page, as nginx sends one for a published .html file; none for
    a page a script answers (a query string): there the crawler can only compare contents."""
    static = "?" not in path and path.endswith((".htm", ".html", ".shtml"))
    if resource.status != 200 or not static:
        return None
    return '"' + hashlib.sha256(resource.body).hexdigest()[:16] + '"'


class Replica:
    """The running sites, their phase and the log of every request they received; GROUP is
    the registry served: the replica, or the held-out portals (config.GROUPS)."""

    def __init__(
        self, phase: int = 1, copies: int = 1, latency: float = 0.0, group: str = "replica"
    ) -> None:
        self._lock = threading.Lock()
        self.latency = latency
        self.group = group
        self._builds: dict[tuple[str, int], SiteBuild] = {}
        # copies > 1 (benchmarks): every portal again on its own port, as `<slug>-copy<n>`
        self.origin = {
            slug if n == 1 else f"{slug}-copy{n}": slug
            for n in range(1, copies + 1)
            for slug in config.sites(group)
        }
        # host -> its sites: a site alone, or a 站群's sites on one host (Site.host)
        self.hosts: dict[str, list[str]] = {}
        for slug, site in self.origin.items():
            host = config.sites(group)[site].host if copies == 1 else None
            self.hosts.setdefault(host or slug, []).append(slug)
        self._servers = {host: _SiteServer(self, host) for host in self.hosts}
        self.sites = {
            slug: f"http://{HOST}:{self._servers[host].server_address[1]}"
            for host, slugs in self.hosts.items()
            for slug in slugs
        }
        self.requests: list[RequestRecord] = []
        self.phase = 1
        try:
            self.set_phase(phase)
        except BaseException:
            for server in self._servers.values():
                server.server_close()
            raise
        self._threads = serve_all(self._servers, "replica")

    def set_phase(self, phase: int) -> None:
        """Switch every site to a phase (built before the switch, so no request waits)."""
        if phase not in config.PHASES:
            raise ValueError(f"phase must be one of {config.PHASES}, not {phase}")
        for slug in self.sites:
            self.build(slug, phase)
        with self._lock:
            self.phase = phase

    def build(self, slug: str, phase: int) -> SiteBuild:
        """A site as served in a phase, built on first use."""
        with self._lock:
            if (slug, phase) not in self._builds:
                self._builds[slug, phase] = build_site(
                    config.sites(self.group)[self.origin[slug]], self.sites[slug], phase
                )
            return self._builds[slug, phase]

    def respond(self, host: str, phase: int, target: str) -> Resource:
        """The answer of a host: its first site's resource for the target, else that site's
        404 page (a 站群's sites are asked in registry order)."""
        builds = [self.build(slug, phase) for slug in self.hosts[host]]
        found = next((r for b in builds if (r := b.find(target)) is not None), None)
        return found or builds[0].not_found

    def record(self, slug: str, method: str, path: str, headers: dict[str, str]) -> int:
        """Log a request; returns the phase it is served in."""
        with self._lock:
            self.requests.append(RequestRecord(slug, method, path, headers, self.phase))
            return self.phase

    def requested(self, url: str) -> bool:
        """Whether any request asked for this URL (any method, any phase)."""
        slug = next((s for s, base in self.sites.items() if url.startswith(base + "/")), None)
        if slug is None:
            raise ValueError(f"not a replica URL: {url}")
        host = next(host for host, slugs in self.hosts.items() if slug in slugs)
        target = target_of(url)
        with self._lock:
            return any(r.site == host and target_of(r.path) == target for r in self.requests)

    def manifest(self) -> dict[str, Any]:
        """The ground truth of the first copy of every portal."""
        return ground_truth.manifest(self.sites, self.build, self.group)

    def registry_entries(self) -> list[dict[str, Any]]:
        return ground_truth.registry_entries(self.sites, self.origin, self.group)

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def start_replica(
    phase: int = 1, copies: int = 1, latency: float = 0.0, group: str = "replica"
) -> Iterator[Replica]:
    """Every site of GROUP served on 127.0.0.1 until the block ends (`copies` times and
    `latency` seconds before each answer, for benchmarks)."""
    replica = Replica(phase, copies, latency, group)
    try:
        yield replica
    finally:
        replica.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the replica until Ctrl-C, printing each site's URL."""
    parser = argparse.ArgumentParser(description="Serve the replica portals on 127.0.0.1.")
    parser.add_argument("--phase", type=int, choices=config.PHASES, default=1)
    parser.add_argument("--group", choices=sorted(config.GROUPS), default="replica")
    args = parser.parse_args(argv)
    with start_replica(args.phase, group=args.group) as replica:
        width = max(map(len, replica.sites))
        for entry in replica.registry_entries():
            print(f"{entry['slug']:<{width}}  {entry['home_url']}  {entry['name']}")
        print(f"phase {replica.phase}; Ctrl-C stops", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
