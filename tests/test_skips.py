"""The skip audit: why each link a crawl saw was left, kept once per URL, stored and shown.

The crawl-level proofs are in tests/test_crawl_e2e.py (every link on every page read is
fetched or left with a reason) and tests/faults/test_flood.py (every cut in the audit).
"""

from __future__ import annotations

import json

import pytest
from scrapy.exceptions import IgnoreRequest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive.runs import skips
from archive.runs.skips import Skip
from archive.storage.models import CrawlRun
from crawler.discovery import Link, LinkKind, classify_link
from crawler.floods import ERROR_RUN, FloodCut
from crawler.middlewares import OffsiteRefused
from crawler.robots import RobotsUnavailable
from crawler.skips import ROBOTS_FORBIDDEN, SkipAudit, dropped_reason, reason_to_leave
from tests.cli_runner import fazhi

PAGE = "http://portal.example/col/"
REPORT = "某区人民政府关于2023年法治政府建设情况的报告"


def leave(link: Link, page_kind: str = LinkKind.LISTING, depth: int = 1) -> tuple | None:
    return reason_to_leave(link, page_kind, stale=False, depth=depth, max_depth=6, explore_depth=2)


def test_a_report_link_on_a_listing_is_followed() -> None:
    assert leave(classify_link("http://portal.example/art/2024/3/1/art_1.html", REPORT)) is None


def test_a_distractor_is_left_with_its_document_type() -> None:
    link = classify_link(
        "http://portal.example/art/2024/1/1/art_2.html", "某区2023年政府信息公开工作年度报告"
    )
    assert leave(link) == ("not-a-report", str(link.doc_type))
    assert link.doc_type is not None


def test_links_of_a_report_page_but_its_files_are_left() -> None:
    page = LinkKind.CANDIDATE
    listing = classify_link("http://portal.example/fzzfjs/", "法治政府建设")
    attachment = classify_link("http://portal.example/files/r.pdf", REPORT + ".pdf")
    assert leave(listing, page) == ("report-page", "from a report page only its files are followed")
    assert leave(attachment, page) is None


def test_depth_limits_are_named_in_the_detail() -> None:
    listing = Link("http://portal.example/a/", "法治政府建设", LinkKind.LISTING, 5)
    explore = Link("http://portal.example/b/", "其他", LinkKind.EXPLORE, 1)
    assert leave(listing, depth=7) == ("depth", "listing depth 7 > FAZHI_MAX_DEPTH 6")
    assert leave(explore, depth=3)[0] == "depth"  # type: ignore[index]
    assert leave(explore, depth=2) is None


def test_a_stale_pager_is_a_trap() -> None:
    pager = Link("http://portal.example/col/index_2.html", "下一页", LinkKind.PAGINATION, 50)
    assert reason_to_leave(pager, LinkKind.PAGINATION, True, 1, 6, 2) == (
        "trap",
        "pager brings no new link",
    )


def test_the_first_reason_stands_and_a_followed_link_leaves_the_audit() -> None:
    audit = SkipAudit()
    audit.left("s", "http://portal.example/a?y=2&x=1", "depth", found_on=PAGE)
    audit.left("s", "http://portal.example/a?x=1&y=2", "trap")  # the same URL, canonically
    assert [(s.reason, s.found_on) for s in audit.skips()] == [("depth", PAGE)]
    audit.followed("http://portal.example/a?x=1&y=2")
    audit.left("s", "http://portal.example/a?x=1&y=2", "depth")  # seen again, deeper
    assert audit.skips() == []


def test_a_request_dropped_after_it_was_made_is_left_after_all() -> None:
    audit = SkipAudit()
    audit.followed("http://portal.example/x")
    audit.dropped("s", "http://portal.example/x", "error-run", found_on=PAGE, anchor="栏目")
    assert audit.skips() == [Skip("s", "http://portal.example/x", PAGE, "栏目", "error-run")]


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        (FloodCut(ERROR_RUN, "error-run: …"), "error-run"),
        (OffsiteRefused("elsewhere"), "off-scope"),
        (RobotsUnavailable("robots.txt answered 503"), "robots"),
        (IgnoreRequest(ROBOTS_FORBIDDEN), "robots"),
        (IgnoreRequest("something else"), None),  # a fetch failure: its fetch row says why
    ],
)
def test_refusals_before_sending_map_to_reasons(refusal: IgnoreRequest, reason: str | None) -> None:
    assert dropped_reason(refusal) == reason


def _run_with_skips(engine: Engine) -> int:
    with Session(engine) as session:
        run = CrawlRun(trigger="manual", sources=["s", "t"], status="ok", verdict="healthy")
        session.add(run)
        session.flush()
        left = [
            Skip("s", "http://a.example/1", PAGE, "一", "depth", "listing depth 7"),
            Skip("s", "http://b.example/", PAGE, None, "off-scope"),
            Skip("t", "http://a.example/2", None, None, "error-run"),
        ]
        assert skips.store(session, run.id, left) == 3
        # written again (a replayed close): the first rows stand, nothing doubles
        skips.store(session, run.id, [Skip("s", "http://a.example/1", None, None, "trap")])
        session.commit()
        return run.id


def test_stored_once_per_url_and_read_back_by_reason_and_source(engine: Engine) -> None:
    run_id = _run_with_skips(engine)
    with Session(engine) as session:
        assert skips.counts(session, run_id) == {"depth": 1, "error-run": 1, "off-scope": 1}
        assert [s.url for s in skips.skipped(session, run_id, source="s")] == [
            "http://a.example/1",
            "http://b.example/",
        ]
        depth = skips.skipped(session, run_id, reason="depth")
        assert depth == [Skip("s", "http://a.example/1", PAGE, "一", "depth", "listing depth 7")]


def test_runs_show_counts_and_lists_what_a_run_left(engine: Engine, database_url: str) -> None:
    run_id = _run_with_skips(engine)
    shown = fazhi("runs", "show", str(run_id), "--db", database_url)
    assert shown.exit_code == 0, shown.output
    assert "links left:  3 (depth 1, error-run 1, off-scope 1)" in shown.stdout
    assert f"fazhi runs show {run_id} --skipped" in shown.stdout
    listed = fazhi(
        "runs", "show", str(run_id), "--skipped", "--reason", "off-scope", "--json",
        "--db", database_url,
    )  # fmt: skip
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {"source_slug": "s", "url": "http://b.example/", "found_on": PAGE, "anchor": None,
         "reason": "off-scope", "detail": None}
    ]  # fmt: skip


def test_runs_show_refuses_an_unknown_run_or_reason(engine: Engine, database_url: str) -> None:
    run_id = _run_with_skips(engine)
    unknown_run = fazhi("runs", "show", str(run_id + 1), "--db", database_url)
    assert unknown_run.exit_code != 0 and f"no run {run_id + 1}" in unknown_run.output
    bad_reason = fazhi("runs", "show", str(run_id), "--reason", "whim", "--db", database_url)
    assert bad_reason.exit_code != 0 and "no reason 'whim'" in bad_reason.output
    table = fazhi("runs", "show", str(run_id), "--skipped", "--db", database_url)
    assert "http://a.example/2" in table.stdout and "error-run" in table.stdout
