"""The pages of the province tree (data/tree.yaml): home pages in the shape of real portals,
their 政府网站导航 page, the 法治政府建设 column and its reports, and the non-portal sites.

Every page names its site the ways real ones do: the ``<title>``, the footer's 主办单位 and
网站标识码, and on some the SiteName/SiteIDCode meta tags. Other sites are linked in the
ways real portals link them; the link text is the target's name unless the parent still
writes an older one.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping
from typing import Any

# Each other site of the tree: its base URL and the name a link to it shows.
Targets = Mapping[str, tuple[str, str]]
NAV_PATH = "/wzdh/"
COLUMN_PATH = "/fzzfjs/"
SITES_API = "/api/sites.json"
COLUMN_TITLE = "法治政府建设"
NAV_TITLE = "政府网站导航"


def report_title(agency: str, year: int) -> str:
    return f"{agency}关于{year}年法治政府建设情况的报告"


def report_path(date: dt.date, year: int) -> str:
    return f"{COLUMN_PATH}{date:%Y%m}/t{date:%Y%m%d}_{year}.html"


def page(site: Mapping[str, Any], title: str, main: str, extra_head: str = "") -> str:
    """A page of SITE in its chrome: header, menu, MAIN, footer with its self-identification."""
    name = site.get("name") or site.get("title", "")
    meta = ""
    if site.get("meta"):
        meta = (
            f'<meta name="SiteName" content="{html.escape(name)}">'
            f'<meta name="SiteIDCode" content="{site["site_code"]}">'
        )
    footer = [f"主办单位：{site['host_body']}"] if site.get("host_body") else []
    if site.get("site_code"):
        footer.append(f"网站标识码：{site['site_code']}")
    footer.append("赣ICP备05004135号")
    menu = ""
    if site["kind"] in ("government", "department"):
        items = [("/", "首页"), (COLUMN_PATH, COLUMN_TITLE)]
        if site.get("links", {}).get("nav_page"):
            items.append((NAV_PATH, NAV_TITLE))
        menu = '<div class="nav">' + " ".join(f'<a href="{h}">{t}</a>' for h, t in items) + "</div>"
    charset = site.get("encoding", "utf-8")
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}">'
        f"<title>{html.escape(title)}</title>{meta}{extra_head}</head>\n<body>\n"
        f'<div class="header"><h1>{html.escape(name)}</h1></div>\n{menu}\n'
        f'<div class="main">\n{main}\n</div>\n'
        f'<div class="footer">{"".join(f"<p>{html.escape(p)}</p>" for p in footer)}</div>\n'
        "</body></html>\n"
    )


def home(site: Mapping[str, Any], links: Mapping[str, Any], targets: Targets) -> str:
    """A home page: the latest reports, then the site's blocks of links to other sites."""
    latest = "".join(
        f'<li><a href="{path}">{html.escape(title)}</a><span>{date}</span></li>'
        for path, title, date in reports(site)
    )
    parts = [f'<div class="list"><h2>{COLUMN_TITLE}</h2><ul>{latest}</ul></div>']
    head = ""
    for block in links.get("footer", []):
        parts.append(_block(block["heading"], block["sites"], links, targets))
    for block in links.get("select", []):
        options = "".join(
            f'<option value="{targets[s][0]}/">{html.escape(_anchor(s, links, targets))}</option>'
            for s in block["sites"]
        )
        parts.append(
            f'<select onchange="window.open(this.value)"><option value="">'
            f"{html.escape(block['heading'])}</option>{options}</select>"
        )
    for block in links.get("script", []):
        parts.append(
            f'<div class="sites"><h3>{html.escape(block["heading"])}</h3>'
            '<ul id="site-list"></ul></div>'
        )
        head = (
            f"<script>window.addEventListener('load', function () {{ fetch('{SITES_API}')"
            ".then(function (r) { return r.json(); }).then(function (sites) {"
            " var list = document.getElementById('site-list');"
            " sites.forEach(function (s) { var li = document.createElement('li');"
            " var a = document.createElement('a'); a.href = s.url; a.textContent = s.name;"
            " li.appendChild(a); list.appendChild(li); }); }); });</script>"
        )
    if links.get("images"):
        parts.append(_images(links["images"], links, targets))
    if links.get("plain"):
        parts.append(_block("相关链接", links["plain"], links, targets))
    title = site.get("title", "")
    return page(site, title, "\n".join(parts), head)


def nav_page(site: Mapping[str, Any], links: Mapping[str, Any], targets: Targets) -> str:
    blocks = []
    for block in links["nav_page"]:
        if block.get("images"):
            blocks.append(_images(block["images"], links, targets, block["heading"]))
        else:
            blocks.append(_block(block["heading"], block["sites"], links, targets))
    return page(site, f"{NAV_TITLE}_{site['title']}", "\n".join(blocks))


def sites_json(links: Mapping[str, Any], targets: Targets) -> bytes:
    """What the script-built list fetches: the sites' names and addresses."""
    listed = [
        {"name": _anchor(slug, links, targets), "url": targets[slug][0] + "/"}
        for block in links.get("script", [])
        for slug in block["sites"]
    ]
    return json.dumps(listed, ensure_ascii=False).encode("utf-8")


def column(site: Mapping[str, Any]) -> str:
    items = "".join(
        f'<li><a href="{path}">{html.escape(title)}</a><span>{date}</span></li>'
        for path, title, date in reports(site)
    )
    return page(site, f"{COLUMN_TITLE}_{site['title']}", f"<h2>{COLUMN_TITLE}</h2><ul>{items}</ul>")


def report(site: Mapping[str, Any], year: int, date: dt.date) -> str:
    agency = site["name"]
    title = report_title(agency, year)
    paragraphs = [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
        "全面落实《法治政府建设实施纲要（2021—2025年）》，扎实推进法治政府建设各项工作。",
        "一、加强党对法治政府建设的领导。主要负责人切实履行推进法治建设第一责任人职责，"
        "年内召开常务会议专题研究法治政府建设工作，统筹谋划年度重点任务。",
        "二、依法全面履行政府职能。深化“放管服”改革，持续优化法治化营商环境，"
        "全面推行权责清单制度，推动政务服务事项网上可办。",
        "三、健全依法行政制度体系。严格落实重大行政决策程序，加强行政规范性文件合法性审核，"
        "全年审核规范性文件和重大合同，未发现违法情形。",
        f"{year + 1}年，我们将持续推进法治政府建设，为经济社会高质量发展提供坚实法治保障。",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    main = (
        f'<div class="article"><h1>{html.escape(title)}</h1>'
        f'<div class="info">发布时间：{date:%Y-%m-%d}　来源：{html.escape(agency)}</div>'
        f'<div class="content">{body}<p style="text-align:right">{html.escape(agency)}</p>'
        f'<p style="text-align:right">{date:%Y年%-m月%-d日}</p></div></div>'
    )
    return page(site, title, main)


def reports(site: Mapping[str, Any]) -> list[tuple[str, str, dt.date]]:
    """(path, title, date) of each report the site published, newest first."""
    found = [
        (report_path(date, year), report_title(site["name"], year), date)
        for year, date in site.get("reports", {}).items()
        if isinstance(date, dt.date)
    ]
    return sorted(found, key=lambda r: r[2], reverse=True)


def _anchor(slug: str, links: Mapping[str, Any], targets: Targets) -> str:
    return str(links.get("anchor", {}).get(slug) or targets[slug][1])


def _block(heading: str, slugs: list[str], links: Mapping[str, Any], targets: Targets) -> str:
    items = "".join(
        f'<li><a href="{targets[s][0]}/">{html.escape(_anchor(s, links, targets))}</a></li>'
        for s in slugs
    )
    return f'<div class="links"><h3>{html.escape(heading)}</h3><ul>{items}</ul></div>'


def _images(slugs: list[str], links: Mapping[str, Any], targets: Targets, heading: str = "") -> str:
    """Image links whose only text is the image's alt (a banner per city)."""
    items = "".join(
        f'<a href="{targets[s][0]}/"><img src="/images/{s}.png" '
        f'alt="{html.escape(_anchor(s, links, targets))}"></a>'
        for s in slugs
    )
    title = f"<h3>{html.escape(heading)}</h3>" if heading else ""
    return f'<div class="banners">{title}{items}</div>'
