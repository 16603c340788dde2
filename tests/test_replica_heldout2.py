"""The second held-out set (tests/replica/data/heldout2/) serves what its manifest says, in the
shapes its templates give it — checked over plain HTTP, without the product: a split article's
pages and pager, a body in a frame, a real .docx, GBK bytes under a gb2312 <meta>, ?page=N."""

from __future__ import annotations

import io
import unicodedata
import urllib.request
from collections.abc import Iterator
from typing import Any

import docx
import lxml.html
import pytest

from tests.replica.probe import fetch, report
from tests.replica.server import Replica, start_replica


@pytest.fixture(scope="module")
def heldout2() -> Iterator[Replica]:
    with start_replica(group="heldout2") as replica:
        yield replica


@pytest.fixture(scope="module")
def manifest(heldout2: Replica) -> dict[str, Any]:
    return heldout2.manifest()


def squashed(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_a_set_of_its_own(manifest: dict[str, Any]) -> None:
    keys = {r["key"] for r in manifest["reports"]}
    for group in ("replica", "heldout"):
        with start_replica(group=group) as replica:
            assert keys.isdisjoint(r["key"] for r in replica.manifest()["reports"])
    assert len(keys) == 12
    assert len(manifest["sites"]) == 6


def test_every_version_has_two_different_dates(manifest: dict[str, Any]) -> None:
    for item in manifest["reports"]:
        for label in {text for copy in item["copies"] for text in copy["text"].values()}:
            dates = item["dates"][label]
            assert dates["document_date"] < dates["published_date"], item["key"]


def test_every_portal_corrects_a_report_in_phase_two(manifest: dict[str, Any]) -> None:
    corrected = {
        copy["site"]
        for item in manifest["reports"]
        if len(item["versions"][2]) > len(item["versions"][1])
        or item["versions"][2] != item["versions"][1]
        for copy in item["copies"]
    }
    assert corrected == set(manifest["sites"])


def test_a_split_article_holds_the_report_only_over_all_its_pages(
    manifest: dict[str, Any],
) -> None:
    item = report(manifest, "zixing-2023")
    copy = item["copies"][0]
    pages = [copy["url"], *copy["parts"]]
    assert len(pages) == 4
    shown = ""
    for number, url in enumerate(pages):
        page = lxml.html.fromstring(fetch(url))
        shown += page.xpath('string(//div[@id="zoom"])')
        labels = page.xpath('//div[@id="pageNav"]//a/text()')
        assert ("上一页" in labels) == (number > 0) and ("下一页" in labels) == (number < 3)
    lines = manifest["texts"][copy["text"][1]].splitlines()
    first = squashed(lxml.html.fromstring(fetch(pages[0])).xpath('string(//div[@id="zoom"])'))
    assert all(squashed(line) in squashed(shown) for line in lines)
    assert not all(squashed(line) in first for line in lines)


def test_a_framed_article_has_its_body_in_the_frame(manifest: dict[str, Any]) -> None:
    copy = report(manifest, "wangcang-2023")["copies"][0]
    page = lxml.html.fromstring(fetch(copy["url"]))
    (frame,) = page.xpath("//iframe/@src")
    assert copy["parts"] == [copy["url"].split("/article/")[0] + frame]
    assert "现将" not in page.text_content() and "行政执法案卷合格率" not in page.text_content()
    inner = squashed(lxml.html.fromstring(fetch(copy["parts"][0])).text_content())
    assert all(squashed(line) in inner for line in manifest["texts"][copy["text"][1]].splitlines())


def test_the_attachment_only_report_is_a_real_docx(manifest: dict[str, Any]) -> None:
    item = report(manifest, "luojiang-2023")
    (copy,), (file,) = item["copies"], item["files"]
    assert manifest["texts"][copy["text"][1]] == ""
    assert file["media_type"].endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(fetch(file["url"])))
    text = squashed("".join(paragraph.text for paragraph in document.paragraphs))
    assert all(squashed(line) in text for line in manifest["texts"][file["text"][1]].splitlines())


def test_the_legacy_site_is_gbk_under_a_gb2312_meta(manifest: dict[str, Any]) -> None:
    copy = report(manifest, "gangu-2023")["copies"][0]
    with urllib.request.urlopen(copy["url"]) as response:
        assert response.headers["Content-Type"] == "text/html"
        body = response.read()
    assert b"charset=gb2312" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "甘谷县人民政府2023年度法治政府建设情况报告" in body.decode("gbk")


def test_a_query_paged_list_reaches_last_years_report(manifest: dict[str, Any]) -> None:
    listing = next(
        x for x in manifest["listings"] if (x["site"], x["column"]) == ("kpy-lanling", "fzzfjs")
    )
    assert [page.rsplit("/", 1)[-1] for page in listing["pages"][1]] == ["", "?page=2", "?page=3"]
    copy = report(manifest, "lanling-2022")["copies"][0]
    path = "./" + copy["url"].split("/zwgk/fzzfjs/")[1]
    assert path.encode() in fetch(listing["pages"][1][2])
    assert path.encode() not in fetch(listing["pages"][1][0])
