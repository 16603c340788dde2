"""Which of article 25's five parts each paragraph of a report belongs to, and where each part is.

Reports title the parts in many ways, number them differently and merge them (五、存在问题及
2024年工作计划), and some lose their headings in publication. So a part is read from what
the text says, in order: a top-level heading's wording sets the part for what follows it; a
paragraph that announces shortcomings (但仍存在一些问题…) or next year's plans (2024年，我区将…)
starts that part wherever it stands; a paragraph after the opening (…报告如下:) under no
announcing heading is the year's measures (part 1); a sub-heading belongs to its parent's part.
The part-3 duty of the principal leaders is often one sentence inside part 1 (区党政主要负责人
扎实履行推进法治建设第一责任人职责): such a sentence marks part 3 present there. The
wordings are data: archive/anatomy/data/parts.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from archive.anatomy.outline import Heading
from archive.anatomy.spans import Line, sentences_of

PARTS = (1, 2, 3, 4, 5)
_OPENING_END = re.compile(r"(?:报告|汇报|总结)如下|情况如下")
_SIGNATURE_DATE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
_SIGNATURE_LINE_MAX = 40
_SENTENCE_PUNCTUATION = re.compile(r"[。,;:!?]")
_TITLES = re.compile(r"《[^》]*》")  # a document's name (…第一责任人职责清单) says nothing done


@dataclass(frozen=True)
class PartCues:
    number: int
    name: str
    heading: tuple[str, ...]
    lead_in: tuple[str, ...]
    mention: tuple[str, ...]
    mention_in: tuple[int, ...]
    continues: bool


@dataclass(frozen=True)
class _Mention:
    part: int
    pattern: re.Pattern[str]
    within: tuple[int, ...]
    continues: bool


@dataclass(frozen=True)
class PartSpan:
    part: int
    start: int
    end: int


@dataclass(frozen=True)
class Parts:
    of_line: tuple[int | None, ...]  # the part of each line, None outside every part
    spans: tuple[PartSpan, ...]  # where each part is, in text order
    body_end: int  # where the closing 落款 (body, date, 附件 lines) begins, or the text's end

    @property
    def present(self) -> list[int]:
        return sorted({span.part for span in self.spans})


@cache
def cues() -> tuple[PartCues, ...]:
    data = tomllib.loads(
        resources.files("archive.anatomy").joinpath("data/parts.toml").read_text("utf-8")
    )
    return tuple(
        PartCues(
            p["number"],
            p["name"],
            tuple(p["heading"]),
            tuple(p["lead_in"]),
            tuple(p["mention"]),
            tuple(p["mention_in"]),
            p["continues"],
        )
        for p in data["part"]
    )


@dataclass(frozen=True)
class _Compiled:
    heading: tuple[tuple[int, re.Pattern[str]], ...]
    lead_in: tuple[tuple[int, re.Pattern[str]], ...]
    mentions: tuple[_Mention, ...]


@cache
def _compiled(year: int | None) -> _Compiled:
    following = str(year + 1) if year else r"(?:19|20)\d{2}"

    def rx(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern.replace("{next}", following))

    parts = cues()
    return _Compiled(
        tuple((p.number, rx(h)) for p in parts for h in p.heading),
        tuple((p.number, rx(h)) for p in parts for h in p.lead_in),
        tuple(
            _Mention(p.number, rx(m), p.mention_in, p.continues) for p in parts for m in p.mention
        ),
    )


def heading_part(title: str, year: int | None) -> int | None:
    """The part a top-level heading announces: the earliest wording in its title."""
    hits = [
        (match.start(), part)
        for part, pattern in _compiled(year).heading
        if (match := pattern.search(title))
    ]
    return min(hits)[1] if hits else None


def map_parts(lines: list[Line], headings: list[Heading], year: int | None) -> Parts:
    by_line = {h.line.index: h for h in headings}
    body = signature_start(lines)
    compiled = _compiled(year)
    of_line: list[int | None] = []
    mentioned: list[PartSpan] = []
    current: int | None = None
    opened = False  # past the opening paragraph (…现将有关情况报告如下:) or the first heading
    for line in lines[:body]:
        heading = by_line.get(line.index)
        if heading is not None:
            opened = True
            if heading.level == 1:
                announced = heading_part(_plain(heading.title), year)
                current = announced or (1 if current in (None, 1) else current)
        elif line.text.strip():
            lead = next((p for p, rx in compiled.lead_in if rx.search(line.text)), None)
            if lead is not None:
                current = lead
            elif current is None and opened:
                current = 1
        of_line.append(current)
        opened = opened or bool(_OPENING_END.search(line.text))
        if current is not None:
            spans = _mentions(line, current, compiled.mentions)
            mentioned += spans
            current = next((s.part for s in spans if s.end == line.end), current)
    of_line += [None] * (len(lines) - body)
    spans = _runs(lines, of_line) + mentioned
    body_end = lines[body].start - 1 if body < len(lines) else (lines[-1].end if lines else 0)
    return Parts(
        tuple(of_line), tuple(sorted(spans, key=lambda s: (s.start, s.part))), max(0, body_end)
    )


def signature_start(lines: list[Line]) -> int:
    """Index of the first line of the closing 落款 block: its date, the bodies signing above it,
    附件 lines and blank lines."""
    index, dated = len(lines), False
    while index > 0:
        text = lines[index - 1].text.strip()
        short = len(text) <= _SIGNATURE_LINE_MAX
        signer = dated and short and not _SENTENCE_PUNCTUATION.search(text)
        if short and _SIGNATURE_DATE.search(text):
            dated = True
        elif text and not text.startswith("附件") and not signer:
            break
        index -= 1
    return index


def _plain(title: str) -> str:
    """A heading's words without its numbering (第一部分, 一、, (一))."""
    return re.sub(
        r"^(?:第[一二三四五六七八九十]+(?:部分|章|篇)|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、])",
        "",
        title,
    )


def _runs(lines: list[Line], of_line: list[int | None]) -> list[PartSpan]:
    spans: list[PartSpan] = []
    for line, part in zip(lines, of_line, strict=True):
        if part is None:
            continue
        if spans and spans[-1].part == part and of_line[line.index - 1] == part:
            spans[-1] = PartSpan(part, spans[-1].start, line.end)
        else:
            spans.append(PartSpan(part, line.start, line.end))
    return spans


def _mentions(line: Line, part: int, mentions: tuple[_Mention, ...]) -> list[PartSpan]:
    """Parts a paragraph of PART mentions: a sentence, or (continues) the rest of the line."""
    found: list[PartSpan] = []
    for sentence in list(sentences_of(line))[1:] if part == 2 else sentences_of(line):
        said = _TITLES.sub("", line.text[sentence.start - line.start : sentence.end - line.start])
        for mention in mentions:
            if part in mention.within and mention.pattern.search(said):
                end = line.end if mention.continues else sentence.end
                found.append(PartSpan(mention.part, sentence.start, end))
                if mention.continues:
                    return found
    return found
