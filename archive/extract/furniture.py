"""The article header a portal prints above a report, recognised by what it restates.

Above the body, inside the content column, templates repeat what the page already says
elsewhere: the site's name (``<meta name=SiteName>``, the ``<title>``'s other half), the title
(whole, or split over lines: 巴彦淖尔市司法局 / 2021年度…报告), a ``…门户网站 www.….gov.cn``
line, the column (``ColumnName``), the publication timestamp (``PubDate``, a clock time), a
``来源：`` that names the site itself, a view counter. Each is recognised by comparing it with
the page's own signals, not by a list of names, so it holds on sites never seen; each cut is
recorded with the signal that matched (``furniture:site-name`` …). A 来源 naming another
outlet (``来源：巴彦淖尔日报``) is provenance: it is kept as metadata.

Only the head is looked at for restated signals: everything before the first run of body text.
A lone date at the end of a report is its 落款, never furniture. Below the body, after its last
paragraph, only the prompts a page adds to push its channels go (``drop_tail``): a QR code's
扫码 / 长按识别二维码, a 关注…公众号 line, 分享到 — matched by the line rules of that kind in
``data/boilerplate.toml`` (each with its example), as whole blocks, so a prompt that is the last
line cannot hide the 落款 above it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import html

from archive.extract.boilerplate import LineRule, is_article_info, label_pairs, rules
from archive.extract.dates import date_from_url, parse_date
from archive.extract.dom import TITLE_SEPARATOR
from archive.extract.metadata_table import label_key, runs

BODY_START = 40  # a run this long is report text: the head ends before it
HEAD_BLOCK_MAX = 120  # a block with more text than this is not one header line
SITE_META = ("SiteName", "og:site_name", "sitename")
SOURCE_LABELS = frozenset(("来源", "信息来源", "文章来源", "稿件来源"))
SELF_SOURCES = frozenset(("本网", "本站", "本网站", "原创"))
# How a site names itself beside its name: 门户网站, 政府网, 官网.
_SITE_WORDS = re.compile(r"(?:门户网站|政府网站|网站|门户网|政府网|官网|官方网站)$")
_DOMAIN = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:cn|com|net|org)(?:/\S*)?", re.I)
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_DATE_TIME = re.compile(
    r"[\s(（\[【]*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[\s)）\]】]*"
)
_VIEW_COUNT = re.compile(r"\d+\s*次?")
# Line rules (data/boilerplate.toml) naming a page's prompts to scan, follow or share it.
PROMPT_RULES = frozenset(("qr-code", "follow-account", "follow-list", "share"))


@dataclass(frozen=True)
class Signals:
    """What a page says about itself outside its header: the header may only restate it."""

    title: str
    site_names: frozenset[str]
    column: str | None
    published: dt.date | None
    publishers: frozenset[str]
    host: str


@dataclass
class Header:
    """What the head of a page gave up: cut lines with their rule, lines for dates, sources."""

    removed: list[tuple[str, str]] = field(default_factory=list)
    info_lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # 来源 naming another outlet


def signals(
    meta: Mapping[str, str],
    title_tag: str,
    title: str,
    url: str,
    publishers: Iterable[str],
) -> Signals:
    """The page's own statements: meta tags, the <title>'s other parts, the URL."""
    sites = {meta[key] for key in SITE_META if meta.get(key)}
    title_key = _key(title)
    for part in TITLE_SEPARATOR.split(title_tag):
        part_key = _key(part)
        if part_key and part_key not in title_key and title_key not in part_key:
            sites.add(part)
    published = next(
        (
            d
            for key in ("PubDate", "pubdate", "publishdate")
            if (d := parse_date(meta.get(key, "")))
        ),
        None,
    )
    host = (re.sub(r"^https?://", "", url).split("/", 1)[0]).lower()
    return Signals(
        title=title_key,
        site_names=frozenset(_key(_SITE_WORDS.sub("", _key(s))) for s in sites) - {""},
        column=_key(meta["ColumnName"]) if meta.get("ColumnName") else None,
        published=published or date_from_url(url),
        publishers=frozenset(_key(p) for p in publishers) | {_key(s) for s in sites},
        host=host.removeprefix("www."),
    )


def drop_header(tree: html.HtmlElement, page: Signals) -> Header:
    """Cut the header lines above the body that only restate the page's signals."""
    header = Header()

    def restated(element: html.HtmlElement, text: str) -> str | None:
        found = _restated(element, page, header)
        if found is not None:
            header.removed.append((text, found))
        return found

    _walk_to_body(tree, restated, from_end=False)
    return header


def drop_tail(tree: html.HtmlElement) -> list[tuple[str, str]]:
    """Cut the QR / follow / share prompts after the body's last paragraph, each recorded as
    ``furniture:prompt``. Walks back from the end of the page and stops at the first paragraph
    of text that is not one (the 落款 and notes under it are short and are walked over)."""
    removed: list[tuple[str, str]] = []

    def prompt(element: html.HtmlElement, text: str) -> str | None:
        if _is_prompt(element):
            removed.append((text, "furniture:prompt"))
            return "furniture:prompt"
        return _STOP if len(text) >= BODY_START else None

    _walk_to_body(tree, prompt, from_end=True)
    return removed


_STOP = "stop"


def _walk_to_body(
    tree: html.HtmlElement,
    judge: Callable[[html.HtmlElement, str], str | None],
    *,
    from_end: bool,
) -> None:
    """Walk the page's elements from its start (FROM_END: its end) until the body's text
    begins, asking JUDGE of each element with short text: a reason drops it, ``_STOP`` ends
    the walk, None looks inside it."""
    body = tree.find("body")
    stack = [body if body is not None else tree]
    while stack:
        element = stack.pop()
        if _starts_body(element):
            break
        text = _short_text(element)
        if text == "":
            continue
        if text is not None and element.getparent() is not None:
            verdict = judge(element, text)
            if verdict == _STOP:
                break
            if verdict is not None:
                element.drop_tree()
                continue
        children = [c for c in element if isinstance(c.tag, str)]
        stack.extend(children if from_end else reversed(children))


def _is_prompt(element: html.HtmlElement) -> bool:
    """Every run of ELEMENT's text is a scan / follow / share prompt."""
    found = [run.text for run in runs(element)]
    return bool(found) and all(
        any(rule.matches(line) for rule in _prompt_rules()) for line in found
    )


@functools.cache
def _prompt_rules() -> tuple[LineRule, ...]:
    return tuple(rule for rule in rules().lines if rule.name in PROMPT_RULES)


def _short_text(element: html.HtmlElement) -> str | None:
    """ELEMENT's text, whitespace-collapsed, or None when longer than one header block.

    Read only as far as the limit: wrappers around the whole page are met on the way down.
    """
    parts: list[str] = []
    size = 0
    for text in element.itertext():
        size += len(text.strip())
        if size > HEAD_BLOCK_MAX:
            return None
        parts.append(text)
    return " ".join("".join(parts).split())


def _starts_body(element: html.HtmlElement) -> bool:
    """Whether ELEMENT's own text (not its children's) is already report text."""
    own = [element.text or "", *(child.tail or "" for child in element)]
    return any(len(part.strip()) >= BODY_START for part in own)


def _restated(element: html.HtmlElement, page: Signals, header: Header) -> str | None:
    """The rule that covers every run of ELEMENT's text, or None if any run is its own."""
    found = [run.text for run in runs(element)]
    rules_used: list[str] = []
    index = 0
    while index < len(found):
        title_end = _title_run(found, index, page.title)
        if title_end:
            rules_used.append("furniture:title")
            index = title_end
            continue
        rule = _line_rule(found[index], found[index + 1 : index + 2], page, header)
        if rule is None:
            return None
        rules_used.append(rule)
        index += 2 if rule == "furniture:view-count" and _counter_follows(found, index) else 1
    return "+".join(dict.fromkeys(rules_used)) if rules_used else None


def _title_run(found: list[str], start: int, title: str) -> int:
    """The end of the runs from START that together spell the title, else 0."""
    joined = ""
    for end in range(start, len(found)):
        joined += _key(found[end])
        if not joined or not title.startswith(joined):
            return 0
        if joined == title:
            return end + 1
    return 0


def _counter_follows(found: list[str], index: int) -> bool:
    return index + 1 < len(found) and bool(_VIEW_COUNT.fullmatch(found[index + 1]))


def _line_rule(line: str, after: list[str], page: Signals, header: Header) -> str | None:
    key = _key(line)
    if key in page.site_names:
        return "furniture:site-name"
    if _is_site_line(line, page):
        return "furniture:site-domain"
    if page.column and key == page.column:
        return "furniture:column-name"
    if _DATE_TIME.fullmatch(line) and (_CLOCK.search(line) or parse_date(line) == page.published):
        header.info_lines.append(line)
        return "furniture:timestamp"
    if any(rule.matches(line) for rule in _view_count_rules()):
        return "furniture:view-count"
    if is_article_info(line):
        return _article_info(line, page, header)
    return None


@functools.cache
def _view_count_rules() -> tuple[LineRule, ...]:
    return tuple(rule for rule in rules().lines if rule.name == "view-count")


def _is_site_line(line: str, page: Signals) -> bool:
    """`…门户网站 www.….gov.cn`: a domain, and around it nothing but the site's name."""
    domain = _DOMAIN.search(line)
    if domain is None:
        return False
    rest = _key(_SITE_WORDS.sub("", _key(_DOMAIN.sub("", line))))
    own = page.host and page.host in domain[0].lower()
    return not rest or rest in page.site_names or bool(own and len(rest) <= 20)


def _article_info(line: str, page: Signals, header: Header) -> str:
    """An article-info line: its dates go to the page's; a 来源 naming another outlet is kept."""
    header.info_lines.append(line)
    for label, value in label_pairs(line, rules().article_info):
        if label_key(label) in SOURCE_LABELS and value:
            source = _key(value)
            if source not in SELF_SOURCES and source not in page.publishers:
                header.sources.append(value)
                return "furniture:article-info(source kept)"
    return "furniture:article-info"


def _key(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())
