"""The held-out portals' scoreboard: what a crawl of them archived, held to their manifest.

Per portal (one registry site; a 站群's sites share their host's link audit): reports and
versions found against expected, each archived version's `published_date` and `document_date`
against the page and the 落款 / 成文日期, its text against the whole report text (every line of
it: a report split over pages or embedded from a frame must be archived whole), distractors and
unexpected pages archived as reports, and the skip audit — every link on every page the runs
read, checked with lxml against what the run fetched or left with a reason (never against the
spider's own link extraction). One scorer for every held-out group (config.GROUPS): the group is
the crawled replica's.

    .venv/bin/python -m tests.heldout_score               # crawl the held-out portals, print
    .venv/bin/python -m tests.heldout_score heldout2      # the second held-out set
"""

from __future__ import annotations

import json
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from w3lib.url import canonicalize_url

from archive.storage.warc import read_capture
from tests.replica import config
from tests.replica.fixture_tools import load_skin
from tests.replica_crawl import Answers, Crawled, crawled_replica

GROUP = "heldout"  # the first held-out set; tests/test_heldout2_crawl.py scores "heldout2"


@dataclass
class Score:
    """One portal's numbers; `problems` says what each shortfall is."""

    reports: int = 0
    reports_found: int = 0
    versions: int = 0
    versions_found: int = 0
    dates: int = 0  # archived versions paired with an expected one
    dates_right: int = 0  # … whose published_date and document_date are both right
    texts: int = 0  # archived versions paired with an expected one (as `dates`)
    texts_right: int = 0  # … whose text holds every line of the expected report text
    distractors: int = 0
    distractors_archived: int = 0
    unexpected_reports: int = 0  # pages of the portal archived as reports that are none
    links_seen: int = 0
    links_unaccounted: int = 0
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def row(self) -> str:
        return (
            f"reports {self.reports_found}/{self.reports}  "
            f"versions {self.versions_found}/{self.versions}  "
            f"dates {self.dates_right}/{self.dates}  "
            f"texts {self.texts_right}/{self.texts}  "
            f"distractors archived {self.distractors_archived}/{self.distractors}  "
            f"unexpected {self.unexpected_reports}  "
            f"audit {self.links_seen - self.links_unaccounted}/{self.links_seen}"
        )


def _versions_at(db: Answers, urls: list[str]) -> set[int]:
    """Report ids sighted at any of URLS."""
    query = (
        "SELECT DISTINCT v.report_id FROM sighting s JOIN report_version v ON v.id = s.version_id "
        "WHERE s.url = ?"
    )
    return {report_id for url in urls for (report_id,) in db.execute(query, (url,))}


def _expected_order(report: dict[str, Any]) -> list[str]:
    """The report's version labels in the order the archive numbers them: by the phase a text
    first went online, then by its page's date."""
    first: dict[str, tuple[int, str]] = {}
    for copy in report["copies"]:
        for phase, text in sorted(copy["text"].items()):
            first[text] = min(first.get(text, (phase, copy["date"])), (phase, copy["date"]))
    return sorted(first, key=lambda text: first[text])


def _copy_urls(report: dict[str, Any]) -> list[str]:
    """Where a report's copies are: their pages, and the later pages (正文分页) or frames each
    is made of (a crawl may archive the report from its frame's document)."""
    return [url for copy in report["copies"] for url in [copy["url"], *copy.get("parts", [])]]


def _score_report(
    db: Answers,
    report: dict[str, Any],
    texts: dict[str, str],
    score: Score,
    without: tuple[str, ...],
) -> None:
    key = report["key"]
    expected = _expected_order(report)
    score.reports += 1
    score.versions += len(expected)
    ids = _versions_at(db, _copy_urls(report))
    if not ids:
        score.problems["reports"].append(f"{key}: not archived")
        return
    if len(ids) > 1:
        score.problems["reports"].append(f"{key}: split over reports {sorted(ids)}")
    score.reports_found += 1
    query = (
        "SELECT v.id, v.version, v.published_date, v.document_date, v.text, min(s.url) "
        "FROM report_version v JOIN sighting s ON s.version_id = v.id "
        "WHERE v.report_id = ? GROUP BY v.id"
    )
    rows = sorted(
        (row for report_id in ids for row in db.execute(query, (report_id,))),
        key=lambda row: (row[1], row[0]),
    )
    urls = set(_copy_urls(report))
    own = [row for row in rows if _sighted_within(db, row[0], urls)]
    for _, version, *_, url in (row for row in rows if row not in own):
        score.problems["versions"].append(f"{key} v{version}: another page's text ({url})")
    score.versions_found += min(len(own), len(expected))
    if len(own) != len(expected):
        score.problems["versions"].append(f"{key}: {len(own)} versions, {len(expected)} expected")
    for label, (_, version, published, document, text, _) in zip(expected, own, strict=False):
        want = _expected_text(report, label, texts)
        _score_text(key, version, text or "", want, without, score)
        want = report["dates"][label]
        got = {"published_date": published, "document_date": document}
        score.dates += 1
        if got == want:
            score.dates_right += 1
        else:
            score.problems["dates"].append(f"{key} v{version}: {got}, expected {want}")


def _expected_text(report: dict[str, Any], label: str, texts: dict[str, str]) -> str:
    """The report text of a version label; an attachment-only page's (empty): its file's."""
    if texts[label]:
        return texts[label]
    files = [texts[f] for item in report["files"] for f in item["text"].values() if texts[f]]
    return files[0] if files else ""


def _squashed(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _score_text(
    key: str, version: int, got: str, want: str, without: tuple[str, ...], score: Score
) -> None:
    """Whether an archived text holds every line of the report (whitespace and width aside)
    and none of its portal's furniture (the skin's `without` strings)."""
    score.texts += 1
    archived = _squashed(got)
    missing = [line for line in want.splitlines() if _squashed(line) not in archived]
    kept = [junk for junk in without if _squashed(junk) in archived]
    if not missing and not kept:
        score.texts_right += 1
        return
    lines = len(want.splitlines())
    if missing:
        score.problems["texts"].append(
            f"{key} v{version}: {len(missing)} of {lines} lines missing, e.g. {missing[0][:40]!r}"
        )
    if kept:
        score.problems["texts"].append(f"{key} v{version}: furniture kept: {kept}")


def _sighted_within(db: Answers, version_id: int, urls: set[str]) -> bool:
    """Whether a version was seen at one of the report's own pages (not only elsewhere)."""
    seen = db.execute("SELECT url FROM sighting WHERE version_id = ?", (version_id,))
    return any(url in urls for (url,) in seen)


def _score_documents(db: Answers, manifest: dict[str, Any], site: str, base: str,
                     score: Score, group: str) -> None:  # fmt: skip
    distractors = [d for d in manifest["distractors"] if d["site"] == site]
    score.distractors = len(distractors)
    for distractor in distractors:
        if _versions_at(db, [distractor["url"]]):
            score.distractors_archived += 1
            score.problems["distractors"].append(f"archived: {distractor['title']}")
    copies = {url for report in manifest["reports"] for url in _copy_urls(report)}
    prefix = base + _home_prefix(site, group)
    sighted = {url for (url,) in db.execute("SELECT DISTINCT url FROM sighting")}
    others = {url for url in sighted if url.startswith(prefix) and url not in copies}
    for url in sorted(others - {d["url"] for d in distractors}):
        if not _claimed_by_subsite(manifest, site, url, group):
            score.unexpected_reports += 1
            score.problems["distractors"].append(f"archived as a report: {url}")


def _home_prefix(site: str, group: str) -> str:
    """A 站群 sub-site's path prefix (/sfj/), else '' (the whole host is the site's)."""
    found = config.sites(group)[site]
    return found.home_path if found.host and found.home_path != "/" else ""


def _claimed_by_subsite(manifest: dict[str, Any], site: str, url: str, group: str) -> bool:
    """Whether URL belongs to another sub-site of the same host, under its longer prefix."""
    base = manifest["sites"][site]
    return any(
        other != site
        and other_base == base
        and len(_home_prefix(other, group)) > len(_home_prefix(site, group))
        and url.startswith(base + _home_prefix(other, group))
        for other, other_base in manifest["sites"].items()
    )


def links_on(body: bytes, url: str, content_type: str) -> set[str]:
    """Every http(s) link of a page read with lxml (HTML, and the markup of JCMS's inline XML
    datastores: links the page carries though not as elements) or json (an API's answer),
    absolute, canonical, without fragment."""
    if "json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return set()
        found: set[str] = set()
        _json_urls(data, found)
        return {canonicalize_url(u) for u in found}
    if "html" not in content_type or not body.strip():
        return set()
    document = lxml.html.fromstring(body, base_url=url)
    found = _anchors(document, url)
    for store in document.xpath('//script[@type="text/xml"]'):  # JCMS's inline datastore
        for record in lxml.etree.fromstring(store.text.encode()).iter("record", "nextgroup"):
            if record.text and record.text.strip():
                found |= _anchors(
                    lxml.html.fragment_fromstring(record.text, create_parent="div"), url
                )
    return found


def _anchors(tree: lxml.html.HtmlElement, url: str) -> set[str]:
    """<a href>s, and the documents a page embeds as its own (<iframe>/<frame> src)."""
    tree.make_links_absolute(url, handle_failures="discard")
    hrefs = [a.get("href", "") for a in tree.iter("a")]
    hrefs += [frame.get("src", "") for frame in tree.iter("iframe", "frame")]
    hrefs = [h.split("#")[0] for h in hrefs]
    return {canonicalize_url(h) for h in hrefs if urlsplit(h).scheme in ("http", "https")}


def _json_urls(data: Any, found: set[str]) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _json_urls(value, found)
    elif isinstance(data, list):
        for value in data:
            _json_urls(value, found)
    elif isinstance(data, str) and data.startswith(("http://", "https://")):
        found.add(data.split("#")[0])


@dataclass
class Audit:
    """Per host base: links seen on the pages the runs read, and those unaccounted for."""

    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # base -> "run N: page URL" -> links on that page the run neither fetched nor left
    unaccounted: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))


def audit(crawled: Crawled) -> Audit:
    """Each page a run read, as its WARC record holds it (rendered, when the run rendered it),
    against what the same run fetched or left with a reason."""
    db, result = crawled.db, Audit()
    for (run_id,) in db.execute("SELECT id FROM crawl_run ORDER BY id").fetchall():
        rows = db.execute('SELECT url, final_url FROM "fetch" WHERE crawl_run_id = ?', (run_id,))
        fetched = {canonicalize_url(u) for row in rows for u in row if u}
        left_rows = db.execute("SELECT url FROM skipped_link WHERE crawl_run_id = ?", (run_id,))
        left = {canonicalize_url(url) for (url,) in left_rows}
        pages = db.execute(
            'SELECT url, final_url, content_type, warc_file, warc_offset FROM "fetch" '
            "WHERE crawl_run_id = ? AND status = 200 AND warc_file IS NOT NULL",
            (run_id,),
        ).fetchall()
        for url, final_url, content_type, warc_file, offset in pages:
            served = read_capture(crawled.data / warc_file, offset)
            links = links_on(served.body or b"", final_url or url, content_type or "")
            base = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            result.seen[base] += len(links)
            if missing := links - fetched - left:
                result.unaccounted[base][f"run {run_id}: {url}"] = sorted(missing)
    return result


def scoreboard(crawled: Crawled) -> dict[str, Score]:
    """Every held-out portal's score after the two runs (phase 2's manifest) of the crawled
    replica's group."""
    manifest, group = crawled.manifest["2"], crawled.replica.group
    board = {site: Score() for site in manifest["sites"]}
    for report in manifest["reports"]:
        own = [c for c in report["copies"] if not c["repost"]] or report["copies"]
        site = own[0]["site"]
        without = load_skin(config.sites(group)[site].skin).without
        _score_report(crawled.db, report, manifest["texts"], board[site], without)
    audited = audit(crawled)
    for site, base in manifest["sites"].items():
        score = board[site]
        _score_documents(crawled.db, manifest, site, base, score, group)
        score.links_seen = audited.seen[base]
        for page, missing in audited.unaccounted[base].items():
            score.links_unaccounted += len(missing)
            score.problems["audit"].append(f"{page}: {len(missing)} links, e.g. {missing[0]}")
    return board


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    group = args[0] if args else GROUP
    if group not in config.GROUPS or group == "replica":
        print(f"not a held-out group: {group}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder, crawled_replica(Path(folder), group) as crawled:
        for run in crawled.runs:
            print(run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:])
        for site, score in scoreboard(crawled).items():
            print(f"{site:18} {score.row()}")
            for aspect, problems in score.problems.items():
                for problem in problems:
                    print(f"    {aspect}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
