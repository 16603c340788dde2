"""Character n-grams: what the index stores of a text and asks of a term.

A text (title, newline, body) is indexed as its overlapping character bigrams, as Lucene's CJK
bigram analyzer does, plus its distinct single characters. A term of two or more characters
occurs exactly where its bigrams occur one after the other (a phrase), a one-character term
wherever that character does; a term never spans a line break because no term holds one.

SQLite's FTS5 keeps each bigram's positions, so its phrase answers are exact. Its ``ascii``
tokenizer would fold ASCII letters and split on punctuation, so each character is spelled as
four base-36 digits (every code point fits: 36**4 > 0x10FFFF): a bigram is an eight-letter
token, a character a four-letter one, and no text can forge either.
"""

from __future__ import annotations

import functools
import itertools
import string

_DIGITS = string.digits + string.ascii_lowercase
WIDTH = 4


@functools.lru_cache(maxsize=65536)
def spell(char: str) -> str:
    """CHAR as WIDTH base-36 digits."""
    code = ord(char)
    digits = []
    for _ in range(WIDTH):
        code, rest = divmod(code, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def indexed_text(title: str, text: str) -> str:
    """What is searched: the title and the body, a line break apart."""
    return f"{title}\n{text}"


def fts_document(title: str, text: str) -> str:
    """The FTS5 column value of a version: its bigram tokens in order, then its characters."""
    whole = indexed_text(title, text)
    spelled = [spell(c) for c in whole]
    bigrams = [a + b for a, b in itertools.pairwise(spelled)]
    chars = sorted({spell(c) for c in set(whole) - {"\n"}})
    return " ".join(bigrams + chars)


def fts_phrase(term: str) -> str:
    """The FTS5 query that matches exactly the documents containing TERM."""
    spelled = [spell(c) for c in term]
    if len(spelled) == 1:
        return f'"{spelled[0]}"'
    return '"' + " ".join(a + b for a, b in itertools.pairwise(spelled)) + '"'


def term_grams(term: str) -> list[str]:
    """The grams every text containing TERM holds: the term itself up to two characters,
    else its distinct bigrams (which a text may hold without the term: PostgreSQL checks)."""
    if len(term) <= 2:
        return [term]
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


__all__ = ["fts_document", "fts_phrase", "indexed_text", "spell", "term_grams"]
