"""archive.storage.versions, fetches and attachments: the dedup and version rules, one by one,
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.storage import dedup
from archive.storage.attachments import VersionNotFound, add_attachment, file_name
from archive.storage.fetches import record_fetch
from archive.storage.models import (
    Attachment,
    Base,
    Fetch,
    Report,
    ReportVersion,
    Sighting,
    Source,
    VersionBand,
)
from archive.storage.source_info import SourceInfo
from archive.storage.versions import IngestResult, Outcome, ingest
from tests.store_samples import (
    AGGREGATOR,
    HULI,
    SIMING,
    SIMING_ID,
    XIAMEN,
    corrected,
    district_pair,
    extracted_pages,
    page,
    reposted,
    with_text,
)

OWN = "https://www.siming.gov.cn/xxgk/fzzfjs/202403/t20240313_937812.htm"
OWN_MOBILE = "https://m.siming.gov.cn/fzzfjs/937812.html"
FARM = "https://www.zwzxw.com.hk/difang/xiamen/2024-03-20/51234.html"
FARM_2 = "https://www.zwzxw.com.hk/difang/xiamen/2024-03-21/51240.html"
CITY = "https://www.xm.gov.cn/zwgk/qxdt/202403/t20240316_2801234.htm"
COUNTED = (Report, ReportVersion, Sighting, VersionBand, Attachment, Source)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


def put(
    session: Session,
    record: Extracted,
    url: str,
    day: int,
    source: SourceInfo | None = None,
    fetch_id: int | None = None,
) -> IngestResult:
    """Ingest one page in its own transaction (the crawler commits a batch at once)."""
    result = ingest(session, record, url=url, seen_at=at(day), fetch_id=fetch_id, source=source)
    session.commit()
    return result


def counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


def snapshot(session: Session, *, without: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """Every row of every table, minus the columns named in WITHOUT."""
    return {
        table.name: [
            {k: v for k, v in row._mapping.items() if k not in without}
            for row in session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in Base.metadata.sorted_tables
    }


def version(session: Session, version_id: int) -> ReportVersion:
    found = session.get(ReportVersion, version_id)
    assert found is not None
    return found


def sightings(session: Session, version_id: int) -> list[tuple[str, bool]]:
    rows = session.execute(
        select(Sighting.url, Sighting.is_repost)
        .where(Sighting.version_id == version_id)
        .order_by(Sighting.first_seen, Sighting.id)
    )
    return [tuple(row) for row in rows]


# Rule 1: the same text anywhere is the same version.


def test_same_text_at_another_url_is_a_sighting_of_the_same_version(session: Session) -> None:
    siming = page(SIMING_ID)
    first = put(session, siming, OWN, 13, SIMING)
    again = put(session, siming, OWN_MOBILE, 15, SIMING)

    assert first.outcome is Outcome.NEW_REPORT
    assert (again.outcome, again.version_id, again.is_repost) == (
        Outcome.NEW_SIGHTING,
        first.version_id,
        False,
    )
    assert counts(session)["report_version"] == 1
    assert sightings(session, first.version_id) == [(OWN, False), (OWN_MOBILE, False)]
    stored = version(session, first.version_id)
    assert (stored.first_seen, stored.last_seen) == (at(13), at(15))


def test_same_text_in_either_script_is_one_version(session: Session) -> None:
    siming = page(SIMING_ID)
    hant = dataclasses.replace(
        siming, text_original=siming.text_original.replace("区", "區"), script="zh-Hant"
    )
    first = put(session, siming, OWN, 13, SIMING)
    mirror = put(session, hant, FARM, 14, AGGREGATOR)
    assert (mirror.outcome, mirror.version_id) == (Outcome.REPOST, first.version_id)
    assert version(session, first.version_id).text_original == siming.text_original


# Rule 5: re-ingesting a fetch changes nothing but last_seen.


def test_reingesting_every_fixture_page_only_moves_last_seen(session: Session) -> None:
    pages = extracted_pages()
    fetches = {fid: record_fetch(session, url=r.url, fetched_at=at(1)) for fid, r in pages.items()}
    first = {fid: put(session, r, r.url, 1, fetch_id=fetches[fid]) for fid, r in pages.items()}
    before = snapshot(session, without=("last_seen",))
    tally = counts(session)

    again = {fid: put(session, r, r.url, 2, fetch_id=fetches[fid]) for fid, r in pages.items()}

    assert {r.outcome for r in first.values()} == {Outcome.NEW_REPORT}
    assert {r.outcome for r in again.values()} == {Outcome.UNCHANGED}
    assert {fid: r.version_id for fid, r in again.items()} == {
        fid: r.version_id for fid, r in first.items()
    }
    assert counts(session) == tally == {**tally, "report": 19, "report_version": 19}
    assert snapshot(session, without=("last_seen",)) == before
    moved = session.scalars(select(ReportVersion.last_seen).distinct()).all()
    assert moved == [at(2)]
    assert set(session.scalars(select(Sighting.last_seen))) == {at(2)}


def test_pages_ingested_out_of_order_widen_first_and_last_seen(session: Session) -> None:
    siming = page(SIMING_ID)
    old, new = (record_fetch(session, url=OWN, fetched_at=at(day)) for day in (10, 20))
    put(session, siming, OWN, 20, SIMING, fetch_id=new)
    result = put(session, siming, OWN, 10, SIMING, fetch_id=old)

    assert result.outcome is Outcome.UNCHANGED
    seen = session.execute(select(Sighting.first_seen, Sighting.last_seen, Sighting.fetch_id))
    assert list(seen) == [(at(10), at(20), new)]
    stored = version(session, result.version_id)
    assert (stored.first_seen, stored.last_seen) == (at(10), at(20))


# Rule 2: the same report with a changed text is a new version; the old one stays.


def test_a_correction_is_version_two_and_version_one_stays(session: Session) -> None:
    siming = page(SIMING_ID)
    fixed = corrected(siming)
    republished = corrected(fixed, note="（2024年5月再次更正）")
    v1 = put(session, siming, OWN, 13, SIMING)
    v2 = put(session, fixed, OWN, 20, SIMING)
    v3 = put(session, republished, OWN_MOBILE, 25, SIMING)

    assert (v2.outcome, v3.outcome) == (Outcome.NEW_VERSION, Outcome.NEW_VERSION)
    assert v1.report_id == v2.report_id == v3.report_id
    numbers = [version(session, r.version_id).version for r in (v1, v2, v3)]
    texts = [version(session, r.version_id).text for r in (v1, v2, v3)]
    assert numbers == [1, 2, 3]
    assert texts == [siming.text, fixed.text, republished.text]
    assert counts(session)["report"] == 1


def test_the_same_body_and_year_in_another_spelling_is_the_same_report(session: Session) -> None:
    siming = page(SIMING_ID)
    respelt = dataclasses.replace(corrected(siming), agency="廈門市思明區政府")
    first = put(session, siming, OWN, 13, SIMING)
    second = put(session, respelt, OWN_MOBILE, 20, SIMING)
    assert (second.outcome, second.report_id) == (Outcome.NEW_VERSION, first.report_id)


def test_the_same_body_next_year_is_another_report_however_alike(session: Session) -> None:
    siming = page(SIMING_ID)
    next_year = dataclasses.replace(corrected(siming), report_year=2024)
    assert dedup.signature(siming.text).jaccard(dedup.signature(next_year.text)) > 0.9
    first = put(session, siming, OWN, 13, SIMING)
    second = put(session, next_year, OWN_MOBILE, 20, SIMING)
    assert second.outcome is Outcome.NEW_REPORT
    assert second.report_id != first.report_id


# Rule 3: a near-identical copy on another site is a repost sighting.


def test_a_repost_after_its_original_is_a_flagged_sighting_that_changes_nothing(
    session: Session,
) -> None:
    siming = page(SIMING_ID)
    original = put(session, siming, OWN, 13, SIMING)
    before = snapshot(session, without=("last_seen",))

    copy = put(session, reposted(siming, FARM), FARM, 20, AGGREGATOR)

    assert (copy.outcome, copy.version_id, copy.is_repost) == (
        Outcome.REPOST,
        original.version_id,
        True,
    )
    after = snapshot(session, without=("last_seen",))
    assert after["sighting"][:1] == before["sighting"]
    assert {k: v for k, v in after.items() if k not in ("sighting", "source")} == {
        k: v for k, v in before.items() if k not in ("sighting", "source")
    }
    assert counts(session)["report_version"] == 1


def test_an_aggregator_naming_the_body_is_still_a_repost(session: Session) -> None:
    siming = page(SIMING_ID)
    original = put(session, siming, OWN, 13, SIMING)
    copy = put(session, reposted(siming, FARM, agency=siming.agency), FARM, 20, AGGREGATOR)
    assert (copy.outcome, copy.version_id) == (Outcome.REPOST, original.version_id)


def test_another_body_republishing_a_report_on_its_own_portal_reposts_it(
    session: Session,
) -> None:
    siming = page(SIMING_ID)
    original = put(session, siming, OWN, 13, SIMING)
    exact = dataclasses.replace(siming, agency="厦门市人民政府办公厅")
    near = reposted(siming, CITY, agency="厦门市人民政府办公厅")
    results = [put(session, exact, CITY, 16, XIAMEN), put(session, near, CITY + "?p=2", 16, XIAMEN)]
    assert [(r.outcome, r.version_id) for r in results] == [
        (Outcome.REPOST, original.version_id),
        (Outcome.REPOST, original.version_id),
    ]


def test_a_repost_before_its_original_is_kept_then_absorbed(session: Session) -> None:
    siming = page(SIMING_ID)
    early = put(session, reposted(siming, FARM), FARM, 10, AGGREGATOR)
    second_copy = reposted(siming, FARM_2)
    later = put(session, with_text(second_copy, second_copy.text.split("\n")[1:]), FARM_2, 11)
    orphan = session.get(Report, early.report_id)
    assert orphan is not None and orphan.identity_key.startswith("repost:")
    assert (early.outcome, early.is_repost) == (Outcome.NEW_REPORT, True)
    assert (later.outcome, later.version_id) == (Outcome.REPOST, early.version_id)
    add_attachment(session, early.version_id, url=FARM + ".pdf", name="报告.pdf")
    session.commit()

    original = put(session, siming, OWN, 13, SIMING)

    assert (original.outcome, original.is_repost) == (Outcome.NEW_REPORT, False)
    assert original.attached == (early.report_id,)
    assert counts(session) == {
        "report": 1,
        "report_version": 1,
        "sighting": 3,
        "version_band": dedup.BANDS,
        "attachment": 1,
        "source": 2,
    }
    absorbed = version(session, original.version_id)
    assert absorbed.text == siming.text
    assert absorbed.report.agency == siming.agency
    assert absorbed.report.source is not None and absorbed.report.source.slug == SIMING.slug
    assert (absorbed.first_seen, absorbed.last_seen) == (at(10), at(13))
    assert sightings(session, original.version_id) == [(FARM, True), (FARM_2, True), (OWN, False)]
    assert [a.url for a in absorbed.attachments] == [FARM + ".pdf"]
    with pytest.raises(VersionNotFound):
        add_attachment(session, early.version_id, url=FARM + ".doc")


def test_a_repost_with_the_very_text_is_adopted_by_its_original(session: Session) -> None:
    siming = page(SIMING_ID)
    copy = dataclasses.replace(
        siming, title="【转载】" + siming.title, agency=None, metadata={"SiteName": "资讯网"}
    )
    early = put(session, copy, FARM, 10, AGGREGATOR)
    original = put(session, siming, OWN, 13, SIMING)

    assert (original.outcome, original.version_id) == (Outcome.NEW_REPORT, early.version_id)
    assert original.attached == (early.report_id,)
    assert session.get(Report, early.report_id) is None
    adopted = version(session, original.version_id)
    assert (adopted.version, adopted.title, adopted.metadata_) == (
        1,
        siming.title,
        siming.metadata,
    )
    assert adopted.report.agency == siming.agency
    assert sightings(session, adopted.id) == [(FARM, True), (OWN, False)]


def test_without_a_source_a_page_naming_no_body_is_a_repost(session: Session) -> None:
    siming = page(SIMING_ID)
    anonymous = put(session, dataclasses.replace(siming, agency=None), FARM, 10)
    named = put(session, siming, OWN, 13)
    assert (anonymous.outcome, anonymous.is_repost) == (Outcome.NEW_REPORT, True)
    assert (named.outcome, named.is_repost, named.version_id) == (
        Outcome.NEW_REPORT,
        False,
        anonymous.version_id,
    )


# Rule 4: reports sharing boilerplate stay apart.


def test_districts_sharing_forty_percent_of_their_paragraphs_are_two_reports(
    session: Session,
) -> None:
    siming, huli = district_pair()
    lines = huli.text.split("\n")
    shared = [line for line in lines if line.replace("湖里", "思明") in siming.text.split("\n")]
    assert 0.38 <= sum(map(len, shared)) / sum(map(len, lines)) <= 0.45

    results = [put(session, siming, OWN, 13, SIMING), put(session, huli, huli.url, 15, HULI)]

    assert [(r.outcome, r.is_repost) for r in results] == [(Outcome.NEW_REPORT, False)] * 2
    assert len({r.report_id for r in results}) == 2
    huli_signature = dedup.signature(huli.text)
    assert huli_signature is not None
    assert [c.version_id for c in dedup.near_duplicates(session, huli_signature)] == [
        results[1].version_id
    ]


def test_thin_pages_of_two_bodies_are_two_versions(session: Session) -> None:
    hefei = page("ah_public/hefei_sthjj_2023_attachment_only")
    other = dataclasses.replace(hefei, agency="合肥市司法局", title="合肥市司法局2023年度报告")
    first = put(session, hefei, hefei.url, 1)
    second = put(session, other, "https://sfj.hefei.gov.cn/1.html", 1)
    again = put(session, hefei, hefei.url, 2)
    assert (first.outcome, second.outcome, again.outcome) == (
        Outcome.NEW_REPORT,
        Outcome.NEW_REPORT,
        Outcome.UNCHANGED,
    )
    assert counts(session)["version_band"] == 0
    assert version(session, first.version_id).signature is None


# Fetches, attachments, sources.


def test_record_fetch_writes_every_field(session: Session) -> None:
    fields: dict[str, Any] = {
        "url": "http://a.gov.cn/x",
        "final_url": "https://a.gov.cn/x",
        "fetched_at": at(3),
        "status": 200,
        "headers": {"Content-Type": "text/html; charset=gbk"},
        "content_type": "text/html; charset=gbk",
        "size": 1234,
        "body_sha256": "ab" * 32,
        "warc_file": "warc/fazhi-1.warc.gz",
        "warc_offset": 987,
        "error": None,
    }
    fetch = session.get(Fetch, record_fetch(session, **fields))
    assert fetch is not None
    assert {key: getattr(fetch, key) for key in fields} == fields


def test_attachments_upsert_by_url_with_safe_names(session: Session) -> None:
    result = put(session, page(SIMING_ID), OWN, 13, SIMING)
    url = "https://www.siming.gov.cn/u/%E6%8A%A5%E5%91%8A.pdf"
    first = add_attachment(session, result.version_id, url=url)
    again = add_attachment(
        session, result.version_id, url=url, sha256="cd" * 32, size=10, text="正文"
    )
    stored = session.get(Attachment, again)
    assert first == again and stored is not None
    assert (stored.file_name, stored.size, stored.text) == ("报告.pdf", 10, "正文")


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        (None, "https://a.cn/f/%E6%8A%A5%E5%91%8A.docx", "报告.docx"),
        ("..\\..\\etc/passwd", "https://a.cn/f", "passwd"),
        ('附件1：2023年"报告"?.pdf', "https://a.cn/f", "附件1：2023年_报告_.pdf"),
        ("", "https://a.cn/", "attachment"),
    ],
)
def test_file_names_are_sanitised(name: str | None, url: str, expected: str) -> None:
    assert file_name(name, url) == expected


def test_the_source_row_follows_the_registry(session: Session) -> None:
    siming = page(SIMING_ID)
    put(session, siming, OWN, 13, SIMING)
    moved = dataclasses.replace(SIMING, domains=("siming.gov.cn", "smq.xm.gov.cn"))
    put(session, corrected(siming), "https://smq.xm.gov.cn/a.htm", 14, moved)
    stored = session.scalars(select(Source)).one()
    assert (stored.slug, stored.domains) == (SIMING.slug, ["siming.gov.cn", "smq.xm.gov.cn"])
    assert {r.source_id for r in session.scalars(select(Report))} == {stored.id}
