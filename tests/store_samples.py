"""Pages for the store's tests and benchmark: the fixture pages, extracted once, and the
variants portals make of them — corrections, reposts, districts sharing boilerplate."""

from __future__ import annotations

import dataclasses
import functools

from archive.extract.page import Extracted, extract_page
from archive.extract.region import Region
from archive.storage.source_info import SourceInfo
from tests.pages import load_pages

SIMING_ID = "trs_wcm/xiamen_siming_gov_2023"
SIMING = SourceInfo(
    slug="fj-xm-siming",
    name="厦门市思明区人民政府",
    home_url="https://www.siming.gov.cn/",
    domains=("siming.gov.cn",),
    agency="厦门市思明区人民政府",
    level="县",
    province="福建省",
    city="厦门市",
    county="思明区",
    division_code="350203",
)
HULI = SourceInfo(
    slug="fj-xm-huli",
    name="厦门市湖里区人民政府",
    home_url="https://www.huli.gov.cn/",
    domains=("huli.gov.cn",),
    agency="厦门市湖里区人民政府",
    division_code="350206",
)
XIAMEN = SourceInfo(
    slug="fj-xm",
    name="厦门市人民政府",
    home_url="https://www.xm.gov.cn/",
    domains=("xm.gov.cn",),
    agency="厦门市人民政府",
)
AGGREGATOR = SourceInfo(  # reposts everybody's reports, names nobody's
    slug="zwzxw",
    name="政务资讯网",
    home_url="https://www.zwzxw.com.hk/",
    domains=("zwzxw.com.hk",),
)
REPOST_HEADER = "来源：厦门市思明区人民政府网站 转载时间：2024-03-20 编辑：政务资讯网"


@functools.cache
def extracted_pages() -> dict[str, Extracted]:
    """Every fixture page's record, by fixture id."""
    return {p.id: extract_page(p.body(), p.url, p.headers()) for p in load_pages()}


def page(fixture_id: str) -> Extracted:
    return extracted_pages()[fixture_id]


def with_text(record: Extracted, lines: list[str], **changes: object) -> Extracted:
    """RECORD with another body (in both scripts) and other fields."""
    text = "\n".join(lines)
    return dataclasses.replace(record, text=text, text_original=text, **changes)


def corrected(record: Extracted, note: str = "（2024年4月2日更正第三部分数据）") -> Extracted:
    """A correction: the body republishes its report with a changed paragraph and a note."""
    lines = record.text.split("\n")
    lines[3] = lines[3].replace("2023", "2023年全年", 1) + note
    return with_text(record, lines)


def reposted(record: Extracted, url: str, agency: str | None = None) -> Extracted:
    """A content farm's copy: its own header line, a short paragraph lost, its own title
    prefix and metadata, and (usually) no issuing body."""
    lines = record.text.split("\n")
    shortest = min(range(len(lines)), key=lambda i: len(lines[i]))
    kept = [REPOST_HEADER] + [line for i, line in enumerate(lines) if i != shortest]
    return with_text(
        record,
        kept,
        url=url,
        title="【转载】" + record.title,
        title_original="【轉載】" + record.title_original,
        agency=agency,
        metadata={"SiteName": "政务资讯网"},
        region=None,
    )


def district_pair() -> tuple[Extracted, Extracted]:
    """思明区's real report and a 湖里区 report sharing ~40% of its paragraphs word for word.

    Districts of one city copy the city's boilerplate (the guiding-thought opening, the
    supervision and dispute-resolution paragraphs); the rest is their own work, here taken
    from another real report and set in 湖里区.
    """
    siming = page(SIMING_ID)
    shared = [line for i, line in enumerate(siming.text.split("\n")) if i in _SHARED]
    own = [
        line.replace("湖滨新区", "湖里区").replace("新区", "湖里区")
        for line in page("dede/bearing_farm_hubin_2019").text.split("\n")[1:9]
    ]
    lines = [*shared[:2], *own[:5], *shared[2:], *own[5:]]
    huli = with_text(
        siming,
        [line.replace("思明", "湖里") for line in lines],
        url="https://www.huli.gov.cn/xxgk/fzzfjs/202403/t20240315_100231.htm",
        title="厦门市湖里区人民政府关于2023年法治政府建设情况的报告",
        title_original="厦门市湖里区人民政府关于2023年法治政府建设情况的报告",
        agency="厦门市湖里区人民政府",
        region=Region("福建省", "厦门市", "湖里区", "350206"),
        metadata={"SiteName": "厦门市湖里区人民政府"},
    )
    return siming, huli


# 思明区 paragraphs a neighbouring district would copy (40% of the 湖里区 text): the opening,
# party leadership, normative documents, supervision, dispute resolution, next year's plans.
_SHARED = frozenset((0, 2, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 24))
