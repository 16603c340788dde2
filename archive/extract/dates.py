"""Dates on government portals: when a page was published, and which year a report covers.

Portals write dates in a handful of fixed shapes (``2024-03-13 16:52``, ``2024/03/13``,
``2024.03.13``, ``2024年3月13日``) plus Chinese numerals in signatures (``二〇二四年三月十三日``).
One compiled regex after a small numeral rewrite covers all of them in microseconds; dateparser
takes about 2 ms a call (250 ms on first use), returns None for labelled strings and Chinese
numerals, and would be called once per page, so it is not used here.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}

# A Chinese-numeral year, optionally with month and day: 二〇二三年, 二○二四年三月十三日.
_CN_DATE = re.compile(
    r"(?P<y>[〇○零O一二三四五六七八九]{4})年"
    r"(?:(?P<m>十[一二]?|[一二三四五六七八九])月"
    r"(?:(?P<d>三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])日)?)?"
)

_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)"
)
# What may surround a date that stands alone on a line: spaces, brackets, 日, a clock time.
_LINE_WRAPPING = re.compile(r"[\s()\[\]【】]")
_LINE_TAIL = re.compile(r"(?:日|\d{1,2}:\d{2}(?::\d{2})?)$")

# TRS (t20240313_123456.html), Hanweb (/art/2024/3/13/art_1_2.html), then dated path segments
# (/20240313/, /2024/03/13/, /2024-03/13/, /2024/0313/).
_URL_DATES = (
    re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/art_"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-/]?(?P<m>[01]\d)[-/]?(?P<d>[0-3]\d)(?=[/_.])"),
)

# Labels that introduce a page's date, best first. 发布/发表 are the publication itself;
# 生成 is what 政府信息公开 platforms print instead; 成文/印发 date the document, which
# precedes publication, so they lose to any other label on the same page.
_LABEL_RANK = {
    "发布日期": 0,
    "发布时间": 0,
    "发表日期": 0,
    "发表时间": 0,
    "公开日期": 0,
    "公开时间": 0,
    "发文日期": 0,
    "时间": 1,
    "日期": 1,
    "生成日期": 1,
    "更新日期": 2,
    "更新时间": 2,
    "成文日期": 3,
    "印发日期": 3,
}
# Bare 时间/日期 count only as a field of their own (line start or after a separator), so
# 有效日期 or 截止时间 inside a sentence are not taken for the page date.
_LABEL = re.compile(
    r"(?:(?P<full>" + "|".join(k for k in _LABEL_RANK if len(k) > 2) + r")"
    r"|(?:^|(?<=[\s|｜丨/【\[]))(?P<bare>时间|日期))"
    r"\s*[】\]]?\s*[:：]?"
)

_FIRST_YEAR, _LAST_YEAR = 1990, 2100
_TITLE_YEAR = re.compile(r"(?<![\d\-—~至])((?:19|20)\d{2})(?:年|(?=[)\]】]))")
_SUBJECT = re.compile(r"法治政府|依法行政|法治建设")
# How a report body names its year, most explicit first: it opens with it (2023年，在市委…),
# announces it (现将我区2019年度…报告如下), or puts it before the subject (2023年全区法治政府建设).
_TEXT_YEARS = (
    re.compile(r"^\W*((?:19|20)\d{2})年度?(?:[，,、]|以来)"),
    re.compile(r"现将[^。]{0,12}?((?:19|20)\d{2})年度?"),
    re.compile(r"(?<![\d\-—~至])((?:19|20)\d{2})年度?[^。，,]{0,8}(?:法治政府建设|依法行政)"),
)
_TEXT_HEAD = 1000
# Reports on year Y are due to be made public before 1 April of Y+1 (法治政府建设与责任落实
# 督察工作规定, 2019); one published in the first half of a year therefore covers the year before.
_LAST_REPORTING_MONTH = 6


def normalize_numerals(text: str) -> str:
    """Rewrite full-width digits and Chinese-numeral years/dates as ASCII digits.

    Every other year or date pattern in the archive then needs only one spelling.
    """
    return _CN_DATE.sub(_arabic_date, unicodedata.normalize("NFKC", text))


def _arabic_date(match: re.Match[str]) -> str:
    out = "".join(str(_CN_DIGIT[c]) for c in match["y"]) + "年"
    if match["m"]:
        out += f"{_small_number(match['m'])}月"
    if match["d"]:
        out += f"{_small_number(match['d'])}日"
    return out


def _small_number(numeral: str) -> int:
    """1-31 in Chinese numerals: 三, 十, 十三, 二十, 三十一."""
    tens, ten, units = numeral.rpartition("十")
    if not ten:
        return _CN_DIGIT[units]
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _valid_date(year: str, month: str, day: str) -> date | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if _FIRST_YEAR <= found.year <= _LAST_YEAR else None


def parse_date(s: str) -> date | None:
    """The first real calendar date written anywhere in ``s``, in any portal spelling."""
    for match in _DATE.finditer(normalize_numerals(s)):
        found = _valid_date(match["y"], match["m"], match["d"])
        if found:
            return found
    return None


def date_only(line: str) -> date | None:
    """The date a line consists of, or None if the line says anything else.

    Signatures close a report with such a line (2022年3月14日); a date inside a sentence
    must not be mistaken for one.
    """
    bare = _LINE_TAIL.sub("", _LINE_WRAPPING.sub("", normalize_numerals(line)))
    match = _DATE.fullmatch(bare)
    return _valid_date(match["y"], match["m"], match["d"]) if match else None


def date_from_url(url: str) -> date | None:
    """The publication date most CMSs write into article paths, or None if the URL has none.

    Only full dates count: a month folder (/202403/) alone does not say which day.
    """
    for pattern in _URL_DATES:
        for match in pattern.finditer(url):
            found = _valid_date(match["y"], match["m"], match["d"])
            if found:
                return found
    return None


def published_date_from_lines(lines: Iterable[str]) -> date | None:
    """The date a labelled header field (发布日期：…, 时间:…) gives, best label first."""
    best: tuple[int, date] | None = None
    for line in lines:
        for match in _LABEL.finditer(unicodedata.normalize("NFKC", line)):
            rank = _LABEL_RANK[match["full"] or match["bare"]]
            if best is not None and rank >= best[0]:
                continue
            found = _date_right_after(match)
            if found:
                best = (rank, found)
    return best[1] if best else None


def _date_right_after(label: re.Match[str]) -> date | None:
    match = _DATE.match(normalize_numerals(label.string[label.end() : label.end() + 40]).lstrip())
    return _valid_date(match["y"], match["m"], match["d"]) if match else None


def report_year(title: str, text: str = "", published: date | None = None) -> int | None:
    """The year a report is ON (2023 for a 2023年度 report published in 2024).

    The title is the most explicit; then the opening of the body, which by convention starts
    with the year (2023年，在市委…) or announces it (现将2023年…报告如下); last the publication
    date, only where the reporting deadline makes the answer unambiguous.
    """
    latest = published.year if published else _LAST_YEAR
    for year in (_year_from_title(title), _year_from_text(text)):
        if year is not None and year <= latest:
            return year
    return _year_before_publication(published, text)


def _year_from_title(title: str) -> int | None:
    """The year just before the subject words (关于2023年法治政府建设…), since a title may also
    name the publishing year or next year's plan (…及2024年工作计划)."""
    normalized = normalize_numerals(title)
    years = [(m.start(), m.end(), int(m[1])) for m in _TITLE_YEAR.finditer(normalized)]
    if not years:
        return None
    subject = _SUBJECT.search(normalized)
    before_subject = [y for start, _, y in years if subject and start < subject.start()]
    if before_subject:
        return before_subject[-1]
    annual = [y for _, end, y in years if normalized.startswith("度", end)]
    return (annual or [years[0][2]])[0]


def _year_from_text(text: str) -> int | None:
    head = normalize_numerals(text[:_TEXT_HEAD]).strip()
    for pattern in _TEXT_YEARS:
        match = pattern.search(head)
        if match:
            return int(match[1])
    return None


def _year_before_publication(published: date | None, text: str) -> int | None:
    if published is None:
        return None
    if published.month <= _LAST_REPORTING_MONTH:
        return published.year - 1
    # Published late in the year and written as 今年以来…: a report on the current year.
    return published.year if text.lstrip().startswith("今年") else None
