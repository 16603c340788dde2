"""Who published a report: the body its title names, or the one that signs it at the end.

Titles name their author in a few positions (before 关于, before the year, after a leading
year); signatures are a short body line above a date line. Both are recognised structurally,
with the words that end a body's name kept as data in ``data/agency_words.yaml``. Names come
back in the archive's canonical spelling (Simplified, NFKC, no spaces).
"""

import functools
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

import yaml

from archive.extract.classify import canonical_text, title_core
from archive.extract.dates import date_only, normalize_numerals

WORDS_FILE = "data/agency_words.yaml"
# A signature closes the report: it lies within the last lines, after which only page chrome
# (附件下载, 扫一扫…) may follow. Joint signatures stack a few bodies above one date.
_SIGNATURE_TAIL = 15
_MAX_BODY_LINES = 3
_MAX_NAME = 40

_YEAR = r"(?:19|20)\d{2}年度?"
_SUBJECT = r"(?:法治政府|依法行政|法治建设)"
# Where a title names its author, most explicit first: 厦门市思明区人民政府关于…,
# 南昌市西湖区2023年…, 2023年厦门市司法局法治政府建设…, 思明区法治政府建设年度报告.
_TITLE_AUTHOR = (
    re.compile(r"^(.+?)关于"),
    re.compile(rf"^(.+?){_YEAR}"),
    re.compile(rf"^{_YEAR}(.+?)(?:关于|{_SUBJECT})"),
    re.compile(rf"^(.+?){_SUBJECT}"),
)
_EDGE_PUNCTUATION = ":：,，、 "
_NOT_IN_A_NAME = re.compile(r"[。，；：！？,;:!?、\d]|报告")
# A date closing a line (a body and its date on one line): 2024年2月20日, 2024-02-20.
_TRAILING_DATE = re.compile(r"(?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?$")
_GOVERNMENT = re.compile(r"(?:人民)?政府$")
# The 落款 closes the text in its last lines: a body or two and the date.
_CLOSING_LINES = 4
# What a document may put under its 落款, by shape: a labelled note (更正说明：…, 附件：…,
# 备注：…, 注：…), a parenthesised 附注 (（此件公开发布）) and the numbered items of a labelled
# list (附件： / 1.… / 2.…). Page furniture after the 落款 is cut before this is asked.
_NOTE_LABEL = re.compile(r"^[\u4e00-\u9fff]{1,6}\s*[:：]")
_NOTE_ASIDE = re.compile(r"^[（(][^（）()]*[)）]$")
_NOTE_ITEM = re.compile(r"^\d{1,2}\s*[.、．]")
_MAX_NOTE_LINES = 6
_PEOPLES_GOVERNMENT = "人民政府"


@dataclass(frozen=True)
class _Words:
    body_suffix: re.Pattern[str]
    deictic_prefix: re.Pattern[str]
    place_suffix: re.Pattern[str]


@dataclass(frozen=True)
class Signature:
    """A closing 落款: who signed, when, and which lines hold it (``lines[start:end]``)."""

    bodies: tuple[str, ...]  # in page order; several when bodies sign jointly
    date: date
    start: int
    end: int

    @property
    def body(self) -> str | None:
        """The body nearest the date: the one whose 公章 the date sits under."""
        return self.bodies[-1] if self.bodies else None

    @property
    def signed_by(self) -> str | None:
        """Every signing body, in page order (中共同安区委、同安区人民政府)."""
        return "、".join(self.bodies) or None


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _words() -> _Words:
    raw = yaml.safe_load(resources.files("archive.extract").joinpath(WORDS_FILE).read_text("utf-8"))
    return _Words(
        body_suffix=re.compile(f"(?:{_alternation([e['suffix'] for e in raw['body_suffixes']])})$"),
        deictic_prefix=re.compile(
            f"^(?:{_alternation([e['prefix'] for e in raw['deictic_prefixes']])})"
        ),
        place_suffix=re.compile(
            f"(?:{_alternation([e['suffix'] for e in raw['place_suffixes']])})$"
        ),
    )


def _compact(text: str) -> str:
    return "".join(canonical_text(text).split())


def looks_like_body(name: str) -> bool:
    """True for what can only be a body's name: short, no sentence, no digits, and ending
    like a place or an organ of government (局, 委员会, 区…)."""
    words = _words()
    return (
        2 <= len(name) <= _MAX_NAME
        and not _NOT_IN_A_NAME.search(name)
        and bool(words.body_suffix.search(name))
        and not words.deictic_prefix.match(name)
    )


def agency_from_title(title: str) -> str | None:
    """The body a report's title names as its author, or None if the title names none."""
    core = normalize_numerals(title_core(title))
    for pattern in _TITLE_AUTHOR:
        match = pattern.search(core)
        if match and looks_like_body(name := match[1].strip(_EDGE_PUNCTUATION)):
            return name
    return None


def normalize_agency(name: str) -> str:
    """A stable key for deduplicating bodies across portals and scripts.

    A place named alone stands for its people's government (南昌市西湖区 in a title is
    南昌市西湖区人民政府 in the signature; 区政府 is 区人民政府), so all three share one key.
    Departments and party organs keep their own names (司法局, 区委) and stay distinct.
    """
    key = "".join(c for c in canonical_text(name) if unicodedata.category(c)[0] not in "PSZC")
    stem = _GOVERNMENT.sub("", key)
    return stem + _PEOPLES_GOVERNMENT if _words().place_suffix.search(stem) else key


def find_signature(lines: Sequence[str], known: Collection[str] = ()) -> Signature | None:
    """The 落款 closing a report, searched from the last line upwards.

    A date line with up to a few body lines above it, a body and its date on one line, or a
    body under its date. A body is a name shaped like one (``looks_like_body``) or one of
    KNOWN, the names the page itself gives its publisher (发布机构, the title's author), so a
    body whose name ends unusually still signs.
    """
    names = frozenset(_compact(name) for name in known)
    for end in range(len(lines), max(0, len(lines) - _SIGNATURE_TAIL), -1):
        line = lines[end - 1]
        signed = date_only(line)
        if signed:
            return _signature_ending_at(lines, end, signed, names)
        body, signed = _body_and_date(line)
        if signed and _is_body(body, names):
            return Signature((body,), signed, end - 1, end)
        above = _filled_above(lines, end - 1)
        signed = date_only(lines[above]) if above is not None else None
        if signed and above is not None and _is_body(_compact(line), names):
            return Signature((_compact(line),), signed, above, end)
    return None


def _is_body(name: str, known: frozenset[str]) -> bool:
    return name in known or looks_like_body(name)


def _filled_above(lines: Sequence[str], index: int) -> int | None:
    """The nearest non-blank line above INDEX."""
    return next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)


def _body_and_date(line: str) -> tuple[str, date | None]:
    """`南昌市西湖区人民政府 2024年2月20日` (with or without the space) → body, date."""
    match = _TRAILING_DATE.search(normalize_numerals(line.strip()))
    if not match or not match.start():
        return "", None
    return _compact(match.string[: match.start()]), date_only(match[0])


def _signature_ending_at(
    lines: Sequence[str], end: int, signed: date, known: frozenset[str]
) -> Signature:
    """Climb from the date line over blank lines and up to a few body lines above it."""
    start = end - 1
    bodies: list[str] = []
    for index in range(end - 2, -1, -1):
        name = _compact(lines[index])
        if not name:
            continue
        if len(bodies) == _MAX_BODY_LINES or not _is_body(name, known):
            break
        start, bodies = index, [name, *bodies]
    return Signature(tuple(bodies), signed, start, end)


def agency_from_signature(lines: Sequence[str]) -> tuple[str | None, date | None]:
    """The signing body (the one nearest the date) and the signature's date."""
    signature = find_signature(lines)
    return (signature.body, signature.date) if signature else (None, None)


def closing_signature(lines: Sequence[str], known: Collection[str] = ()) -> Signature | None:
    """The 落款 closing a text: its last lines, or the last lines above the notes under it.

    A corrected re-publication's 更正说明, an 附件 list or a 备注 under the 落款 do not stop it
    from closing the document; the notes stay text. ``start``/``end`` index LINES.
    """
    last = len(lines)
    for end in dict.fromkeys((last, last - trailing_notes(lines))):
        for start in range(max(0, end - _CLOSING_LINES), end):
            if is_signature_block(lines[start:end], known):
                found = find_signature(lines[start:end], known)
                if found is not None:
                    return Signature(
                        found.bodies, found.date, start + found.start, start + found.end
                    )
    return None


def trailing_notes(lines: Sequence[str]) -> int:
    """How many of the last LINES are notes (see ``_NOTE_LABEL``): 0 when the last is none."""
    notes = 0
    for seen, raw in enumerate(reversed(lines[-_MAX_NOTE_LINES:]), start=1):
        line = raw.strip()
        if _NOTE_LABEL.match(line) or _NOTE_ASIDE.match(line):
            notes = seen  # the numbered items under a label count with it
        elif not _NOTE_ITEM.match(line):
            break
    return notes


def is_signature_block(lines: Sequence[str], known: Collection[str] = ()) -> bool:
    """True if the non-blank lines are a signature and nothing else: the text ends there."""
    filled = [line for line in lines if line.strip()]
    signature = find_signature(filled, known)
    return signature is not None and signature.start == 0 and signature.end == len(filled)
