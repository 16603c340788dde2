"""Boilerplate rules, loaded from ``archive/extract/data/boilerplate.toml``.

The rules are data, each with the example it came from, so a reviewer can see
why a pattern exists and a test can prove it still matches its example. Line
rules carry a length cap: boilerplate lines are short, report sentences are not,
so a rule can never cut a real paragraph that happens to mention 版权所有.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("data") / "boilerplate.toml"

OPENING_BRACKETS = "(（【[〔"  # an article-info line may sit in brackets: (责任编辑:王五)
# Separators between `label:value` segments on article-info lines and in metadata tables.
_COLON = "[:：]"
# A label missing from the data (分类：, 文号：) still ends the value before it.
_UNKNOWN_LABEL = re.compile(r"\s([\u4e00-\u9fff]{2,6})\s*[:：]\s*")


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    example: str
    max_len: int
    cut_rest: bool

    def matches(self, line: str) -> bool:
        return len(line) <= self.max_len and self.pattern.search(line) is not None


@dataclass(frozen=True)
class ContainerRule:
    token: re.Pattern[str]
    example: str


@dataclass(frozen=True)
class LabelSet:
    labels: frozenset[str]  # looked up once per text node of a page
    example: str
    pair: re.Pattern[str]  # finds `label:` occurrences, longest label first


@dataclass(frozen=True)
class Rules:
    lines: tuple[LineRule, ...]
    containers: tuple[ContainerRule, ...]
    article_info: LabelSet
    article_info_max_len: int
    metadata_table: LabelSet
    metadata_min_pairs: int

    def container_matches(self, class_and_id: str) -> bool:
        tokens = re.split(r"[\s_\-]+", class_and_id.lower())
        return any(rule.token.match(t) for rule in self.containers for t in tokens if t)

    def line_rule(self, line: str) -> LineRule | None:
        return next((rule for rule in self.lines if rule.matches(line)), None)


def _label_set(table: dict[str, Any]) -> LabelSet:
    labels = frozenset(table["labels"])
    # Templates pad labels to one width: 名　　称, 索 引 号.
    alternatives = "|".join(
        r"\s*".join(map(re.escape, label)) for label in sorted(labels, key=len, reverse=True)
    )
    pair = re.compile(rf"(?<![\u4e00-\u9fff])({alternatives})\s*{_COLON}")
    return LabelSet(labels, table["example"], pair)


@cache
def rules() -> Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    return Rules(
        lines=tuple(
            LineRule(
                name=r["name"],
                pattern=re.compile(r["pattern"]),
                example=r["example"],
                max_len=r["max_len"],
                cut_rest=r.get("cut_rest", False),
            )
            for r in data["line"]
        ),
        containers=tuple(
            ContainerRule(re.compile(r["token"]), r["example"]) for r in data["container"]
        ),
        article_info=_label_set(data["article_info"]),
        article_info_max_len=data["article_info"]["max_len"],
        metadata_table=_label_set(data["metadata_table"]),
        metadata_min_pairs=data["metadata_table"]["min_pairs"],
    )


def label_pairs(text: str, labels: LabelSet) -> list[tuple[str, str]]:
    """Split ``索引号: A25110 主题分类: 综合政务`` into (label, value) pairs.

    A value runs up to the next known label, so tables flattened to one line and
    tables kept cell by cell parse alike.
    """
    matches = list(labels.pair.finditer(text))
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value, *more = _UNKNOWN_LABEL.split(text[match.end() : end])
        pairs.append(("".join(match.group(1).split()), value.strip()))
        pairs.extend(zip(more[::2], (v.strip() for v in more[1::2]), strict=True))
    return pairs


def is_article_info(line: str) -> bool:
    """True for a line made only of `label:value` segments with article-info labels,
    bracketed or not: 【发布时间:…】, (责任编辑:王五)."""
    r = rules()
    if len(line) > r.article_info_max_len:
        return False
    matches = list(r.article_info.pair.finditer(line))
    return bool(matches) and not line[: matches[0].start()].strip().lstrip(OPENING_BRACKETS)
