"""Line-level cleaning of an extracted body, shared by pages and attachments.

Runs after trafilatura: what is left of the portal's junk sits in short lines
at the edges of the body (article-info lines, QR prompts, follow lists) and
after the closing 落款 (widget labels), which itself stays in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.extract.boilerplate import is_article_info, rules

# A paragraph ends with one of these; anything else at a line end means the layout
# (a table cell, a <br>, a PDF line) broke a sentence.
SENTENCE_END = "。！？；：…”」』）)!?;:"
# Heading numbering: 一、 (一) 1. 1、 第一 — such a line is never merged into the next one.
HEADING = re.compile(
    r"^\s*([一二三四五六七八九十百]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)"
)
MID_SENTENCE = "，、,“（(《"  # a line ending in one of these was cut mid-sentence
# No title or label ends on a conjunction or particle: 力量不足,与 / 日益增长的需求不相适应。
DANGLING = "与和及的对把被向从并或"
MIN_BROKEN_LINE = 20  # shorter lines without end punctuation are titles or labels, not fragments
TAIL_FRAGMENT = 12  # short unpunctuated lines at the very end are widget labels


@dataclass
class Cleaned:
    lines: list[str]
    removed: list[tuple[str, str]] = field(default_factory=list)  # (line, rule)
    info_lines: list[str] = field(default_factory=list)  # article-info lines, for dates
    rejoined: int = 0


def drop_boilerplate(
    lines: list[str],
    title: str | None = None,
    link_names: frozenset[str] = frozenset(),
    canonical: Callable[[str], str] = str,
) -> Cleaned:
    """Cut boilerplate lines; a `cut_rest` rule ends the body there.

    Only when less text follows than precedes: a 相关文章 box that the template
    puts above the report must not take the report with it. A breadcrumb that
    the layout split into one line per crumb goes as a whole. Rules see each
    line in ``canonical`` form (Simplified, for a Traditional page).
    """
    out = Cleaned(lines=[])
    title_key = _key(title) if title else None
    r = rules()
    in_breadcrumb = False
    for index, raw in enumerate(lines):
        line = canonical(raw)
        if in_breadcrumb and is_fragment(line):
            out.removed.append((raw, "breadcrumb"))
            continue
        in_breadcrumb = False
        if title_key and not out.lines and _is_title(_key(raw), title_key):
            out.removed.append((raw, "title"))
            continue
        if raw.strip() in link_names:
            out.removed.append((raw, "attachment-name"))
            continue
        if is_article_info(line):
            out.removed.append((raw, "article-info"))
            out.info_lines.append(line)
            continue
        rule = r.line_rule(line)
        if rule is None:
            out.lines.append(raw)
            continue
        out.removed.append((raw, rule.name))
        in_breadcrumb = rule.name == "breadcrumb"
        rest = lines[index + 1 :]
        if rule.cut_rest and _chars(rest) < _chars(out.lines):
            out.removed.extend((rest_line, f"after-{rule.name}") for rest_line in rest)
            break
    return out


def _is_title(key: str, title_key: str) -> bool:
    """The title line, possibly with a view counter glued to it (…工作报告387)."""
    return key == title_key or (key.startswith(title_key) and key[len(title_key) :].isdigit())


def _chars(lines: list[str]) -> int:
    return sum(len(line) for line in lines)


def is_fragment(line: str) -> bool:
    """A short unpunctuated non-heading line: a widget label (重要 / 通知), not a paragraph."""
    return len(line) <= TAIL_FRAGMENT and line[-1] not in SENTENCE_END and not HEADING.match(line)


def rejoin_broken(lines: list[str]) -> tuple[list[str], int]:
    """Merge a sentence that layout split over two lines back into one paragraph."""
    out: list[str] = []
    joined = 0
    for line in lines:
        if out and _continues(out[-1], line):
            out[-1] += line
            joined += 1
        else:
            out.append(line)
    return out, joined


def _continues(previous: str, line: str) -> bool:
    if "\t" in previous or "\t" in line or HEADING.match(previous) or HEADING.match(line):
        return False
    if previous[-1] in MID_SENTENCE or previous[-1] in DANGLING:  # however short
        return True
    if len(previous) < MIN_BROKEN_LINE or previous[-1] in SENTENCE_END:
        return False
    return _is_cjk(previous[-1])


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _key(line: str) -> str:
    return "".join(ch for ch in line if ch.isalnum())
