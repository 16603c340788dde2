"""Any report page → clean Simplified text with its metadata.

trafilatura finds the main text; around it sits a rule layer for Chinese
government portals: decode (charset, broken GBK), cut the 索引号 table into
metadata, prune navigation and the article header (lines restating the page's
own signals) before trafilatura runs, drop what is left of the junk line by
line, keep the closing 落款 and date the document by it, repair mirrors
(pinyin, misaligned GBK), convert to Simplified and NFKC. Every cut and repair
is recorded, so a reviewer can audit what the archive stores against what the
portal served.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml import html
from trafilatura.settings import Document
from w3lib.html import remove_tags, remove_tags_with_content

from archive.errors import ExtractionError
from archive.extract import dom
from archive.extract.agency import Signature, agency_from_title, closing_signature
from archive.extract.charset import decode_html
from archive.extract.dates import date_from_url, parse_date, published_date_from_lines, report_year
from archive.extract.documents import UNREADABLE, document_lines, kind_of
from archive.extract.furniture import drop_header, drop_tail, signals
from archive.extract.headings import keep_body_headings
from archive.extract.metadata_table import pop_metadata_tables
from archive.extract.region import Region, region_of
from archive.extract.repair import repair_text
from archive.extract.textlines import drop_boilerplate, is_fragment, rejoin_broken
from archive.extract.zh_script import detect_script, normalize, t2s

# Below this many characters of body text a page is a cover for an attachment, not a report.
THIN_BODY = 200
# A longer title is cut here (repair ``title-truncated``): the longest of the 19 saved pages has
# 35 characters; 10,000 are a hostile or broken page, and the WARC keeps them anyway.
TITLE_MAX = 200
MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>")  # a tag left in text: escaped markup on the page
PUBDATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time")
AGENCY_FIELDS = ("发布机构", "发文机关", "发布单位", "所属机构")
AGENCY_META = ("ContentSource", "author", "Author")
SOURCE_FIELD = "来源"  # metadata key of a header's 来源 naming another outlet (巴彦淖尔日报)
DATE_FIELDS = ("发布日期", "生成日期", "公开时间")
# The document's own date, when no 落款 dates it: 成文日期 is the date the 落款 would carry.
DOCUMENT_DATE_FIELDS = ("成文日期", "印发日期")
# trafilatura output elements that are paragraphs of their own.
BLOCK_OUTPUT = frozenset(("p", "head", "list", "item", "table", "row", "quote", "code", "div"))
# CMS meta tags worth keeping as metadata (TRS, Hanweb, gkmlpt templates use these names).
KEPT_META = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ColumnDescription",
    "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Description", "Url",
    "firstpublishedtime", "lastmodifiedtime", "catalog", "contentid", "publishdate",
)  # fmt: skip


@dataclass(frozen=True)
class Extracted:
    url: str
    title: str
    title_original: str
    text: str
    text_original: str
    report_year: int | None
    agency: str | None
    published_date: dt.date | None  # the page's publication date
    signed_date: dt.date | None  # the date of the 落款
    signed_by: str | None  # the body (bodies, 、-joined) of the 落款
    document_date: dt.date | None  # 成文日期: the 落款's date, else the 索引号 table's
    region: Region | None
    metadata: dict[str, str]
    attachments: tuple[dom.Link, ...]
    script: str
    encoding: str
    repairs: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]  # (line, rule that cut it)
    warnings: tuple[str, ...]


@dataclass
class _Body:
    """The body as it goes through cleaning, with what each step did."""

    lines: list[str]
    repairs: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    info_lines: list[str] = field(default_factory=list)
    signature: Signature | None = None
    document_date: dt.date | None = None
    script: str = "zh-Hans"

    def simplify(self, text: str) -> str:
        """Simplified NFKC form; the script was detected once for the whole page."""
        return normalize(t2s(text) if self.script == "zh-Hant" else text)


def extract_page(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    region_hint: str | None = None,
    compose: Callable[[html.HtmlElement], None] | None = None,
) -> Extracted:
    """Extract one HTML page. Raises only :class:`ExtractionError` (and subclasses).
    COMPOSE changes the parsed page first (the bodies of its continuation pages joined into
    it: ``archive.extract.spans``)."""
    decoded = decode_html(body, headers, url)
    tree = dom.parse(decoded.text)
    if tree is None:
        raise ExtractionError("no HTML in the response", url)
    if compose is not None:
        compose(tree)
    meta = dom.meta_tags(tree)
    titles = dom.title_candidates(tree, meta)
    title_tag = tree.findtext(".//title") or ""
    chosen_title = _choose_title(titles)
    table, table_text = pop_metadata_tables(tree)
    info_blocks = dom.info_blocks(tree)
    cuts = dom.prune(tree)
    publishers = _publishers(table, meta, chosen_title)
    header = drop_header(tree, signals(meta, title_tag, chosen_title, url, publishers))
    tail = drop_tail(tree)
    keep_body_headings(tree)
    body_state = _Body(lines=_main_lines(tree))
    title_original = _repair_title(chosen_title, body_state.repairs)
    anchors = [*[line for line in body_state.lines[:8] if len(line) > 30][:1], chosen_title]
    links = dom.attachments(dom.content_scope(tree, anchors), url)
    body_state.removed.extend((text, "metadata-table") for text in table_text)
    body_state.removed.extend(cuts)
    body_state.removed.extend(header.removed + tail)
    _clean(body_state, title_original, frozenset(link.name for link in links), publishers)
    info_lines = header.info_lines + body_state.info_lines + info_blocks
    published = _published_date(meta, table, info_lines, url)
    body_state.document_date = _document_date(body_state.signature, table)
    warnings = list(decoded.warnings)
    if sum(len(line) for line in body_state.lines) < THIN_BODY:
        warnings.append("attachment-only" if links else "thin-body")
    return _assemble(
        body_state,
        url,
        title_original,
        published=published,
        agency=_agency(
            table,
            body_state.simplify(title_original),
            body_state.signature.body if body_state.signature else None,
            meta,
            body_state.simplify,
        ),
        metadata={
            **{k: meta[k] for k in KEPT_META if k in meta},
            **({SOURCE_FIELD: header.sources[0]} if header.sources else {}),
            **table,
        },
        links=tuple(links),
        encoding=decoded.encoding,
        warnings=warnings,
        region_hint=region_hint,
    )


def _assemble(
    state: _Body,
    url: str,
    title_original: str,
    *,
    published: dt.date | None,
    agency: str | None,
    metadata: dict[str, str],
    links: tuple[dom.Link, ...],
    encoding: str,
    warnings: list[str],
    region_hint: str | None = None,
) -> Extracted:
    """The record, from a cleaned body: Simplified NFKC text beside the original."""
    text_original = "\n".join(state.lines)
    text = state.simplify(text_original)
    title = state.simplify(title_original)
    if text != text_original:
        state.repairs.append("nfkc")
    return Extracted(
        url=url,
        title=title,
        title_original=title_original,
        text=text,
        text_original=text_original,
        report_year=report_year(title, text, published),
        agency=agency,
        published_date=published,
        signed_date=state.signature.date if state.signature else None,
        signed_by=state.signature.signed_by if state.signature else None,
        document_date=state.document_date,
        region=region_of(agency, region_hint),
        metadata=metadata,
        attachments=links,
        script=state.script,
        encoding=encoding,
        repairs=tuple(dict.fromkeys(state.repairs)),
        removed=tuple(state.removed),
        warnings=tuple(warnings),
    )


def _choose_title(candidates: list[str]) -> str:
    """The first candidate that reads like a document title, else the first one."""
    for candidate in candidates:
        if "报告" in candidate or "報告" in candidate:
            return candidate
    return candidates[0] if candidates else ""


def _main_lines(tree: html.HtmlElement) -> list[str]:
    """trafilatura's main text of the pruned tree, as lines (tables tab-joined)."""
    document = trafilatura.bare_extraction(
        tree,
        fast=True,
        include_tables=True,
        include_comments=False,
        with_metadata=False,
        deduplicate=False,
    )
    if not isinstance(document, Document) or document.body is None:
        return []  # None: nothing found (a dict only comes back when asked for, as_dict=True)
    return list(_body_lines(document.body))


def _body_lines(body: html.HtmlElement) -> Iterator[str]:
    for element in body:
        if element.tag == "table":
            yield from _table_lines(element)
        elif element.tag == "list":
            for item in element.iter("item"):
                yield from _split(_flat_text(item))
        else:
            yield from _split(_flat_text(element))


def _table_lines(table: html.HtmlElement) -> list[str]:
    """Data tables as tab-joined rows; layout tables (one cell a row, long cells) as prose."""
    rows = [[_flat_text(cell).strip() for cell in row.iter("cell")] for row in table.iter("row")]
    rows = [row for row in rows if any(row)]
    is_layout = all(len(row) <= 1 for row in rows) or any(
        len(cell) > 150 for row in rows for cell in row
    )
    if is_layout:
        return [line for row in rows for cell in row for line in _split(cell)]
    return ["\t".join(" ".join(cell.split()) for cell in row) for row in rows]


def _flat_text(element: html.HtmlElement) -> str:
    """Text of an element; <lb/> and block children (a <p> in a layout cell) break lines."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in BLOCK_OUTPUT:
            parts.append(f"\n{_flat_text(child)}\n")
        else:
            parts.append(_flat_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _split(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _clean(
    state: _Body,
    title: str,
    link_names: frozenset[str] = frozenset(),
    publishers: frozenset[str] = frozenset(),
) -> None:
    """Repairs and line cleaning shared by pages and documents; PUBLISHERS are the names the
    page gives its publisher, which a 落款 may use."""
    text, applied = repair_text("\n".join(state.lines))
    state.repairs.extend(applied)
    state.script = detect_script(title + "\n" + text)
    canonical = state.simplify if state.script == "zh-Hant" else str
    if state.script == "zh-Hant":
        state.repairs.append("t2s")
    cleaned = drop_boilerplate(text.split("\n") if text else [], title, link_names, canonical)
    state.lines = cleaned.lines
    state.removed.extend(cleaned.removed)
    state.info_lines.extend(cleaned.info_lines)
    _trim_end(state, publishers)
    state.lines, joined = rejoin_broken(state.lines)
    if joined:
        state.repairs.append("rejoined-paragraphs")


def _repair_title(title: str, repairs: list[str]) -> str:
    """The title's repairs, then what a title never holds: markup and endless length."""
    title, applied = repair_text(title)
    repairs.extend(applied)
    if MARKUP.search(title):  # CMS highlighting leaks into titles: <font color=red>…</font>
        title = remove_tags(remove_tags_with_content(title, which_ones=("script", "style")))
        repairs.append("title-markup")
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX]
        repairs.append("title-truncated")
    return title


def _trim_end(state: _Body, publishers: frozenset[str]) -> None:
    """Find the 落款 closing the text, cutting the widget labels that hide it (重要 / 通知).

    The 落款 stays in the text: it is the document's own statement of who issued it and when.
    """
    while state.lines:
        state.signature = closing_signature(state.lines, publishers)
        if state.signature is not None or not is_fragment(state.lines[-1]):
            return
        state.removed.append((state.lines.pop(), "tail-fragment"))


def _publishers(table: Mapping[str, str], meta: Mapping[str, str], title: str) -> frozenset[str]:
    """The names a page gives its publisher: 发布机构 fields, ContentSource, the title's author."""
    names = [table.get(key, "") for key in AGENCY_FIELDS]
    names += [meta.get(key, "") for key in AGENCY_META]
    names.append(agency_from_title(title) or "")
    return frozenset(name for name in names if name)


def _document_date(signature: Signature | None, table: Mapping[str, str]) -> dt.date | None:
    """The 落款's date, else the 成文日期 of the 索引号 table."""
    if signature is not None:
        return signature.date
    for key in DOCUMENT_DATE_FIELDS:
        if key in table and (found := parse_date(table[key])):
            return found
    return None


def _published_date(
    meta: Mapping[str, str],
    table: Mapping[str, str],
    info_lines: list[str],
    url: str,
) -> dt.date | None:
    """Meta tags, then article-info lines and the 索引号 table, then the URL.

    Never the 落款 or the 成文日期: a document is dated before it is published, and the
    deadline a report is held to is about publication (those go to ``document_date``).
    """
    for key in PUBDATE_META:
        if key in meta and (found := parse_date(meta[key])):
            return found
    if found := published_date_from_lines(info_lines):
        return found
    for line in info_lines:  # unlabelled: `2021-2-3 10:12 | 发布者: 平江县司法局`
        if found := parse_date(line):
            return found
    for key in DATE_FIELDS:
        if key in table and (found := parse_date(table[key])):
            return found
    return date_from_url(url)


def _agency(
    table: Mapping[str, str],
    title: str,
    signature: str | None,
    meta: Mapping[str, str],
    simplify: Callable[[str], str],
) -> str | None:
    """发布机构 field, title prefix, signature, meta tags — in that order of trust."""
    for key in AGENCY_FIELDS:
        if table.get(key):
            return simplify(table[key])
    from_title = agency_from_title(title)
    if from_title:
        return from_title
    if signature:
        return simplify(signature)
    for key in AGENCY_META:
        if meta.get(key):
            return simplify(meta[key])
    return None


def extract_document(body: bytes, url: str, content_type: str | None = None) -> Extracted:
    """Extract an attachment (PDF, DOCX); other formats come back empty with a warning."""
    document = document_lines(body, url, content_type)
    title_original = next((ln for ln in document.lines[:5] if "报告" in ln or "報告" in ln), "")
    state = _Body(lines=document.lines)
    _clean(state, title_original)
    title = state.simplify(title_original)
    signer = state.signature.body if state.signature else None
    agency = agency_from_title(title) or (state.simplify(signer) if signer else None)
    state.document_date = state.signature.date if state.signature else None
    return _assemble(
        state,
        url,
        title_original,
        published=date_from_url(url),  # a file's 落款 dates the document, not its publication
        agency=agency,
        metadata={},
        links=(),
        encoding=document.kind,
        warnings=[f"text-unavailable: {document.unavailable}"] if document.unavailable else [],
    )


def is_document(url: str, content_type: str | None) -> bool:
    """Whether a response is an attachment file rather than an HTML page."""
    return kind_of(url, content_type) in ("pdf", "docx", *UNREADABLE)


def to_json(result: Extracted) -> dict[str, Any]:
    """Every field as JSON-ready values (dates ISO, tuples as lists)."""
    data = dataclasses.asdict(result)
    for key in ("published_date", "signed_date", "document_date"):
        data[key] = data[key].isoformat() if data[key] else None
    data["removed"] = [{"text": text, "rule": rule} for text, rule in result.removed]
    return data
