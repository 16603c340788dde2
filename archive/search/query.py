"""The query language: what a user types, parsed into terms the index can answer exactly.

Space-separated terms are ANDed, ``"quoted phrases"`` (ASCII or Chinese quotes) keep their
spaces, ``-term`` or ``-"phrase"`` excludes. The query gets the archive's normal form (NFKC,
Traditional → Simplified) before parsing, so it is compared with the text as stored; every
term then matches exactly where that string occurs, nothing fuzzier.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.errors import ArchiveError
from archive.extract.repair import clean_whitespace  # before zh_script: it breaks their cycle
from archive.extract.zh_script import to_simplified

MAX_TERMS = 20
MAX_TERM_CHARS = 200
_OPEN, _CLOSE = '"“', '"”'
_TOKEN = re.compile(r'(-?)(?:"([^"]*)("?)|“([^”]*)(”?)|(\S+))')


class QueryError(ArchiveError):
    """A query or cursor the search cannot answer; the message says what to change."""


@dataclass(frozen=True)
class Query:
    """Terms every result contains (``include``) and terms none contains (``exclude``)."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]

    @property
    def key(self) -> str:
        """A canonical spelling: two queries with the same key have the same results."""
        return "\x1f".join([*self.include, "\x1e", *self.exclude])


def normal_form(text: str) -> str:
    """The form stored texts have (archive.extract.zh_script.normalize, then Simplified)."""
    cleaned, _ = clean_whitespace(unicodedata.normalize("NFKC", text))
    return to_simplified(cleaned)


def parse(q: str) -> Query:
    """Parse Q; raise QueryError when it asks for nothing or cannot be read."""
    text = normal_form(q).strip()
    include: list[str] = []
    exclude: list[str] = []
    for match in _TOKEN.finditer(text):
        negated, ascii_phrase, ascii_end, cn_phrase, cn_end, word = match.groups()
        if ascii_phrase is not None or cn_phrase is not None:
            if not (ascii_end or cn_end):
                raise QueryError(f"unclosed quote in {q!r}")
            term = " ".join((ascii_phrase if ascii_phrase is not None else cn_phrase).split())
        else:
            term = word
        if not term:
            if negated and word is None:
                continue  # -"" asks for nothing
            raise QueryError(f"'-' must be followed by a term in {q!r}")
        if len(term) > MAX_TERM_CHARS:
            raise QueryError(f"a term is longer than {MAX_TERM_CHARS} characters")
        target = exclude if negated else include
        if term not in target:
            target.append(term)
    if not include:
        raise QueryError(
            "the query has no term to search for"
            if not exclude
            else "-term only excludes: give at least one term to search for"
        )
    if len(include) + len(exclude) > MAX_TERMS:
        raise QueryError(f"at most {MAX_TERMS} terms")
    return Query(tuple(include), tuple(exclude))


__all__ = ["MAX_TERMS", "Query", "QueryError", "normal_form", "parse"]
