"""List markup of the CMS families: entries, pagers, directories, home blocks, the gkmlpt shell,
sitemaps.

Each pager is drawn the way its CMS draws it, because that is what a crawler must read: TRS
writes its pager with a script (``createPageHTML``), Hanweb and DedeCMS print 下一页 / 尾页
anchors, 信息公开 platforms page by query string, and gkmlpt has no links at all — a script
fetches the list from a JSON endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from html import escape

from tests.replica.config import DATA, Column, Pager
from tests.replica.drawing import CHINA

# The page scripts, kept as files: TRS's pager (the page links exist only once it runs) and
# gkmlpt's list (the page has no article links; the script fetches them from the JSON endpoint).
TRS_PAGER = (DATA / "trs_pager.js").read_text(encoding="utf-8")
GKMLPT_LIST = (DATA / "gkmlpt_list.js").read_text(encoding="utf-8")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    """A document as a list shows it: title as on its page, date, and the href the list uses."""

    title: str
    date: dt.date
    path: str


def page_count(entries: int, pager: Pager) -> int:
    return max(1, -(-entries // pager.per_page))


def page_paths(column: Column, pages: int) -> list[list[str]]:
    """Every page of a paged column, each with the paths that serve it (first is canonical)."""
    pager = column.pager
    assert pager is not None
    base = column.path
    if pager.style in ("trs", "links"):
        first = [f"{base}index.{pager.ext}", base]
        return [first] + [[f"{base}index_{n}.{pager.ext}"] for n in range(1, pages)]
    if pager.style == "dede":
        return [[base, f"{base}list_{pager.list_id}_1.html"]] + [
            [f"{base}list_{pager.list_id}_{n}.html"] for n in range(2, pages + 1)
        ]
    if pager.style == "query":
        return [[base]] + [[f"{base}&pageIndex={n}"] for n in range(2, pages + 1)]
    if pager.style in ("gkmlpt", "page"):
        return [[base]] + [[f"{base}?page={n}"] for n in range(2, pages + 1)]
    raise ValueError(f"unknown pager style {pager.style!r}")


def entry_href(entry: Entry, column: Column) -> str:
    """TRS-style relative links (./202403/t….htm) under the column, site paths elsewhere."""
    if entry.path.startswith(column.path) and "?" not in column.path:
        return "./" + entry.path[len(column.path) :]
    return entry.path


def entry_list(entries: list[Entry], column: Column) -> str:
    if column.pager is not None and column.pager.rows == "catalog":
        return catalog_table(entries, column)
    items = "\n".join(
        f'<li><a href="{escape(entry_href(e, column))}" target="_blank" title="{escape(e.title)}">'
        f'{escape(e.title, quote=False)}</a><span class="date">{e.date.isoformat()}</span></li>'
        for e in entries
    )
    return f'<ul class="list">\n{items}\n</ul>'


def catalog_table(entries: list[Entry], column: Column) -> str:
    """A 信息公开目录 page: one table row per item with its 索引号, 名称 and 生成日期."""
    rows = "\n".join(
        f"<tr><td>{n}</td><td>{_index_number(e)}</td>"
        f'<td class="name"><a href="{escape(entry_href(e, column))}" target="_blank" '
        f'title="{escape(e.title)}">{escape(e.title, quote=False)}</a></td>'
        f"<td>{e.date.isoformat()}</td></tr>"
        for n, e in enumerate(entries, 1)
    )
    head = "<tr><th>序号</th><th>索引号</th><th>名称</th><th>生成日期</th></tr>"
    return f'<table class="gk-catalog" cellspacing="0">\n{head}\n{rows}\n</table>'


def _index_number(entry: Entry) -> str:
    digits = "".join(ch for ch in entry.path.rsplit("/", 1)[-1] if ch.isdigit())
    return f"11410305MB0123456X/{entry.date.year}-{int(digits or 0) % 100_000:05d}"


def pager_html(column: Column, page: int, pages: int, total: int, endless: bool = False) -> str:
    """The pager under page `page` (1-based) of `pages`; `endless`: the next link never stops."""
    pager = column.pager
    assert pager is not None
    if pager.style == "trs":
        call = f'createPageHTML({pages}, {page - 1}, "index", "{pager.ext}");'
        return (
            f'<div class="page"><script type="text/javascript">\n{TRS_PAGER}{call}\n</script></div>'
        )
    names = {
        "links": lambda n: f"index.{pager.ext}" if n == 1 else f"index_{n - 1}.{pager.ext}",
        "dede": lambda n: f"list_{pager.list_id}_{n}.html",
        "query": lambda n: column.path if n == 1 else f"{column.path}&pageIndex={n}",
        "page": lambda n: column.path if n == 1 else f"{column.path}?page={n}",
    }[pager.style]
    has_next = endless or page < pages
    parts = [f"共{total}条　{page}/{pages}页"]
    parts += (
        [
            f'<a href="{escape(names(1))}">首页</a>',
            f'<a href="{escape(names(page - 1))}">上一页</a>',
        ]
        if page > 1
        else ["<span>首页</span>", "<span>上一页</span>"]
    )
    parts += (
        [
            f'<a href="{escape(names(page + 1))}">下一页</a>',
            f'<a href="{escape(names(pages))}">尾页</a>',
        ]
        if has_next
        else ["<span>下一页</span>", "<span>尾页</span>"]
    )
    return f'<div class="pages">{" ".join(parts)}</div>'


def list_box(title: str, body: str) -> str:
    return f'<div class="list-box">\n<h2 class="list-title">{escape(title)}</h2>\n{body}\n</div>'


def directory(column: Column) -> str:
    """A directory column (政府信息公开 → 法定主动公开内容 → …): its sub-columns."""
    items = "\n".join(
        f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in column.links
    )
    return list_box(column.title, f'<ul class="dir">\n{items}\n</ul>')


def home_block(title: str, links: list[tuple[str, str]], more: str | None = None) -> str:
    items = "\n".join(
        f'<li><a href="{escape(href)}">{escape(label, quote=False)}</a></li>'
        for label, href in links
    )
    more_link = f'<a class="more" href="{escape(more)}">更多&gt;&gt;</a>' if more else ""
    return (
        f'<div class="home-box">\n<h3>{escape(title)}{more_link}</h3>\n<ul>\n{items}\n</ul>\n</div>'
    )


def urlset(base: str, pages: list[tuple[str, dt.date]]) -> bytes:
    """A sitemap urlset as CMSs export it: every page's absolute URL and date, no titles."""
    return _sitemap_xml("urlset", "url", base, pages)


def sitemap_index(base: str, sitemaps: list[tuple[str, dt.date]]) -> bytes:
    return _sitemap_xml("sitemapindex", "sitemap", base, sitemaps)


def _sitemap_xml(root: str, item: str, base: str, pages: list[tuple[str, dt.date]]) -> bytes:
    items = "\n".join(
        f"<{item}><loc>{escape(base + path)}</loc><lastmod>{date.isoformat()}</lastmod></{item}>"
        for path, date in pages
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}\n<{root} xmlns="{SITEMAP_NS}">\n{items}\n</{root}>\n'.encode()


def gkmlpt_shell(column: Column) -> str:
    """The gkmlpt list page: an empty list the script fills from the JSON endpoint."""
    pager = column.pager
    assert pager is not None
    return list_box(
        column.title,
        f'<div class="gkmlpt-list" id="gkmlpt-list" data-api="{pager.api}"'
        f' data-sid="{pager.sid}">\n'
        '<div class="loading">正在加载……</div>\n<ul class="list"></ul>\n'
        f'<div class="pagination"></div>\n</div>\n<script>\n{GKMLPT_LIST}</script>',
    )


def gkmlpt_json(entries: list[Entry], page: int, pager: Pager, base: str, publisher: str) -> bytes:
    """One page of the gkmlpt endpoint: absolute article URLs, epoch dates, the total."""
    start = (page - 1) * pager.per_page
    articles = [
        {
            "id": int(entry.path.rsplit("_", 1)[1].split(".")[0]),
            "title": entry.title,
            "url": base + entry.path,
            "date": int(dt.datetime.combine(entry.date, dt.time(10), CHINA).timestamp()),
            "publisher": publisher,
        }
        for entry in entries[start : start + pager.per_page]
    ]
    data = {"articles": articles, "total": len(entries), "page": page, "per_page": pager.per_page}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
