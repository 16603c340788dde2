"""Whitespace and invisible-character cleanup of extracted text.

Government pages indent with U+3000 and &nbsp;, lay out with tabs, and carry
zero-width characters and BOMs pasted from word processors. None of it is
content, and all of it would make two fetches of the same report differ, so it
is reduced to one paragraph per line with single spaces inside lines.
"""

import unicodedata


def _is_invisible(char: str) -> bool:
    """Format characters (Cf) and non-whitespace controls (Cc) carry no text.

    Judged by Unicode category rather than a list of zero-width code points, so
    joiners, BOMs, bidi marks and word joiners all go; whitespace controls (tab,
    line breaks) are left for the line and space handling.
    """
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and not char.isspace())


def _drop_invisible(line: str) -> str:
    # isprintable() is a C-speed test that is True for nearly every line of a report.
    if line.isprintable():
        return line
    return "".join(char for char in line if not _is_invisible(char))


def _kept_lines(cleaned: list[str]) -> list[int]:
    """Indices of the cleaned lines to keep: no leading, trailing or doubled blank lines."""
    kept: list[int] = []
    for index, line in enumerate(cleaned):
        if line or (kept and cleaned[kept[-1]]):
            kept.append(index)
    while kept and not cleaned[kept[-1]]:
        kept.pop()
    return kept


def clean_whitespace(text: str) -> tuple[str, int]:
    """One stripped paragraph per line, inner whitespace runs as one space, no doubled
    blank lines, no leading or trailing blank lines, no final line break.

    The count is the number of input lines that do not come out verbatim (edited,
    dropped, or ended by something other than a plain line break), so it is 0
    exactly when the text is returned unchanged.
    """
    raw_lines = text.splitlines(keepends=True)
    cleaned = [" ".join(_drop_invisible(raw.splitlines()[0]).split()) for raw in raw_lines]
    kept = _kept_lines(cleaned)
    last = kept[-1] if kept else -1
    verbatim = sum(raw_lines[i] == cleaned[i] + ("" if i == last else "\n") for i in kept)
    return "\n".join(cleaned[i] for i in kept), len(raw_lines) - verbatim
