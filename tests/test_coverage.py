"""Coverage accounting on both backends: every status and its edge, the department sources,
old names by year, `fazhi health`'s missing years, and the ``coverage`` view agreeing with
archive.coverage.accounting row for row."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from archive.coverage.accounting import FIELDS, account, missing_by_source
from archive.runs import history
from archive.runs.schedule_policy import Policy
from archive.storage.models import CrawlRun, Report, ReportVersion, Sighting, Source
from tests.cli_runner import fazhi

CHINA = dt.timezone(dt.timedelta(hours=8))
_ids = itertools.count(1)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def source(session: Session, slug: str, code: str, level: str, agency: str) -> None:
    home = f"http://{slug}.example/"
    session.add(
        Source(
            slug=slug,
            name=agency,
            agency=agency,
            level=level,
            division_code=code,
            home_url=home,
            domains=[f"{slug}.example"],
        )
    )


def report(
    session: Session,
    agency: str,
    code: str,
    year: int,
    published: dt.date | None,
    first_seen: dt.datetime,
    urls: tuple[tuple[str, bool], ...] = (("http://site.example/r.html", False),),
) -> int:
    row = Report(
        identity_key=f"{agency}|{year}|{next(_ids)}",
        agency=agency,
        report_year=year,
        division_code=code,
    )
    session.add(row)
    session.flush()
    version = ReportVersion(
        report_id=row.id,
        version=1,
        content_sha256=f"{next(_ids):064d}",
        title="报告",
        title_original="报告",
        text="正文",
        text_original="正文",
        published_date=published,
        first_seen=first_seen,
        last_seen=first_seen,
    )
    session.add(version)
    session.flush()
    for offset, (url, repost) in enumerate(urls):
        seen = first_seen + dt.timedelta(hours=offset)
        session.add(
            Sighting(
                version_id=version.id,
                url=url,
                site="site.example",
                is_repost=repost,
                first_seen=seen,
                last_seen=seen,
            )
        )
    return row.id


def crawl(
    session: Session, started: dt.datetime, answered: dict[str, int], status: str = "ok"
) -> None:
    stats = {f"fazhi/answered/{slug}": n for slug, n in answered.items()}
    session.add(
        CrawlRun(
            trigger="manual",
            started_at=started,
            finished_at=started,
            sources=sorted(answered),
            status=status,
            stats=stats,
        )
    )


@pytest.fixture
def archive(engine: Engine) -> Engine:
    """南昌's districts in every state a report on 2023 can be in, and 上饶县 in 2018."""
    with Session(engine) as s:
        for slug, code in (
            ("nanchang", "360121"),
            ("xihu", "360103"),
            ("qingyunpu", "360104"),
            ("qingshanhu", "360111"),
            ("xinjian", "360112"),
            ("honggutan", "360113"),
            ("guangxin", "361104"),
        ):
            source(s, slug, code, "县", f"{slug}人民政府")
        source(s, "nc-sfj", "360100", "部门", "南昌市司法局")
        source(s, "gx-sfj", "361104", "部门", "上饶市广信区司法局")
        due = utc(2024, 3, 31, 16)  # 1 April 2024, 00:00 in China
        report(s, "南昌县人民政府", "360121", 2023, dt.date(2024, 3, 31), utc(2024, 5, 1))
        report(s, "南昌市西湖区人民政府", "360103", 2023, dt.date(2024, 4, 1), utc(2024, 2, 1))
        urls = (("http://mirror.example/a", True), ("http://qingyunpu.example/b", False))
        just_before = due - dt.timedelta(seconds=1)
        report(s, "南昌市青云谱区人民政府", "360104", 2023, None, just_before, urls=urls)
        report(s, "南昌市青云谱区人民政府", "360104", 2023, dt.date(2024, 6, 1), utc(2024, 6, 1))
        report(s, "南昌市青山湖区人民政府", "360111", 2023, None, due)
        report(s, "安义县人民政府", "360123", 2023, dt.date(2024, 1, 5), utc(2024, 1, 6))
        report(s, "南昌市司法局", "360100", 2023, dt.date(2024, 2, 1), utc(2024, 2, 2))
        # the 2018 report of 上饶县, filed under today's 广信区 as region_of files it
        report(s, "上饶县人民政府", "361104", 2018, dt.date(2019, 3, 1), utc(2019, 3, 2))
        opened = utc(2023, 12, 31, 16)  # 1 January 2024 in China
        crawl(s, opened, {"xinjian": 3})
        crawl(s, opened - dt.timedelta(seconds=1), {"honggutan": 5})  # before the window
        crawl(s, opened + dt.timedelta(days=1), {"honggutan": 5}, status="failed")
        crawl(s, opened + dt.timedelta(days=2), {"honggutan": 0, "xinjian": 1})
        crawl(s, utc(2019, 2, 1), {"guangxin": 2})
        s.commit()
    return engine


def by_publisher(engine: Engine, year: int) -> dict[tuple[str, str], Any]:
    with Session(engine) as session:
        return {(e.division_code, e.level): e for e in account(session, year)}


def test_every_status_and_its_edge(archive: Engine) -> None:
    found = by_publisher(archive, 2023)
    expected = {
        "360121": ("on_time", dt.date(2024, 3, 31), "page", "nanchang"),  # the day before
        "360103": ("late", dt.date(2024, 4, 1), "page", "xihu"),  # on the deadline day
        "360104": ("on_time", None, "first_seen", "qingyunpu"),  # seen a second before it
        "360111": ("undated", None, "first_seen", "qingshanhu"),  # seen at the deadline
        "360112": ("missing", None, None, "xinjian"),  # answered after the window opened
        "360113": ("missing", None, None, "honggutan"),  # before, failed, or no answer
        "360123": ("on_time", dt.date(2024, 1, 5), "page", None),  # found, though no portal
        "360100": ("no_portal", None, None, None),  # its 司法局's report is not its own
        "360102": ("no_portal", None, None, None),
    }
    assert (found["360112", "县"].crawled, found["360113", "县"].crawled) == (True, False)
    for code, (status, published, date_source, slug) in expected.items():
        entry = found[code, "县" if code != "360100" else "市"]
        assert (entry.status, entry.published_date, entry.date_source, entry.source_slug) == (
            status,
            published,
            date_source,
            slug,
        ), code
    qingyunpu = found["360104", "县"]
    assert qingyunpu.url == "http://qingyunpu.example/b"  # the body's own page, not the mirror
    assert qingyunpu.first_seen == utc(2024, 3, 31, 15, 59, 59)
    assert found["360103", "县"].agency == "南昌市西湖区人民政府"


def test_departments_are_publishers_under_their_division(archive: Engine) -> None:
    found = by_publisher(archive, 2023)
    department = found["360100", "部门"]
    assert (department.agency, department.status, department.source_slug) == (
        "南昌市司法局",
        "on_time",
        "nc-sfj",
    )
    assert (found["361104", "部门"].status, found["361104", "部门"].crawled) == ("missing", False)
    # 广信区 did not exist in 2018: neither it nor its 司法局 was expected to report on 2018
    in_2018 = by_publisher(archive, 2018)
    assert ("361104", "部门") not in in_2018 and ("361104", "县") not in in_2018


def test_a_report_by_an_old_name_counts_for_the_division_of_its_year(archive: Engine) -> None:
    in_2018 = by_publisher(archive, 2018)
    shangrao = in_2018["361121", "县"]
    assert (shangrao.agency, shangrao.status, shangrao.source_slug) == (
        "上饶市上饶县人民政府",
        "on_time",
        "guangxin",
    )
    xinjian = by_publisher(archive, 2014)["360122", "县"]  # 新建县 before 撤县设区
    assert (xinjian.agency, xinjian.source_slug) == ("南昌市新建县人民政府", "xinjian")
    assert ("360112", "县") not in by_publisher(archive, 2014)


def test_the_view_says_what_the_accounting_says(archive: Engine) -> None:
    for year in (2014, 2018, 2023):
        with Session(archive) as session:
            accounted = sorted(_plain(e.as_json()) for e in account(session, year))
            rows = session.execute(
                text("SELECT * FROM coverage WHERE report_year = :y"), {"y": year}
            ).mappings()
            viewed = sorted(_plain(dict(row)) for row in rows)
        assert len(accounted) > 3000
        assert viewed == accounted, year


def _plain(row: dict[str, Any]) -> tuple[Any, ...]:
    """A row with dates as ISO text, the form both backends and the JSON share."""

    def iso(value: Any) -> Any:
        if isinstance(value, str) and len(value) > 10 and value[4] == "-":
            value = dt.datetime.fromisoformat(value)  # SQLite's timestamps are text
        if isinstance(value, dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        return value.isoformat() if isinstance(value, dt.date) else value

    return tuple(iso(row[name]) for name in FIELDS)


def test_health_lists_the_view_s_missing_years_once_the_window_closed(archive: Engine) -> None:
    with Session(archive) as session:
        missing = missing_by_source(session)
        # a crawl after the window of 2023 counts for every year before: not found, missing
        assert missing["xinjian"] == set(range(2002, 2024))
        seen = {year for year in missing["xinjian"] if year >= 2023}  # what the source expects
        policy = Policy()
        before = dt.datetime(2024, 4, 30, 23, 59, tzinfo=CHINA)
        assert history.health(session, "xinjian", policy, seen, now=before).missing == ()
        after = dt.datetime(2024, 5, 1, tzinfo=CHINA)
        assert history.health(session, "xinjian", policy, seen, now=after).missing == (2023,)


@pytest.mark.slow  # ~3 s a backend: the national table of ~3,250 publishers
def test_fazhi_coverage_on_the_shipped_registry(database_url: str) -> None:
    result = fazhi("coverage", "--year", "2023", "--format", "json", "--db", database_url)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert set(rows[0]) >= set(FIELDS)
    levels = {level: sum(r["level"] == level for r in rows) for level in ("省", "市", "县")}
    assert levels == {"省": 31, "市": 333, "县": 2844}
    assert len({r["province"] for r in rows}) == 31
    assert {r["status"] for r in rows} == {"no_portal", "missing"}
    assert not any(r["crawled"] for r in rows)  # nothing crawled yet: every missing unchecked
    bj = next(r for r in rows if r["division_code"] == "110000" and r["level"] == "省")
    assert (bj["agency"], bj["source_slug"], bj["report_year"]) == ("北京市人民政府", "bj", 2023)

    table = fazhi("coverage", "--year", "2023", "--db", database_url)
    assert table.exit_code == 0, table.stderr
    assert "北京市人民政府" in table.stdout
    [total] = [line for line in table.stdout.splitlines() if "│ all " in line][-1:]
    assert str(len(rows)) in total

    jiangxi = fazhi(
        "coverage",
        "--year",
        "2023",
        "--province",
        "江西",
        "--level",
        "县",
        "--format",
        "csv",
        "--db",
        database_url,
    )
    lines = jiangxi.stdout.splitlines()
    assert lines[0] == ",".join(FIELDS)
    assert len(lines) - 1 == sum(r["province"] == "江西省" and r["level"] == "县" for r in rows)
