"""extract_page never fails in an undocumented way, whatever a server sends."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import ExtractionError
from archive.extract.page import extract_page
from archive.extract.zh_script import normalize
from tests.pages import load_pages

URL = "http://127.0.0.1/t20240313_1.html"
PAGE = load_pages()[0]


def extract_or_documented_error(body: bytes, headers: dict[str, str] | None = None) -> None:
    try:
        result = extract_page(body, URL, headers)
    except ExtractionError as exc:
        assert URL in str(exc)  # the error names the page
        return
    assert "\n\n" not in result.text
    assert result.text == normalize(result.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(body: bytes) -> None:
    extract_or_documented_error(body)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0))
def test_truncated_html(fraction: float) -> None:
    body = PAGE.body()
    extract_or_documented_error(body[: int(len(body) * fraction)], PAGE.headers())


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["utf-8", "gbk", "big5", "iso-8859-1", "utf-16", "x-unknown", ""]),
    st.binary(max_size=64),
)
def test_wrong_or_missing_charset(charset: str, junk: bytes) -> None:
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    extract_or_documented_error(PAGE.body() + junk, {"Content-Type": content_type})


@pytest.mark.slow
@pytest.mark.parametrize("size_mb", [10])
def test_ten_megabyte_page(size_mb: int) -> None:
    paragraph = "<p>　　现将有关情况报告如下：全面推进依法行政，持续优化法治化营商环境。</p>\n"
    head = "<html><head><meta charset=utf-8><title>关于2023年法治政府建设情况的报告</title></head>"
    body = (
        head
        + "<body>"
        + paragraph * (size_mb * 2**20 // len(paragraph.encode()))
        + "</body></html>"
    ).encode()
    result = extract_page(body, URL)
    assert result.report_year == 2023
    assert len(result.text) > 1_000_000


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", b"\x89PNG\r\n\x1a\n\x00\x00", b"<html></html>"],
    ids=["empty", "blank", "pdf-as-html", "png-as-html", "empty-document"],
)
def test_not_a_report_page(body: bytes) -> None:
    extract_or_documented_error(body, {"Content-Type": "text/html"})
