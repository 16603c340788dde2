"""Decoding pages: declarations, their failures, detection, and bytes that are not text.

Bodies are real report text from the seeds, encoded the way portals serve it.
"""

import codecs
import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import CharsetUndecidable, ExtractionError
from archive.extract.charset import Decoded, decode_html, decode_text, resolve_charset
from tests.pages import Page, load_pages

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
URL = "http://www.example.gov.cn/art/2024/3/1/art_1.html"


def seed(number: str) -> str:
    return next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8")


def page(text: str, head: str = "") -> str:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines())
    return f"<html><head>{head}<title>report</title></head><body>{paragraphs}</body></html>"


def encodable(text: str, *encodings: str) -> str:
    """The text without the few characters one of the encodings lacks (nbsp in GBK...)."""
    for encoding in encodings:
        text = text.encode(encoding, errors="ignore").decode(encoding)
    return text


SIMPLIFIED = page(encodable(seed("001"), "gbk"))  # Simplified
TRADITIONAL = page(encodable(seed("003"), "gbk", "big5hkscs"))  # Traditional
META_GB2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'


def http(charset: str) -> dict[str, str]:
    return {"Content-Type": f"text/html; charset={charset}"}


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ("GB18030", "gb18030"),
        ("big5", "big5hkscs"),
        ("cp950", "big5hkscs"),
        ("csbig5", "big5hkscs"),
        ("UTF8", "utf-8"),
        ("ISO-8859-1", "cp1252"),
        ("no-such-charset", None),
        ("base64", None),
    ],
)
def test_resolve_charset(label: str, codec: str | None) -> None:
    assert resolve_charset(label) == codec


def test_http_charset_decodes_utf8() -> None:
    decoded = decode_html(SIMPLIFIED.encode("utf-8"), http("UTF-8"), URL)
    assert decoded == Decoded(SIMPLIFIED, "utf-8", "http", ())


def test_meta_gb2312_decodes_gbk_characters_as_gb18030() -> None:
    # 镕 and 喆 are GBK, not GB2312: pages declaring gb2312 use them all the time.
    html = page("朱镕基同志和张喆同志在会上讲话", META_GB2312)
    decoded = decode_html(html.encode("gbk"), {"Content-Type": "text/html"}, URL)
    assert (decoded.text, decoded.encoding, decoded.source) == (html, "gb18030", "meta")


def test_declared_big5_decodes_hkscs_characters() -> None:
    html = page("屯門區政府喺沙田邨設立法律諮詢站,𨋢口張貼告示")
    decoded = decode_html(html.encode("big5hkscs"), http("big5"), URL)
    assert (decoded.text, decoded.encoding) == (html, "big5hkscs")


def test_whatwg_only_label_x_gbk_is_understood() -> None:
    decoded = decode_html(TRADITIONAL.encode("gbk"), http("x-gbk"), URL)
    assert (decoded.text, decoded.encoding, decoded.source) == (TRADITIONAL, "gb18030", "http")


def test_byte_order_mark_outranks_the_http_header() -> None:
    body = codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8")
    decoded = decode_html(body, http("gbk"), URL)
    assert decoded == Decoded(SIMPLIFIED, "utf-8", "bom", ())


def test_utf16_with_byte_order_mark() -> None:
    decoded = decode_html(SIMPLIFIED.encode("utf-16"), None, URL)
    assert (decoded.text, decoded.source) == (SIMPLIFIED, "bom")


def test_utf16_declared_without_byte_order_mark_is_not_taken_for_binary() -> None:
    decoded = decode_html(SIMPLIFIED.encode("utf-16-le"), http("utf-16le"), URL)
    assert (decoded.text, decoded.encoding) == (SIMPLIFIED, "utf-16-le")


def test_http_utf8_over_a_gbk_page_falls_back_to_the_meta_declaration() -> None:
    html = page(encodable(seed("001"), "gbk"), META_GB2312)
    decoded = decode_html(html.encode("gbk"), http("utf-8"), URL)
    assert decoded == Decoded(html, "gb18030", "meta", ("declared-charset-mismatch:http=utf-8",))


def test_stale_meta_gb2312_on_a_page_moved_to_utf8() -> None:
    html = page(seed("001"), META_GB2312)
    decoded = decode_html(html.encode("utf-8"), {"Content-Type": "text/html"}, URL)
    assert decoded == Decoded(
        html, "utf-8", "detected", ("declared-charset-mismatch:meta=gb18030",)
    )


def test_tomcat_default_latin1_over_a_gbk_page() -> None:
    decoded = decode_html(SIMPLIFIED.encode("gbk"), http("ISO-8859-1"), URL)
    assert decoded == Decoded(
        SIMPLIFIED, "gb18030", "detected", ("declared-charset-mismatch:http=cp1252",)
    )


def test_big5_page_declared_gbk_is_read_as_big5() -> None:
    # GB18030 decodes Big5 bytes without a single error; only plausibility tells.
    decoded = decode_html(TRADITIONAL.encode("big5hkscs"), http("gbk"), URL)
    assert decoded == Decoded(
        TRADITIONAL, "big5hkscs", "detected", ("declared-charset-mismatch:http=gb18030",)
    )


@pytest.mark.parametrize(
    ("html", "encoding", "codec"),
    [
        (SIMPLIFIED, "gbk", "gb18030"),
        (TRADITIONAL, "gbk", "gb18030"),
        (TRADITIONAL, "big5hkscs", "big5hkscs"),
        (SIMPLIFIED, "utf-8", "utf-8"),
        (page("厦门市司法局关于2021年法治政府建设情况的报告"), "gbk", "gb18030"),
        (page("Annual report"), "ascii", "ascii"),
    ],
)
def test_undeclared_pages_are_detected(html: str, encoding: str, codec: str) -> None:
    decoded = decode_html(html.encode(encoding), {}, URL)
    assert decoded == Decoded(html, codec, "detected", ())


def test_a_few_bad_bytes_are_replaced_with_a_warning() -> None:
    body = SIMPLIFIED.encode("gbk")
    damaged = body[:2000] + b"\xff" + body[2000:]
    decoded = decode_html(damaged, http("gbk"), URL)
    assert (decoded.encoding, decoded.source) == ("gb18030", "http")
    assert decoded.warnings == ("undecodable-bytes:1",)
    assert decoded.text.count("\ufffd") == 1


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "pdf"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00word/document.xml", "zip"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (page("Annual report").encode("utf-16-le"), "nul-heavy"),
        (bytes(range(256)) * 8, "control-bytes"),
    ],
)
def test_binary_served_as_html_is_refused_naming_the_url(body: bytes, kind: str) -> None:
    with pytest.raises(CharsetUndecidable, match=kind) as raised:
        decode_html(body, {"Content-Type": "text/html; charset=utf-8"}, URL)
    assert raised.value.url == URL
    assert URL in str(raised.value)


def test_decoded_is_immutable() -> None:
    decoded = decode_html(b"<p>ok</p>", None, URL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.text = "changed"  # type: ignore[misc]


def test_decode_text_with_a_declared_label() -> None:
    text = seed("003")
    assert decode_text(text.encode("gbk"), "GBK") == Decoded(text, "gb18030", "http", ())


def test_decode_text_reports_an_unknown_label_and_detects() -> None:
    text = seed("000")
    decoded = decode_text(text.encode("utf-8"), "utf-9")
    assert decoded == Decoded(text, "utf-8", "detected", ("unknown-charset:utf-9",))


@pytest.mark.parametrize("saved", load_pages(), ids=lambda saved: saved.id)
def test_saved_pages_decode_as_declared(saved: Page) -> None:
    decoded = decode_html(saved.body(), saved.headers(), saved.url)
    assert decoded.warnings == ()
    assert "法治" in decoded.text


HEADERS = st.sampled_from(
    [None, {}, http("utf-8"), http("gbk"), http("big5"), http("utf-16"), http("zlib")]
)


# Arbitrary bytes are mostly control-heavy; bytes without controls reach every decoding path.
BODIES = st.one_of(
    st.binary(max_size=4096),
    st.lists(st.integers(0x20, 0xFF), max_size=4096).map(bytes),
)


@given(BODIES, HEADERS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_bytes_decode_or_raise_only_extraction_errors(
    body: bytes, headers: dict[str, str] | None
) -> None:
    try:
        decoded = decode_html(body, headers, URL)
    except ExtractionError:
        return
    assert isinstance(decoded.text, str)


REPORT = encodable(seed("002"), "gbk")


@given(
    st.integers(0, len(REPORT)),
    st.integers(0, 2000),
    st.sampled_from(["utf-8", "gbk", "gb18030"]),
)
@settings(max_examples=200, deadline=None)
def test_declared_pages_round_trip(start: int, length: int, encoding: str) -> None:
    html = page(REPORT[start : start + length])
    decoded = decode_html(html.encode(encoding), http(encoding), URL)
    assert decoded.text == html
