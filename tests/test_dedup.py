"""archive.storage.dedup: identity and content keys, MinHash signatures, the banded index."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from archive.storage import db, dedup
from tests.store_samples import corrected, district_pair, extracted_pages, page, reposted

SIMING_URL = "https://www.siming.gov.cn/a.htm"


def exact_jaccard(a: str, b: str) -> float:
    """What a signature estimates: Jaccard of the two texts' 5-gram sets."""
    left, right = (
        {flat[i : i + dedup.SHINGLE] for i in range(len(flat) - dedup.SHINGLE + 1)}
        for flat in (dedup.compact(a), dedup.compact(b))
    )
    return len(left & right) / len(left | right)


def estimate(a: str, b: str) -> float:
    left, right = dedup.signature(a), dedup.signature(b)
    assert left is not None and right is not None
    return left.jaccard(right)


@pytest.mark.parametrize(
    ("agency", "title", "expected"),
    [
        ("廣州市海珠區人民政府", "", "广州市海珠区人民政府|2023"),
        ("广州市海珠区政府", "", "广州市海珠区人民政府|2023"),
        ("海珠区", "", "海珠区人民政府|2023"),
        ("厦门市司法局", "", "厦门市司法局|2023"),
        (
            None,
            "【通知公告】关于2023年度法治政府建设情况的报告_政务公开",
            "title:关于2023年度法治政府建设情况的报告|2023",
        ),
        ("", "", "url:https://example.gov.cn/a.htm"),
    ],
)
def test_identity_key(agency: str | None, title: str, expected: str) -> None:
    assert dedup.identity_key(agency, 2023, title, "https://example.gov.cn/a.htm") == expected


def test_identity_without_a_year_falls_back_to_the_title() -> None:
    key = dedup.identity_key("厦门市司法局", None, "厦门市司法局法治政府建设情况报告", "u")
    assert key == "title:厦门市司法局法治政府建设情况报告|?"


def test_long_identity_keys_fit_the_column_and_stay_distinct() -> None:
    keys = {dedup.identity_key(None, 2023, "报告" * 200 + tail, "u") for tail in "甲乙"}
    assert len(keys) == 2
    assert all(len(key) <= dedup.IDENTITY_MAX for key in keys)


def test_content_key_is_the_text_hash_except_for_thin_bodies() -> None:
    body = page("trs_wcm/xiamen_siming_gov_2023").text
    assert dedup.content_key(body, "a|2023") == dedup.content_key(body, "b|2023")
    assert dedup.content_key("详见附件。", "a|2023") != dedup.content_key("详见附件。", "b|2023")


def test_thin_bodies_have_no_signature() -> None:
    hefei = page("ah_public/hefei_sthjj_2023_attachment_only")
    assert dedup.is_thin(hefei.text)
    assert dedup.signature(hefei.text) is None


def test_signature_ignores_layout() -> None:
    body = page("trs_wcm/xiamen_siming_gov_2023").text
    relaid = body.replace("\n", "\n\n  ").replace("。", "。\n")
    assert estimate(body, relaid) == 1.0


def test_shingle_hashes_do_not_collide_on_real_reports() -> None:
    for record in extracted_pages().values():
        flat = dedup.compact(record.text)
        grams = {flat[i : i + dedup.SHINGLE] for i in range(len(flat) - dedup.SHINGLE + 1)}
        assert len(dedup.shingle_hashes(record.text)) == len(grams)


def test_signature_estimates_jaccard() -> None:
    siming = page("trs_wcm/xiamen_siming_gov_2023")
    pairs = [
        (siming.text, corrected(siming).text),
        (siming.text, reposted(siming, SIMING_URL).text),
        tuple(record.text for record in district_pair()),
    ]
    for a, b in pairs:
        assert estimate(a, b) == pytest.approx(exact_jaccard(a, b), abs=0.1)


def test_signature_survives_storage() -> None:
    sig = dedup.signature(page("trs_wcm/xiamen_siming_gov_2023").text)
    assert sig is not None
    restored = dedup.from_bytes(dedup.to_bytes(sig))
    assert restored.jaccard(sig) == 1.0
    assert dedup.band_hashes(restored) == dedup.band_hashes(sig)


def test_near_duplicates_share_a_band_and_different_reports_none() -> None:
    siming = page("trs_wcm/xiamen_siming_gov_2023")
    for variant in (corrected(siming), reposted(siming, SIMING_URL)):
        assert _shared_bands(siming.text, variant.text) > 0
    substantial = [r.text for r in extracted_pages().values() if not dedup.is_thin(r.text)]
    for a, b in [*itertools.combinations(substantial, 2), tuple(r.text for r in district_pair())]:
        assert _shared_bands(a, b) == 0


def _shared_bands(a: str, b: str) -> int:
    left, right = dedup.signature(a), dedup.signature(b)
    assert left is not None and right is not None
    return sum(
        x == y for x, y in zip(dedup.band_hashes(left), dedup.band_hashes(right), strict=True)
    )


def test_lookup_probes_the_band_index(database_url: str) -> None:
    """The query plan of a lookup reads version_band through (band, hash), on both backends:
    the cost of a lookup does not grow with the number of versions."""
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    sig = dedup.signature(page("trs_wcm/xiamen_siming_gov_2023").text)
    assert sig is not None
    lookup = dedup.sharing_bands().params(dedup.band_parameters(sig))
    query = lookup.compile(engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with Session(engine) as session:
        plan = "\n".join(str(row) for row in session.execute(text(explain + str(query))))
    engine.dispose()
    assert plan.count("ix_version_band_band_hash") >= 1
    assert "SCAN version_band" not in plan and "Seq Scan" not in plan


def test_band_hashes_are_stable_across_releases() -> None:
    """Stored bands only match new signatures while shingling, datasketch's permutations for
    the seed and the band hashing stay the same: an upgrade that changes them fails here, not
    silently in production (the index would then need rebuilding)."""
    text = "".join(f"第{i}条，坚持依法行政，推进法治政府建设。" for i in range(40))
    sig = dedup.signature(text)
    assert sig is not None
    assert dedup.band_hashes(sig)[:3] == [
        -3164280891205549228,
        1670121627982244973,
        -2728464335618511156,
    ]
