"""Script detection, t2s conversion and the canonical form, on the seed reports."""

from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.extract.zh_script import detect_script, normalize, to_simplified, traditional_share

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SIMPLIFIED_SEEDS = ["000", "001", "002", "004"]


def seed(number: str) -> str:
    return next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8")


SIMPLIFIED_CHARS = sorted(set("".join(seed(n) for n in SIMPLIFIED_SEEDS)) - set("\n"))


@pytest.mark.parametrize("number", SIMPLIFIED_SEEDS)
def test_simplified_seeds_are_detected_as_simplified(number: str) -> None:
    assert detect_script(seed(number)) == "zh-Hans"
    assert traditional_share(seed(number)) == 0.0


def test_traditional_seed_is_detected_as_traditional() -> None:
    assert detect_script(seed("003")) == "zh-Hant"
    assert traditional_share(seed("003")) > 0.25


@pytest.mark.parametrize("number", SIMPLIFIED_SEEDS)
def test_s2t_of_a_simplified_seed_is_detected_as_traditional(number: str) -> None:
    assert detect_script(opencc.OpenCC("s2t.json").convert(seed(number))) == "zh-Hant"


@pytest.mark.parametrize("text", ["", "2023", "Annual report 2023", "———"])
def test_text_without_han_characters_counts_as_simplified(text: str) -> None:
    assert detect_script(text) == "zh-Hans"


def test_a_simplified_page_quoting_a_traditional_name_stays_simplified() -> None:
    text = "厦门市思明区人民政府关于2023年法治政府建设情况的报告,转载自《廣州日報》。"
    assert detect_script(text) == "zh-Hans"
    assert to_simplified(text) == text


def test_to_simplified_converts_the_traditional_seed_title() -> None:
    title = seed("003").splitlines()[0]
    assert to_simplified(title) == (
        "广州市海珠区(qū)人民政府关(guān)于2023年度法治政府建设(shè)情况的报告"
    )


def test_to_simplified_is_phrase_aware() -> None:
    # 乾 is 干 in 乾燥 but stays 乾 in the name 乾隆; a character table gets one wrong.
    assert to_simplified("乾隆年間的檔案保存在乾燥的庫房裡") == "乾隆年间的档案保存在干燥的库房里"


@pytest.mark.parametrize("number", SIMPLIFIED_SEEDS)
def test_to_simplified_leaves_simplified_seeds_untouched(number: str) -> None:
    assert to_simplified(seed(number)) == seed(number)


@given(st.text(alphabet=SIMPLIFIED_CHARS, max_size=200))
@settings(max_examples=300)
def test_to_simplified_is_the_identity_on_simplified_text(text: str) -> None:
    assert to_simplified(text) == text


def test_normalize_gives_ascii_punctuation_and_clean_lines() -> None:
    page = (
        "\u3000\u3000一、强化组织领导（党组）：全面推进，\u00a0成效显著。\r\n\r\n\r\n"
        "\t二、优化职能\u200b\n"
    )
    assert normalize(page) == "一、强化组织领导(党组):全面推进, 成效显著。\n\n二、优化职能"


@pytest.mark.parametrize("number", [*SIMPLIFIED_SEEDS, "003"])
def test_normalize_keeps_the_seeds_words(number: str) -> None:
    # The seeds are already NFKC; only runs of spaces and blank lines may change.
    text = seed(number)
    assert normalize(text).split() == text.split()


@given(st.text())
@settings(max_examples=500)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
