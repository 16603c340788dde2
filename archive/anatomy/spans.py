"""Lines and sentences of a version's text with their character offsets.

Offsets are into the text exactly as stored (lines joined by ``\\n``), so ``text[start:end]``
is always the evidence itself: nothing here normalises or strips what it points at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Sentence ends: 。 and, after NFKC, ! ? ; (the full-width forms become ASCII).
_SENTENCE_END = re.compile(r"[。!?;！？；]+[”’\"』」)]*")
_BRACKETS = {"(": ")", "《": "》", "“": "”", "[": "]", "【": "】", "「": "」"}


@dataclass(frozen=True)
class Line:
    index: int
    start: int
    end: int  # exclusive, before the newline
    text: str


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive, after its closing punctuation
    line: Line


def lines_of(text: str) -> list[Line]:
    out, offset = [], 0
    for index, line in enumerate(text.split("\n")):
        out.append(Line(index, offset, offset + len(line), line))
        offset += len(line) + 1
    return out


def sentences_of(line: Line) -> Iterator[Sentence]:
    """A line's sentences, each with its closing punctuation, leading blanks left out."""
    position = 0
    for match in _SENTENCE_END.finditer(line.text):
        yield from _sentence(line, position, match.end())
        position = match.end()
    yield from _sentence(line, position, len(line.text))


def _sentence(line: Line, start: int, end: int) -> Iterator[Sentence]:
    while start < end and line.text[start].isspace():
        start += 1
    if start < end:
        yield Sentence(line.start + start, line.start + end, line)


def enclosing_bracket(text: str, position: int) -> str | None:
    """The opening bracket ((, 《, “ …) still open at POSITION within TEXT, if any."""
    stack: list[str] = []
    for char in text[:position]:
        if char in _BRACKETS:
            stack.append(char)
        elif stack and char == _BRACKETS[stack[-1]]:
            stack.pop()
    return stack[-1] if stack else None
