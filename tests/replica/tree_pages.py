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
import random
from collections.abc import Mapping
from typing import Any

# Each other site of the tree: its base URL and the name a link to it shows.
Targets = Mapping[str, tuple[str, str]]
NAV_PATH = "/wzdh/"
COLUMN_PATH = "/fzzfjs/"
SITES_API = "/api/sites.json"
COLUMN_TITLE = "法治政府建设"
NAV_TITLE = "政府网站导航"


# What a report's sections say; each report takes four, with its own figures.
PARAGRAPHS = (
    "加强党对法治政府建设的领导。主要负责人履行推进法治建设第一责任人职责，常务会议专题研究法治工作{a}次，"
    "将法治建设纳入年度绩效考核。",
    "依法全面履行政府职能。深化“放管服”改革，取消和下放行政许可事项{a}项，政务服务事项网上可办率达到{b}%。",
    "健全依法行政制度体系。审核行政规范性文件{a}件，清理规章和规范性文件{b}件，备案审查做到有件必备。",
    "严格落实重大行政决策程序。{a}项重大行政决策均经过公众参与、专家论证、风险评估、合法性审查和集体讨论决定。",
    "深化行政执法体制改革。开展行政执法案卷评查{a}卷，组织执法人员培训{b}人次，全面推行行政执法“三项制度”。",
    "强化行政权力制约和监督。办理人大代表建议和政协委员提案{a}件，主动公开政府信息{b}条，依申请公开{c}件。",
    "依法化解社会矛盾纠纷。办理行政复议案件{a}件，行政机关负责人出庭应诉率{b}%，调解各类纠纷{c}起。",
    "推进法治社会建设。实施“八五”普法规划，开展法治宣传活动{a}场，培育农村“法律明白人”{b}名。",
    "加强法治政府建设保障。公职律师{a}名参与法律事务，法律顾问审查合同{b}份，办理法律援助案件{c}件。",
    "优化法治化营商环境。清理涉企收费{a}项，推行包容审慎监管，对轻微违法行为免罚{b}起。",
)


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
    # each report its own text: the archive takes texts at Jaccard >= 0.8 for one report
    rng = random.Random(f"{agency}{year}")
    chosen = rng.sample(PARAGRAPHS, 4)
    numbers = [rng.randint(3, 480) for _ in range(3)]
    paragraphs = [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
        "扎实推进法治政府建设各项工作，现将有关情况报告如下。",
        *(
            f"{'一二三四'[n]}、{text.format(a=numbers[0], b=numbers[1], c=numbers[2])}"
            for n, text in enumerate(chosen)
        ),
        f"{year + 1}年，{agency}将持续推进法治政府建设，为高质量发展提供坚实法治保障。",
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
