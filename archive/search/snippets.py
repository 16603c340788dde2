"""Highlighted snippets: where a result matched, as markup that is safe to insert.

The passage is cut around the first match in the body (the title when the body has none),
every occurrence of a searched term inside it is wrapped in ``<mark>``, and everything else is
HTML-escaped: archived text is hostile input, and only the ``<mark>`` tags are ours.
"""

from __future__ import annotations

import html
import re

CONTEXT = 40  # characters kept on each side of the first match
LENGTH = 160  # the longest snippet, in characters of text


def _matcher(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Longest terms first, so a term inside a longer one does not split its highlight."""
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def snippet(title: str, text: str, terms: tuple[str, ...]) -> str:
    """The snippet of a version whose title or text contains TERMS."""
    pattern = _matcher(terms)
    first = pattern.search(text)
    source = text if first is not None or not pattern.search(title) else title
    start = max(0, first.start() - CONTEXT) if first is not None else 0
    passage = source[start : start + LENGTH]
    pieces: list[str] = ["…"] if start > 0 else []
    position = 0
    for found in pattern.finditer(passage):
        pieces.append(html.escape(passage[position : found.start()]))
        pieces.append(f"<mark>{html.escape(found.group())}</mark>")
        position = found.end()
    pieces.append(html.escape(passage[position:]))
    if start + LENGTH < len(source):
        pieces.append("…")
    return "".join(pieces).replace("\n", " ")


__all__ = ["snippet"]
