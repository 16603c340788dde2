"""What the replica holds, for the end-to-end test: the manifest and the source registry.

The manifest is read off the built sites (site.py's facts), never written by hand, so it
names exactly the URLs the servers answer. Report texts are keyed by a short hash (`label`):
copies with the same label serve the same report text, and a report's `versions` per phase are
the distinct labels online in that phase. A copy is a `repost` when the site is not the issuing
body's own (the archive's Sighting.is_repost): a mirror, a content farm, another body's portal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from tests.replica import config
from tests.replica.fixture_tools import fixture_spec, page_build, reader_text
from tests.replica.site import SiteBuild

# (slug, phase) -> the site as built in that phase
Builds = Callable[[str, int], SiteBuild]
LISTS = (
    "listings", "distractors", "fillers", "redirects", "missing", "decoys", "traps", "sitemaps"
)  # fmt: skip


def label(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def manifest(bases: dict[str, str], builds: Builds, group: str = "replica") -> dict[str, Any]:
    """Every report, distractor, listing and hazard of the group, with absolute URLs."""
    texts: dict[str, str] = {}
    reports = {report.key: _report_head(report) for report in config.reports(group)}
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in LISTS}
    for phase in config.PHASES:
        for slug, base in bases.items():
            build = builds(slug, phase)
            _sightings(reports, texts, build, base, phase)
            _listings(found["listings"], build, base, phase)
            if phase == 1:
                _phase_free(found, build, base)
    for report in reports.values():
        report["versions"] = _versions(report, texts)
        report["dates"] = _version_dates(report)
    return {"sites": dict(bases), "reports": list(reports.values()), "texts": texts, **found}


def _sightings(
    reports: dict[str, dict[str, Any]],
    texts: dict[str, str],
    build: SiteBuild,
    base: str,
    phase: int,
) -> None:
    """Where each report's pages and files are online in this phase, and with which text."""
    slug = build.site.slug
    for copy in build.facts.copies:
        texts[label(copy.text)] = copy.text
        entry = _online(reports[copy.report]["copies"], base + copy.path, slug)
        entry["repost"] = build.site.agency != reports[copy.report]["agency"]
        entry["text"][phase] = label(copy.text)
        entry["date"] = copy.date.isoformat()
        entry["attachments"] = [dict(item) for item in copy.attachments]
        if copy.parts:
            entry["parts"] = [base + part for part in copy.parts]
    for item in build.facts.files:
        texts[label(item.text)] = item.text
        entry = _online(reports[item.report]["files"], base + item.path, slug)
        entry["media_type"] = item.media_type
        entry["text"][phase] = label(item.text)


def _listings(found: list[dict[str, Any]], build: SiteBuild, base: str, phase: int) -> None:
    for listing in build.facts.listings:
        entry = _keyed(found, build.site.slug, listing.column, listing.title)
        entry["pages"][phase] = [base + path for path in listing.pages]
        entry["items"][phase] = listing.items


def _report_head(report: config.Report) -> dict[str, Any]:
    spec = fixture_spec(report.fixture)
    expected = spec["expected"]
    return {
        "key": report.key,
        "title": reader_text.reader_view(page_build.page_title(spec), expected["script"]),
        "agency": expected["agency"],
        "year": expected["report_year"],
        "document_date": expected.get("document_date", expected.get("signed_date")),
        "copies": [],
        "files": [],
    }


def _online(entries: list[dict[str, Any]], url: str, site: str) -> dict[str, Any]:
    """The entry for a URL, created on first sight; `text` maps phase → label."""
    for entry in entries:
        if entry["url"] == url:
            return entry
    entry = {"url": url, "site": site, "text": {}}
    entries.append(entry)
    return entry


def _keyed(entries: list[dict[str, Any]], site: str, column: str, title: str) -> dict[str, Any]:
    for entry in entries:
        if (entry["site"], entry["column"]) == (site, column):
            return entry
    entry = {"site": site, "column": column, "title": title, "pages": {}, "items": {}}
    entries.append(entry)
    return entry


def _versions(report: dict[str, Any], texts: dict[str, str]) -> dict[int, list[str]]:
    """Distinct non-empty report texts online per phase (an attachment-only page has none)."""
    versions = {}
    for phase in config.PHASES:
        labels = [
            entry["text"][phase]
            for entry in report["copies"] + report["files"]
            if phase in entry["text"] and texts[entry["text"][phase]]
        ]
        versions[phase] = sorted(set(labels))
    return versions


def _version_dates(report: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """Label -> the dates its version must carry: `published_date`, the earliest date a page
    of the publisher (else any page) prints for that text; `document_date`, the report's
    成文日期 / 落款 date (a correction keeps the document's date)."""
    dates: dict[str, dict[str, str | None]] = {}
    own = [copy for copy in report["copies"] if not copy["repost"]] or report["copies"]
    for copy in sorted(own, key=lambda c: c["date"]):
        for text in copy["text"].values():
            dates.setdefault(
                text, {"published_date": copy["date"], "document_date": report["document_date"]}
            )
    return dates


def _phase_free(found: dict[str, list[dict[str, Any]]], build: SiteBuild, base: str) -> None:
    """Distractors, fillers and hazards: the same in every phase."""
    facts, slug = build.facts, build.site.slug
    for document in facts.documents:
        key = "distractors" if document.doc_type else "fillers"
        entry = {"url": base + document.path, "site": slug, "title": document.title}
        if document.doc_type:
            entry["doc_type"] = document.doc_type
        found[key].append(entry)
    for redirect in facts.redirects:
        chain = [{"status": status, "url": base + path} for status, path in redirect.hops]
        found["redirects"].append({"site": slug, "chain": chain, "to": base + redirect.target})
    for entry in facts.missing:
        found["missing"].append({"site": slug, "url": base + entry.path, "title": entry.title})
    for decoy in facts.decoys:
        found["decoys"].append(
            {
                "site": slug,
                "url": base + decoy.path,
                "title": decoy.title,
                "disallowed_by": decoy.rule,
            }
        )
    for sitemap in facts.sitemaps:
        found["sitemaps"].append(
            {
                "site": slug,
                "robots": base + "/robots.txt",
                "index": base + sitemap.index,
                "urlsets": [base + path for path in sitemap.urlsets],
            }
        )
    for trap in facts.traps:
        found["traps"].append(
            {
                "site": slug,
                "kind": trap.kind,
                "start": base + trap.start,
                "pattern": trap.pattern,
                "beyond": trap.beyond,
                "note": trap.note,
            }
        )


def registry_entries(
    bases: dict[str, str], origin: dict[str, str], group: str = "replica"
) -> list[dict[str, Any]]:
    """One source-registry record per served site (ORIGIN: its portal in config), as the
    crawler's registry holds them (a 站群's sites: one record each, one host)."""
    entries = []
    for slug, base in bases.items():
        site = config.sites(group)[origin[slug]]
        home = base + site.home_path
        entries.append(
            {
                "slug": slug,
                "name": site.name,
                "agency": site.agency,
                "level": site.level,
                "region": dict(site.region) if site.region else None,
                "division_code": site.division_code,
                "home_url": home,
                "domains": [base.removeprefix("http://")],
                "entry_urls": [home],
                "render": "auto",
                "expected_years": list(site.expected_years),
            }
        )
    return entries
