"""A hostile portal on 127.0.0.1: every way a page can go wrong, linked from one listing.

    with start_portal() as portal:
        portal.base                  # 'http://127.0.0.1:41213'
        portal.registry_entry()      # its source-registry record
        portal.hits                  # every request to it and to the off-site servers
        portal.requested("elsewhere") # did anything reach an off-site server?

The listing (``/``) links each case in :data:`CASES` with a report-like anchor, so the spider
fetches every one as a report candidate, beside one good report (a saved page) that must still
be archived, a column of 10,000 links, and links and redirects to two off-site servers: another
port of this host and another loopback host (127.0.0.2). robots.txt answers 503 once.

Each case says what the fetch row must show; `tests/faults/test_hostile_pages.py` walks them
and `docs/reliability.md` lists them.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.pages import PAGES

HOST = "127.0.0.1"
ELSEWHERE_HOST = "127.0.0.2"  # Linux answers on all of 127/8: another host, off-site by name
SHUTDOWN_POLL = 0.05
CHUNK = 64 * 1024
HUGE = 60 * 2**20  # above the 50 MiB DOWNLOAD_MAXSIZE the crawler ships with
BOMB = 200 * 2**20  # a gzip body that inflates to this (200 KiB on the wire)
STALL = 30.0  # seconds a stalled answer waits (the crawl's DOWNLOAD_TIMEOUT is far lower)
RETRY_AFTER = 1  # seconds, in the 503 answer's Retry-After
MANY_LINKS = 10_000
GOOD_REPORT = "trs_wcm/xiamen_siming_gov_2023"

Responder = Callable[["_Handler"], None]


@dataclass(frozen=True)
class Hit:
    server: str  # "portal", "other-port" or "elsewhere"
    path: str
    at: float  # time.monotonic() on arrival
    browser: bool = False  # asked by Chromium rendering a page (it sends Client Hints)


@dataclass(frozen=True)
class Case:
    """One hostile answer, and what its ``fetch`` row must say."""

    name: str
    path: str
    fault: str  # how it is injected, for docs/reliability.md
    status: int | None  # the fetch row's HTTP status; None when no response was usable
    error: str | None  # regex the fetch row's error must match; None: no error (archived)


CASES: tuple[Case, ...] = (
    Case("malformed-html", "/malformed.html",
         "a report page without closing tags (but </title>), stray `<<td></table>` inserted",
         200, None),
    Case("truncated-markup", "/truncated.html",
         "a report page cut off mid-tag, Content-Length matching what is sent", 200, None),
    Case("truncated-transfer", "/cut-short.html",
         "Content-Length promises 4 KiB more than is sent, then the connection closes",
         None, r"ResponseDataLoss|DataLoss|ResponseFailed"),
    Case("oversize-declared", "/huge.html",
         "a 60 MiB page announced by Content-Length",
         None, r"larger than download max size"),
    Case("oversize-streamed", "/huge-chunked.html",
         "a 60 MiB page sent chunked, without Content-Length",
         None, r"larger than download max size"),
    Case("gzip-bomb", "/bomb.html",
         "200 KiB of gzip (Content-Encoding: gzip) that inflates to 200 MiB",
         None, r"exceeded DOWNLOAD_MAXSIZE .* during decompression"),
    Case("binary-as-html", "/binary.html",
         "a PNG image served as text/html", 200, r"^extraction: .*(binary|png)"),
    Case("wrong-charset", "/wrong-charset.html",
         "a GBK page whose HTTP header says charset=utf-8", 200, None),
    Case("missing-charset", "/no-charset.html",
         "a GBK page with no charset in the header nor in <meta>", 200, None),
    Case("invalid-utf8", "/invalid-utf8.html",
         "a UTF-8 report page with stray 0xFF/0xFE/0x80 bytes inside its paragraphs", 200, None),
    Case("empty-200", "/empty.html", "200 OK with an empty body", 200, r"^extraction: "),
    Case("http-500", "/error-500.html", "500 on every attempt", 500, r"^HTTP 500$"),
    Case("http-503-retry-after", "/busy.html",
         f"503 with Retry-After: {RETRY_AFTER} on every attempt",
         503, rf"^HTTP 503 \(Retry-After: {RETRY_AFTER}\)$"),
    Case("timeout", "/slow.html", "the server accepts and never answers",
         None, r"TimeoutError|took longer than"),
    Case("redirect-loop", "/loop-a.html", "/loop-a.html → /loop-b.html → /loop-a.html",
         None, r"redirect loop"),
    Case("many-links", "/many.html",
         f"a column page with {MANY_LINKS:,} report-like links (each answers 404)", 200, None),
    Case("long-title", "/long-title.html",
         "a report whose <title> and <h1> are 10,000 characters long", 200, None),
    Case("sql-title", "/sql-title.html",
         "a report titled with SQL: `'); DROP TABLE report; --` and `\" OR 1=1 --`", 200, None),
    Case("html-title", "/html-title.html",
         "a report whose title carries escaped markup: `&lt;script&gt;…`, `&lt;font color=red&gt;`",
         200, None),
    Case("nul-in-text", "/nul.html",
         "a report with NUL and other control characters in its title and body", 200, None),
    Case("offsite-redirect", "/away.html",
         f"302 to a page on another host ({ELSEWHERE_HOST})", None, r"off-site redirect"),
    Case("offsite-port-redirect", "/away-port.html",
         "302 to another port of the portal's own host", None, r"off-site redirect"),
    Case("challenge-offsite-assets", "/challenge.html",
         "a report behind an anti-bot script (`$_ss`), so it is rendered in Chromium; the page "
         "loads a script from another port and an image and a stylesheet from another host",
         200, None),
)  # fmt: skip
SQL_TITLE = (
    '"北仑区人民政府\'); DROP TABLE report; --" OR 1=1 -- 关于2021年度法治政府建设工作情况的报告'
)
HTML_TITLE = (
    "<script>alert('x')</script><font color=red>成都市市场监督管理局</font>"
    "2023年法治政府建设年度报告"
)
LONG_TITLE = "黎平县司法局2022年法治政府建设年度报告" + "（附件说明）" * 1700  # > 10,000 chars
BAD_BYTES_MARK = "\ue000"  # a private-use character, swapped for bytes UTF-8 never has
NUL_TITLE = "衢州市人民政府关于二〇二三年度法治\x00政府建设情况\x07的报告"


def fixture(name: str) -> tuple[bytes, dict[str, Any]]:
    """A saved page's bytes and its expected extraction."""
    stem = PAGES / name
    expected = json.loads(stem.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return Path(f"{stem}.html").read_bytes(), expected


def report_page(fixture_name: str, title: str, body_filter: Callable[[str], str] = str) -> bytes:
    """A plain report page: TITLE over a saved page's text (so its identity is that page's)."""
    _, expected = fixture(fixture_name)
    paragraphs = "".join(
        f"<p>{body_filter(_escape(line))}</p>\n" for line in expected["text"].split("\n")
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{_escape(title)}</title></head><body>"
        f"<div class='article'><h1>{_escape(title)}</h1>\n{paragraphs}</div></body></html>"
    ).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- responders -------------------------------------------------------------------------------


def page(body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
         **headers: str) -> Responder:  # fmt: skip
    def respond(handler: _Handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def _robots_busy_once(handler: _Handler) -> None:
    """robots.txt answers 503 the first time, then no rules: a retry finds the site open."""
    if len(handler.server.portal.requests_to("portal", "/robots.txt")) > 1:
        page(b"", "text/plain")(handler)
    else:
        page(b"<h1>Service Unavailable</h1>", "text/html", 503, Retry_After=str(RETRY_AFTER))(
            handler
        )


def cut_short(body: bytes) -> Responder:
    def respond(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body) + 4096))
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    return respond


def huge(declared: bool) -> Responder:
    line = ("<p>" + "法治政府建设" * 100 + "</p>\n").encode()

    def respond(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            handler.send_header("Content-Length", str(HUGE))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        block = line * (CHUNK // len(line))
        try:
            for _ in range(HUGE // len(block)):
                if declared:
                    handler.wfile.write(block)
                else:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        except ConnectionError:
            pass  # the crawler hung up at its size cap: what we are testing
        handler.close_connection = True

    return respond


def gzip_bomb() -> Responder:
    zeros = b"\0" * CHUNK
    buffer = bytearray()
    with gzip.GzipFile(fileobj=_Sink(buffer), mode="wb", compresslevel=9) as out:
        for _ in range(BOMB // CHUNK):
            out.write(zeros)
    return page(bytes(buffer), Content_Encoding="gzip")


class _Sink:
    """A write-only file object over a bytearray (GzipFile wants one)."""

    def __init__(self, buffer: bytearray) -> None:
        self.buffer = buffer

    def write(self, data: bytes) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass


def stall(handler: _Handler) -> None:
    handler.server.stopping.wait(STALL)
    handler.close_connection = True


def redirect(location: Callable[[Portal], str]) -> Responder:
    def respond(handler: _Handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location(handler.server.portal))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def not_found(handler: _Handler) -> None:
    page(b"<html><body>404</body></html>", status=404)(handler)


# -- the portal -------------------------------------------------------------------------------


def _listing(portal: Portal) -> bytes:
    items = [(GOOD_REPORT_PATH, "厦门市思明区人民政府关于2023年法治政府建设情况的报告")]
    items += [(case.path, f"{_AGENCIES[i]}关于2023年度法治政府建设情况的报告")
              for i, case in enumerate(CASES) if case.name != "many-links"]  # fmt: skip
    items += [
        ("/many.html", "法治政府建设"),
        (portal.elsewhere + "/stolen.html", "外站区人民政府关于2023年度法治政府建设情况的报告"),
        (portal.other_port + "/stolen.html", "邻端口区人民政府关于2023年度法治政府建设情况的报告"),
    ]
    links = "".join(f'<li><a href="{href}">{anchor}</a></li>\n' for href, anchor in items)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>法治政府建设年度报告</title>"
        f"</head><body><ul>{links}</ul></body></html>"
    ).encode()


def _challenge(portal: Portal, report: bytes) -> bytes:
    """The good report behind a challenge script, with assets on other sites: the browser
    that renders it must ask none of them."""
    assets = (
        f'<script>var $_ss = "challenge";</script>'
        f'<script src="{portal.other_port}/tracker.js"></script>'
        f'<link rel="stylesheet" href="{portal.elsewhere}/style.css">'
        f'<img src="{portal.elsewhere}/pixel.png" alt="">'
    )
    return report.replace(b"<head>", b"<head>" + assets.encode(), 1)


def _many_links() -> bytes:
    links = "".join(
        f'<li><a href="/many/{n}.html">第{n}区人民政府关于2023年度法治政府建设情况的报告</a></li>'
        for n in range(MANY_LINKS)
    )
    return f"<html><head><meta charset='utf-8'></head><body><ul>{links}</ul></body></html>".encode()


# Agencies named in the listing's anchors (the pages themselves name their own).
_AGENCIES = [f"{name}区人民政府" for name in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地"]
GOOD_REPORT_PATH = "/report.html"


def title_pages() -> dict[str, bytes]:
    """The report pages with hostile titles, by path."""
    return {
        "/long-title.html": report_page("empirecms/liping_sfj_2022_header_over_meta", LONG_TITLE),
        "/sql-title.html": report_page("powereasy/beilun_gov_2021_gb2312_gbk_chars", SQL_TITLE),
        "/html-title.html": report_page("site_group/chengdu_scjgj_2023_data_table", HTML_TITLE),
        "/nul.html": report_page(
            "hanweb/quzhou_gov_2023_cn_numeral_year",
            NUL_TITLE,
            lambda line: line.replace("，", "，\x00", 1),
        ),
    }


def _routes() -> dict[str, Responder]:
    good, _ = fixture(GOOD_REPORT)
    gbk, _ = fixture("trs_wcm/zhuzhou_gov_2022_gbk")
    no_meta = re.sub(rb"<meta[^>]*charset[^>]*>", b"", gbk, flags=re.I)
    malformed = report_page(
        "jpaas/nanchang_xihu_sfj_2023", "南昌市西湖区2023年法治政府建设情况报告"
    )
    malformed = re.sub(rb"</(p|div|body|html|h1|head)>", b"", malformed)
    malformed = malformed.replace(b"<p>", b"<p><<td></table>", 5)
    truncated = report_page("dede/bearing_farm_hubin_2019", "湖滨新区2019年度法治政府建设情况报告")
    invalid = report_page(
        "discuz/pingjiang_gov_2020_forum_portal",
        "平江县人民政府2020年法治政府建设工作报告",
        lambda line: line[:10] + BAD_BYTES_MARK + line[10:],
    ).replace(BAD_BYTES_MARK.encode(), b"\xff\xfe\x80")
    return {
        "/": lambda h: page(_listing(h.server.portal))(h),
        "/robots.txt": _robots_busy_once,
        GOOD_REPORT_PATH: page(good),
        "/malformed.html": page(malformed),
        "/truncated.html": page(truncated[: len(truncated) * 2 // 5] + b"<p class=\"con"),
        "/cut-short.html": cut_short(good[:3000]),
        "/huge.html": huge(declared=True),
        "/huge-chunked.html": huge(declared=False),
        "/bomb.html": gzip_bomb(),
        "/binary.html": page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64),
        "/wrong-charset.html": page(gbk, "text/html; charset=utf-8"),
        "/no-charset.html": page(no_meta, "text/html"),
        "/invalid-utf8.html": page(invalid),
        "/empty.html": page(b""),
        "/error-500.html": page(b"<h1>Internal Server Error</h1>", status=500),
        "/busy.html": page(b"<h1>busy</h1>", status=503, Retry_After=str(RETRY_AFTER)),
        "/slow.html": stall,
        "/loop-a.html": redirect(lambda p: p.base + "/loop-b.html"),
        "/loop-b.html": redirect(lambda p: p.base + "/loop-a.html"),
        "/many.html": page(_many_links()),
        **{path: page(body) for path, body in title_pages().items()},
        "/challenge.html": lambda h: page(_challenge(h.server.portal, good))(h),
        "/away.html": redirect(lambda p: p.elsewhere + "/stolen.html"),
        "/away-port.html": redirect(lambda p: p.other_port + "/stolen.html"),
    }  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, portal: Portal, name: str, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.portal = portal
        self.name = name
        self.stopping = portal.stopping

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        """The crawler hanging up (size cap, timeout) is expected here, not an error."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        portal = self.server.portal
        portal.record(self.server.name, self.path, "sec-ch-ua" in self.headers)
        if self.server.name != "portal":
            page(b"<html><body>off-site: never to be fetched</body></html>")(self)
            return
        path = self.path.split("?", 1)[0]
        portal.routes.get(path, not_found)(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `Portal.hits`."""


class Portal:
    """The hostile portal and two off-site servers, with the log of every request."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.routes = _routes()
        self._lock = threading.Lock()
        self.hits: list[Hit] = []
        self._servers = [
            _Server(self, "portal", HOST),
            _Server(self, "other-port", HOST),
            _Server(self, "elsewhere", ELSEWHERE_HOST),
        ]
        self.base, self.other_port, self.elsewhere = (s.base for s in self._servers)
        self._threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL},
                             name=f"hostile-{s.name}", daemon=True)
            for s in self._servers
        ]  # fmt: skip
        for thread in self._threads:
            thread.start()

    def record(self, server: str, path: str, browser: bool) -> None:
        with self._lock:
            self.hits.append(Hit(server, path, time.monotonic(), browser))

    def requests_to(self, server: str, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.server == server and path in (None, h.path)]

    def url(self, case: Case) -> str:
        return self.base + case.path

    def registry_entry(self, slug: str = "hostile") -> dict[str, Any]:
        return {
            "slug": slug,
            "name": "敌意门户",
            "home_url": self.base + "/",
            "domains": [self.base.removeprefix("http://")],
            "render": "static",
        }

    def close(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()


@contextmanager
def start_portal() -> Iterator[Portal]:
    portal = Portal()
    try:
        yield portal
    finally:
        portal.close()
