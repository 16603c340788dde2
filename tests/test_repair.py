"""Text repairs: GBK re-alignment, pinyin annotations, whitespace, and their order.

GBK cases are built from real sentences of the seeds: encoded to GBK, one lead
byte replaced by '?' (as the mirror of seed 003 did) or dropped, decoded as the
extractor decodes GBK pages (GB18030, errors replaced).
"""

import difflib
import re
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.extract.repair import (
    clean_whitespace,
    realign_gbk,
    repair_text,
    strip_pinyin_annotations,
)

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SIMPLIFIED_SEEDS = ["000", "001", "002", "004"]
LOST = "\ufffd"


def seed(number: str) -> str:
    return next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8")


def _gbk_encodable(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _sentences() -> list[str]:
    """Seed paragraphs of 20+ characters, Simplified and (via OpenCC s2t) Traditional."""
    simplified = [
        line.strip()
        for number in SIMPLIFIED_SEEDS
        for line in seed(number).splitlines()
        if len(line.strip()) >= 20
    ]
    s2t = opencc.OpenCC("s2t.json")
    traditional = [s2t.convert(line) for line in simplified]
    return [line for line in simplified + traditional if _gbk_encodable(line)]


SENTENCES = _sentences()


def lose_lead_byte(text: str, index: int, mark: bytes = b"?") -> str:
    """text as a GBK page reads after the lead byte of text[index] became `mark`."""
    data = text[:index].encode("gbk") + mark + text[index:].encode("gbk")[1:]
    return data.decode("gb18030", errors="replace")


def is_recovery_of(repaired: str, original: str) -> bool:
    """Every character is the original one or U+FFFD, with at most two lost."""
    same_length = len(repaired) == len(original)
    kept = all(got in (want, LOST) for got, want in zip(repaired, original, strict=False))
    return same_length and kept and repaired.count(LOST) <= 2


# --- GBK re-alignment -----------------------------------------------------------------


def test_realign_repairs_the_seed_003_run_before_a_pinyin_annotation() -> None:
    text = "打造“法治夜?！薄靶戮蜆I(yè)形態勞動者普法宣傳基地”"
    assert realign_gbk(text) == ("打造“法治夜\ufffd”“新就業(yè)形態勞動者普法宣傳基地”", 1)


def test_realign_repairs_the_seed_003_run_ended_by_an_underscore() -> None:
    text = "以提升“法治夜?！钡绕脚_的實效性"
    assert realign_gbk(text) == ("以提升“法治夜\ufffd”等平臺的實效性", 1)


def test_the_example_runs_are_what_losing_the_lead_byte_of_xiao_produces() -> None:
    original = "以提升“法治夜校”等平臺的實效性"
    assert lose_lead_byte(original, original.index("校")) == "以提升“法治夜?！钡绕脚_的實效性"


def test_realign_and_pinyin_stripping_compose_in_repair_order() -> None:
    text = "打造“法治夜?！薄靶戮蜆I(yè)形態(tài)勞動者"
    assert repair_text(text) == (
        "打造“法治夜\ufffd”“新就業形態勞動者",
        ("gbk-misaligned", "pinyin-annotations"),
    )


@pytest.mark.parametrize(
    ("original", "lost"),
    [
        # Traditional: 續 = 80 6D has a trail byte in ASCII range, which resynchronises.
        ("推動政務服務水平持續提升，辦理時限壓縮率達39.02%", "務"),
        ("督促保障老年人醫療服務無障礙行政公益訴訟案入選典型案例", "療"),
        # Simplified: the stream falls back in step at the Latin letters.
        ("打造“法治夜校”APP普法平台，服务群众", "治"),
        ("持续优化营商环境，推进PPP项目规范运作", "营"),
    ],
)
def test_realign_restores_sentences_with_a_lost_lead_byte(original: str, lost: str) -> None:
    damaged = lose_lead_byte(original, original.index(lost))
    repaired, count = realign_gbk(damaged)
    assert count == 1
    assert repaired == original.replace(lost, LOST, 1)


@pytest.mark.parametrize(
    ("original", "lost"),
    [
        ("持续优化营商环境，推进PPP项目规范运作", "优"),
        ("全面推行首席數據官和首席法務服務官工作機制，探索多元服務“融合辦”", "推"),
    ],
)
def test_realign_finds_the_start_of_a_run_whose_lost_byte_left_no_mark(
    original: str, lost: str
) -> None:
    damaged = lose_lead_byte(original, original.index(lost), mark=b"")
    assert realign_gbk(damaged) == (original.replace(lost, LOST, 1), 1)


def test_realign_marks_both_characters_when_an_unmarked_start_is_ambiguous() -> None:
    # 化 lost its lead byte silently; starting the shift at 优 or at 化 reads
    # almost equally well, so neither character is guessed. 能 lost its trail
    # byte to the decoder at the ASCII comma.
    original = "二、优化政府职能,行政效能和服务水平持续提升"
    damaged = lose_lead_byte(original, original.index("化"), mark=b"")
    assert realign_gbk(damaged) == ("二、\ufffd\ufffd政府职\ufffd,行政效能和服务水平持续提升", 1)


def test_realign_leaves_a_short_unmarked_run_alone() -> None:
    # 夜！钡绕脚_ is 夜校”等平臺 with 校's lead byte silently gone; three shifted
    # characters without a mark are too little evidence to rewrite text.
    original = "以提升“法治夜校”等平臺的實效性深化法治宣傳教育"
    damaged = lose_lead_byte(original, original.index("校"), mark=b"")
    assert realign_gbk(damaged) == (damaged, 0)


def test_realign_never_makes_a_wrong_repair_of_a_shifted_seed_sentence() -> None:
    """Every seed sentence, damaged at its middle character: repaired right or left alone.

    Short runs carry too little evidence to repair; measured, 71% of these are
    repaired (all correctly) and the rest left as they are.
    """
    outcomes = []
    for original in SENTENCES:
        index = len(original) // 2
        damaged = lose_lead_byte(original, index)
        repaired, count = realign_gbk(damaged)
        assert repaired == damaged if count == 0 else is_recovery_of(repaired, original)
        outcomes.append(count > 0)
    assert sum(outcomes) / len(outcomes) > 0.6


@pytest.mark.parametrize("number", SIMPLIFIED_SEEDS)
def test_realign_leaves_clean_seeds_unchanged(number: str) -> None:
    assert realign_gbk(seed(number)) == (seed(number), 0)


def test_realign_changes_seed_003_only_inside_its_mojibake_runs() -> None:
    text = seed("003")
    runs = ["?!薄靶戮蜆I", "?yún)^", "?guī)欤醪浇ǔ珊V樵粕掀瑓^", "?!钡绕脚_"]
    spans = [(m.start(), m.end()) for run in runs for m in re.finditer(re.escape(run), text)]
    repaired, count = realign_gbk(text)
    assert count >= 2
    matcher = difflib.SequenceMatcher(None, text, repaired, autojunk=False)
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            assert any(a <= start and end <= b for a, b in spans), text[start - 5 : end + 5]


LATIN_AND_MARKS = ["APP", "GDP", "PPP", "Wi-Fi", "a", "B", "OA", "iPhone", "_", "@", "?"]


@given(
    st.sampled_from(SENTENCES),
    st.lists(st.tuples(st.floats(0, 1), st.sampled_from(LATIN_AND_MARKS)), min_size=1, max_size=4),
)
@settings(max_examples=200, deadline=None)
def test_realign_leaves_real_text_with_latin_words_and_question_marks_alone(
    sentence: str, insertions: list[tuple[float, str]]
) -> None:
    text = sentence
    for where, word in insertions:
        at = int(where * len(text))
        text = text[:at] + word + text[at:]
    assert realign_gbk(text) == (text, 0)


def test_realign_returns_text_without_clues_as_is() -> None:
    text = "区政府常务会专题学习《习近平法治思想学习问答》。2023年全年,召开区政府常务会议12次。"
    assert realign_gbk(text) == (text, 0)


# --- pinyin annotations ---------------------------------------------------------------


def test_strip_pinyin_annotations_from_the_seed_003_examples() -> None:
    text = "廣州市海珠區(qū)人民政府,在市委的堅強(qiáng)領(lǐng)導(dǎo)下,新就業(yè)形態(tài)"
    assert strip_pinyin_annotations(text) == (
        "廣州市海珠區人民政府,在市委的堅強領導下,新就業形態",
        6,
    )


def test_strip_pinyin_annotations_in_full_width_parentheses() -> None:
    assert strip_pinyin_annotations("海珠區（qū）人民政府關（guān）于") == ("海珠區人民政府關于", 2)


@pytest.mark.parametrize(
    "text",
    [
        "法治政府建设实施纲要(2021—2025年)",
        "(一)全力提升政务服务水平",
        "根据《通知》(厦司〔2021〕35号)要求",
        "第(a)项",
        "地区生产总值(GDP)增长",
        "第(2)款",
        "区直部门32家(含垂管单位10家)",
        "开发“智慧司法”平台(Smart Justice)",
        "中(qū)国",  # a pinyin syllable, but not a reading of 中
        "学习(xuexi)强国",  # no tone mark
    ],
)
def test_strip_pinyin_annotations_keeps_real_parentheses(text: str) -> None:
    assert strip_pinyin_annotations(text) == (text, 0)


def test_strip_pinyin_annotations_removes_all_annotations_of_seed_003() -> None:
    text = seed("003")
    stripped, count = strip_pinyin_annotations(text)
    assert count == 460
    # Left: the three annotations that follow mojibake rather than a Han character.
    assert re.findall(r"(.)\([a-z\u00e0-\u00fc\u0100-\u01dc]+\)", stripped) == ["I", "^", "^"]


def _annotated_pairs() -> list[tuple[str, str]]:
    return sorted(set(re.findall(r"([\u4e00-\u9fff])\(([^()]+)\)", seed("003"))))


PLAIN_CHUNKS = [
    *"法治政府建设情况报告海珠區人民",
    "(2021—2025年)",
    "(一)",
    "(GDP)",
    "(a)",
    "(含垂管单位10家)",
    "中(qū)",
    "、",
    "2023",
]
ANNOTATED_CHUNKS = [(char + f"({reading})", char) for char, reading in _annotated_pairs()]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(PLAIN_CHUNKS).map(lambda chunk: (chunk, chunk)),
            st.sampled_from(ANNOTATED_CHUNKS),
        ),
        max_size=30,
    )
)
@settings(max_examples=300)
def test_strip_pinyin_annotations_removes_exactly_the_annotations(
    chunks: list[tuple[str, str]],
) -> None:
    text = "".join(written for written, _ in chunks)
    expected = "".join(meant for _, meant in chunks)
    stripped, count = strip_pinyin_annotations(text)
    assert stripped == expected
    assert count == sum(written != meant for written, meant in chunks)


@given(st.text(alphabet=sorted(set("海珠區中(qū)（）guānǎ ab()1一"))))
@settings(max_examples=300)
def test_strip_pinyin_annotations_is_idempotent(text: str) -> None:
    once, _ = strip_pinyin_annotations(text)
    assert strip_pinyin_annotations(once) == (once, 0)


# --- whitespace -----------------------------------------------------------------------


def test_clean_whitespace_makes_clean_paragraphs() -> None:
    page = (
        "\r\n\u3000\u3000一、强化组织领导\u00a0\u00a0全面推进\r\n"
        "\t\t二、优化\u200b职能\ufeff\r\n\r\n\r\n\r\n"
        "  作者:佚名    来源:互联网  \r\n\r\n"
    )
    cleaned, count = clean_whitespace(page)
    assert cleaned == "一、强化组织领导 全面推进\n二、优化职能\n\n作者:佚名 来源:互联网"
    assert count == 8  # every one of the 8 input lines was edited or dropped


def test_clean_whitespace_leaves_clean_text_alone() -> None:
    text = "一、强化组织领导\n\n二、优化职能"
    assert clean_whitespace(text) == (text, 0)


@given(st.text())
@settings(max_examples=500)
def test_clean_whitespace_is_idempotent_and_counts_iff_it_changes(text: str) -> None:
    cleaned, count = clean_whitespace(text)
    assert (count == 0) == (cleaned == text)
    assert clean_whitespace(cleaned) == (cleaned, 0)
