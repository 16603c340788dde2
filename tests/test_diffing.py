"""Side-by-side diffs (archive/storage/diffing.py): paragraphs aligned, then characters."""

from __future__ import annotations

import time

from archive.storage.diffing import Row, Span, characters, side_by_side


def kinds(rows: list[Row]) -> list[str]:
    return [row.kind for row in rows]


def test_identical_texts_are_all_equal_rows() -> None:
    rows = side_by_side("甲\n乙", "甲\n乙")
    assert kinds(rows) == ["equal", "equal"]
    assert [(r.old_number, r.new_number) for r in rows] == [(1, 1), (2, 2)]


def test_an_edited_paragraph_is_one_row_marked_within() -> None:
    [row] = side_by_side("共办理行政复议案件141件。", "共办理行政复议案件145件。")
    assert row.kind == "change"
    assert row.old == (
        Span("equal", "共办理行政复议案件14"),
        Span("delete", "1"),
        Span("equal", "件。"),
    )
    assert row.new == (
        Span("equal", "共办理行政复议案件14"),
        Span("insert", "5"),
        Span("equal", "件。"),
    )


def test_inserted_and_deleted_paragraphs_stand_alone() -> None:
    rows = side_by_side("一\n二\n三", "一\n新增的一段\n二")
    assert kinds(rows) == ["equal", "insert", "equal", "delete"]
    assert rows[1].old is None and rows[1].new == (Span("insert", "新增的一段"),)
    assert rows[3].new is None and rows[3].old_number == 3


def test_a_rewritten_stretch_pairs_similar_paragraphs_in_order() -> None:
    old = "坚持依法行政，全年办理复议案件120件。\n加强普法宣传。"
    new = "\n".join(
        [
            "一段全新的内容，与原文毫无关系。",
            "坚持依法行政，全年办理复议案件125件。",
            "加强普法宣传工作。",
        ]
    )
    rows = side_by_side(old, new)
    assert kinds(rows) == ["insert", "change", "change"]
    assert rows[1].old_number == 1 and rows[1].new_number == 2


def test_semantic_clean_up_keeps_a_rewritten_sentence_readable() -> None:
    """A character shared by chance (的) does not split a rewritten phrase in two."""
    spans = characters("推进法治政府的建设", "落实依法行政的要求")
    assert [s.kind for s in spans] == ["delete", "insert"]


def test_long_texts_diff_quickly() -> None:
    paragraphs = [f"第{n}段：依法行政工作取得新进展，共办理案件{n * 7}件，办结率百分之九十九。" * 5
                  for n in range(400)]  # fmt: skip
    changed = paragraphs.copy()
    changed[100] = changed[100].replace("办结率", "按期办结率")
    changed.insert(300, "新增一段说明。")
    started = time.perf_counter()
    rows = side_by_side("\n".join(paragraphs), "\n".join(changed))
    assert time.perf_counter() - started < 1.0
    assert [r.kind for r in rows if r.kind != "equal"] == ["change", "insert"]
