"""The replica's data files (data/*.yaml) as typed records.

Sites, reports and document templates are data so a new portal or hazard is a few lines of
YAML; this module only reads them and checks the references between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Pager:
    """How a column pages: trs (script pager), links, dede, query (&pageIndex=N), page
    (?page=N), gkmlpt (JSON API) or jpage (Hanweb JCMS: records in an inline XML datastore,
    the rest from dataproxy.jsp)."""

    style: str
    per_page: int
    ext: str = "html"
    list_id: int = 0  # dede: list_<list_id>_<n>.html
    api: str = ""  # gkmlpt: the JSON endpoint
    sid: int = 0  # gkmlpt: the site id the endpoint asks for
    unit: int = 0  # jpage: the list unit's id (its <div> and the proxy's unitid)
    rows: str = "list"  # "catalog": a 信息公开目录 table (索引号, 名称, 生成日期) instead of a <ul>


@dataclass(frozen=True)
class Column:
    """A column of a site: a directory of links, or a paged list of documents."""

    key: str
    path: str
    title: str
    links: tuple[tuple[str, str], ...] = ()
    pager: Pager | None = None
    article: str = ""  # URL template of the column's documents


@dataclass(frozen=True)
class Site:
    """One portal: identity, chrome, columns, documents and hazards."""

    slug: str
    name: str
    agency: str | None
    level: str | None
    region: dict[str, str | None] | None
    division_code: str | None
    expected_years: tuple[int, ...]
    skin: str
    listing_at: tuple[str, str]
    encoding: str
    content_type: str
    style: str
    fields: dict[str, str]
    words: dict[str, Any]
    first_id: int
    home: tuple[dict[str, Any], ...]
    columns: dict[str, Column]
    documents: tuple[dict[str, Any], ...] = ()
    missing: tuple[dict[str, Any], ...] = ()
    decoys: tuple[dict[str, Any], ...] = ()
    traps: tuple[dict[str, Any], ...] = ()
    redirects: tuple[dict[str, Any], ...] = ()
    robots: str | None = None  # `{base}` stands for the site's base URL (Sitemap: lines)
    sitemap: dict[str, Any] | None = None  # `index` and its `urlsets` (see site.py)
    metadata: tuple[tuple[str, str], ...] = ()
    metadata_layout: str = "grid4"
    traditional: bool = False
    home_path: str = "/"
    group: str = "replica"  # its registry: the replica, or the held-out portals (GROUPS)
    host: str | None = None  # 站群: sites naming one host share its server (first one's robots)
    # "vue": article pages are shells filled from a JSON API; "paged": a document longer than
    # `page_blocks` blocks is split over index.html, index_1.html… (正文分页, 上一页/下一页);
    # "iframe": the page embeds its body from `frame` (e.g. /content/{id}.html)
    article_render: str | None = None
    page_blocks: int = 0
    frame: str = ""
    topics: tuple[dict[str, Any], ...] = ()  # 专题 pages: `path`, `title`, `blocks` (as `home`)


@dataclass(frozen=True)
class Copy:
    """One place a report is published."""

    site: str
    column: str
    date: dt.date | None = None  # None: the saved page itself, at the fixture's URL path
    id: int | None = None
    phases: tuple[int, ...] = (1, 2)
    edits: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    append: str = ""
    prepend: str = ""  # body markup before the report (a re-publication's 更正说明 box)
    title_suffix: str = ""  # e.g. （更正） on a corrected re-publication
    also: tuple[tuple[str, str], ...] = ()  # (column, href)

    def edits_in(self, phase: int) -> list[tuple[str, str]]:
        """Corrections in force in a phase: every edit made in it or before."""
        return [
            pair for since, pairs in sorted(self.edits.items()) if since <= phase for pair in pairs
        ]


@dataclass(frozen=True)
class Report:
    key: str
    fixture: str
    copies: tuple[Copy, ...]


PHASES = (1, 2)
# Each group's data folder: the replica the rules were written on, and the held-out portals
# (templates no rule was written on: tuning the extractor or crawler on them is visible in git).
# A second held-out set (heldout2) stays unseen while the first one's misses are being fixed.
GROUPS = {"replica": DATA, "heldout": DATA / "heldout", "heldout2": DATA / "heldout2"}


def _load(name: str, group: str = "replica") -> Any:
    return yaml.safe_load((GROUPS[group] / name).read_text(encoding="utf-8"))


def _pairs(raw: list[list[str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in raw or [])


def _column(key: str, raw: dict[str, Any]) -> Column:
    return Column(
        key=key,
        path=raw["path"],
        title=raw["title"],
        links=_pairs(raw.get("links")),
        pager=Pager(**raw["pager"]) if "pager" in raw else None,
        article=raw.get("article", ""),
    )


def _site(slug: str, raw: dict[str, Any], group: str) -> Site:
    listing_at = raw.pop("listing_at")
    columns = raw.pop("columns")
    return Site(
        slug=slug,
        listing_at=(listing_at[0], listing_at[1]),
        columns={key: _column(key, value) for key, value in columns.items()},
        expected_years=tuple(raw.pop("expected_years")),
        home=tuple(raw.pop("home")),
        metadata=_pairs(raw.pop("metadata", None)),
        group=group,
        **{key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()},
    )


def _copy(raw: dict[str, Any]) -> Copy:
    return Copy(
        site=raw["site"],
        column=raw["column"],
        date=raw.get("date"),
        id=raw.get("id"),
        phases=tuple(raw.get("phases", PHASES)),
        edits={int(k): _pairs(v) for k, v in raw.get("edits", {}).items()},
        append=raw.get("append", ""),
        prepend=raw.get("prepend", ""),
        title_suffix=raw.get("title_suffix", ""),
        also=tuple((item["column"], item["href"]) for item in raw.get("also", [])),
    )


@cache
def sites(group: str = "replica") -> dict[str, Site]:
    """Every site of the group's sites.yaml, in file order."""
    return {slug: _site(slug, dict(raw), group) for slug, raw in _load("sites.yaml", group).items()}


@cache
def reports(group: str = "replica") -> tuple[Report, ...]:
    """Every report of the group's reports.yaml; a copy must name a known site and column."""
    found = []
    for key, raw in _load("reports.yaml", group).items():
        copies = tuple(_copy(item) for item in raw["copies"])
        for item in copies:
            if item.column not in sites(group)[item.site].columns:
                raise ValueError(f"{key}: {item.site} has no column {item.column}")
        found.append(Report(key, raw["fixture"], copies))
    return tuple(found)


@cache
def documents(group: str = "replica") -> dict[str, Any]:
    """The distractor kinds and filler genres of data/documents.yaml, with the group's own
    (a held-out group's documents.yaml adds kinds and genres, never replaces one)."""
    shared = _load("documents.yaml")
    if group == "replica":
        return shared
    own = _load("documents.yaml", group)
    if own["kinds"].keys() & shared["kinds"].keys() or own["fillers"].keys() & shared["fillers"]:
        raise ValueError(f"{group}: documents.yaml redefines a shared kind or genre")
    return {key: shared[key] | own[key] for key in ("kinds", "fillers")}
