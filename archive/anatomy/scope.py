"""Whose figure a number is, and for which year: the report's own body and year, or not.

A report states many numbers that are not its own: last year's (2022年…), several years'
(累计, 近三年), part of a year (上半年, 12月), another body's (全市 in a district's report, the
court's), a sub-unit's (其中…, a 街道 or 分局 as the clause's subject, a bracketed breakdown)
or a target (力争…). Each test here says why a number is NOT the report's own; a figure is
handed over only when none applies (precision first: a doubt is a veto).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.anatomy.numbers import chinese_integer
from archive.anatomy.spans import enclosing_bracket

_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})年")
_SINCE = re.compile(r"(今年|(?:19|20)\d{2}年)?以来")
_OTHER_TIME = re.compile(
    r"上年|去年|上一年|前年|同期|上半年|下半年|[一二三四\d]季度|\d{1,2}月|[一二三四五六七八九十]{1,2}月|"
    r"累计|历年|近[一二三四五两\d]+年|[一二三四五两\d]+年来|期间|先后"
)
_TARGET = re.compile(r"力争|争取|目标|预计|计划|拟")
_OTHER_BODY = re.compile(r"法院|检察院|人大|政协|公安|监委")
_SUB_UNIT = re.compile(r"[\u4e00-\u9fff]{2,}(?:街道|镇|乡|社区|村|司法所|分局|派出所|中队)")
_DEPARTMENT = re.compile(
    r"[\u4e00-\u9fff]{1,8}(?<![格布大结当全开])局(?![面势长])|[\u4e00-\u9fff]{1,8}(?:委员会|办公室|管委会)"
)
_SCOPE = re.compile(r"全(国|省|市|区|县|州|旗|盟)")
_CLAUSE_BREAK = re.compile(r"[,;:]")
_SELF = re.compile(r"我(省|市|区|县|州|旗|盟|局)|本(局|单位)")


@dataclass(frozen=True)
class Body:
    """The report's issuing body as the scope tests need it."""

    level: str | None  # 省 / 市 / 区 / 县 …: what 全X words are its own
    is_government: bool  # a 人民政府: named departments in its text are its sub-units

    @classmethod
    def of(cls, agency: str | None, text: str) -> Body:
        """From the agency's name; without one, from how the text names itself (我区, 我局)."""
        if agency:
            core = agency.removesuffix("人民政府").removesuffix("政府")
            government = core != agency or not re.search(r"(局|委|办|厅|院|中心)$", agency)
            level = _level_of(core if government else re.sub(r"[^省市区县州旗盟]+$", "", core))
            return cls(level, government)
        selves = [m[1] for m in _SELF.finditer(text)]
        if not selves:
            return cls(None, False)
        most = max(set(selves), key=selves.count)
        return cls(None if most in ("局", "单位") else most, most not in ("局", "单位"))


def _level_of(name: str) -> str | None:
    """The division level a body's name ends in: 厦门市思明区 → 区, 湖滨新区 → 区."""
    name = name.removesuffix("新区") + "区" if name.endswith("新区") else name
    for suffix in ("自治区", "省", "市", "州", "盟", "区", "县", "旗"):
        if name.endswith(suffix):
            return "省" if suffix == "自治区" else suffix
    return None


def year_of(line_before: str) -> int | None:
    """The last year the paragraph names before the number, outside 《titles》."""
    plain = re.sub(r"《[^》]*》", "", line_before)
    years = [_year(m[1]) for m in _YEAR.finditer(plain)]
    return years[-1] if years else None


def _year(written: str) -> int | None:
    return int(written) if written.isdigit() else chinese_integer(written)


def veto(sentence: str, start: int, line_before: str, year: int | None, body: Body) -> str | None:
    """Why the number at SENTENCE[start:] is not the report's own figure, or None."""
    before = sentence[:start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    if enclosing_bracket(sentence, start) in ("(", "《", "[", "【"):
        return "bracket"
    if "其中" in before:
        return "sub-unit (其中)"
    if _TARGET.search(before):
        return "target"
    named = year_of(line_before)
    if named is not None and year is not None and named != year:
        return f"year {named}"
    for since in _SINCE.finditer(clause):
        if since[1] not in ("今年", f"{year}年"):
            return "several years"
    if _OTHER_TIME.search(clause):
        return "another period"
    if _OTHER_BODY.search(clause):
        return "another body"
    if _SUB_UNIT.search(clause) or (body.is_government and _DEPARTMENT.search(clause)):
        return "sub-unit"
    for scope in _SCOPE.finditer(clause):
        if scope[1] != body.level:
            return f"scope 全{scope[1]}"
    return None
