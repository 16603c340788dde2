"""DOM work done before trafilatura sees the page.

Portal pages are mostly navigation: pruning it first is where both quality and
speed are won (trafilatura's cost grows with the tree; a 50 KB page is often
80% menus). Everything here is structural — tags, link density, class tokens
from the rules file — so it holds on templates we have never seen.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree, html

from archive.extract.boilerplate import Rules, rules

# Never content: removed outright.
DROP_TAGS = (
    "script", "style", "noscript", "iframe", "object", "embed", "select", "button",
    "input", "textarea", "svg", "canvas", "map", "link", "meta", "template",
)  # fmt: skip
# HTML5 navigation landmarks.
LANDMARKS = ("nav", "header", "footer", "aside")
BLOCKS = ("div", "ul", "ol", "dl", "table", "section", "p", "span", "td", "tr", "li", "form")
LIST_TAGS = ("div", "ul", "ol", "dl", "table", "tbody", "tr", "td", "p")
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|et)$", re.IGNORECASE)
HEADING_TAGS = ("h1", "h2", "h3")
TITLE_TOKEN = re.compile(
    r"(^|[\s_\-])(title|biaoti|bt|tit|article-title|arttitle)($|[\s_\-])", re.I
)
TITLE_META = ("ArticleTitle", "og:title", "title", "Title", "DC.Title")
# What sites put between the page title and the site name in <title>, or between the steps
# of a breadcrumb some put there instead (首页 > 政务公开 > …)
TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|-{1,2}|—|－|>|＞|»)\s*")
DATE_LIKE = re.compile(r"(19|20)\d{2}\s*[-/.年]\s*\d{1,2}")
INFO_BLOCK_MAX = 150
CUT_SNIPPET = 80  # characters of a pruned block kept in `removed` for reviewers
NAV_MIN_LINKS = 4
NAV_LINK_RATIO = 0.5
NAV_MAX_PLAIN = 80


@dataclass(frozen=True)
class Link:
    url: str
    name: str


def parse(markup: str) -> html.HtmlElement | None:
    """Parse forgiving HTML; None when nothing element-like is in it.

    NUL characters go first: lxml would turn them into U+FFFD (HTML's rule) inside titles
    and attributes, and PostgreSQL text cannot hold NUL at all.
    """
    markup = markup.replace("\x00", "")
    if not markup.strip():
        return None
    try:
        return html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None


def text_of(element: html.HtmlElement) -> str:
    return "".join(element.itertext())


def meta_tags(tree: html.HtmlElement) -> dict[str, str]:
    """name/property → content of every <meta> that names something."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = (meta.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def title_candidates(tree: html.HtmlElement, meta: dict[str, str]) -> list[str]:
    """Possible titles, most trusted first: CMS meta tags, headings, <title> parts."""
    candidates = [meta[k] for k in TITLE_META if k in meta]
    for element in tree.iter(*HEADING_TAGS, "div", "p", "td", "span"):
        if element.tag in HEADING_TAGS or TITLE_TOKEN.search(
            f"{element.get('class', '')} {element.get('id', '')}"
        ):
            text = " ".join(text_of(element).split())
            if 4 <= len(text) <= 200:
                candidates.append(text)
    title_tag = tree.find(".//title")
    if title_tag is not None and title_tag.text:
        whole = " ".join(title_tag.text.split())
        candidates.extend(p.strip() for p in TITLE_SEPARATOR.split(whole))
        candidates.append(whole)
    return [c for c in candidates if c]


def _cell_text(element: html.HtmlElement) -> str:
    """Text with cell boundaries kept as spaces, so labels and values don't merge.

    A cell that holds a known label and nothing else, followed by a value, gets the colon
    many templates leave out (``<th>索引号</th><td>…</td>``), so such tables parse as
    ``索引号:`` ones do. A label with no value after it stays bare: a report's own data
    table has header cells named like labels (文号, 发布日期), and those are not metadata.
    """
    labels = rules().metadata_table.labels
    parts = [t.strip() for t in element.itertext() if t.strip()]
    return " ".join(
        f"{part}:" if part in labels and after is not None and after not in labels else part
        for part, after in itertools.pairwise([*parts, None])
    )


def prune(tree: html.HtmlElement) -> list[tuple[str, str]]:
    """Remove non-content and navigation; return (text snippet, rule) for each cut."""
    cuts: list[tuple[str, str]] = []
    etree.strip_elements(tree, *DROP_TAGS, etree.Comment, with_tail=False)
    stats = _text_stats(tree)
    r = rules()
    stack = [tree]
    while stack:
        element = stack.pop()
        reason = _cut_reason(element, stats[element], r) if element.tag != "body" else None
        if reason and element.getparent() is not None:
            cuts.append((" ".join(text_of(element).split())[:CUT_SNIPPET], reason))
            element.drop_tree()
        else:
            stack.extend(child for child in element if isinstance(child.tag, str))
    return cuts


@dataclass
class _Stats:
    chars: int = 0  # non-blank characters under the element
    link_chars: int = 0  # of which inside <a>
    links: int = 0
    files: int = 0  # links to report files: content, never navigation

    @property
    def plain(self) -> int:
        return max(self.chars - self.link_chars, 0)


def _text_stats(tree: html.HtmlElement) -> dict[html.HtmlElement, _Stats]:
    """Character and link counts for every element, in one bottom-up pass."""
    order = [e for e in tree.iter() if isinstance(e.tag, str)]
    stats: dict[html.HtmlElement, _Stats] = {}
    for element in reversed(order):
        own = _Stats(chars=len((element.text or "").strip()))
        for child in element:
            own.chars += len((child.tail or "").strip())
            if child in stats:
                sub = stats[child]
                own.chars += sub.chars
                own.link_chars += sub.link_chars
                own.links += sub.links
                own.files += sub.files
        if element.tag == "a":
            own.link_chars = own.chars
            own.links += 1
            own.files += bool(ATTACHMENT_EXT.search(element.get("href") or ""))
        stats[element] = own
    return stats


def _cut_reason(element: html.HtmlElement, stat: _Stats, r: Rules) -> str | None:
    if element.tag in LANDMARKS:
        return f"landmark:<{element.tag}>"
    names = f"{element.get('class', '')} {element.get('id', '')}".strip()
    if names and r.container_matches(names) and (stat.plain < 200 or stat.link_chars > stat.plain):
        return f"container:{names}"
    if element.tag in LIST_TAGS and _is_link_list(stat):
        return f"link-dense:<{element.tag}>"
    return None


def _is_link_list(stat: _Stats) -> bool:
    if stat.files or stat.links < NAV_MIN_LINKS or stat.plain > NAV_MAX_PLAIN:
        return False
    return stat.link_chars >= NAV_LINK_RATIO * stat.chars


def info_blocks(tree: html.HtmlElement) -> list[str]:
    """Short blocks with a date and an article-info label (``2021-2-3 10:12 | 发布者: …``).

    trafilatura drops the article header these sit in; the date is the page's
    publication date. Only elements whose own text holds the date are looked at,
    so this stays linear in the page size.
    """
    pair = rules().article_info.pair
    found = []
    for element in tree.iter(*BLOCKS):
        own = (element.text or "") + "".join(child.tail or "" for child in element)
        if not DATE_LIKE.search(own):
            continue
        text = _cell_text(element)
        if len(text) <= INFO_BLOCK_MAX and pair.search(text):
            found.append(text)
    return found


def content_scope(tree: html.HtmlElement, anchors: list[str]) -> html.HtmlElement:
    """The container of the report: the parent of the block holding the first anchor text.

    Anchors are the first body line, then the title. Report files sit in that
    container or below it; a side column's 下载 box sits elsewhere. The block holding
    the text is the one whose own text has it, else (text split over inline fragments)
    the innermost block whose text starts with it: with the article header cut, every
    wrapper around the body starts with it too.
    """
    for anchor in anchors:
        snippet = "".join(anchor.split())[:12]
        if len(snippet) < 4:
            continue
        holder = _owner(tree, snippet)
        if holder is None:
            holder = _innermost_starting(tree, snippet)
        if holder is not None:
            parent = holder.getparent()
            return parent if parent is not None else holder
    return tree


def _owner(tree: html.HtmlElement, snippet: str) -> html.HtmlElement | None:
    for element in tree.iter(*BLOCKS, *HEADING_TAGS):
        own = "".join(((element.text or "") + "".join(c.tail or "" for c in element)).split())
        if snippet in own:
            return element
    return None


def _innermost_starting(tree: html.HtmlElement, snippet: str) -> html.HtmlElement | None:
    found: html.HtmlElement | None = None
    for element in tree.iter(*BLOCKS, *HEADING_TAGS):
        if snippet not in "".join(text_of(element).split())[:40]:
            continue
        if found is not None and found not in element.iterancestors():
            break
        found = element
    return found


def attachments(tree: html.HtmlElement, base_url: str) -> list[Link]:
    """Links to report files (pdf/doc/docx/wps/ofd/xls) under ``tree``."""
    seen: set[str] = set()
    found: list[Link] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href)
        path = unquote(urlsplit(url).path)
        if not ATTACHMENT_EXT.search(path) or url in seen:
            continue
        seen.add(url)
        name = " ".join(text_of(a).split()) or a.get("title") or path.rsplit("/", 1)[-1]
        found.append(Link(url, name))
    return found
