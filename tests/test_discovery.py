"""Focused discovery and trap cutting, on link tables from real portal shapes."""

from __future__ import annotations

import tomllib

import pytest

from archive.extract.classify import DocType
from crawler.discovery import RULES_FILE, LinkKind, classify_link, is_article, trs_pages
from crawler.middlewares import is_private
from crawler.traps import Limits, TrapGuard

LINKS = [
    ("https://www.siming.gov.cn/xxgk/fdzdgknr/t20240313_1058384.htm",
     "厦门市思明区人民政府关于2023年法治政府建设情况的报告", LinkKind.CANDIDATE),
    ("https://sfj.xm.gov.cn/zwgk/gggs/202203/t20220315_2636381.htm",
     "厦门市司法局关于2021年法治政府建设情况的报告", LinkKind.CANDIDATE),
    ("https://www.ncxh.gov.cn/art/2024/2/20/art_1_2.html",
     "南昌市西湖区2023年法治政府建设情况报告", LinkKind.CANDIDATE),
    ("https://sthjj.hefei.gov.cn/group3/M00/0B/5C/a.pdf",
     "合肥市生态环境局2023年度法治政府建设工作报告.pdf", LinkKind.ATTACHMENT),
    ("https://www.siming.gov.cn/xxgk/t20240120_1.htm",
     "厦门市思明区2023年政府信息公开工作年度报告", LinkKind.DISTRACTOR),
    ("https://www.siming.gov.cn/xxgk/t20240301_2.htm",
     "思明区2024年法治政府建设工作要点", LinkKind.DISTRACTOR),
    ("https://www.siming.gov.cn/xwzx/t20240102_3.htm",
     "我区召开2024年法治政府建设推进会", LinkKind.DISTRACTOR),
    ("https://www.siming.gov.cn/xxgk/fdzdgknr/", "法定主动公开内容", LinkKind.LISTING),
    ("https://www.zhuzhou.gov.cn/xxgk/szf/fzzfjs/", "法治政府建设", LinkKind.LISTING),
    ("https://www.hangzhou.gov.cn/col/col1229063380/index.html", "通知公告", LinkKind.LISTING),
    ("https://sfj.xm.gov.cn/zwgk/gggs/index_2.htm", "下一页", LinkKind.PAGINATION),
    ("https://sfj.xm.gov.cn/zwgk/gggs/index_7.htm", "7", LinkKind.PAGINATION),
    # back along a pager is pagination; 首页 elsewhere is the home page, explored
    ("https://farm.example/a/hangyexinwen/list_7_9.html", "上一页", LinkKind.PAGINATION),
    ("https://farm.example/a/hangyexinwen/list_7_1.html", "首页", LinkKind.PAGINATION),
    ("https://www.siming.gov.cn/", "首页", LinkKind.EXPLORE),
    ("https://www.siming.gov.cn/wza/", "无障碍", LinkKind.IGNORED),
    ("https://www.siming.gov.cn/jgzn/", "机构职能", LinkKind.EXPLORE),
    ("https://www.siming.gov.cn/xwzx/t20240105_9.htm", "思明区举办迎春游园会", LinkKind.IGNORED),
    # a column named like the report is a listing to explore; a dated title is a document
    ("https://www.siming.gov.cn/xxgk/fzzfjsndbg/", "法治政府建设年度报告", LinkKind.LISTING),
    ("https://farm.example/a/2020/0322/1827.html", "湖滨新区2019年度法治政府建设情况报告",
     LinkKind.CANDIDATE),
    ("https://farm.example/a/2021/0110/77.html", "某市2020年政府信息公开工作年度报告",
     LinkKind.DISTRACTOR),
]  # fmt: skip


@pytest.mark.parametrize(("url", "anchor", "kind"), LINKS, ids=[a for _, a, _ in LINKS])
def test_link_kind(url: str, anchor: str, kind: LinkKind) -> None:
    assert classify_link(url, anchor).kind is kind


def test_candidates_outrank_pagination_outrank_listings() -> None:
    candidate = classify_link(LINKS[0][0], LINKS[0][1])
    pager = classify_link("https://x.gov.cn/list/index_2.htm", "下一页")
    listing = classify_link("https://x.gov.cn/xxgk/fdzdgknr/", "法定主动公开内容")
    assert candidate.priority > pager.priority > listing.priority > 0


def test_distractors_carry_their_type() -> None:
    link = classify_link(LINKS[4][0], LINKS[4][1])
    assert link.doc_type is DocType.INFO_DISCLOSURE_REPORT


def test_every_article_url_rule_matches_its_example() -> None:
    data = tomllib.loads(RULES_FILE.read_text("utf-8"))
    for rule in data["article_url"]:
        assert is_article(rule["example"]), rule["example"]


def test_trs_pager_script() -> None:
    script = 'createPageHTML(4, 0, "index", "htm");'
    assert trs_pages(script, "https://sfj.xm.gov.cn/zwgk/gggs/index.htm") == [
        "https://sfj.xm.gov.cn/zwgk/gggs/index.htm",
        "https://sfj.xm.gov.cn/zwgk/gggs/index_1.htm",
        "https://sfj.xm.gov.cn/zwgk/gggs/index_2.htm",
        "https://sfj.xm.gov.cn/zwgk/gggs/index_3.htm",
    ]
    assert trs_pages("no pager here", "https://x/") == []


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("https://x.gov.cn/xxgk/xxgk/t1.htm", "repeating-path:/xxgk/"),
        ("https://x.gov.cn/a/b/a/b/index.html", "repeating-path:/a/b/"),
        ("https://x.gov.cn/list/index_201.htm", "page-beyond-200"),
        ("https://farm.example/a/list_7_999.html", "page-beyond-200"),
        ("https://x.gov.cn/list?page=999", "page-beyond-200"),
        ("https://x.gov.cn/cal?date=1899-12-31", "calendar-out-of-range:date"),
        ("https://x.gov.cn/cal?date=2999-01-01", "calendar-out-of-range:date"),
        ("https://x.gov.cn/" + "d/" * 13 + "x.htm", "path-too-deep"),
    ],
)
def test_trap_patterns(url: str, pattern: str) -> None:
    assert TrapGuard().check(url) == pattern


@pytest.mark.parametrize(
    "url",
    [
        "https://www.siming.gov.cn/xxgk/fdzdgknr/t20240313_1058384.htm",
        "https://sfj.xm.gov.cn/zwgk/gggs/index_12.htm",
        "https://x.gov.cn/cal?date=2024-03-13",
        "https://www.qz.gov.cn/art/2024/3/22/art_1229516436_59071483.html",
    ],
)
def test_real_urls_pass(url: str) -> None:
    assert TrapGuard().check(url) is None


def test_query_explosion_and_report_once() -> None:
    guard = TrapGuard(Limits(max_query_variants=5))
    results = [guard.check(f"https://x.gov.cn/cal?d=2024-01-{day:02d}") for day in range(1, 10)]
    assert results[:5] == [None] * 5
    assert set(results[5:]) == {"query-explosion:x.gov.cn/cal"}
    firsts = [guard.first_report(p, "u") for p in results[5:] if p]
    assert firsts == [True, False, False, False]


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.9", True), ("localhost", True),
     ("::1", True), ("169.254.1.1", True), ("8.8.8.8", False), ("202.108.22.5", False)],
)  # fmt: skip
def test_private_addresses(host: str, private: bool) -> None:
    assert is_private(host) is private
