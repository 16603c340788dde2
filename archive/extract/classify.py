"""Which kind of document a page is: the 法治政府建设 annual report, or one of its confusers.

A keyword crawler finds the annual report together with plans, notices, assessments, leaders'
述法 reports, news and — in the same season, under the same 年度报告 — 政府信息公开 reports.
The rules live in ``data/doc_type_rules.yaml`` (ordered, each with the titles it was written
for) so that new portals add examples and patterns, not code. Titles are first reduced to one
canonical spelling (Simplified script, no decorations) so one pattern serves every portal.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Literal

import yaml

from archive.extract.repair.pinyin_annotations import strip_pinyin_annotations
from archive.extract.zh_script import to_simplified

RULES_FILE = "data/doc_type_rules.yaml"
_BODY_HEAD = 1000

_WHITESPACE = re.compile(r"\s+")
# <title> tags append the site: 标题_XX区人民政府网, 标题 - 门户网站, 标题|首页.
_SEGMENT_SEPARATOR = re.compile(r"\s*[_|]\s*|\s+[-–—]+\s+")
_SITE_NAME = re.compile(r"(?:网|网站|门户|平台|首页|频道|专栏|栏目)$")
_LEADING_TAGS = re.compile(r"^(?:【[^】]*】|\[[^\]]*\])+")
_TRAILING_NOTES = re.compile(r"(?:\([^()]*\)|【[^】]*】|\[[^\]]*\])+$")
_QUOTES = re.compile(r"[《》〈〉“”‘’\"'「」『』]")
_PUBLISHING_PREFIX = re.compile(r"^(?:关于)?(?:公开|公示|公布|发布|转发|转载)[:：]?")


class DocType(StrEnum):
    ANNUAL_REPORT = "annual_report"
    INFO_DISCLOSURE_REPORT = "info_disclosure_report"
    WORK_PLAN = "work_plan"
    NOTICE = "notice"
    ASSESSMENT = "assessment"
    ACCOUNTABILITY_REPORT = "accountability_report"
    NEWS = "news"
    # titled for a government, signed only by its departments (archive/extract/authorship.py)
    DEPARTMENT_DOCUMENT = "department_document"
    OTHER = "other"


@dataclass(frozen=True)
class Rule:
    """One line of the rules file: a pattern, an optional veto, and where it came from."""

    type: DocType
    reason: str
    match: re.Pattern[str]
    unless: re.Pattern[str] | None
    looks_at: Literal["title", "text"]
    examples: tuple[str, ...]

    def fits(self, text: str) -> bool:
        return bool(self.match.search(text)) and not (self.unless and self.unless.search(text))


def canonical_text(text: str) -> str:
    """One spelling for any portal's text: NFKC, Simplified script, no pinyin notes (區(qū)),
    single spaces. Every title- or name-reading rule in the archive matches against this form.
    """
    text, _ = strip_pinyin_annotations(unicodedata.normalize("NFKC", text))
    return _WHITESPACE.sub(" ", to_simplified(text)).strip()


def title_core(title: str) -> str:
    """The document's own title without what portals wrap around it.

    Drops the site name of a <title>, 【栏目】 tags, trailing notes such as （摘要）, quotes,
    a leading 关于公开/转发, and whitespace, so rules see only the document's name.
    """
    segments = [s for s in _SEGMENT_SEPARATOR.split(canonical_text(title)) if s]
    own = [s for s in segments if not _SITE_NAME.search(s)] or segments or [""]
    core = _TRAILING_NOTES.sub("", _LEADING_TAGS.sub("", own[0]))
    core = _PUBLISHING_PREFIX.sub("", _QUOTES.sub("", core))
    return _WHITESPACE.sub("", core)


@functools.cache
def rules() -> tuple[Rule, ...]:
    """The ordered rules, read once: classify() runs for every page."""
    raw = yaml.safe_load(resources.files("archive.extract").joinpath(RULES_FILE).read_text("utf-8"))
    return tuple(
        Rule(
            type=DocType(entry["type"]),
            reason=entry["reason"],
            match=re.compile(entry["match"]),
            unless=re.compile(entry["unless"]) if entry.get("unless") else None,
            looks_at=entry.get("looks_at", "title"),
            examples=tuple(entry["examples"]),
        )
        for entry in raw
    )


def matching_rule(title: str, text: str = "") -> Rule | None:
    """The first rule that fits the title, else the first body rule that fits the text."""
    return _first_fit("title", title_core(title)) or _first_fit(
        "text", canonical_text(text[:_BODY_HEAD])
    )


def _first_fit(field: Literal["title", "text"], seen: str) -> Rule | None:
    return next((r for r in rules() if r.looks_at == field and r.fits(seen)), None)


def classify(title: str, text: str = "") -> tuple[DocType, str]:
    """The document type and the reason (the rule) that decided it."""
    rule = matching_rule(title, text)
    if rule is None:
        return DocType.OTHER, "no rule fits"
    return rule.type, f"{rule.looks_at}: {rule.reason}"
