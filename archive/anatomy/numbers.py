"""Quantities as reports write them: Arabic or Chinese numerals, 万/亿, percentages (12.5% and
百分之十二点五), ranges, and the words that make a number approximate or a change.

A figure is only handed over when its number is exact and stands for a level, not a change:
``Quantity`` says which, and the figure rules (archive/anatomy/figures.py) leave out every
quantity that is a range, approximate or a change ("同比增长20%" is not a rate of 20%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MAGNITUDES = {"万": 10_000, "亿": 100_000_000}

ARABIC = r"\d+(?:\.\d+)?"
# A Chinese numeral starts with a digit word or 十 (十二): a bare 百/千/万 (百场, 千名干部访千企)
# is a manner of speaking, not a count.
CHINESE = r"(?:[零〇一二两三四五六七八九][零〇一二两三四五六七八九十百千]*|十[一二三四五六七八九]?)"
# One number: digits or a numeral, then an optional 万 / 亿 (1.2万, 三千万, 1亿).
NUMBER = rf"(?:{ARABIC}|{CHINESE})(?:万|亿)?"
PERCENT = rf"(?:{ARABIC}\s?%|百分之{CHINESE}(?:点[零〇一二三四五六七八九]+)?)"

_RANGE_JOINERS = ("-", "—", "–", "~", "～", "至", "到")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|超|逾|将近|大约|不足|不到|多达|达到?近)$")
_APPROX_AFTER = re.compile(r"^(?:余|多|以上|左右|以下|上下|以内)")
# A change, not a level: 同比增长20%, 较上年下降3个百分点; 下降至3.1% is the level it fell to.
_CHANGE_BEFORE = re.compile(
    r"(?:同比|环比|比上年|较上年|较去年|比去年|比增|比降|增长|下降|提高|提升|降低|上升|减少|增加|增幅|降幅)"
    r"[了约达为]{0,2}$"
)


@dataclass(frozen=True)
class Quantity:
    """A number as written at ``start``–``end`` and how it may be read."""

    value: float
    start: int
    end: int
    approximate: bool = False
    is_range: bool = False
    is_change: bool = False

    @property
    def exact_level(self) -> bool:
        return not (self.approximate or self.is_range or self.is_change)


def chinese_integer(numeral: str) -> int | None:
    """一千二百三十 → 1230, 十二 → 12, 三百零五 → 305, 二〇二三 → 2023 (digit by digit);
    None when the characters do not spell a number."""
    if not numeral or any(c not in _DIGITS and c not in _UNITS for c in numeral):
        return None
    if all(c in _DIGITS for c in numeral):
        if len(numeral) == 1:
            return _DIGITS[numeral]
        return int("".join(str(_DIGITS[c]) for c in numeral))
    total, digit, last_unit = 0, None, 10_000
    for char in numeral:
        if char in _DIGITS:
            if digit is not None and _DIGITS[char] != 0:
                return None  # two digits in a row inside a positional numeral
            digit = _DIGITS[char] if _DIGITS[char] else None
        else:
            unit = _UNITS[char]
            if unit >= last_unit:
                return None  # 百 after 十: not a numeral
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def number_value(written: str) -> float | None:
    """The value of one NUMBER match: 1.2万 → 12000, 三千 → 3000, 12 → 12."""
    magnitude = _MAGNITUDES.get(written[-1:], 1)
    core = written[:-1] if magnitude != 1 else written
    if re.fullmatch(ARABIC, core):
        value = float(core)
    else:
        integer = chinese_integer(core)
        if integer is None:
            return None
        value = float(integer)
    return _tidy(value * magnitude)


def percent_value(written: str) -> float | None:
    """12.5% → 12.5; 百分之九十八点五 → 98.5."""
    written = written.replace(" ", "")
    if written.endswith("%"):
        return _tidy(float(written[:-1]))
    whole, _, decimals = written.removeprefix("百分之").partition("点")
    integer = chinese_integer(whole)
    if integer is None:
        return None
    fraction = "".join(str(_DIGITS[c]) for c in decimals)
    return _tidy(float(f"{integer}.{fraction}" if fraction else integer))


def read_quantity(text: str, start: int, end: int, *, percent: bool) -> Quantity | None:
    """The quantity written at TEXT[start:end], read with the words around it."""
    written = text[start:end]
    value = percent_value(written) if percent else number_value(written)
    if value is None:
        return None
    before, after = text[max(0, start - 6) : start], text[end : end + 4]
    unit_after = after.lstrip("件宗起个项份次场人名条家")
    return Quantity(
        value,
        start,
        end,
        approximate=bool(_APPROX_BEFORE.search(before))
        or bool(_APPROX_AFTER.match(after) or _APPROX_AFTER.match(unit_after)),
        is_range=_joins_a_range(text, start, end),
        is_change=bool(_CHANGE_BEFORE.search(before)),
    )


def _joins_a_range(text: str, start: int, end: int) -> bool:
    """10-15件, 十至十五件: a number with a range joiner and another number beside it."""
    before = text[max(0, start - 1) : start]
    after = text[end : end + 2]
    numeral_edge = re.compile(r"[\d零〇一二两三四五六七八九十百千万亿%]")
    if before in _RANGE_JOINERS and numeral_edge.match(text[max(0, start - 2) : start - 1] or " "):
        return True
    return bool(after) and after[0] in _RANGE_JOINERS and bool(numeral_edge.match(after[1:] or " "))


def _tidy(value: float) -> float:
    """Round away binary noise (1.2 × 10000 = 12000.000000000002)."""
    return round(value, 6)
