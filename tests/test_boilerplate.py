"""The rule layer: every rule matches the example it came from, and never a report line."""

from __future__ import annotations

import pytest
from lxml import html

from archive.extract import dom
from archive.extract.boilerplate import ContainerRule, LineRule, is_article_info, label_pairs, rules
from archive.extract.metadata_table import pop_metadata_tables
from archive.extract.textlines import drop_boilerplate, is_fragment, rejoin_broken

RULES = rules()
# Real report sentences (from the seeds) that mention words the rules look for.
REPORT_LINES = [
    "11.多措并举推进政务公开。在政府网站主动公开信息3551条,收到信息公开申请32件,已办结31件;"
    "“掌上西湖”APP发布图文信息2.3万篇,视频6275条;“西湖发布”微信发稿1823条;微博1294条。",
    "(三)全面落实政务公开。加快政府信息公开平台建设,实现线上、线下政务公开渠道畅通。",
    "四、2024年工作安排",
    "一、强化组织领导,全面依法治区工作统筹推进",
    "2023年,在市委、市政府的坚强领导下,西湖区坚持以习近平新时代中国特色社会主义思想为指导。",
    "(此件公开发布后,各单位要认真组织学习,抓好贯彻落实,确保各项任务落到实处。)",
    "位置偏远的乡镇,法律服务由县公共法律服务中心派员巡回提供。",
    "通过“鱼峰普法”微信公众号推送普法信息320条。",
    "关注群众关切的热点问题,及时回应社会关注。",
    "推行扫码亮证执法,行政执法人员全部持证上岗。",
]


@pytest.mark.parametrize("rule", RULES.lines, ids=[f"{r.name}:{r.example}" for r in RULES.lines])
def test_line_rule_matches_its_example(rule: LineRule) -> None:
    assert rule.matches(rule.example)


# Wordings beside each rule's own example, from portals the rules were not written on.
VARIANTS = [
    ("您当前的位置:首页 >> 信息公开", "breadcrumb"),
    ("您目前所在位置:首页 > 政务公开", "breadcrumb"),
    ("所在位置:首页", "breadcrumb"),
    ("您是本站第 1234567 位访问者", "visitor-counter"),
    ("(此件主动公开)", "publication-note"),
    ("(此件不公开)", "publication-note"),
    ("友情链接:", "link-list-label"),
    ("长按识别图中二维码", "qr-code"),
    ("扫码关注我们", "qr-code"),
    ("欢迎关注司法行政微信公众号", "follow-account"),
]


@pytest.mark.parametrize(("line", "name"), VARIANTS)
def test_line_rule_matches_wordings_beyond_its_example(line: str, name: str) -> None:
    rule = RULES.line_rule(line)
    assert rule is not None and rule.name == name


@pytest.mark.parametrize("line", REPORT_LINES)
def test_no_rule_cuts_a_report_line(line: str) -> None:
    assert RULES.line_rule(line) is None
    assert not is_article_info(line)


@pytest.mark.parametrize("rule", RULES.containers, ids=[r.example for r in RULES.containers])
def test_container_rule_matches_its_example(rule: ContainerRule) -> None:
    element = html.fragment_fromstring(rule.example)
    assert RULES.container_matches(f"{element.get('class', '')} {element.get('id', '')}")


def test_article_info_example() -> None:
    assert is_article_info(RULES.article_info.example)
    assert is_article_info("发表日期:2022-03-15 15:49 字体显示:")
    assert is_article_info("时间:2024-03-13 16:52")
    assert is_article_info("(责任编辑:王五)")  # a county portal's, under the last paragraph
    assert is_article_info("【发布时间:2022-03-28】【阅读:1502次】")


def test_metadata_table_example_parses() -> None:
    pairs = dict(label_pairs(RULES.metadata_table.example, RULES.metadata_table))
    assert pairs == {
        "索引号": "A25110--2024-0003",
        "主题分类": "综合政务",
        "发布机构": "西湖区司法局",
        "生成日期": "2024-02-20",
    }


BODY = "2023年，我区坚持以习近平法治思想为指导，扎实推进法治政府建设。现将有关情况报告如下："


def test_cut_rest_ends_the_body() -> None:
    cleaned = drop_boilerplate([BODY, "相关新闻推荐", "某区召开法治政府建设推进会"])
    assert cleaned.lines == [BODY]
    assert ("某区召开法治政府建设推进会", "after-related") in cleaned.removed


def test_related_box_above_the_body_does_not_take_it() -> None:
    cleaned = drop_boilerplate(["相关文章", BODY, BODY])
    assert cleaned.lines == [BODY, BODY]
    assert cleaned.removed == [("相关文章", "related")]


def test_title_line_dropped_only_at_the_start() -> None:
    title = "厦门市司法局关于2021年法治政府建设情况的报告"
    cleaned = drop_boilerplate([title, "正文。", title], title)
    assert cleaned.lines == ["正文。", title]


@pytest.mark.parametrize(
    ("line", "expected"),
    [("重要", True), ("通知", True), ("四、工作安排", False), ("正文。", False), ("i厦门", True)],
)
def test_tail_fragment(line: str, expected: bool) -> None:
    assert is_fragment(line) is expected


def test_rejoin_sentence_split_by_layout_but_not_headings() -> None:
    lines = [
        "一、强化组织领导",
        "坚持党的全面领导，健全学习习近平法治思想常态化机制，将习近平法治思想列入各级党委",
        "理论学习中心组学习计划。",
        "二、优化政府职能",
    ]
    joined, count = rejoin_broken(lines)
    assert count == 1
    assert joined[1].endswith("列入各级党委理论学习中心组学习计划。")
    assert joined[0] == "一、强化组织领导" and joined[2] == "二、优化政府职能"


def test_a_short_line_cut_mid_sentence_is_rejoined_a_short_title_is_not() -> None:
    lines = ["成效明显，", "群众满意度逐年提升。", "基层司法所建设情况", "全县共有司法所12个。",
             "人员力量不足，与", "日益增长的需求不相适应。"]  # fmt: skip
    joined, count = rejoin_broken(lines)
    assert joined == [
        "成效明显，群众满意度逐年提升。",
        *lines[2:4],
        "人员力量不足，与日益增长的需求不相适应。",
    ]
    assert count == 2


@pytest.mark.parametrize(
    "whole",
    [
        "X区2023年度法治政府建设情况报告--X区人民政府门户网站",
        "X区2023年度法治政府建设情况报告｜X区人民政府",  # full-width bar
        "X区人民政府_X区2023年度法治政府建设情况报告",
        "首页 > 政务公开 > X区2023年度法治政府建设情况报告",  # a breadcrumb in <title>
        "首页»政务公开»X区2023年度法治政府建设情况报告",
    ],
)
def test_the_title_tag_is_split_from_the_site_name_and_breadcrumb(whole: str) -> None:
    tree = html.fromstring(f"<html><head><title>{whole}</title></head><body></body></html>")
    assert "X区2023年度法治政府建设情况报告" in dom.title_candidates(tree, {})


def test_label_cells_without_colons_are_metadata_a_data_tables_headers_are_not() -> None:
    page = html.fromstring(
        "<html><body><table>"
        "<tr><th>索引号</th><td>A1-2024-01</td><th>主题分类</th><td>综合政务</td></tr>"
        "<tr><th>发布机构</th><td>X区司法局</td><th>生成日期</th><td>2024-02-20</td></tr>"
        "</table><div><p>报告正文。</p><table>"
        "<tr><td>序号</td><td>文件名称</td><td>文号</td><td>发布日期</td></tr>"
        "<tr><td>1</td><td>关于加强行政执法监督的意见</td><td>X司发〔2023〕1号</td><td>2023-05-01</td></tr>"
        "</table></div></body></html>"
    )
    metadata, _removed = pop_metadata_tables(page)
    assert metadata == {
        "索引号": "A1-2024-01",
        "主题分类": "综合政务",
        "发布机构": "X区司法局",
        "生成日期": "2024-02-20",
    }
    assert page.text_content().startswith("报告正文。序号文件名称文号发布日期1关于加强")


def test_prune_removes_navigation_keeps_content() -> None:
    menu = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(30))
    report = "<p>" + "现将有关情况报告如下。" * 40 + "</p>"
    tree = html.document_fromstring(
        f'<html><body><div class="nav"><ul>{menu}</ul></div>'
        f'<div class="content-left">{report}</div>'
        '<div class="footer">版权所有</div></body></html>'
    )
    cuts = dom.prune(tree)
    text = dom.text_of(tree)
    assert "栏目1" not in text and "版权所有" not in text
    assert "现将有关情况报告如下" in text
    assert any(rule == "container:nav" and "栏目1" in text for text, rule in cuts)


def test_metadata_table_cut_into_pairs() -> None:
    tree = html.document_fromstring(
        "<html><body><table class=xxgk>"
        "<tr><td>索引号：</td><td>A25110--2024-0003</td><td>主题分类：</td><td>综合政务</td></tr>"
        "<tr><td>发布机构：</td><td>西湖区司法局</td><td>生成日期：</td><td>2024-02-20</td></tr>"
        "</table><div><p>正文。</p></div></body></html>"
    )
    metadata, removed = pop_metadata_tables(tree)
    assert metadata["发布机构"] == "西湖区司法局"
    assert metadata["生成日期"] == "2024-02-20"
    assert "索引号" not in dom.text_of(tree)
    assert "正文" in dom.text_of(tree)
    assert removed
