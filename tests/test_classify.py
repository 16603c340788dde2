"""archive.extract.classify on realistic titles from province, city, county and department
portals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.extract.classify import (
    DocType,
    canonical_text,
    classify,
    matching_rule,
    rules,
    title_core,
)

A = DocType.ANNUAL_REPORT
I = DocType.INFO_DISCLOSURE_REPORT  # noqa: E741 - one letter keeps the table readable
W = DocType.WORK_PLAN
N = DocType.NOTICE
S = DocType.ASSESSMENT
F = DocType.ACCOUNTABILITY_REPORT
E = DocType.NEWS
O = DocType.OTHER  # noqa: E741

TITLES = [
    # The annual report in all its title forms.
    ("厦门市思明区人民政府关于2023年法治政府建设情况的报告", A),
    ("南昌市西湖区2023年法治政府建设情况报告", A),
    ("湖滨新区2019年度法治政府建设情况报告", A),
    ("厦门市司法局关于2021年法治政府建设情况的报告", A),
    ("市司法局2021年法治政府建设年度报告", A),
    ("区人民政府关于2023年度法治政府建设情况的报告", A),
    ("福建省人民政府关于2022年度法治政府建设情况的报告", A),
    ("浙江省2023年法治政府建设年度报告", A),
    ("北京市2022年法治政府建设年度情况报告", A),
    ("上海市人民政府关于2023年上海市法治政府建设情况的报告", A),
    ("杭州市西湖区2023年度法治政府建设工作报告", A),
    ("成都市武侯区人民政府2022年法治政府建设年度报告", A),
    ("恩施州人民政府关于2023年法治政府建设情况的报告", A),
    ("广西壮族自治区人民政府关于2022年法治政府建设情况的报告", A),
    ("内蒙古自治区人民政府关于2023年法治政府建设情况的报告", A),
    ("新疆维吾尔自治区2022年法治政府建设情况报告", A),
    ("黔东南州2023年法治政府建设年度报告", A),
    ("石柱县2023年法治政府建设工作情况报告", A),
    ("重庆市渝中区2023年法治政府建设情况报告", A),
    ("天津市滨海新区人民政府关于2022年度法治政府建设情况的报告", A),
    ("苏州工业园区2023年法治政府建设情况报告", A),
    ("武汉东湖新技术开发区管委会2023年法治政府建设情况报告", A),
    ("国家税务总局厦门市税务局2023年法治政府建设情况报告", A),
    ("市生态环境局关于2023年度法治政府建设工作情况的报告", A),
    ("县市场监督管理局2023年法治政府建设年度报告", A),
    ("市卫生健康委员会2023年法治建设工作情况报告", A),
    ("关于2023年法治政府建设工作情况的报告", A),
    ("关于2023年法治政府建设工作开展情况的报告", A),
    ("关于2023年度法治政府建设和依法行政工作情况的报告", A),
    ("2023年度法治政府建设工作情况报告", A),
    ("二〇二三年度法治政府建设情况报告", A),
    ("关于２０２３年度法治政府建设情况的报告", A),
    ("市司法局：2023年法治政府建设年度报告", A),
    ("中共同安县委 同安县人民政府关于2023年度法治政府建设情况的报告", A),
    ("2015年依法行政工作情况报告", A),
    ("市人民政府关于2016年度依法行政工作情况的报告", A),
    ("海沧区2020年法治政府建设工作总结", A),
    ("区交通运输局2023年法治政府建设工作总结及2024年工作计划", A),
    ("市教育局2023年度法治政府建设工作总结和2024年工作打算", A),
    ("区应急管理局2023年度法治政府建设情况", A),
    ("区司法局2023年度法治政府建设和主要负责人履行推进法治建设第一责任人职责情况报告", A),
    # Traditional script, with and without the pinyin notes some converters add.
    ("廣州市海珠區(qū)人民政府關(guān)于2023年度法治政府建設(shè)情況的報告", A),
    ("廣州市海珠區人民政府關於2023年度法治政府建設情況的報告", A),
    ("中山市2023年度法治政府建設年度報告", A),
    ("關於2022年法治政府建設情況的報告", A),
    # Publication wrappers: 公开/公示 prefixes and suffixes, 【】 tags, notes, site names.
    ("关于公开2023年度法治政府建设年度报告", A),
    ("关于公开思明区2022年度法治政府建设情况报告的公告", A),
    ("关于2023年法治政府建设情况报告的公示", A),
    ("湖里区关于2023年度法治政府建设情况报告的公示", A),
    ("2022年度法治政府建设工作开展情况公示", A),
    ("【法治政府建设】鼓楼区2023年法治政府建设年度报告", A),
    ("【政务公开】【通知公告】晋安区2022年法治政府建设情况报告", A),
    ("法治政府建设年度报告（摘要）", A),
    ("泉州市2023年法治政府建设年度报告（全文）", A),
    ("2023年度法治政府建设年度报告（市自然资源局）", A),
    ("XX区2023年法治政府建设情况的报告（经区政府常务会议审议通过）", A),
    ("翔安区2023年法治政府建设情况报告_厦门市翔安区人民政府网", A),
    ("集美区2022年度法治政府建设情况报告 - 厦门市集美区人民政府", A),
    ("转发：漳州市2023年法治政府建设年度报告", A),
    # 政府信息公开 reports: same season, same 年度报告.
    ("厦门市思明区人民政府2023年政府信息公开工作年度报告", I),
    ("市司法局2023年政府信息公开工作年度报告", I),
    ("福建省人民政府2022年政府信息公开工作年度报告", I),
    ("2023年度政府信息公开工作年度报告", I),
    ("关于2022年政府信息公开工作年度报告的公告", I),
    ("南昌市西湖区司法局2023年政府信息公开年报", I),
    ("廣州市海珠區2023年政府信息公開工作年度報告", I),
    ("区教育局2023年度政务公开工作年度报告", I),
    ("湖口镇2021年政府信息公开工作年度报告（更正版）", I),
    # Plans.
    ("2024年法治政府建设工作要点", W),
    ("厦门市2024年法治政府建设工作要点", W),
    ("法治政府建设实施方案（2021—2025年）", W),
    ("市法治政府建设规划（2021-2025年）", W),
    ("区司法局2024年度法治政府建设工作计划", W),
    ("2024年全县法治政府建设工作安排", W),
    ("法治政府建设重点任务分工方案", W),
    ("县人民政府2023年法治政府建设工作方案", W),
    ("厦门市法治政府建设实施纲要", W),
    # Notices: the page is the notice even when it carries a plan or asks for reports.
    ("关于印发2023年法治政府建设工作要点的通知", N),
    ("关于报送2023年度法治政府建设情况报告的通知", N),
    ("市人民政府办公室关于做好2022年度法治政府建设年度报告工作的通知", N),
    ("关于印发《XX区法治政府建设实施方案（2021-2025年）》的通知", N),
    ("关于开展2023年度法治政府建设督察工作的通知", N),
    ("关于召开全市法治政府建设推进会的通知", N),
    ("關於印發2024年法治政府建設工作要點的通知", N),
    ("关于征求《法治政府建设规划》意见的函", N),
    ("关于印发《2023年度法治政府建设情况报告》的通知", N),
    # Assessments, inspections, rankings.
    ("关于2022年度法治政府建设考核结果的通报", S),
    ("全省法治政府建设示范创建拟命名名单公示", S),
    ("关于第三批全国法治政府建设示范地区和项目名单的公示", S),
    ("2023年度依法行政考核评分结果", S),
    ("关于法治政府建设督察反馈问题整改情况的报告", S),
    ("泉州市2023年法治政府建设第三方评估报告", S),
    ("关于2023年度法治政府建设工作情况的通报", S),
    ("关于公布2023年度法治政府建设考核等次的公告", S),
    # Leaders' own reports.
    ("县委书记2023年度述法报告", F),
    ("区长2023年度述法报告", F),
    ("区党政主要负责人2023年度履行推进法治建设第一责任人职责情况报告", F),
    ("市司法局主要负责人2023年履行推进法治建设第一责任人职责情况报告", F),
    ("关于2023年度履行推进法治建设第一责任人职责情况的报告", F),
    ("2023年度党政主要负责人述法述职报告", F),
    # News about 法治政府建设, including headlines that end in a report's name.
    ("区政府常务会议审议通过2023年法治政府建设情况报告", E),
    ("我市召开2024年法治政府建设推进会", E),
    ("厦门市获评第二批全国法治政府建设示范市", E),
    ("我县入选全国法治政府建设示范县", E),
    ("市司法局举办法治政府建设专题培训班", E),
    ("省司法厅赴我市调研法治政府建设工作", E),
    ("全市法治政府建设工作会议召开", E),
    ("法治政府建设示范创建工作动员部署会召开", E),
    ("我区多措并举推进法治政府建设", E),
    ("思明区2023年法治政府建设年度报告解读", E),
    ("图解：2023年度法治政府建设情况报告", E),
    ("一图读懂｜2022年度法治政府建设情况报告", E),
    ("《2023年法治政府建设年度报告》发布", E),
    ("县长带队督导法治政府建设工作", E),
    ("法治政府建设专题讲座在我局举行", E),
    ("市城管局开展法治政府建设宣传活动", E),
    # Neither the report nor a known confuser.
    ("2023年国民经济和社会发展统计公报", O),
    ("关于思明区2023年财政预算执行情况的报告", O),
    ("2024年政府工作报告", O),
    ("2023年度法治社会建设情况报告", O),
    ("区司法局领导班子成员简介", O),
    ("法治政府建设", O),
    ("", O),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_title_classification(title: str, expected: DocType) -> None:
    assert classify(title)[0] is expected


def test_the_table_is_large_and_covers_every_type() -> None:
    assert len(TITLES) >= 100
    # a department's document is told from the report by its signature, not its title
    assert {t for _, t in TITLES} == set(DocType) - {DocType.DEPARTMENT_DOCUMENT}


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "2023年度工作报告",
            "2023年，在区委的领导下，我局扎实推进法治政府建设。现将有关情况报告如下：",
            A,
        ),
        ("", "今年以来……现将我区2019年度法治政府建设工作情况及2020年工作思路报告如下:", A),
        ("2023年度报告", "本报告根据《中华人民共和国政府信息公开条例》要求编制。", I),
        ("区司法局", "近日，区司法局召开全体干部会议。", O),
        # The title decides when it can: a news headline stays news whatever the body says.
        ("我市召开法治政府建设推进会", "现将法治政府建设情况报告如下", E),
    ],
)
def test_body_decides_only_when_the_title_cannot(title: str, text: str, expected: DocType) -> None:
    assert classify(title, text)[0] is expected


def test_reason_names_the_rule_and_where_it_looked() -> None:
    kind, reason = classify("关于印发2023年法治政府建设工作要点的通知")
    assert kind is N
    assert reason.startswith("title: ") and "通知" in reason
    assert classify("", "现将法治政府建设情况报告如下")[1].startswith("text: ")
    assert classify("区司法局领导班子成员简介") == (O, "no rule fits")


@pytest.mark.parametrize(
    ("rule_index", "example"),
    [(i, example) for i, rule in enumerate(rules()) for example in rule.examples],
)
def test_every_rule_still_decides_its_own_examples(rule_index: int, example: str) -> None:
    """Reordering or widening a rule must not steal another rule's examples."""
    rule = rules()[rule_index]
    title, text = (example, "") if rule.looks_at == "title" else ("", example)
    assert matching_rule(title, text) is rule


def test_title_core_strips_what_portals_wrap_around_a_title() -> None:
    wrapped = "【专题】关于公开《思明区2023年法治政府建设年度报告》（摘要）_思明区政府网"
    assert title_core(wrapped) == "思明区2023年法治政府建设年度报告"


def test_canonical_text_unifies_script_width_and_pinyin_notes() -> None:
    assert canonical_text("廣州市海珠區(qū)  關(guān)於２０２３年") == "广州市海珠区 关于2023年"


@given(st.text(), st.text())
def test_classify_never_raises(title: str, text: str) -> None:
    kind, reason = classify(title, text)
    assert kind in set(DocType) and reason
