"""One replica site in one phase: every route it serves, and the facts the manifest is made of.

The build reads the site's data (config.py), draws each page with the fixture generator
(drawing.py), files documents into their columns, pages the columns (listing.py) and adds the
hazards (hazards.py). Ids, dates and texts are deterministic, so phase 1 built twice is the
same site byte for byte, and phase 2 differs only where the data says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tests.replica import config, listing, scripted
from tests.replica.config import Column, Copy, Report, Site
from tests.replica.drawing import (
    Block,
    Chrome,
    Drawn,
    annotate,
    annotated,
    context,
    draw,
    edited,
    markup_blocks,
    site_spec,
    summary,
)
from tests.replica.facts import (
    CopyFact,
    DecoyFact,
    DocumentFact,
    Facts,
    FileFact,
    ListingFact,
    filler_titles,
)
from tests.replica.fixture_tools import (
    SEEDS,
    body_markup,
    fixture_spec,
    page_build,
    reader_text,
    report_file,
)
from tests.replica.listing import Entry
from tests.replica.resource import Handler, Resource, target_of
from tests.replica.site_routes import TODAY, SiteRoutes

FILLER_SPACING_DAYS = (2, 3, 4)
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class SiteBuild:
    """A site as served in one phase."""

    site: Site
    routes: dict[str, Resource]
    handlers: list[Handler]
    facts: Facts
    not_found: Resource

    def respond(self, target: str) -> Resource:
        """The response to a request target (path and query, as the client sent it)."""
        return self.find(target) or self.not_found

    def find(self, target: str) -> Resource | None:
        """This site's own resource for a target, or None (a 站群 host asks its next site)."""
        if target in self.routes:
            return self.routes[target]
        for handler in self.handlers:
            if found := handler(target):
                return found
        return None


def build_site(site: Site, base: str, phase: int) -> SiteBuild:
    return _Builder(site, base, phase).build()


class _Builder(SiteRoutes):
    def __init__(self, site: Site, base: str, phase: int) -> None:
        self.site, self.base, self.phase = site, base, phase
        self.chrome = Chrome(site)
        self.routes: dict[str, Resource] = {}
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        self.facts = Facts()
        self.ids = itertools.count(site.first_id)

    def build(self) -> SiteBuild:
        self._report_copies()
        self._decoys()
        self._documents()
        self._missing()
        handlers = self._columns()
        self._home()
        self._menu()
        self._sitemap()
        self._robots()
        self._redirects()
        handlers += [trap.handler for trap in self._traps()]
        listing_html = listing.list_box("404", "<p>您访问的页面不存在或已被删除。</p>")
        not_found = Resource(404, self.site.content_type, self._page("页面不存在", listing_html))
        return SiteBuild(self.site, self.routes, handlers, self.facts, not_found)

    # -- documents ------------------------------------------------------------------------

    def _serve(self, path: str, content_type: str, body: bytes) -> None:
        if path in self.routes:
            raise ValueError(f"{self.site.slug}: two resources at {path}")
        self.routes[path] = Resource(200, content_type, body)

    def _file(self, column: str, path: str, drawn: Drawn, date: dt.date, content_type: str) -> None:
        """Serve a drawn page and list it in its column (a Vue site: its shell, and the JSON
        its script fills the shell from)."""
        if self.site.article_render == "vue":
            shell, api, data = scripted.vue_article(drawn, self.site, path, date)
            self._serve(path, content_type, shell)
            self._serve(api, scripted.JSON_TYPE, data)
        else:
            self._serve(path, content_type, drawn.body)
        for part, body in drawn.parts:  # its later pages (正文分页), its frame
            self._serve(part, content_type, body)
        self.entries[column].append(Entry(drawn.title, date, path))

    def _article_path(self, column: Column, date: dt.date, ident: int) -> str:
        return column.article.format(
            column=column.path, date=date, id=ident, bucket=ident // 1000, shelf=ident // 1_000_000
        )

    def _report_copies(self) -> None:
        for report in config.reports(self.site.group):
            for copy in report.copies:
                if copy.site == self.site.slug and self.phase in copy.phases:
                    self._report_copy(report, copy)

    def _report_copy(self, report: Report, copy: Copy) -> None:
        fixture = fixture_spec(report.fixture)
        if copy.date is None:  # the saved page itself, at its own URL path
            path = target_of(fixture["url"])
            date = dt.date.fromisoformat(fixture["expected"]["published_date"])
            spec = {**fixture, "url": self.base + path}
            blocks = edited(page_build.page_blocks(spec, SEEDS), copy.edits_in(self.phase))
            drawn, content_type = draw(spec, blocks), fixture["content_type"]
        else:
            if copy.id is None:
                raise ValueError(f"{report.key}: a copy on {copy.site} needs an id")
            date, column = copy.date, self.site.columns[copy.column]
            path = self._article_path(column, date, copy.id)
            edits = copy.edits_in(self.phase)
            drawn = self._redrawn(
                fixture, path, date, copy.id, edits, copy.append, copy.title_suffix, copy.prepend
            )
            content_type = self.site.content_type
        self._file(copy.column, path, drawn, date, content_type)
        for column_key, href in copy.also:
            self.entries[column_key].append(Entry(drawn.title, date, href))
        parts = tuple(part for part, _ in drawn.parts)
        self.facts.copies.append(
            CopyFact(report.key, path, drawn.text, drawn.attachments, date, parts)
        )
        self._attachment_files(report, drawn)

    def _redrawn(
        self,
        fixture: dict[str, Any],
        path: str,
        date: dt.date,
        ident: int,
        edits: list[tuple[str, str]],
        append: str = "",
        title_suffix: str = "",
        prepend: str = "",
    ) -> Drawn:
        """A report re-drawn in this site's skin: a repost, a copy, a re-publication."""
        url = self.base + path
        blocks = edited(page_build.page_blocks({**fixture, "url": url}, SEEDS), edits)
        blocks = body_markup.parse_markup(prepend) + blocks + body_markup.parse_markup(append)
        title = fixture["title"] + title_suffix
        expected = fixture["expected"]
        written = expected.get("document_date", expected.get("signed_date"))
        ctx = context(
            self.site, title=title, url=url, date=date, ident=ident,
            document_date=dt.date.fromisoformat(written) if written else date,
        )  # fmt: skip
        ctx["summary"] = summary(blocks)
        spec = {**fixture, **site_spec(self.site, title, ctx), "expected": expected}
        spec["bom"] = False
        return draw(spec, blocks)

    def _attachment_files(self, report: Report, drawn: Drawn) -> None:
        """The report files a page links to (an attachment-only report), served beside it."""
        for attachment in drawn.attachments:
            path = target_of(attachment["url"])
            name = path.rsplit("/", 1)[-1]
            media_type = MEDIA_TYPES[name[name.rindex(".") :]]
            body, text = report_file(report.fixture, name)
            self._serve(path, media_type, body)
            self.facts.files.append(FileFact(report.key, path, media_type, text))

    def _decoys(self) -> None:
        for decoy in self.site.decoys:
            report = next(r for r in config.reports(self.site.group) if r.key == decoy["report"])
            column = self.site.columns[decoy["column"]]
            path = self._article_path(column, decoy["date"], decoy["id"])
            drawn = self._redrawn(
                fixture_spec(report.fixture),
                path,
                decoy["date"],
                decoy["id"],
                [tuple(pair) for pair in decoy["edits"]],
                title_suffix=decoy["title_suffix"],
            )
            self._file(column.key, path, drawn, decoy["date"], self.site.content_type)
            for listed_in in decoy.get("also", []):
                self.entries[listed_in].append(Entry(drawn.title, decoy["date"], path))
            self.facts.decoys.append(DecoyFact(path, drawn.title, self._robots_rule(path)))

    def _robots_rule(self, path: str) -> str:
        for line in (self.site.robots or "").splitlines():
            rule, _, prefix = line.partition(":")
            if rule.strip() == "Disallow" and path.startswith(prefix.strip()):
                return line.strip()
        raise ValueError(f"{self.site.slug}: decoy {path} is not disallowed by robots.txt")

    def _documents(self) -> None:
        kinds = config.documents(self.site.group)["kinds"]
        for item in self.site.documents:
            if "kind" in item:
                kind = kinds[item["kind"]]
                title, path = self._document(item, kind["title"], kind, item["year"])
                self.facts.documents.append(DocumentFact(path, title, kind["doc_type"]))
            else:
                self._fillers(item)

    def _fillers(self, item: dict[str, Any]) -> None:
        genre = config.documents(self.site.group)["fillers"][item["filler"]]
        date = item["from"]
        for number, (template, n) in enumerate(filler_titles(genre["titles"], item["count"])):
            entry = {"column": item["column"], "date": date}
            title, path = self._document(entry, template, genre, date.year - 1, n=n)
            self.facts.documents.append(DocumentFact(path, title, None))
            date -= dt.timedelta(days=FILLER_SPACING_DAYS[number % len(FILLER_SPACING_DAYS)])

    def _document(
        self,
        item: dict[str, Any],
        title_template: str,
        template: dict[str, Any],
        year: int,
        n: int = 0,
    ) -> tuple[str, str]:
        """Draw a generated document into its column; returns its title as shown and its path."""
        column, date = self.site.columns[item["column"]], item["date"]
        ident = item.get("id") or next(self.ids)
        path = self._article_path(column, date, ident)
        url = self.base + path
        ctx = context(
            self.site, title="", url=url, date=date, ident=ident, year=year, next=year + 1, n=n
        )
        ctx["column_title"] = column.title
        ctx["title"] = title = title_template.format(**ctx)
        markup = template["body"] + template.get("append", "")
        preliminary = site_spec(self.site, title, ctx)
        blocks = markup_blocks(preliminary, markup.format(**ctx))
        ctx["summary"] = summary(blocks)
        spec = site_spec(self.site, title, ctx)
        if self.site.traditional:
            blocks, spec["title"] = self._mirror_form(blocks, spec["title"])
        drawn = draw(spec, blocks)
        self._file(column.key, path, drawn, date, self.site.content_type)
        return drawn.title, path

    @staticmethod
    def _mirror_form(blocks: list[Block], title: str) -> tuple[list[Block], str]:
        """A mirror's copy: Traditional (the blocks already are) with pinyin annotations."""
        return annotated(blocks), annotate(reader_text.to_traditional(title))

    def _missing(self) -> None:
        for item in self.site.missing:
            column = self.site.columns[item["column"]]
            entry = Entry(
                item["title"], item["date"], self._article_path(column, item["date"], item["id"])
            )
            self.entries[column.key].append(entry)
            self.facts.missing.append(entry)

    # -- columns, home, hazards -------------------------------------------------------------

    def _page(self, title: str, listing_html: str, date: dt.date | None = None) -> bytes:
        day = date or TODAY
        ctx = context(self.site, title=title, url=self.base, date=day, ident=0)
        ctx["column_title"] = title
        return self.chrome.page(title, listing_html, ctx)

    def _sorted(self, column: str) -> list[Entry]:
        return sorted(self.entries[column], key=lambda e: (e.date, e.path), reverse=True)

    def _columns(self) -> list[Handler]:
        handlers: list[Handler] = []
        for column in self.site.columns.values():
            if column.pager is None:
                self._serve(
                    column.path,
                    self.site.content_type,
                    self._page(column.title, listing.directory(column)),
                )
            elif column.pager.style == "gkmlpt":
                handlers.append(self._gkmlpt(column))
            elif column.pager.style == "jpage":
                handlers.append(self._jpage(column))
            else:
                self._paged(column)
        return handlers

    def _endless(self, column: Column) -> bool:
        return any(
            trap["kind"] == "endless_pages" and trap["column"] == column.key
            for trap in self.site.traps
        )

    def _list_page(self, column: Column, number: int) -> bytes:
        """Page `number` of a column; past the end (an endless pager) it repeats the last page."""
        assert column.pager is not None
        entries = self._sorted(column.key)
        pages = listing.page_count(len(entries), column.pager)
        shown = min(number, pages)
        per_page = column.pager.per_page
        chunk = entries[(shown - 1) * per_page : shown * per_page]
        body = listing.entry_list(chunk, column) + listing.pager_html(
            column, number, pages, len(entries), endless=self._endless(column)
        )
        newest = chunk[0].date if chunk else None
        return self._page(column.title, listing.list_box(column.title, body), newest)

    def _paged(self, column: Column) -> None:
        assert column.pager is not None
        entries = self.entries[column.key]
        pages = listing.page_paths(column, listing.page_count(len(entries), column.pager))
        for number, paths in enumerate(pages, 1):
            body = self._list_page(column, number)
            for path in paths:
                self._serve(path, self.site.content_type, body)
        canonical = tuple(paths[0] for paths in pages)
        self.facts.listings.append(ListingFact(column.key, column.title, canonical, len(entries)))

    def _gkmlpt(self, column: Column) -> Handler:
        """The JS-built list: shell pages without links, and the JSON endpoint they call."""
        pager = column.pager
        assert pager is not None
        entries = self._sorted(column.key)
        pages = listing.page_paths(column, listing.page_count(len(entries), pager))
        shell = self._page(column.title, listing.gkmlpt_shell(column))
        for paths in pages:
            self._serve(paths[0], self.site.content_type, shell)
        self.facts.listings.append(
            ListingFact(column.key, column.title, tuple(p[0] for p in pages), len(entries))
        )
        prefix = f"{pager.api}?page="
        suffix = f"&sid={pager.sid}"

        def endpoint(target: str) -> Resource | None:
            number = target.removeprefix(prefix).removesuffix(suffix)
            if not (target.startswith(prefix) and target.endswith(suffix) and number.isdigit()):
                return None
            body = listing.gkmlpt_json(entries, int(number), pager, self.base, self.site.name)
            return Resource(200, JSON_TYPE, body)

        return endpoint

    def _jpage(self, column: Column) -> Handler:
        """Hanweb JCMS's list unit: the first records inline, the rest from dataproxy.jsp."""
        entries = self._sorted(column.key)
        unit = scripted.JpageUnit(column, entries, self.site.name)
        self._serve(column.path, self.site.content_type, self._page(column.title, unit.inline()))
        self.routes.setdefault(scripted.JPAGE_SCRIPT, scripted.jpage_script())
        self.facts.listings.append(
            ListingFact(column.key, column.title, (column.path,), len(entries))
        )
        return unit.proxy
