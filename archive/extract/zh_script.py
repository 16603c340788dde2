"""Chinese script (Simplified / Traditional) detection, conversion and canonical form.

The archive stores every report in Simplified Chinese so that the same report
fetched from a Traditional mirror and from the original portal compares equal.
Detection asks OpenCC itself rather than a character list: a Traditional text is
one that OpenCC's Traditional→Simplified conversion changes noticeably.
"""

import re
import unicodedata
from functools import cache
from typing import Literal

import opencc

from archive.extract.repair.whitespace import clean_whitespace

Script = Literal["zh-Hans", "zh-Hant"]

# Share of Han characters that t2s changes above which a text counts as Traditional.
# Measured on the seeds: the four Simplified reports change 0 of 2,620-4,555 Han
# characters, the Traditional one (003) changes 938 of 2,941 (32%). A Simplified
# page quoting a few Traditional names stays far below 10%.
_TRADITIONAL_SHARE = 0.10


@cache
def _t2s() -> opencc.OpenCC:
    """One converter per process: loading the phrase dictionaries is the costly part."""
    return opencc.OpenCC("t2s.json")


# CJK Unified Ideographs: the URO block and extensions A-H (compatibility ideographs excluded).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")
# Han characters looked at: the share is stable long before this, and detection runs per page.
_SAMPLE = 3000


def traditional_share(text: str) -> float:
    """Share of Han characters that OpenCC's phrase-aware t2s conversion changes.

    Measured on the text's first ``_SAMPLE`` Han characters, compared position
    by position because t2s keeps the length; a conversion that does not is
    compared as a whole so the measure never raises.
    """
    sample = text[: _SAMPLE * 4]
    converted: str = _t2s().convert(sample)
    if len(converted) != len(sample):
        return 1.0 if converted != sample else 0.0
    han = [m.start() for m in _HAN.finditer(sample)][:_SAMPLE]
    if not han:
        return 0.0
    return sum(sample[i] != converted[i] for i in han) / len(han)


def detect_script(text: str) -> Script:
    """Traditional when t2s changes a real share of the Han characters, else Simplified."""
    return "zh-Hant" if traditional_share(text) > _TRADITIONAL_SHARE else "zh-Hans"


def to_simplified(text: str) -> str:
    """Convert Traditional text to Simplified; Simplified text is returned untouched.

    Converting only detected Traditional text matters because t2s is not a pure
    identity on Simplified text (e.g. it rewrites some uses of 著 and 乾).
    """
    if detect_script(text) == "zh-Hans":
        return text
    return t2s(text)


def t2s(text: str) -> str:
    """Unconditional t2s conversion, for scoring text against Simplified statistics."""
    converted: str = _t2s().convert(text)
    return converted


def normalize(text: str) -> str:
    """The archive's canonical form: NFKC (ASCII colon, comma, parentheses) and clean lines.

    Whitespace is cleaned before NFKC as well as after: removing a zero-width
    character can bring a letter and a combining mark together, which NFKC then
    composes; cleaning first keeps the whole function idempotent.
    """
    cleaned, _ = clean_whitespace(text)
    cleaned, _ = clean_whitespace(unicodedata.normalize("NFKC", cleaned))
    return cleaned
