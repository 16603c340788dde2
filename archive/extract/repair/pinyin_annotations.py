"""Removal of Hanyu pinyin that Traditional mirrors insert after characters.

Some mirrors annotate every character they converted to Traditional with its
reading in parentheses: 廣州市海珠區(qū), 堅強(qiáng)領(lǐng)導(dǎo), 就業(yè)形態(tài) (seed 003,
463 annotations). The annotation is recognised by what it is, not by a list:
a parenthesised Latin token right after a Han character, written with a tone
mark or ü (so that (a), (GDP) or (ok) never qualify), which pypinyin confirms
is a reading of that very character. Real parentheses such as (2021—2025年),
(一), (厦司〔2021〕35号) or (含垂管单位10家) fail the first test already.
"""

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, pinyin

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_LATIN = r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]+"
# One or more parenthesised Latin tokens (ASCII or full-width parentheses, in
# any combination) right after a Han character. The match starts at the
# parenthesis, with the Han character in a look-behind: scanning for a
# parenthesis first is ten times faster than trying every Han character.
_ANNOTATIONS = re.compile(rf"[(（](?<={_HAN}[(（]){_LATIN}[)）](?:[(（]{_LATIN}[)）])*")
_TOKEN = re.compile(r"[(（]([^)）]+)[)）]")


@lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    """Every tone-marked reading pypinyin knows for the character (NFC)."""
    return frozenset(pinyin(char, style=Style.TONE, heteronym=True)[0])


def _is_reading(token: str, char: str) -> bool:
    token = unicodedata.normalize("NFC", token)
    return not token.isascii() and token.islower() and token in _readings(char)


def _strip_match(match: re.Match[str]) -> tuple[str, int]:
    """Drop the leading annotations that are readings of the character before them."""
    char = match.string[match.start() - 1]
    tokens = list(_TOKEN.finditer(match.group()))
    dropped = 0
    while dropped < len(tokens) and _is_reading(tokens[dropped].group(1), char):
        dropped += 1
    return match.group()[tokens[dropped - 1].end() :] if dropped else match.group(), dropped


def strip_pinyin_annotations(text: str) -> tuple[str, int]:
    """Remove pinyin annotations; returns the text and the number removed."""
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        kept, count = _strip_match(match)
        removed += count
        return kept

    return _ANNOTATIONS.sub(replace, text), removed
