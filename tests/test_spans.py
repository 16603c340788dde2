"""Reports that span several resources (crawler/spans.py, archive/extract/spans.py): an article
split over continuation pages (正文分页), a body in a frame.

The held-out portals (tests/replica/data/heldout2/: fy-zixing's TRS pages, ifr-wangcang's
iframe) are the blind proof; this is the dev-side one, in other shapes: a 织梦-style article
``88.html`` → ``88_2.html`` → ``88_3.html`` whose pager shows only its neighbours (page 1 does
not link page 3: each page is read for the next) and whose last page holds only the 落款,
and an article page whose body is an ``<iframe>`` in its main column beside a weather
widget's frame in its header and a video frame on another site (both left, with a reason).
Crawled twice: a figure changed on the second page is a new version of the one report.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse

from archive.extract.page import extract_page
from archive.extract.spans import FRAME, PAGES, extract_span, joined
from crawler.spans import body_frame, continuations, page_number
from tests.crawl_process import crawl_command, crawl_env, run_crawl, write_registry
from tests.pages import PAGES as PAGE_FIXTURES
from tests.services import serving

PAGED = json.loads(
    (PAGE_FIXTURES / "hanweb/shandong_sft_2022_word_paste.expected.json").read_text("utf-8")
)
FRAMED = json.loads(
    (PAGE_FIXTURES / "hanweb/quzhou_gov_2023_cn_numeral_year.expected.json").read_text("utf-8")
)
PAGED_LINES = PAGED["text"].split("\n")
CUTS = (0, 9, len(PAGED_LINES) - 2, len(PAGED_LINES))  # three pages; the last: the 落款 alone
OLD, NEW = "发出行政执法监督意见书210份", "发出行政执法监督意见书220份"  # on page 2, corrected
ARTICLE = "/a/fzzf/2023/0329/88"
HTML = {"Content-Type": "text/html; charset=utf-8"}
BODY = "/uploadfile/content/2024/77.htm"


def _chrome(title: str, main: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-山东省司法厅</title>
<meta name="SiteName" content="山东省司法厅"></head><body>
<div id="header"><a href="/">首页</a> <a href="/a/fzzf/">法治政府</a>
<iframe src="/widget/weather.html" width="180" height="24" frameborder="0"></iframe></div>
<div class="position">您的位置：<a href="/">首页</a> &gt; <a href="/a/fzzf/">法治政府</a></div>
<div class="main-col">{main}</div>
<div id="footer">主办：山东省司法厅　网站标识码：3700000031</div></body></html>"""


def _paged(page: int, edited: bool) -> str:
    """Page PAGE (1-3) of the split article; its pager links only the pages next to it."""
    lines = PAGED_LINES[CUTS[page - 1] : CUTS[page]]
    text = "".join(f"<p>{line}</p>" for line in lines)
    if edited:
        text = text.replace(OLD, NEW)
    name = {1: "88.html", 2: "88_2.html", 3: "88_3.html"}
    pager = [f'<li><a href="{name[page - 1]}">上一页</a></li>'] if page > 1 else []
    for n in (page - 1, page, page + 1):
        if n in name:
            cell = f"<span>{n}</span>" if n == page else f'<a href="{name[n]}">{n}</a>'
            pager.append(f"<li>{cell}</li>")
    if page < 3:
        pager.append(f'<li><a href="{name[page + 1]}">下一页</a></li>')
    main = (
        f'<h1>{PAGED["title"]}</h1><div class="info">发布时间：{PAGED["published_date"]}</div>'
        f'<div class="content">{text}</div><ul class="pagelist">{"".join(pager)}</ul>'
    )
    return _chrome(PAGED["title"], main)


def _framed_outer() -> str:
    main = (
        f'<h1>{FRAMED["title"]}</h1><div class="info">发布时间：{FRAMED["published_date"]}</div>'
        f'<div class="article"><iframe src="{BODY}" width="100%" height="1600" '
        'frameborder="0"></iframe></div>'
        '<div class="video"><iframe src="http://video.example.invalid/embed/1"></iframe></div>'
    )
    return _chrome(FRAMED["title"], main)


def _framed_body() -> str:
    text = "".join(f"<p>{line}</p>" for line in FRAMED["text"].split("\n"))
    return f'<html><head><meta charset="utf-8"></head><body><div class="TRS">{text}</div>'


def _home() -> str:
    links = [
        (ARTICLE + ".html", PAGED["title"]),
        ("/art/2024/3/22/art_77.html", FRAMED["title"]),
    ]
    items = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in links)
    return f'<html><head><meta charset="utf-8"><title>首页</title></head><body><ul>{items}</ul>'


class _Handler(BaseHTTPRequestHandler):
    server: _Portal

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.server.hits.append(path)
        pages = {f"{ARTICLE}.html": 1, f"{ARTICLE}_2.html": 2, f"{ARTICLE}_3.html": 3}
        if path == "/":
            body = _home()
        elif path in pages:
            body = _paged(pages[path], self.server.edited)
        elif path == "/art/2024/3/22/art_77.html":
            body = _framed_outer()
        elif path == BODY:
            body = _framed_body()
        elif path == "/widget/weather.html":
            body = "<html><body>晴 12℃</body></html>"
        else:
            self._send(404, b"not found")
            return
        self._send(200, body.encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"{hash(body)}"')  # a first page unchanged answers 304 if asked
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the hits are the log."""


class _Portal(ThreadingHTTPServer):
    hits: list[str]
    edited: bool


@contextmanager
def portal() -> Iterator[_Portal]:
    server = _Portal(("127.0.0.1", 0), _Handler)
    server.hits, server.edited = [], False
    with serving(server):
        yield server


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("http://a.gov.cn/art/2023/t20230329_88_1.html", 1),  # TRS WCM
        ("http://a.gov.cn/art/2023/t20230329_88_12.html", 12),
        ("http://a.gov.cn/art/2023/t20230329_88-2.html", 2),  # PHPCMS
        ("http://a.gov.cn/art/2023/t20230329_88.html?page=3", 3),
        ("http://a.gov.cn/art/2023/t20230329_88.html", None),  # itself
        ("http://a.gov.cn/art/2023/t20230329_89_1.html", None),  # another article
        ("http://a.gov.cn/art/2023/t20230329_88_1.pdf", None),  # a file
        ("http://a.gov.cn/art/2024/t20230329_88_1.html", None),  # another folder
        ("http://b.gov.cn/art/2023/t20230329_88_1.html", None),  # another site
        ("http://a.gov.cn/art/2023/index_1.html", None),  # the column's list
    ],
)
def test_a_continuation_is_the_same_stem_with_a_page_number(url: str, number: int | None) -> None:
    assert page_number("http://a.gov.cn/art/2023/t20230329_88.html", url) == number


def test_a_query_pager_and_a_trs_pager_script_give_the_pages_in_order() -> None:
    base = "http://a.gov.cn/show.asp?id=9"
    page = HtmlResponse(
        base,
        body=b'<a href="show.asp?id=9&page=3">3</a><a href="show.asp?id=9&page=2">2</a>'
        b'<a href="show.asp?id=10&page=2">x</a>',
    )
    assert continuations(page, base) == [(2, base + "&page=2"), (3, base + "&page=3")]
    trs = "http://a.gov.cn/zwgk/t20230329_88.html"
    script = b'<script>createPageHTML(3, 0, "t20230329_88", "html");</script>'
    assert [n for n, _ in continuations(HtmlResponse(trs, body=script), trs)] == [1, 2]


def test_a_frame_is_the_body_only_in_the_content_area_of_a_thin_page() -> None:
    url = "http://127.0.0.1:1/art/2024/3/22/art_77.html"
    outer = HtmlResponse(url, body=_framed_outer().encode(), encoding="utf-8")
    assert body_frame(outer, lambda u: u.startswith("http://127.0.0.1:1/")) == (
        "http://127.0.0.1:1" + BODY
    )
    full = HtmlResponse(url, body=_paged(1, False).encode(), encoding="utf-8")
    assert body_frame(full, lambda u: True) is None  # a page with its own text: no body frame


def test_pages_are_one_document_with_the_first_title_and_the_last_pages_signature() -> None:
    url = "http://a.gov.cn" + ARTICLE
    pages = [(_paged(n, False).encode(), f"{url}_{n}.html", HTML) for n in (1, 2, 3)]
    assert extract_page(*pages[0]).document_date is None  # the 落款 is on page 3
    alone = extract_page(*pages[2])  # alone, the 落款 reads as a header naming the site
    assert (alone.text, alone.signed_by) == ("2023年3月28日", None)
    whole = extract_span(pages[0], pages[1:], PAGES)
    assert whole.text == PAGED["text"]
    assert (str(whole.document_date), whole.signed_by) == (PAGED["document_date"], "山东省司法厅")
    assert str(whole.published_date) == PAGED["published_date"]
    outer = extract_page(_framed_outer().encode(), "http://a.gov.cn/art_77.html")
    framed = joined(outer, [extract_page(_framed_body().encode(), "http://a.gov.cn" + BODY)], FRAME)
    assert (framed.title, framed.text) == (FRAMED["title"], FRAMED["text"])
    assert "thin-body" not in framed.warnings


@pytest.mark.slow
def test_split_and_framed_reports_are_archived_whole_and_a_later_page_makes_a_version(
    tmp_path: Path,
) -> None:
    database = tmp_path / "archive.sqlite3"
    with portal() as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        entry = {
            "slug": "dev-spans",
            "name": "山东省司法厅",
            "agency": "山东省司法厅",
            "level": "省",
            "region": {"province": "山东省"},
            "expected_years": [2022, 2023],
            "home_url": base + "/",
            "domains": [base.removeprefix("http://")],
        }
        registry = write_registry([entry], tmp_path / "spans.yaml")
        command = crawl_command(registry, f"sqlite:///{database}", "--all", "--max-pages", "30")
        first = run_crawl(command, crawl_env(tmp_path))
        server.edited = True
        second = run_crawl(command, crawl_env(tmp_path))
        hits = list(server.hits)
    assert (first.returncode, second.returncode) == (0, 0), second.stderr[-3000:]
    for part in ("_2.html", "_3.html"):
        assert hits.count(ARTICLE + part) == 2  # once a run; page 3 is found on page 2
    assert "/widget/weather.html" not in hits
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT r.id, v.version, v.text, v.document_date, v.published_date FROM report r "
            "JOIN report_version v ON v.report_id = r.id ORDER BY r.id, v.version"
        ).fetchall()
        skipped = dict(
            db.execute("SELECT url, reason FROM skipped_link WHERE crawl_run_id = 2").fetchall()
        )
        parts = db.execute(
            "SELECT url, span FROM fetch WHERE part_of IS NOT NULL AND warc_file IS NOT NULL"
        ).fetchall()
    paged = [row for row in rows if row[2].startswith(PAGED_LINES[0])]
    framed = [row for row in rows if row[2] == FRAMED["text"]]
    assert len(rows) == 3, [(r[0], r[1], r[2][:30]) for r in rows]
    assert [row[1] for row in paged] == [1, 2] and paged[0][0] == paged[1][0]
    assert paged[0][2] == PAGED["text"] and paged[1][2] == PAGED["text"].replace(OLD, NEW)
    assert {(row[3], row[4]) for row in paged} == {
        (PAGED["document_date"], PAGED["published_date"])
    }
    assert [(row[1], row[4]) for row in framed] == [(1, FRAMED["published_date"])]
    assert skipped[base + "/widget/weather.html"] == "report-page"
    assert skipped["http://video.example.invalid/embed/1"] == "off-scope"
    pages = [f"{base}{ARTICLE}_{n}.html" for n in (2, 3)]
    assert sorted(parts) == sorted([(u, PAGES) for u in pages * 2] + [(base + BODY, FRAME)] * 2)
    # `fazhi reprocess` derives each report from all its captures again: nothing changes
    reprocess = [sys.executable, "-m", "fazhi", "reprocess", "--db", f"sqlite:///{database}",
                 "--registry", str(registry)]  # fmt: skip
    done = run_crawl(reprocess, crawl_env(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    with closing(sqlite3.connect(database)) as db:
        again = db.execute(
            "SELECT r.id, v.version, v.text, v.document_date, v.published_date FROM report r "
            "JOIN report_version v ON v.report_id = r.id ORDER BY r.id, v.version"
        ).fetchall()
    assert again == rows
