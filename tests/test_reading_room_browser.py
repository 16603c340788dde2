"""The reading room in Chromium, as a person uses it: over the archive the replica crawl built
(tests/replica_crawl.py), search → result → report → diff → coverage → feed; and the hostile archive
(tests/reading_archive.py) rendered with no script running and no layout broken.

Screenshots (with Debian's Noto CJK fonts) go to the test's temporary directory."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright
from sqlalchemy.orm import Session

from archive.coverage.accounting import Entry, account
from archive.storage import db
from reading_room.coverage import MEASURE_LABELS, MEASURES, measure
from tests.reading_archive import Built, build
from tests.replica_crawl import Crawled
from tests.serve_process import serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIMING = "厦门市思明区人民政府关于2023年法治政府建设情况的报告"


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page with everything a script could do to announce itself, recorded."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # URLs a response came back from
    blocked: dict[str, str] = field(default_factory=dict)  # URL -> why it failed


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    seen = Watched(page)

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.errors.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("response", lambda response: seen.answered.append(response.url))
    page.on("requestfailed", lambda r: seen.blocked.update({r.url: r.failure or ""}))
    yield seen
    context.close()


def test_browse_report_diff_coverage_feed(
    replica_crawl: Crawled, watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    with serving(replica_crawl.url, replica_crawl.data) as base:
        page.goto(base + "/")
        reports = len(replica_crawl.manifest["2"]["reports"])
        assert page.locator("p.total").inner_text() == f"共 {reports} 份报告"
        page.get_by_role("searchbox").fill("行政复议 思明区")  # both terms, anywhere in a report
        page.get_by_role("button", name="检索").click()
        assert "/search?q=" in page.url
        assert page.locator("li.hit mark").first.is_visible()  # the match, highlighted
        page.get_by_role("link", name="福建省").first.click()  # a facet narrows the results
        assert "province=" in page.url and page.locator("li.hit").count() >= 1
        page.screenshot(path=tmp_path / "search.png", full_page=True)
        page.get_by_role("link", name=SIMING).click()

        assert page.locator("h1").inner_text() == SIMING
        assert "第 2 版，共 2 版" in page.locator("dl.facts").inner_text()
        urls = page.locator("table.sightings").inner_text()
        copies = next(r for r in replica_crawl.manifest["2"]["reports"] if r["title"] == SIMING)
        for copy in copies["copies"]:
            assert copy["url"] in urls
        assert "转载" in urls  # the re-publication on 厦门市司法局's site is flagged
        assert page.locator("article.text p").count() > 10
        page.screenshot(path=tmp_path / "report.png", full_page=True)

        page.get_by_role("link", name="与上一版对照").click()
        assert "/diff?from=1&to=2" in page.url
        changed = page.locator(".row.change")
        assert changed.count() >= 1
        assert changed.first.locator("del").first.is_visible()
        assert changed.first.locator("ins").first.is_visible()
        page.screenshot(path=tmp_path / "diff.png", full_page=True)

        page.get_by_role("link", name="覆盖").click()
        years = [int(y) for y in page.locator("table.matrix thead th.year").all_inner_texts()]
        assert years == archived_years(replica_crawl)
        entries = accounted(replica_crawl, years)  # what `fazhi coverage` says of each year
        fujian = page.locator("table.matrix tbody tr", has_text="福建省")
        assert fujian.locator("td").all_inner_texts() == [
            str(n) if n else "·" for n in counts(entries, "福建省", years)
        ]
        page.screenshot(path=tmp_path / "coverage.png", full_page=True)
        fujian.get_by_role("link", name="福建省").click()
        page.locator("table.matrix tbody tr", has_text="厦门市").get_by_role("link").click()
        siming = next(e for e in entries if (e.division_code, e.report_year) == ("350203", 2023))
        cell = page.locator("tr.publisher", has_text="思明区").locator("td").nth(years.index(2023))
        label = MEASURE_LABELS[measure(siming.status, siming.crawled)][0]
        assert cell.inner_text() == f"{label} {siming.published_date}"
        page.screenshot(path=tmp_path / "coverage-xiamen.png", full_page=True)
        cell.get_by_role("link").click()  # the publisher's report
        assert page.url.endswith(f"/reports/{siming.report_id}")
        assert page.locator("h1").inner_text() == SIMING

        page.get_by_role("link", name="订阅").click()
        feed_url = page.get_by_role("link", name="新报告").first.get_attribute("href")
        assert feed_url
        feed = ET.fromstring(page.request.get(feed_url).body())
        titles = {e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")}
        assert SIMING in titles
    assert watched.errors == [] and watched.dialogs == []


def archived_years(crawled: Crawled) -> list[int]:
    rows = crawled.db.execute("SELECT DISTINCT report_year FROM report WHERE report_year > 0")
    return sorted(year for (year,) in rows)


def accounted(crawled: Crawled, years: list[int]) -> list[Entry]:
    engine = db.make_engine(crawled.url)
    try:
        with Session(engine) as session:
            return [entry for year in years for entry in account(session, year)]
    finally:
        engine.dispose()


def counts(entries: list[Entry], province: str, years: list[int]) -> list[int]:
    """A province's row of the matrix: per year, per measure, its publishers."""
    counted = Counter(
        (e.report_year, measure(e.status, e.crawled)) for e in entries if e.province == province
    )
    return [counted[year, m] for year in years for m in MEASURES]


def hostile_pages(built: Built) -> list[str]:
    return [
        "/", "/coverage", "/feeds", "/search?q=第一段", f"/reports/{built.hostile}",
        f"/reports/{built.hostile}/v/1",
        f"/reports/{built.hostile}/diff", f"/reports/{built.long_title}",
        f"/reports/{built.long_title}/diff",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Built]]:
    data = tmp_path_factory.mktemp("hostile-web")
    built = build(f"sqlite:///{data}/archive.sqlite3", data)
    with serving(built.url, data) as base:
        yield base, built


@pytest.mark.parametrize("width", [1280, 390])
def test_hostile_archive_text_never_runs_nor_breaks_the_layout(
    hostile_site: tuple[str, Built], watched: Watched, width: int, tmp_path: Path
) -> None:
    base, built = hostile_site
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    for path in hostile_pages(built):
        page.goto(base + path)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        assert page.title() != "pwned", path
        assert page.locator("script").count() == 0, path
        assert page.locator("[onerror], [onload], [onclick]").count() == 0, path
        assert page.locator("a[href^='javascript:'], a[href^='data:']").count() == 0, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        page.screenshot(path=tmp_path / f"{path.strip('/').replace('/', '_') or 'home'}.png")
    page.goto(f"{base}/reports/{built.hostile}")
    assert "<script>" in page.locator("h1").inner_text()  # shown as the text it is
    assert watched.dialogs == []


def test_the_capture_runs_nothing_and_loads_nothing(
    hostile_site: tuple[str, Built], watched: Watched
) -> None:
    base, built = hostile_site
    page = watched.page
    page.goto(f"{base}/reports/{built.hostile}")
    page.get_by_role("link", name="存档快照").click()
    assert page.url.endswith(f"/reports/{built.hostile}/v/1/capture")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.title() == "captured"
    assert page.locator("h1").count() == 1  # the archived page is shown, inert
    assert watched.dialogs == []
    assert not [url for url in watched.answered if "evil.example" in url]
    assert "csp" in watched.blocked["https://evil.example/beacon.png"].lower()
    page.goto(f"{base}/reports/{built.hostile}")
    download = page.request.get(page.locator("ul.attachments a").get_attribute("href") or "")
    assert download.headers["content-type"] == "application/octet-stream"  # not text/html
    assert download.headers["content-disposition"].startswith("attachment;")
