"""The reading room's pages over a small real archive (tests/reading_archive.py), on SQLite and
PostgreSQL: what a report page, a diff, coverage, the feeds and Memento show, and the headers
every answer carries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from fastapi.testclient import TestClient

from reading_room.security import CAPTURE_POLICY, PAGE_POLICY
from tests.reading_archive import (
    CORRECTION_STORED,
    HEFEI_PDF,
    HEFEI_PDF_NAME,
    REPOST_URL,
    SIMING_URL,
    Built,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SIMING_TITLE = "厦门市思明区人民政府关于2023年法治政府建设情况的报告"
HEFEI_TITLE = "合肥市生态环境局2023年度法治政府建设工作报告"
ZHUZHOU_TITLE = "株洲市人民政府关于2022年法治政府建设情况的报告"


def page(client: TestClient, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.text)


def text(tree: lxml.html.HtmlElement, css: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.cssselect(css)]


def test_the_report_page_shows_the_latest_version_with_everything_about_it(
    reading_client: TestClient, reading_archive: Built
) -> None:
    tree = page(reading_client, f"/reports/{reading_archive.siming}")
    assert text(tree, "h1") == [SIMING_TITLE]
    facts = dict(zip(text(tree, "dl.facts dt"), text(tree, "dl.facts dd"), strict=True))
    assert facts["发布机关"] == "厦门市思明区人民政府 县"
    assert facts["地区"] == "福建省厦门市思明区 350203"
    assert facts["年度"] == "2023"
    assert facts["发布日期"] == "2024-03-13"
    assert facts["版本"] == "第 2 版，共 2 版"
    assert CORRECTION_STORED in text(tree, "article.text")[0]  # the latest text
    assert "145件" in text(tree, "article.text")[0]
    versions = tree.cssselect("table.versions tbody tr")
    assert [r.cssselect("td")[0].text_content().strip() for r in versions] == ["第 1 版", "第 2 版"]
    assert versions[1].cssselect("a[href$='/diff?from=1&to=2']")
    sightings = {
        r.cssselect("td")[0].text_content().strip(): r.cssselect("td")[2].text_content()
        for r in tree.cssselect("table.sightings tbody tr")
    }
    assert set(sightings) == {SIMING_URL, REPOST_URL}
    assert "转载" in sightings[REPOST_URL] and "本机关网站" in sightings[SIMING_URL]
    assert tree.cssselect("link[rel=alternate][type='application/json']")


def test_an_older_version_has_its_own_permalink(
    reading_client: TestClient, reading_archive: Built
) -> None:
    tree = page(reading_client, f"/reports/{reading_archive.siming}/v/1")
    body = text(tree, "article.text")[0]
    assert "141件" in body and CORRECTION_STORED not in body
    assert "这是第 1 版" in text(tree, "p.notice")[0]


def test_metadata_and_attachments(reading_client: TestClient, reading_archive: Built) -> None:
    tree = page(reading_client, f"/reports/{reading_archive.zhuzhou}")
    metadata = dict(zip(text(tree, "table.metadata th"), text(tree, "table.metadata td"),
                        strict=True))  # fmt: skip
    assert metadata["索引号"] == "114302000061603826/2023-00215"
    tree = page(reading_client, f"/reports/{reading_archive.hefei}")
    [link] = tree.cssselect("ul.attachments a")
    assert link.text_content() == HEFEI_PDF_NAME
    download = reading_client.get(link.get("href"))
    assert download.status_code == 200
    assert download.content == HEFEI_PDF.read_bytes()
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%90%88%E8%82%A5" in download.headers["content-disposition"]
    assert download.headers["content-security-policy"] == CAPTURE_POLICY


def test_the_diff_marks_the_changed_figure_and_the_added_paragraph(
    reading_client: TestClient, reading_archive: Built
) -> None:
    tree = page(reading_client, f"/reports/{reading_archive.siming}/diff?from=1&to=2")
    assert text(tree, ".row.change del") == ["1"]
    assert text(tree, ".row.change ins") == ["5"]
    [inserted] = tree.cssselect(".row.insert")
    assert CORRECTION_STORED in inserted.text_content()
    assert inserted.cssselect(".cell.absent")  # nothing on the old side
    assert "2 处改动" in text(tree, "p.summary")[0]
    assert tree.cssselect("details.same")  # long unchanged stretches fold away
    assert page(reading_client, f"/reports/{reading_archive.siming}/diff").cssselect(".row.change")


def test_the_capture_is_the_archived_page_sandboxed(
    reading_client: TestClient, reading_archive: Built
) -> None:
    response = reading_client.get(f"/reports/{reading_archive.siming}/v/2/capture")
    assert response.status_code == 200
    assert "145件".encode() in response.content
    assert response.headers["content-security-policy"] == CAPTURE_POLICY
    assert response.headers["content-security-policy"].startswith("sandbox;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["memento-datetime"] == "Sat, 06 Apr 2024 08:00:00 GMT"
    assert 'rel="original"' in response.headers["link"]
    original = reading_client.get(f"/reports/{reading_archive.siming}/v/1/capture")
    assert "141件".encode() in original.content


def test_the_timemap_lists_every_version(
    reading_client: TestClient, reading_archive: Built
) -> None:
    response = reading_client.get(f"/reports/{reading_archive.siming}/timemap")
    assert response.headers["content-type"] == "application/link-format"
    links = [line.strip().rstrip(",") for line in response.text.strip().split("\n")]
    assert links[0] == f'<{SIMING_URL}>; rel="original"'
    assert 'rel="self"; type="application/link-format"' in links[1]
    assert 'from="Mon, 01 Apr 2024 08:00:00 GMT"' in links[1]
    mementos = [line for line in links if "memento" in line]
    assert len(mementos) == 2
    assert re.search(r'/v/1/capture>; rel="first memento"; datetime="Mon, 01 Apr', mementos[0])
    assert re.search(r'/v/2/capture>; rel="last memento"; datetime="Sat, 06 Apr', mementos[1])


@pytest.mark.parametrize(
    ("accept", "version"),
    [(None, 2), ("Wed, 03 Apr 2024 00:00:00 GMT", 1), ("Sun, 07 Apr 2024 00:00:00 GMT", 2),
     ("Mon, 01 Jan 2001 00:00:00 GMT", 1)],
)  # fmt: skip
def test_the_timegate_negotiates_by_datetime(
    reading_client: TestClient, reading_archive: Built, accept: str | None, version: int
) -> None:
    headers = {"Accept-Datetime": accept} if accept else {}
    response = reading_client.get(
        f"/reports/{reading_archive.siming}/timegate", headers=headers, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"].endswith(f"/v/{version}/capture")
    assert response.headers["vary"] == "accept-datetime"
    bad = reading_client.get(
        f"/reports/{reading_archive.siming}/timegate", headers={"Accept-Datetime": "yesterday"}
    )
    assert bad.status_code == 400


def matrix_rows(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """A coverage table as a person reads it: each row's heading → its cells' text."""
    return {
        " ".join(r.cssselect("th")[0].text_content().split()): text(r, "td")
        for r in tree.cssselect("table.matrix tbody tr")
    }


def test_coverage_counts_publishers_per_province_and_year_and_drills_down(
    reading_client: TestClient, reading_archive: Built
) -> None:
    tree = page(reading_client, "/coverage")
    assert text(tree, "table.matrix thead th.year") == ["2022", "2023"]
    labels = text(tree, "table.matrix thead tr:nth-child(2) th")
    assert labels == ["按时", "逾期", "无日期", "缺·已查", "缺·未查", "无门户"] * 2
    fujian = matrix_rows(tree)["福建省"]
    on_time, unchecked = labels.index("按时"), labels.index("缺·未查")
    assert (fujian[on_time], fujian[6 + on_time]) == ("·", "1")
    assert (fujian[unchecked], fujian[6 + unchecked]) == ("1", "·")
    drill = tree.xpath("//table[contains(@class, 'matrix')]//a[text()='福建省']")[0].get("href")
    cities = page(reading_client, drill)
    assert "厦门市" in matrix_rows(cities)
    xiamen = cities.xpath("//table[contains(@class, 'matrix')]//a[text()='厦门市']")[0]
    publishers = page(reading_client, xiamen.get("href"))
    assert matrix_rows(publishers)["厦门市思明区人民政府"] == ["缺·未查", "按时 2024-03-13"]
    link = publishers.xpath("//td[@data-status='on_time']/a")[0].get("href")
    assert link.endswith(f"/reports/{reading_archive.siming}")


def test_coverage_filters_by_level(reading_client: TestClient) -> None:
    tree = page(reading_client, "/coverage?level=部门&year=2023")
    rows = matrix_rows(tree)
    assert list(rows) == ["安徽省"] and rows["安徽省"][0] == "1"  # 合肥市生态环境局, on time
    assert text(tree, "p.levels strong") == ["部门"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", {SIMING_TITLE, HEFEI_TITLE, ZHUZHOU_TITLE}),
     ("?province=安徽省", {HEFEI_TITLE}),
     ("?level=市", {ZHUZHOU_TITLE})],
)  # fmt: skip
def test_the_new_reports_feed_filters_by_province_and_level(
    reading_client: TestClient, query: str, expected: set[str]
) -> None:
    response = reading_client.get(f"/feeds/reports.atom{query}")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    titles = {e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")}
    assert expected <= titles
    if query:
        assert titles == expected


def test_the_new_versions_feed_lists_corrections_with_their_diff(
    reading_client: TestClient, reading_archive: Built
) -> None:
    feed = ET.fromstring(reading_client.get("/feeds/versions.atom").content)
    [entry] = feed.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title", "").endswith("（第2版）")
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").endswith(f"/reports/{reading_archive.siming}/diff?from=1&to=2")
    empty = ET.fromstring(reading_client.get("/feeds/versions.atom?province=安徽省").content)
    assert list(empty.iter(f"{ATOM}entry")) == []


def test_the_home_page_lists_filters_and_counts(reading_client: TestClient) -> None:
    tree = page(reading_client, "/?year=2023&province=福建省")
    assert text(tree, "p.total") == ["共 1 份报告"]
    assert text(tree, "table.listing tbody a") == [
        "厦门市思明区人民政府关于2023年法治政府建设情况的报告"
    ]
    facets = page(reading_client, "/")
    first = "aside.facets section:first-child"
    years = dict(zip(text(facets, f"{first} a"), text(facets, f"{first} .count"), strict=True))
    assert years == {"2023": "4", "2022": "1"}
    assert page(reading_client, "/?year=&level=&province=").cssselect("table.listing")


def test_every_answer_carries_the_security_headers(
    reading_client: TestClient, reading_archive: Built
) -> None:
    paths = ["/", f"/reports/{reading_archive.siming}", "/coverage", "/feeds",
             "/api/v1/reports", "/feeds/reports.atom", "/static/style.css", "/reports/999999",
             "/api/v1/reports/0"]  # fmt: skip
    for path in paths:
        headers = reading_client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["content-security-policy"] == PAGE_POLICY, path
        assert "script-src" not in PAGE_POLICY and "'unsafe-inline'" not in PAGE_POLICY
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-frame-options"] == "DENY", path


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [("/reports/999999", 404, "no report 999999"),
     ("/reports/1/v/99", 404, "has no version 99"),
     ("/reports/abc", 422, "path.report_id"),
     ("/reports/1/diff?from=0", 422, "query.from"),
     ("/attachments/999999", 404, "no attachment 999999"),
     ("/coverage?city=厦门市", 404, "give province too"),
     ("/coverage?province=火星省", 404, "no province named 火星省"),
     ("/?cursor=bm9wZQ", 422, "query.cursor")],
)  # fmt: skip
def test_a_person_gets_an_error_page_that_says_what_went_wrong(
    reading_client: TestClient, path: str, status: int, message: str
) -> None:
    response = reading_client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (
        status, "text/html; charset=utf-8")  # fmt: skip
    assert message in lxml.html.fromstring(response.text).cssselect("p.error")[0].text_content()


def test_the_page_and_its_json_twin_agree(
    reading_client: TestClient, reading_archive: Built
) -> None:
    tree = page(reading_client, f"/reports/{reading_archive.siming}/v/1")
    twin = reading_client.get(
        tree.cssselect("link[rel=alternate][type='application/json']")[0].get("href")
    )
    data = twin.json()
    assert data["title"] == text(tree, "h1")[0]
    assert data["version"] == 1 and "141件" in data["text"]
    assert data["html_url"].endswith(f"/reports/{reading_archive.siming}/v/1")
