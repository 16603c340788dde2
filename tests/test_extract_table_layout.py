"""A page in a layout no fixture template has, written after the rules were: a county portal
of nested tables, no class on the content cell, the title in a bold cell, the 公文's 附注 under
its signature, a visitor counter and a link <select> under the article. What the rules and
mechanisms learnt on tests/fixtures/pages must carry over to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from archive.extract import extract_page

PAGE = Path(__file__).parent / "fixtures" / "unseen" / "pingan_county_tables_2022.html"
URL = "http://www.pingan.gov.cn/art/2023/2/20/art_1_1.html"
JUNK = ["位置", "首页", "点击数", "打印本页", "关闭窗口", "此件公开发布", "责任编辑", "友情链接",
        "访问者", "版权所有", "ICP备", "技术支持"]  # fmt: skip


def test_a_table_layout_county_page_comes_out_clean() -> None:
    page = extract_page(PAGE.read_bytes(), URL, {"Content-Type": "text/html"})
    assert page.title == "关于2022年度法治政府建设情况的报告"
    lines = page.text.split("\n")
    assert lines[0] == "市委、市政府:"  # the title cell and the breadcrumb above it are gone
    assert lines[-1] == "附件:2022年度法治政府建设情况报告.pdf"
    assert [junk for junk in JUNK if junk in page.text] == []
    assert page.agency == "平安县人民政府"
    assert page.signed_date == dt.date(2023, 2, 18)
    assert page.published_date == dt.date(2023, 2, 20)
    assert page.report_year == 2022
    assert [a.url for a in page.attachments] == [
        "http://www.pingan.gov.cn/upload/2023/fzzf2022.pdf"
    ]
