"""Repairs applied to decoded text, and the order they must run in.

Each repair returns the new text and a count; the extractor records the
repair's name when the count is positive. Order matters:

1. GBK re-alignment first, on the text as decoded: it reads the bytes of the
   characters as they came, and a shifted run hides the character a pinyin
   annotation belongs to (蜆I(yè) is 業(yè) once re-aligned).
2. Pinyin annotations next, now that every annotation follows its character.
3. Whitespace last, so the earlier repairs see the text's own line structure.
"""

from collections.abc import Callable

from archive.extract.repair.gbk_realign import realign_gbk
from archive.extract.repair.pinyin_annotations import strip_pinyin_annotations
from archive.extract.repair.whitespace import clean_whitespace

__all__ = ["REPAIRS", "clean_whitespace", "realign_gbk", "repair_text", "strip_pinyin_annotations"]

Repair = Callable[[str], tuple[str, int]]

REPAIRS: tuple[tuple[str, Repair], ...] = (
    ("gbk-misaligned", realign_gbk),
    ("pinyin-annotations", strip_pinyin_annotations),
    ("whitespace", clean_whitespace),
)


def repair_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Run every repair in order; returns the text and the names of those that changed it."""
    applied: list[str] = []
    for name, repair in REPAIRS:
        text, count = repair(text)
        if count:
            applied.append(name)
    return text, tuple(applied)
