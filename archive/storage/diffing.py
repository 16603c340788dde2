"""Two versions of a report compared: which two, and what changed, paragraph then character.

`fazhi reports diff` prints a unified diff (:func:`archive.storage.queries.diff`); the reading
room shows the same comparison side by side, as 北大法宝's 对照版 does; both pick their
versions with :func:`archive.storage.queries.pick`. Paragraphs are aligned with the standard
library's ``difflib`` (a version's text is a paragraph a line, so paragraphs are its lines,
hashable and compared whole); a changed paragraph is then compared character by character
with Google's diff-match-patch, whose semantic clean-up folds the single characters two
Chinese sentences share by chance (的, 了, 和) into the change around them. ``difflib`` has
no such clean-up, and its character diff of two rewritten sentences reads as confetti.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

#: Seconds diff-match-patch may spend on one pair of paragraphs before it settles for a
#: coarser (still correct) diff; a pair of paragraphs takes milliseconds.
CHARACTER_DIFF_TIMEOUT = 1.0
#: Below this similarity two paragraphs of a changed stretch are a deletion and an
#: insertion, not one paragraph edited.
SAME_PARAGRAPH = 0.5
#: A changed stretch of more paragraphs than this on either side is paired in order, not by
#: similarity (the similarity matrix grows with the product of both sides).
PAIRING_LIMIT = 40

SpanKind = Literal["equal", "delete", "insert"]
RowKind = Literal["equal", "change", "delete", "insert"]
_DMP_KIND: dict[int, SpanKind] = {0: "equal", -1: "delete", 1: "insert"}


@dataclass(frozen=True)
class Span:
    kind: SpanKind
    text: str


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view: a paragraph of the old text, of the new, or both.

    ``old``/``new`` hold the paragraph as spans (deleted or inserted characters marked) and
    are None on the side where the paragraph does not exist; the numbers count paragraphs
    from 1 on each side.
    """

    kind: RowKind
    old: tuple[Span, ...] | None
    new: tuple[Span, ...] | None
    old_number: int | None
    new_number: int | None


def side_by_side(before: str, after: str) -> list[Row]:
    """BEFORE and AFTER (texts a paragraph a line) as aligned rows (see :class:`Row`)."""
    old, new = before.split("\n"), after.split("\n")
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Row("equal", (Span("equal", a),), (Span("equal", a),), i + 1, j + 1)
                for (i, a), j in zip(enumerate(old[i1:i2], i1), range(j1, j2), strict=True)
            )
        else:
            rows.extend(_changed_stretch(old, new, i1, i2, j1, j2))
    return rows


def _changed_stretch(
    old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[Row]:
    """Rows for old[i1:i2] replaced by new[j1:j2]: similar paragraphs paired, in order."""
    rows: list[Row] = []
    i, j = i1, j1
    for pi, pj in _pairs(old, new, i1, i2, j1, j2):
        rows.extend(_deleted(old, i, pi))
        rows.extend(_inserted(new, j, pj))
        rows.append(_edited(old[pi], new[pj], pi, pj))
        i, j = pi + 1, pj + 1
    rows.extend(_deleted(old, i, i2))
    rows.extend(_inserted(new, j, j2))
    return rows


def _pairs(
    old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[int, int]]:
    """Which old paragraph became which new one, both in increasing order."""
    if i2 - i1 > PAIRING_LIMIT or j2 - j1 > PAIRING_LIMIT:
        return list(zip(range(i1, i2), range(j1, j2), strict=False))
    pairs: list[tuple[int, int]] = []
    start = j1
    for i in range(i1, i2):
        scores = [(_similarity(old[i], new[j]), j) for j in range(start, j2)]
        best = max(scores, default=(0.0, -1))
        if best[0] >= SAME_PARAGRAPH:
            pairs.append((i, best[1]))
            start = best[1] + 1
    return pairs


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.real_quick_ratio() < SAME_PARAGRAPH or matcher.quick_ratio() < SAME_PARAGRAPH:
        return 0.0
    return matcher.ratio()


def _deleted(old: list[str], start: int, stop: int) -> list[Row]:
    return [Row("delete", (Span("delete", old[i]),), None, i + 1, None) for i in range(start, stop)]


def _inserted(new: list[str], start: int, stop: int) -> list[Row]:
    return [Row("insert", None, (Span("insert", new[j]),), None, j + 1) for j in range(start, stop)]


def _edited(before: str, after: str, i: int, j: int) -> Row:
    spans = characters(before, after)
    return Row(
        "change",
        tuple(s for s in spans if s.kind != "insert"),
        tuple(s for s in spans if s.kind != "delete"),
        i + 1,
        j + 1,
    )


def characters(before: str, after: str) -> list[Span]:
    """BEFORE → AFTER character by character, made readable (see the module doc)."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = CHARACTER_DIFF_TIMEOUT
    diffs = dmp.diff_main(before, after)
    dmp.diff_cleanupSemantic(diffs)
    return [Span(_DMP_KIND[op], text) for op, text in diffs if text]
