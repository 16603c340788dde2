"""Versions belong to the publisher: each rule of docs/dedup.md ("The publisher's own site"),
on real pages made into what portals make of them — a Taiwan-phrase Traditional mirror, a
content farm's repost with a line cut, a correction re-published at a new URL — through every
way a page reaches the archive: a registered source, an ad-hoc crawl, `fazhi ingest`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import opencc
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from archive.extract.page import Extracted, extract_page
from archive.storage.models import Report, ReportVersion, SearchDoc, Sighting
from archive.storage.publisher import speaks_for_a_body
from archive.storage.source_info import SourceInfo
from archive.storage.versions import Outcome
from crawler.registry import load
from tests.cli_runner import fazhi
from tests.pages import PAGES
from tests.store_samples import AGGREGATOR, SIMING, page, reposted
from tests.test_store import at, put

SIMING_PAGE = PAGES / "trs_wcm/xiamen_siming_gov_2023.html"
OWN = "https://www.siming.gov.cn/xxgk/zfxxgkzl/zfxxgkml/fzzfjs/202403/t20240313_937812.htm"
CORRECTED = "https://www.siming.gov.cn/xxgk/zfxxgkzl/zfxxgkml/fzzfjs/202404/t20240402_940001.htm"
MIRROR = "https://www.zwzxw.com.hk/difang/xiamen/2024-03-20/51234.html"
FARM = "http://www.gdgrzc.com/a/xinwenzixun/hangyexinwen/2024/0321/3019.html"
CITY_SFJ = "https://sfj.xm.gov.cn/zwgk/gggs/202403/t20240318_2741552.htm"
HTML = {"Content-Type": "text/html; charset=utf-8"}
# How a page reaches the archive: the source a crawl gives it, by host (None: no source).
Mode = Callable[[str], SourceInfo | None]


def _registry(url: str) -> SourceInfo | None:
    return SIMING if "siming.gov.cn" in url else AGGREGATOR if "zwzxw" in url else None


def _ad_hoc(url: str) -> SourceInfo:
    """What `fazhi crawl --start-url` gives: a portal nobody registered."""
    host = url.split("/")[2]
    return SourceInfo(f"adhoc-{host}", host, url, (host,), registered=False)


MODES: dict[str, Mode] = {"registry": _registry, "ad-hoc": _ad_hoc, "ingest": lambda _: None}


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@cache
def _html() -> str:
    return SIMING_PAGE.read_text(encoding="utf-8")


def correction_html() -> str:
    """The district's correction: （更正） in the title, an 更正说明 box, two figures changed."""
    box = '<div class="TRS_Editor"><p>更正说明：原文第二部分两处数据有误，现予更正。</p>'
    return (
        _html()
        .replace("的报告</h2>", "的报告（更正）</h2>")
        .replace("的报告_法治", "的报告（更正）_法治")
        .replace('<div class="TRS_Editor">', box, 1)
        .replace("98.7%", "99.1%")
        .replace("148项", "152项")
    )


def mirror_of(html: str) -> str:
    """A Hong Kong news mirror's copy: Taiwan phrases (优化→最佳化, 信息→资讯 back in
    Simplified), its own site name."""
    converted = opencc.OpenCC("s2twp").convert(html)
    return re.sub(r'(<meta name="SiteName" content=")[^"]*', r"\g<1>政務資訊網", converted)


def extracted(html: str, url: str) -> Extracted:
    return extract_page(html.encode("utf-8"), url, HTML)


def farm_copy(record: Extracted) -> Extracted:
    """A content farm's repost naming the body, a line cut and its own header."""
    return dataclasses.replace(reposted(record, FARM, agency=record.agency), metadata={})


def versions(session: Session) -> list[str]:
    return list(session.scalars(select(ReportVersion.text).order_by(ReportVersion.version)))


def sighted(session: Session, url: str) -> list[tuple[str, bool]]:
    rows = session.execute(
        select(ReportVersion.text, Sighting.is_repost)
        .join(ReportVersion, ReportVersion.id == Sighting.version_id)
        .where(Sighting.url == url)
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("copy", ["mirror", "farm"])
def test_a_copy_arriving_before_the_publisher_is_a_sighting_of_its_version(
    session: Session, mode: str, copy: str
) -> None:
    source = MODES[mode]
    original = extracted(_html(), OWN)
    early = extracted(mirror_of(_html()), MIRROR) if copy == "mirror" else farm_copy(original)
    assert early.text != original.text and early.agency == original.agency

    first = put(session, early, early.url, 10, source(early.url))
    own = put(session, original, OWN, 13, source(OWN))

    assert (first.is_repost, own.outcome, own.is_repost) == (True, Outcome.NEW_REPORT, False)
    assert versions(session) == [original.text]
    assert sighted(session, early.url) == [(original.text, True)]
    assert session.scalar(select(Sighting.text).where(Sighting.url == early.url)) == early.text
    assert session.scalar(select(func.count()).select_from(Report)) == 1
    assert session.scalar(select(ReportVersion.first_seen)) == at(10)


@pytest.mark.parametrize("mode", MODES)
def test_a_correction_at_a_new_url_is_a_new_version(session: Session, mode: str) -> None:
    source = MODES[mode]
    first, fixed = extracted(_html(), OWN), extracted(correction_html(), CORRECTED)
    put(session, first, OWN, 13, source(OWN))
    second = put(session, fixed, CORRECTED, 20, source(CORRECTED))
    assert (second.outcome, second.is_repost) == (Outcome.NEW_VERSION, False)
    assert versions(session) == [first.text, fixed.text]


NEWS = "https://www.siming.gov.cn/xwzx/bmdt/202503/t20250305_990001.htm"


@pytest.mark.parametrize("news_first", [False, True])
def test_the_publishers_earliest_page_dates_the_version_in_either_order(
    session: Session, news_first: bool
) -> None:
    """The same report again in the publisher's news column a year later is a sighting, and the
    version keeps the date the publisher first published it, whichever page came first."""
    original = extracted(_html(), OWN)
    again = dataclasses.replace(original, url=NEWS, published_date=dt.date(2025, 3, 5))
    pages = [(again, NEWS), (original, OWN)] if news_first else [(original, OWN), (again, NEWS)]
    for day, (record, url) in enumerate(pages, 13):
        put(session, record, url, day, SIMING)
    assert versions(session) == [original.text]
    version = session.scalars(select(ReportVersion)).one()
    assert original.published_date is not None and version.published_date == original.published_date
    timeliness = session.scalars(select(SearchDoc.timeliness)).one()
    assert timeliness == "on_time"  # 2024-03-13, before 1 April: the news column's date is not it


def test_fazhi_ingest_decides_as_the_crawl_does(tmp_path: Path) -> None:
    """The shipped registry's 思明区 entry owns the pages; the mirror is nobody's."""
    pages = {
        OWN: SIMING_PAGE.read_text(encoding="utf-8"),
        MIRROR: mirror_of(_html()),
        CORRECTED: correction_html(),
    }
    said = []
    for n, (url, html) in enumerate(pages.items()):
        saved = tmp_path / f"{n}.html"
        saved.write_text(html, encoding="utf-8")
        result = fazhi("ingest", str(saved), "--url", url, cwd=tmp_path)
        assert result.exit_code == 0, result.stderr
        said.append(result.stdout)
    assert "new_report" in said[0]
    assert "repost" in said[1] and "version id 1 (repost)" in said[1]
    assert "new_version" in said[2]


def test_the_same_change_on_a_copy_is_not_a_version(session: Session) -> None:
    original = extracted(_html(), OWN)
    put(session, original, OWN, 13, SIMING)
    changed = mirror_of(_html().replace("98.7%", "99.9%"))
    copy = put(session, extracted(changed, MIRROR), MIRROR, 20, None)
    assert (copy.outcome, copy.is_repost) == (Outcome.REPOST, True)
    assert versions(session) == [original.text]


def test_each_copy_is_a_sighting_of_the_version_it_copies_in_every_order(engine: Engine) -> None:
    """Two versions a few figures apart and a copy of each: MinHash cannot tell the versions
    apart, the exact comparison can; a copy that came first moves when its version comes."""
    first, fixed = extracted(_html(), OWN), extracted(correction_html(), CORRECTED)
    pages = [
        (first, OWN),
        (fixed, CORRECTED),
        (farm_copy(first), FARM),
        (extracted(mirror_of(correction_html()), MIRROR), MIRROR),
    ]
    for order in itertools.permutations(pages):
        with Session(engine) as session:
            for record, url in order:
                put(session, record, url, 10, _registry(url))
            assert sorted(versions(session)) == sorted([first.text, fixed.text]), order
            assert sighted(session, FARM) == [(first.text, True)]
            assert sighted(session, MIRROR) == [(fixed.text, True)]
            for table in reversed(Report.metadata.sorted_tables):  # the next order starts empty
                session.execute(table.delete())
            session.commit()


def test_whose_site_a_page_is_on() -> None:
    siming = page("trs_wcm/xiamen_siming_gov_2023")
    on_city_sfj = dataclasses.replace(siming, metadata={"SiteName": "厦门市司法局"})
    department = page("jpaas/nanchang_xihu_sfj_2023")  # on its district's portal
    bare = dataclasses.replace(siming, metadata={})
    assert speaks_for_a_body(siming, OWN, None)
    assert not speaks_for_a_body(on_city_sfj, CITY_SFJ, None)
    assert speaks_for_a_body(department, department.url, None)
    assert speaks_for_a_body(bare, OWN, None)  # a gov.cn host, no site name
    assert not speaks_for_a_body(bare, MIRROR, None)
    assert not speaks_for_a_body(dataclasses.replace(siming, agency=None), OWN, None)
    assert not speaks_for_a_body(siming, MIRROR, AGGREGATOR)  # registered: the registry decides
    assert speaks_for_a_body(bare, OWN, SIMING)
    assert speaks_for_a_body(siming, OWN, _ad_hoc(OWN))  # unregistered: the page decides
    assert not speaks_for_a_body(bare, MIRROR, _ad_hoc(MIRROR))


def test_the_registry_names_the_owner_of_a_url() -> None:
    registry = load()
    owner = registry.owner_of(OWN)
    assert owner is not None and owner.slug == "fj-xm-siming"
    assert registry.owner_of(MIRROR) is None
