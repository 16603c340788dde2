"""Article pages that are application shells (crawler/shells.py): told by the page's own
structure, rendered once, archived as the browser filled them.

The held-out Vue portal (tests/replica/data/heldout/, vue-wuhua) is the blind proof; this is
the dev-side one, in another shape: a React-style portal whose article page is an empty
``<div id="root">`` with a ``<noscript>`` and a script that builds the DOM from
``/api/v2/cms/content?contentId=N``. One article's API fails: it is rendered once, archived as
rendered, never again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.rendering import CHALLENGE, captured_headers
from crawler.request_meta import RENDERED_FOR
from crawler.shells import SHELL, needs_render, shell_of
from crawler.spiders.reports import ReportsSpider
from tests.crawl_process import (
    crawl_command,
    crawl_env,
    last_run_stats,
    run_crawl,
    write_registry,
)
from tests.pages import PAGES
from tests.services import serving

REPORT = json.loads(
    (PAGES / "hanweb/quzhou_gov_2023_cn_numeral_year.expected.json").read_text(encoding="utf-8")
)
STATIC = PAGES / "trs_wcm/xiamen_siming_gov_2023.html"  # a server-drawn report page, with scripts
FILLED, BROKEN = 58, 59  # the article the API answers, the one it fails
REACT_SHELL = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>衢州市人民政府</title><link href="/static/css/main.css" rel="stylesheet"></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript>
<div id="root"></div><script src="/static/js/main.chunk.js"></script></body></html>"""
SCRIPT = """(function () {
  var id = new URLSearchParams(location.search).get("id");
  fetch("/api/v2/cms/content?contentId=" + id)
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (res) {
      var a = res.result, root = document.getElementById("root");
      var h = document.createElement("h1"), meta = document.createElement("p");
      var body = document.createElement("div");
      document.title = a.contentTitle;
      h.textContent = a.contentTitle;
      meta.textContent = "发布日期：" + a.releaseDate;
      body.className = "article-body";
      body.innerHTML = a.contentHtml;
      [h, meta, body].forEach(function (e) { root.appendChild(e); });
    })
    .catch(function () {});
})();"""


def _home() -> str:
    links = [
        (f"/content/detail.html?id={FILLED}", REPORT["title"]),
        (f"/content/detail.html?id={BROKEN}", "衢州市司法局2023年法治政府建设情况报告"),
        ("/art/2024/3/25/art_1.html", "思明区人民政府关于2023年法治政府建设情况的报告"),
    ]
    items = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in links)
    return f'<html><head><meta charset="utf-8"><title>首页</title></head><body><ul>{items}</ul>'


def _article(ident: int) -> dict[str, Any]:
    paragraphs = "".join(f"<p>{line}</p>" for line in REPORT["text"].split("\n"))
    article = {"contentId": ident, "contentTitle": REPORT["title"], "contentHtml": paragraphs}
    return {"result": {**article, "releaseDate": REPORT["published_date"]}}


class _Handler(BaseHTTPRequestHandler):
    server: _Portal

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.hits.append(self.path)
        if parts.path == "/":
            self._send(200, "text/html; charset=utf-8", _home().encode())
        elif parts.path == "/content/detail.html":
            self._send(200, "text/html; charset=utf-8", REACT_SHELL.encode(), etag='"shell-1"')
        elif parts.path == "/static/js/main.chunk.js":
            self._send(200, "application/javascript", SCRIPT.encode())
        elif parts.path == "/api/v2/cms/content" and query.get("contentId") == str(FILLED):
            data = json.dumps(_article(FILLED), ensure_ascii=False).encode()
            self._send(200, "application/json;charset=UTF-8", data)
        elif parts.path == "/art/2024/3/25/art_1.html":
            self._send(200, "text/html; charset=utf-8", STATIC.read_bytes())
        else:
            self._send(500 if parts.path.startswith("/api/") else 404, "text/plain", b"error")

    def _send(self, status: int, content_type: str, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the hits are the log."""


class _Portal(ThreadingHTTPServer):
    hits: list[str]


@contextmanager
def react_portal() -> Iterator[_Portal]:
    server = _Portal(("127.0.0.1", 0), _Handler)
    server.hits = []
    with serving(server):
        yield server


def _response(body: str, url: str = "http://portal.example/detail.html?id=1") -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", headers={"ETag": '"x"'})


def test_a_react_shell_is_known_by_its_empty_root_and_its_noscript() -> None:
    shell = shell_of(_response(REACT_SHELL))
    assert shell is not None and shell.text == 0
    assert shell.signs == ("mount-root #root", "noscript asks for JavaScript")


def test_a_vue_style_shell_is_known_by_its_placeholders_and_bindings() -> None:
    page = """<html><body><div class="app-main" data-v-app>
    <h1>{{ article.title }}</h1><div class="body" v-html="article.body"></div></div>
    <script src="/js/app.js"></script></body></html>"""
    shell = shell_of(_response(page))
    assert shell is not None
    assert shell.signs == ("mount-root [data-v-app]", "placeholders {{…}}", "bindings v-html")


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(STATIC.read_bytes().decode("utf-8"), id="a-report-page-with-scripts"),
        pytest.param(
            REACT_SHELL.replace('<script src="/static/js/main.chunk.js"></script>', ""),
            id="no-script-to-fill-it",
        ),
        pytest.param(
            "<html><body><p>附件：报告.pdf</p><script>var a=1;</script></body></html>",
            id="a-thin-cover-page-without-signs",
        ),
        pytest.param(
            '<html><body><div id="app">'
            + "依法行政" * 200
            + "</div><script></script></body></html>",
            id="an-app-root-holding-a-document",
        ),
    ],
)
def test_a_page_is_no_shell(page: str) -> None:
    assert shell_of(_response(page)) is None


def test_a_static_source_leaves_a_shell_as_served_and_says_so() -> None:
    crawler = get_crawler(ReportsSpider)
    crawler.stats.open_spider()
    assert not needs_render(_response(REACT_SHELL), False, crawler.stats)
    assert needs_render(_response(REACT_SHELL), True, crawler.stats)
    stats = crawler.stats.get_stats()
    assert (stats["fazhi/render/shell-static"], stats["fazhi/render/shell"]) == (1, 1)
    assert stats["fazhi/render/shell/mount-root"] == 2


@pytest.mark.parametrize(("why", "kept"), [(None, True), (CHALLENGE, True), (SHELL, False)])
def test_a_rendered_shell_keeps_no_validators_of_the_shell(why: str | None, kept: bool) -> None:
    url = "http://portal.example/detail.html?id=1"
    request = Request(url, meta={RENDERED_FOR: why} if why else {})
    response = HtmlResponse(
        url, body=REACT_SHELL.encode(), headers={"ETag": '"x"'}, request=request
    )
    assert ("Etag" in captured_headers(response)) is kept


@pytest.mark.slow
def test_a_react_article_shell_is_rendered_once_and_archived_as_filled(
    tmp_path: Path, chromium: str
) -> None:
    with react_portal() as portal:
        base = f"http://127.0.0.1:{portal.server_address[1]}"
        entry = {
            "slug": "react-quzhou",
            "name": REPORT["agency"],
            "agency": REPORT["agency"],
            "level": "市",
            "region": {"province": "浙江省", "city": "衢州市"},
            "expected_years": [2023],
            "home_url": base + "/",
            "domains": [base.removeprefix("http://")],
        }
        registry = write_registry([entry], tmp_path / "react.yaml")
        database = tmp_path / "archive.sqlite3"
        command = crawl_command(registry, f"sqlite:///{database}", "--all", "--max-pages", "20")
        run = run_crawl(command, crawl_env(tmp_path))
        hits = list(portal.hits)
    assert run.returncode == 0, run.stderr[-3000:]
    stats = last_run_stats(database)
    assert stats["fazhi/render/pages"] == 2, stats  # the two shells, nothing else
    assert (stats["fazhi/render/shell-filled"], stats["fazhi/render/shell-unfilled"]) == (1, 1)
    assert hits.count(f"/content/detail.html?id={BROKEN}") == 2  # static, then rendered: once
    assert hits.count(f"/api/v2/cms/content?contentId={BROKEN}") == 1
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT r.report_year, r.agency, v.title, v.text, v.published_date FROM report r "
            "JOIN report_version v ON v.report_id = r.id ORDER BY r.agency"
        ).fetchall()
        (headers,) = db.execute(
            "SELECT headers FROM fetch WHERE url LIKE ?", (f"%id={FILLED}",)
        ).fetchone()
    assert len(rows) == 2, rows  # the React shell's report and the server-drawn one
    year, _, title, text, published = next(r for r in rows if r[1] == REPORT["agency"])
    assert (year, title, published) == (2023, REPORT["title"], REPORT["published_date"])
    assert REPORT["text"].split("\n")[0] in text
    assert "etag" not in {name.lower() for name in json.loads(headers)}
