"""The anatomy through the archive, SQLite and PostgreSQL: ingestion stores what the labels say
(the five real seeds), the views and the export hand it over, an attachment-only report gets
it from its file's text, storing again replaces, and the command prints the same thing for an
archived report and for a plain-text file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from archive import ingest
from archive.anatomy import ANATOMY_VERSION
from archive.anatomy.analysis import analyse, to_json
from archive.storage import anatomies
from archive.storage.export import records
from archive.storage.models import ReportVersion, VersionAnatomy, VersionFigure, VersionSection
from tests.anatomy_fixtures import Labelled, load_labelled
from tests.cli_runner import fazhi
from tests.pages import PAGES

AT = dt.datetime(2024, 4, 3, 2, 36, 50, tzinfo=dt.UTC)
REAL = [case for case in load_labelled() if case.real]


def _page(case: Labelled) -> tuple[bytes, dict[str, str]]:
    stem = case.path.with_name(case.path.name.removesuffix(".anatomy.json"))
    meta = json.loads(stem.with_suffix(".meta.json").read_text(encoding="utf-8"))
    return stem.with_suffix(".html").read_bytes(), meta


def _what(figure: dict[str, object]) -> tuple[object, ...]:
    return figure["indicator"], figure["value"], figure["unit"], figure["year"]


def _ingest_real(session: Session) -> dict[str, int]:
    """Each real page through the crawl's path; its version id by fixture id."""
    ids = {}
    for case in REAL:
        body, meta = _page(case)
        done = ingest.process(
            session,
            ingest.Response(meta["url"], 200, {"Content-Type": meta["content_type"]}, body, AT),
        )
        assert done.result is not None, case.id
        ids[case.id] = done.result.version_id
    session.commit()
    return ids


def test_ingestion_stores_the_labelled_anatomy(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _ingest_real(session)
        versions = session.scalars(
            select(ReportVersion).options(*anatomies.LOADS).order_by(ReportVersion.id)
        ).all()
        by_id = {v.id: v for v in versions}
        for case in REAL:
            version = by_id[ids[case.id]]
            stored = anatomies.stored_json(version)
            assert stored is not None
            # The labels are on the fixture's text; the extractor's may differ by a repair
            # (F1 ≥ 0.99): what is stored is what the same code finds in the stored text, and
            # its figures are the labelled ones.
            assert stored == to_json(analyse(version.text, case.report_year, case.agency))
            assert stored["parts_present"] == case.expected["parts_present"], case.id
            assert [_what(f) for f in stored["figures"]] == [
                _what(f) for f in case.figures(found_only=True)
            ], case.id
            for figure in version.figures:
                assert version.text[figure.char_start : figure.char_end] == figure.evidence
                assert figure.evidence  # zero figures without evidence
            assert version.anatomy is not None
            assert version.anatomy.anatomy_version == ANATOMY_VERSION
        rules = {
            row
            for model in (VersionSection, VersionFigure, VersionAnatomy)
            for row in session.scalars(select(model.anatomy_version).distinct())
        }
        assert rules == {ANATOMY_VERSION}  # every derived row names its rules

        exported = {r["report_id"]: r for r in records(session)}
        for version in versions:
            stored = anatomies.stored_json(version)
            assert stored is not None
            record = exported[version.report_id]
            assert (record["sections"], record["figures"]) == (
                stored["sections"],
                stored["figures"],
            )


def test_the_views_hand_over_figures_and_completeness(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _ingest_real(session)
        figures = session.execute(
            text("SELECT version_id, indicator, value, year FROM report_figures_latest")
        ).all()
        want = {
            (ids[case.id], f["indicator"], float(f["value"]), f["year"])
            for case in REAL
            for f in case.figures(found_only=True)
        }
        assert {(v, i, float(x), y) for v, i, x, y in figures} == want
        complete = session.execute(
            text(
                "SELECT version_id, part_1, part_2, part_3, part_4, part_5, parts_present "
                "FROM report_completeness_latest"
            )
        ).all()
        got = {row[0]: ([p for p in range(1, 6) if row[p]], row[6]) for row in complete}
        assert got == {
            ids[c.id]: (c.expected["parts_present"], len(c.expected["parts_present"])) for c in REAL
        }


def test_storing_again_replaces_and_an_attachment_gets_its_files_anatomy(engine: Engine) -> None:
    hefei = PAGES / "ah_public" / "hefei_sthjj_2023_attachment_only"
    pdf = hefei.with_name(hefei.name + ".files") / "CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
    page_url = "https://sthjj.hefei.gov.cn/public/6595211/109476541.html"
    pdf_url = "https://sthjj.hefei.gov.cn/group3/M00/0B/5C/CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
    with Session(engine) as session:
        page = ingest.process(
            session,
            ingest.Response(page_url, 200, {}, hefei.with_suffix(".html").read_bytes(), AT),
        )
        assert page.extracted is not None
        done = ingest.process_attachment(
            session,
            ingest.Response(
                pdf_url, 200, {"Content-Type": "application/pdf"}, pdf.read_bytes(), AT
            ),
            page_url=page_url,
            page=page.extracted,
        )
        assert done.result is not None
        version = session.get(ReportVersion, done.result.version_id)
        assert version is not None
        want = to_json(analyse(version.text, 2023, "合肥市生态环境局"))
        assert want["sections"], "the file's text has an outline"
        assert anatomies.stored_json(version) == want

        counts = [session.scalar(select(func.count()).select_from(m)) for m in (VersionSection,)]
        anatomies.store(session, version.id, version.text, 2023, "合肥市生态环境局")
        session.commit()
        session.expire_all()
        again = [session.scalar(select(func.count()).select_from(m)) for m in (VersionSection,)]
        assert again == counts
        assert anatomies.stored_json(version) == want


def test_the_command_prints_the_same_anatomy_for_a_report_and_a_file(
    database_url: str, tmp_path: Path
) -> None:
    case = next(c for c in REAL if c.id.endswith("nanchang_xihu_sfj_2023"))
    body, meta = _page(case)
    saved = tmp_path / "page.html"
    saved.write_bytes(body)
    ingested = fazhi(
        "ingest", str(saved), "--url", meta["url"], "--content-type", meta["content_type"],
        "--db", database_url,
    )  # fmt: skip
    assert ingested.exit_code == 0, ingested.output
    by_id = fazhi("reports", "anatomy", "1", "--json", "--db", database_url)
    plain = tmp_path / "report.txt"
    plain.write_text(case.text + "\n", encoding="utf-8")
    by_file = fazhi(
        "reports", "anatomy", "--text", str(plain), "--json",
        "--year", str(case.report_year), "--agency", str(case.agency),
    )  # fmt: skip
    assert by_id.exit_code == by_file.exit_code == 0, by_id.output + by_file.output
    assert json.loads(by_id.stdout) == json.loads(by_file.stdout)
    assert json.loads(by_id.stdout)["figures"] == case.figures(found_only=True)

    shown = fazhi("reports", "show", "1", "--db", database_url)
    assert "三、主要负责人履行职责情况  [part 3" in shown.stdout
    assert "admin_review_closed = 46 件 (2023)" in shown.stdout
    both = fazhi("reports", "anatomy", "1", "--text", str(plain), "--db", database_url)
    assert both.exit_code == 1 and "not both" in both.stderr
