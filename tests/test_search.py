"""archive/search: the query language, exact results on SQLite and PostgreSQL, paging, facets,
versions, and an index that stays in step with ingest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.search import QueryError, SearchFilters, SearchPage, search
from archive.search.index import reindex
from archive.search.query import Query, parse
from archive.storage import db
from archive.storage.models import Report, ReportVersion, SearchDoc
from archive.storage.versions import ingest
from tests.services import fresh_postgres_database
from tests.store_samples import (
    AGGREGATOR,
    SIMING,
    SIMING_ID,
    district_pair,
    extracted_pages,
    page,
    reposted,
    with_text,
)

SEEN = dt.datetime(2024, 3, 20, tzinfo=dt.UTC)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def archived(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, token: str
) -> Iterator[Engine]:
    """An archive of every fixture page, a repost adopted by its original, a correction:
    built once a module on each backend (the tests read it; a test that writes rolls back)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("search") / "archive.sqlite3"
        yield from _archive(f"sqlite:///{path}")
        return
    with fresh_postgres_database(f"{token}_search") as url:
        yield from _archive(url)


def _archive(url: str) -> Iterator[Engine]:
    db.upgrade(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        siming = page(SIMING_ID)
        copy = reposted(siming, "https://www.zwzxw.com.hk/difang/xiamen/48213.html")
        ingest(session, copy, url=copy.url, seen_at=SEEN, source=AGGREGATOR)
        for number, record in enumerate(extracted_pages().values()):
            source = SIMING if record is siming else None
            url = record.url or f"https://www.site{number}.gov.cn/report.html"
            ingest(session, record, url=url, seen_at=SEEN, source=source)
        fixed = correction(siming)
        ingest(session, fixed, url=fixed.url + "?v=2", seen_at=SEEN, source=SIMING)
        _, huli = district_pair()
        ingest(session, huli, url=huli.url, seen_at=SEEN)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(archived: Engine) -> Iterator[Session]:
    with Session(archived) as session:
        yield session
        session.rollback()


def correction(record: Extracted) -> Extracted:
    """Version 2 of RECORD: its fourth paragraph replaced by a correction note."""
    lines = record.text.split("\n")
    lines[3] = "本段2024年4月2日更正第三部分数据"
    return with_text(record, lines)


def everything(session: Session, q: str, **options: object) -> list[tuple[int, int]]:
    """Every (report, version) a search finds, page by page."""
    found: list[tuple[int, int]] = []
    cursor = None
    while True:
        result = search(session, q, cursor=cursor, limit=7, **options)  # type: ignore[arg-type]
        found += [(hit.report_id, hit.version) for hit in result.hits]
        if result.next_cursor is None:
            return found
        cursor = result.next_cursor


def versions(session: Session, all_versions: bool = False) -> list[ReportVersion]:
    rows = list(session.scalars(select(ReportVersion).order_by(ReportVersion.id)))
    if all_versions:
        return rows
    latest: dict[int, ReportVersion] = {}
    for row in rows:
        if row.report_id not in latest or row.version > latest[row.report_id].version:
            latest[row.report_id] = row
    return list(latest.values())


def holding(session: Session, *terms: str, all_versions: bool = False) -> set[tuple[int, int]]:
    """What the search must find: the versions whose title or text contains every term."""
    return {
        (v.report_id, v.version)
        for v in versions(session, all_versions)
        if all(t in v.title or t in v.text for t in terms)
    }


# -- the query language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "include", "exclude"),
    [
        ("复议 败诉", ("复议", "败诉"), ()),
        ('"行政 复议" -败诉', ("行政 复议",), ("败诉",)),
        ("“依法行政” -“行政  诉讼”", ("依法行政",), ("行政 诉讼",)),
        ("2023年 COVID-19", ("2023年", "COVID-19"), ()),
        ("（一） 法治。", ("(一)", "法治。"), ()),  # NFKC: full-width parentheses
        ("行政復議 法治", ("行政复议", "法治"), ()),  # Traditional → Simplified
        ("法 法", ("法",), ()),
        ("ＡＢＣ", ("ABC",), ()),
    ],
)
def test_queries_parse_into_exact_terms(
    q: str, include: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    assert parse(q) == Query(include, exclude)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "no term"),
        ("   ", "no term"),
        ("-败诉 -复议", "only excludes"),
        ('"行政复议', "unclosed quote"),
        ("x" * 201, "longer than"),
        (" ".join(f"t{i}" for i in range(21)), "at most"),
    ],
)
def test_bad_queries_are_query_errors(q: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(q)


# -- exactness ------------------------------------------------------------------------------


@pytest.mark.slow  # ~7 s on PostgreSQL: every substring of every text checked
def test_every_substring_finds_exactly_the_reports_holding_it(session: Session) -> None:
    rng = random.Random(7)
    texts = [v.text for v in versions(session)]
    terms = set()
    while len(terms) < 40:
        line = rng.choice(rng.choice(texts).split("\n"))
        size = rng.randint(1, 8)
        if len(line) > size:
            start = rng.randrange(len(line) - size)
            term = line[start : start + size]
            if term.strip() == term and " " not in term and '"' not in term:
                terms.add(term.lstrip("-“") or "法")
    terms |= {"复议", "败诉", "2023年", "法", "。", "(", "律师", "法治政府", "不在档案里的词"}
    for term in sorted(terms):
        assert set(everything(session, f'"{term}"')) == holding(session, term), term


def test_terms_are_anded_and_minus_excludes(session: Session) -> None:
    both = holding(session, "复议", "诉讼")
    assert set(everything(session, "复议 诉讼")) == both
    without = holding(session, "复议") - holding(session, "诉讼")
    assert set(everything(session, "复议 -诉讼")) == without
    assert both and without


def test_no_match_across_a_line_break_or_between_title_and_text(session: Session) -> None:
    version = max(versions(session), key=lambda v: v.text.count("\n"))
    first, second = version.text.split("\n")[:2]
    across = first[-2:] + second[:2]
    assert across not in version.text
    assert (version.report_id, version.version) not in set(everything(session, across))
    between = version.title[-2:] + version.text[:2]
    if between not in version.text:
        assert (version.report_id, version.version) not in set(everything(session, between))


def test_snippets_escape_the_text_and_mark_the_matches(session: Session) -> None:
    result = search(session, "行政复议 法治")
    hit = result.hits[0]
    assert "<mark>行政复议</mark>" in hit.snippet or "<mark>法治</mark>" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0


def test_a_hostile_title_is_escaped_in_its_snippet(session: Session) -> None:
    record = dataclasses.replace(
        page(SIMING_ID),
        title='<script>alert("法治")</script>敌意标题',
        title_original="敌意标题",
        text="<img src=x onerror=alert(1)>敌意正文" + "。" * 300,
        text_original="敌意正文",
        agency="敌意测试局",
    )
    ingest(session, record, url="https://hostile.gov.cn/a.html", seen_at=SEEN)
    hit = search(session, "敌意").hits[0]
    assert "<mark>敌意</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet


# -- paging, facets, versions ----------------------------------------------------------------


def test_cursor_pages_add_up_to_one_page_in_the_same_order(session: Session) -> None:
    whole = search(session, "法治", limit=100)
    paged = everything(session, "法治")
    assert paged == [(h.report_id, h.version) for h in whole.hits]
    assert len(paged) == whole.total == len(set(paged))
    scores = [h.score for h in whole.hits]
    assert scores == sorted(scores, reverse=True)


def test_a_cursor_is_only_good_for_its_own_search(session: Session) -> None:
    cursor = search(session, "法治", limit=2).next_cursor
    assert cursor is not None
    with pytest.raises(QueryError, match="another search"):
        search(session, "复议", cursor=cursor)
    with pytest.raises(QueryError, match="another search"):
        search(session, "法治", SearchFilters(report_year=2023), cursor=cursor)
    for bad in ("garbage!", cursor[:-3], "e30"):
        with pytest.raises(QueryError):
            search(session, "法治", cursor=bad)


def test_facets_count_the_whole_result_set(session: Session) -> None:
    result = search(session, "法治", limit=1)
    found = {key for key in holding(session, "法治")}
    reports = {
        r.id: r for r in session.scalars(select(Report).where(Report.id.in_([k[0] for k in found])))
    }
    years = Counter(str(reports[k[0]].report_year) for k in found if reports[k[0]].report_year)
    assert dict(result.facets["report_year"]) == dict(years)
    assert sum(n for _, n in result.facets["agency"]) == sum(
        1 for k in found if reports[k[0]].agency
    )
    assert result.total == len(found)
    assert set(result.facets) == {"report_year", "province", "level", "timeliness", "agency"}


def test_filters_narrow_the_results(session: Session) -> None:
    year = search(session, "法治", SearchFilters(report_year=2023))
    assert year.total == dict(search(session, "法治").facets["report_year"])["2023"]
    assert all(h.report_year == 2023 for h in year.hits)
    level = search(session, "法治", SearchFilters(level="县"))
    assert level.total >= 1 and all(h.level == "县" for h in level.hits)
    later = SearchFilters(changed_since=SEEN + dt.timedelta(days=1))
    assert search(session, "法治", later).total == 0


def test_all_versions_finds_what_only_an_old_version_says(session: Session) -> None:
    note = "2024年4月2日更正第三部分数据"  # only the correction, version 2, says it
    latest = everything(session, note)
    assert latest and all(version == 2 for _, version in latest)
    line = page(SIMING_ID).text.split("\n")[3]  # the paragraph the correction replaced
    original = line[-12:]
    assert original not in correction(page(SIMING_ID)).text
    assert everything(session, original) == []
    old = everything(session, original, all_versions=True)
    assert old and all(version == 1 for _, version in old)
    assert set(everything(session, "法治", all_versions=True)) == holding(
        session, "法治", all_versions=True
    )


# -- the index follows the archive ----------------------------------------------------------


def _index_state(session: Session) -> tuple[list[tuple[object, ...]], list[SearchPage]]:
    columns = SearchDoc.__table__.columns
    docs = [tuple(row) for row in session.execute(select(*columns).order_by(columns[0])).all()]
    queries = ["法治", "行政复议 -诉讼", "。", "2023年", "思明"]
    return docs, [search(session, q, all_versions=True, limit=100) for q in queries]


def test_reindex_builds_the_index_ingest_keeps(session: Session) -> None:
    before = _index_state(session)
    assert reindex(session) == len(versions(session, all_versions=True))
    session.commit()
    assert _index_state(session) == before


def test_a_failed_ingest_leaves_no_index_row(engine: Engine) -> None:
    record = page(SIMING_ID)
    with Session(engine) as session, pytest.raises(RuntimeError), session.begin():
        ingest(session, record, url=record.url, seen_at=SEEN)
        assert search(session, "思明").total == 1  # indexed inside the transaction
        raise RuntimeError("the page's transaction fails after ingest")
    with Session(engine) as session:
        assert session.scalars(select(SearchDoc)).all() == []
        assert search(session, "思明").total == 0
        if engine.dialect.name == "sqlite":
            rows = text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"0lhx\"'")
            assert session.scalar(rows) == 0  # 0lhx: the token of 法
