"""What every held-out set's crawl test does (tests/test_heldout*_crawl.py): crawl the set's
portals in their two phases into each backend, score them (tests/heldout_score.py), and hold
each portal and aspect to a perfect score but for the misses the test module names, each a
strict xfail (a fix elsewhere that makes one pass turns it into an error there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from tests.heldout_score import Score, scoreboard
from tests.replica import config
from tests.replica_crawl import Crawled, crawled_replica
from tests.services import fresh_postgres_database

ASPECTS = ("reports", "versions", "dates", "texts", "distractors", "audit")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def crawled_fixture(group: str) -> Callable[..., Iterator[Crawled]]:
    """A module fixture: GROUP's portals crawled once per phase into each backend."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def crawled(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, token: str
    ) -> Iterator[Crawled]:
        data = tmp_path_factory.mktemp(group)
        if request.param == "sqlite":
            with crawled_replica(data, group) as crawled:
                yield crawled
            return
        with (
            fresh_postgres_database(f"{token}_{group}") as url,
            crawled_replica(data, group, url) as crawled,
        ):
            yield crawled

    return crawled


def cases(group: str, misses: Mapping[tuple[str, str], str]) -> list[object]:
    """(portal, aspect) for every portal of GROUP, a miss marked as a strict xfail."""
    unknown = set(misses) - {(site, aspect) for site in config.sites(group) for aspect in ASPECTS}
    if unknown:
        raise ValueError(f"misses name no portal and aspect of {group}: {sorted(unknown)}")
    return [
        pytest.param(
            site,
            aspect,
            id=f"{site}-{aspect}",
            marks=[pytest.mark.xfail(strict=True, reason=misses[site, aspect])]
            if (site, aspect) in misses
            else [],
        )
        for site in config.sites(group)
        for aspect in ASPECTS
    ]


def runs_finish_healthy(crawled: Crawled) -> None:
    for run in crawled.runs:
        assert run.returncode == 0, run.stderr[-3000:]
    statuses = crawled.db.execute("SELECT status, verdict FROM crawl_run ORDER BY id").fetchall()
    assert statuses == [("ok", "healthy"), ("ok", "healthy")]


def check(score: Score, aspect: str) -> None:
    """ASPECT of one portal's score is perfect; the problems say what is not."""
    problems = score.problems.get(aspect, [])
    if aspect == "reports":
        assert (score.reports_found, problems) == (score.reports, [])
    elif aspect == "versions":
        assert (score.versions_found, problems) == (score.versions, [])
    elif aspect == "dates":  # over the versions found; a version not found fails `versions`
        assert (score.dates_right, problems) == (score.dates, [])
    elif aspect == "texts":  # over the versions found, as `dates`
        assert (score.texts_right, problems) == (score.texts, [])
    elif aspect == "distractors":
        assert (score.distractors_archived, score.unexpected_reports, problems) == (0, 0, [])
    else:
        assert score.links_seen > 0
        assert (score.links_unaccounted, problems) == (0, [])


def heldout_tests(group: str, misses: Mapping[tuple[str, str], str]) -> tuple[object, ...]:
    """A test module's fixtures and tests for GROUP (bind them to module names: pytest collects
    what the module holds): ``crawled``, ``board``, the runs' health, one test per portal and
    aspect."""
    crawled = crawled_fixture(group)

    @pytest.fixture(scope="module")
    def board(crawled: Crawled) -> dict[str, Score]:
        return scoreboard(crawled)

    def test_both_runs_finish_healthy(crawled: Crawled) -> None:
        runs_finish_healthy(crawled)

    @pytest.mark.parametrize(("site", "aspect"), cases(group, misses))
    def test_portal(board: dict[str, Score], site: str, aspect: str) -> None:
        check(board[site], aspect)

    return crawled, board, test_both_runs_finish_healthy, test_portal
