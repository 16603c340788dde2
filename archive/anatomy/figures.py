"""The catalogue's figures a report states for its own body and year, each with its evidence.

Precision first: a figure is handed over only when a wording of the catalogue ties the
indicator's words to an exact number (archive/anatomy/numbers.py), no scope test finds it to be
someone else's, another year's or a part of the whole (archive/anatomy/scope.py), it stands
outside the shortcomings and plans parts, no other indicator claims the same number, and the
report gives no other value for the indicator. Everything else is left out, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.anatomy.catalogue import Indicator, catalogue
from archive.anatomy.numbers import read_quantity
from archive.anatomy.parts import Parts
from archive.anatomy.scope import Body, veto
from archive.anatomy.spans import Line, Sentence, sentences_of

# Parts whose numbers are not the year's results: shortcomings (2) and next year's plans (4).
_NOT_RESULTS = (2, 4)
# Between an indicator's words and its number, these make the number a change or a share
# (下降至 3.1% is a level: the rate it fell to).
_CHANGE_OR_SHARE = re.compile(
    r"同比|环比|(?:增长|下降|提高|提升|降低|上升|减少|增加)(?![至到])|其中|占"
)
_SHARE = re.compile(r"率|比例")
# In a gap, these join other things into the count (规范性文件及政策措施文件29件).
_COMBINED = re.compile(r"及|和|与|、|等")


@dataclass(frozen=True)
class Figure:
    indicator: str
    value: float
    unit: str
    year: int | None
    evidence: str  # the sentence, verbatim: text[start:end]
    start: int
    end: int
    number_start: int  # where the number itself is written in the text
    number_end: int


def find_figures(
    text: str, lines: list[Line], parts: Parts, year: int | None, body: Body
) -> list[Figure]:
    found: list[Figure] = []
    for line in lines:
        if line.start >= parts.body_end or parts.of_line[line.index] in _NOT_RESULTS:
            continue
        for sentence in sentences_of(line):
            found += _in_sentence(text, sentence, year, body)
    return _settled(found)


def _in_sentence(text: str, sentence: Sentence, year: int | None, body: Body) -> list[Figure]:
    said = text[sentence.start : sentence.end]
    line_start = sentence.line.start
    out = []
    for indicator in catalogue():
        for pattern in indicator.patterns():
            for match in pattern.finditer(said):
                if not _tied(indicator, said, match):
                    continue
                quantity = read_quantity(
                    said, match.start("n"), match.end("n"), percent=indicator.is_rate
                )
                if quantity is None or not quantity.exact_level:
                    continue
                line_before = text[line_start : sentence.start + match.start("n")]
                if veto(said, match.start("n"), line_before, year, body):
                    continue
                out.append(
                    Figure(
                        indicator.key,
                        quantity.value,
                        indicator.unit,
                        year,
                        said,
                        sentence.start,
                        sentence.end,
                        sentence.start + quantity.start,
                        sentence.start + quantity.end,
                    )
                )
    return out


def _tied(indicator: Indicator, said: str, match: re.Match[str]) -> bool:
    """The wording's own words say what the number is: no change, share or exclusion between."""
    words = said[match.start() : match.start("n")] + said[match.end("n") : match.end()]
    if _CHANGE_OR_SHARE.search(words) or (not indicator.is_rate and _SHARE.search(words)):
        return False
    gaps = (value for name, value in match.groupdict().items() if name.startswith("gap"))
    if any(_COMBINED.search(gap or "") for gap in gaps):
        return False
    clause = re.split(r"[,;:]", said[: match.start("n")])[-1]
    if any(word in clause for word in indicator.excludes):
        return False
    return indicator.requires is None or bool(re.search(indicator.requires, said[: match.start()]))


def _settled(found: list[Figure]) -> list[Figure]:
    """One figure per indicator: repeats of one value kept once (the first), a number two
    indicators claim dropped, an indicator with two different values dropped."""
    claims: dict[tuple[int, int], set[str]] = {}
    for figure in found:
        claims.setdefault((figure.number_start, figure.number_end), set()).add(figure.indicator)
    unique = [f for f in found if len(claims[(f.number_start, f.number_end)]) == 1]
    values: dict[str, set[float]] = {}
    for figure in unique:
        values.setdefault(figure.indicator, set()).add(figure.value)
    kept: dict[str, Figure] = {}
    for figure in sorted(unique, key=lambda f: f.start):
        if len(values[figure.indicator]) == 1:
            kept.setdefault(figure.indicator, figure)
    return sorted(kept.values(), key=lambda f: (f.start, f.number_start))
