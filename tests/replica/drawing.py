"""Pages of a replica site drawn in its skin: documents as the saved pages are, listings in the
same chrome with the article block swapped for the list.

A document's expected text is the generator's reader's view of the very blocks drawn into it
(``page_build.expected_lines``), so the manifest cannot disagree with the page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cache
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from tests.replica.config import Site
from tests.replica.fixture_tools import (
    SEEDS,
    body_markup,
    body_render,
    load_skin,
    page_build,
    reader_text,
    render_nav,
    skin,
)

Block = body_markup.Block
CHINA = dt.timezone(dt.timedelta(hours=8))
NAV_LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')
# The mirror's ruby-in-parentheses after a Han character, e.g. 區(qū).
ANNOTATED = re.compile(rf"([\u4e00-\u9fff])({reader_text.PINYIN_ANNOTATION.pattern})")
SUMMARY_CHARS = 80
FRAME_MARK = "<!--frame-->"  # where a skin's page embeds its body (article_render: iframe)
PAGER_MARK = "<!--pager-->"  # where a skin prints its 正文分页 pager (article_render: paged)


@dataclass(frozen=True)
class Drawn:
    """A page's bytes, its title as shown, and the report text a reader must get from it."""

    body: bytes
    title: str
    text: str
    attachments: tuple[dict[str, str], ...]
    # more resources the page is made of: (path, bytes) of its later pages or its frame
    parts: tuple[tuple[str, bytes], ...] = ()


def context(site: Site, *, title: str, url: str, date: dt.date, ident: int, **extra: Any) -> dict:
    """The values a site's templates (fields, 索引号 table, documents) may use."""
    moment = dt.datetime.combine(date, dt.time(9 + ident % 8, ident * 7 % 60), CHINA)
    words = {key: value for key, value in site.words.items() if key != "units"}
    units = {f"unit{n}": unit for n, unit in enumerate(site.words.get("units", []), 1)}
    return {
        "agency": site.agency,
        **words,
        **units,
        "title": title,
        "url": url,
        "date": date,
        "document_date": date,  # 成文日期: a report's own is passed in `extra`
        "date_cn": f"{date.year}年{date.month}月{date.day}日",
        "time": moment.strftime("%H:%M"),
        "epoch": int(moment.timestamp()),
        "id": ident,
        "serial": f"{ident % 100_000:05d}",
        "bucket": ident // 1000,
        "shelf": ident // 1_000_000,
        "summary": "",
        **extra,
    }


def site_spec(site: Site, title: str, ctx: dict[str, Any]) -> dict[str, Any]:
    """A generator spec for a page of this site (skin, encoding, editor style, fields, table)."""
    return {
        "skin": site.skin,
        "url": ctx["url"],
        "encoding": site.encoding,
        "style": site.style,
        "title": title,
        "fields": {name: template.format(**ctx) for name, template in site.fields.items()},
        "metadata": [[label, value.format(**ctx)] for label, value in site.metadata],
        "metadata_layout": site.metadata_layout,
        "traditional": "page" if site.traditional else None,
        "expected": {"script": "zh-Hant" if site.traditional else "zh-Hans"},
        "paged": site.page_blocks if site.article_render == "paged" else 0,
        "frame": site.frame.format(**ctx) if site.article_render == "iframe" else "",
    }


def summary(blocks: list[Block]) -> str:
    """A CMS's auto description: the opening paragraph cut short."""
    first = next((b.text for b in blocks if b.kind == "paragraph" and len(b.text) > 20), "")
    return first[:SUMMARY_CHARS] + "..."


def draw(spec: dict[str, Any], blocks: list[Block]) -> Drawn:
    """The page the generator makes of a spec and its blocks (its text: all of them, though a
    framed or paged page shows them in its frame or over several pages)."""
    generator = {key: value for key, value in spec.items() if key not in ("paged", "frame")}
    parts: tuple[tuple[str, bytes], ...] = ()
    if spec.get("frame"):
        html, parts = _framed(generator, blocks, spec["frame"])
    elif spec.get("paged") and len(blocks) > spec["paged"]:
        html, parts = _paged(generator, blocks, spec["paged"])
    else:
        html = page_build.page_html(generator, blocks)
    return Drawn(
        body=page_build.encode_page(html, spec),
        title=page_build.page_title(spec),
        text="\n".join(page_build.expected_lines(blocks, spec)),
        attachments=tuple(page_build.expected_attachments(blocks, spec)),
        parts=parts,
    )


def _framed(
    spec: dict[str, Any], blocks: list[Block], frame: str
) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    """The page with an empty body and an <iframe> of FRAME, and FRAME: a bare document of
    the body, as CMSs that store an article's HTML apart serve it."""
    html = page_build.page_html(spec, [])
    if FRAME_MARK not in html:
        raise ValueError(f"{spec['skin']}: an iframe skin marks its frame with {FRAME_MARK}")
    tag = (
        f'<iframe id="contentFrame" src="{escape(frame)}" width="100%" height="1200" '
        'frameborder="0" scrolling="no"></iframe>'
    )
    title = escape(page_build.page_title(spec), quote=False)
    inner = body_render.render_body(blocks, spec["style"])
    document = (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{spec["encoding"]}">\n'
        f"<title>{title}</title>\n"
        '<link rel="stylesheet" href="/css/content.css">\n</head>\n<body>\n'
        f'<div class="article-content" id="zoom">\n{inner}\n</div>\n</body>\n</html>\n'
    )
    path = urlsplit(urljoin(spec["url"], frame)).path
    return html.replace(FRAME_MARK, tag), ((path, page_build.encode_page(document, spec)),)


def _paged(
    spec: dict[str, Any], blocks: list[Block], size: int
) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    """The body split every SIZE blocks over name.html, name_1.html, name_2.html… (TRS and
    most CMSs' 正文分页), each page with the pager: 上一页, the page numbers, 下一页."""
    chunks = [blocks[start : start + size] for start in range(0, len(blocks), size)]
    path = urlsplit(spec["url"]).path
    stem, dot, suffix = path.rpartition("/")[2].rpartition(".")
    names = [f"{stem}.{suffix}"] + [f"{stem}_{n}{dot}{suffix}" for n in range(1, len(chunks))]
    folder = path.rsplit("/", 1)[0] + "/"
    pages = []
    for number, chunk in enumerate(chunks):
        html = page_build.page_html(spec, chunk)
        if PAGER_MARK not in html:
            raise ValueError(f"{spec['skin']}: a paged skin marks its pager with {PAGER_MARK}")
        pages.append(html.replace(PAGER_MARK, _page_nav(names, number)))
    parts = tuple(
        (folder + name, page_build.encode_page(html, spec))
        for name, html in zip(names[1:], pages[1:], strict=True)
    )
    return pages[0], parts


def _page_nav(names: list[str], current: int) -> str:
    """A 正文分页 pager: relative links, the current page's number unlinked."""
    links = [f'<a href="{names[current - 1]}">上一页</a>'] if current else []
    for number, name in enumerate(names):
        links.append(
            f'<span class="current">{number + 1}</span>'
            if number == current
            else f'<a href="{name}">{number + 1}</a>'
        )
    if current + 1 < len(names):
        links.append(f'<a href="{names[current + 1]}">下一页</a>')
    return '<div class="page-nav" id="pageNav">' + " ".join(links) + "</div>"


def markup_blocks(spec: dict[str, Any], markup: str) -> list[Block]:
    """Blocks of body markup, in the page's script (converted when the site is Traditional)."""
    return page_build.page_blocks({**spec, "body": markup}, SEEDS)


def edited(blocks: list[Block], edits: list[tuple[str, str]]) -> list[Block]:
    """Blocks with corrections applied; an edit that changes nothing is a data error."""
    for old, new in edits:
        if not any(old in block.text or _in_rows(old, block) for block in blocks):
            raise ValueError(f"edit target not in the report: {old!r}")
        blocks = [
            replace(
                block,
                text=block.text.replace(old, new),
                rows=tuple(tuple(cell.replace(old, new) for cell in row) for row in block.rows),
            )
            for block in blocks
        ]
    return blocks


def _in_rows(needle: str, block: Block) -> bool:
    return any(needle in cell for row in block.rows for cell in row)


@cache
def _pinyin() -> dict[str, str]:
    """Character → its annotation, e.g. 區 → (qū), as the mirror writes them in seed 003."""
    seed = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    return dict(ANNOTATED.findall(seed))


def annotate(text: str) -> str:
    """Traditional text with the mirror's pinyin after each character it annotates."""
    annotations = _pinyin()
    return "".join(char + annotations.get(char, "") for char in text)


def annotated(blocks: list[Block]) -> list[Block]:
    return [replace(block, text=annotate(block.text)) for block in blocks]


class Chrome:
    """A site's skin with the article block replaced by a listing: its list and home pages."""

    def __init__(self, site: Site) -> None:
        loaded = load_skin(site.skin)
        start, end = site.listing_at
        html = loaded.html
        if html.count(start) != 1 or html.count(end) != 1 or html.index(end) < html.index(start):
            raise ValueError(f"{site.slug}: listing_at markers must each occur once, in order")
        self.site = site
        self.template = html[: html.index(start)] + "{{listing}}" + html[html.index(end) :]
        self.nav = render_nav(**loaded.nav) if loaded.nav else ""
        self.crlf = loaded.crlf

    def nav_links(self) -> list[tuple[str, str]]:
        """(label, href) of the site's menu, as drawn."""
        return [(unescape(label), unescape(href)) for href, label in NAV_LINK.findall(self.nav)]

    def page(self, title: str, listing: str, ctx: dict[str, Any]) -> bytes:
        """A listing page; the skin's article fields get the list's own values."""
        fields = dict.fromkeys(skin.placeholders(self.template), "")
        fields |= {name: t.format(**ctx) for name, t in self.site.fields.items() if name in fields}
        fields |= {"title": escape(title, quote=False), "nav": self.nav, "listing": listing}
        html = skin.fill(self.template, fields)
        if self.site.traditional:
            html = reader_text.to_traditional(html)
        html = html.replace("\r\n", "\n")
        if self.crlf:
            html = html.replace("\n", "\r\n")
        return html.encode(self.site.encoding)
