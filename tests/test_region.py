"""archive.extract.region against real GB/T 2260 codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.extract.region import Region, region_of


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("厦门市思明区人民政府", Region("福建省", "厦门市", "思明区", "350203")),
        ("广州市海珠区人民政府", Region("广东省", "广州市", "海珠区", "440105")),
        ("廣州市海珠區人民政府", Region("广东省", "广州市", "海珠区", "440105")),
        ("南昌市西湖区", Region("江西省", "南昌市", "西湖区", "360103")),
        ("杭州市西湖区人民政府", Region("浙江省", "杭州市", "西湖区", "330106")),
        ("厦门市司法局", Region("福建省", "厦门市", None, "350200")),
        ("国家税务总局厦门市税务局", Region("福建省", "厦门市", None, "350200")),
        ("思明区司法局", Region("福建省", "厦门市", "思明区", "350203")),
        ("福建省人民政府", Region("福建省", None, None, "350000")),
        ("福建省司法厅", Region("福建省", None, None, "350000")),
        ("广西壮族自治区司法厅", Region("广西壮族自治区", None, None, "450000")),
        ("内蒙古自治区人民政府", Region("内蒙古自治区", None, None, "150000")),
        ("恩施州人民政府", Region("湖北省", "恩施土家族苗族自治州", None, "422800")),
        ("黔东南州司法局", Region("贵州省", "黔东南苗族侗族自治州", None, "522600")),
        ("石柱县人民政府", Region("重庆市", None, "石柱土家族自治县", "500240")),
        ("北京市海淀区人民政府", Region("北京市", None, "海淀区", "110108")),
        ("上海市浦东新区人民政府", Region("上海市", None, "浦东新区", "310115")),
        ("仙桃市人民政府", Region("湖北省", None, "仙桃市", "429004")),
        ("东莞市人民政府", Region("广东省", "东莞市", None, "441900")),
        ("吉林市人民政府", Region("吉林省", "吉林市", None, "220200")),
        ("乾县人民政府", Region("陕西省", "咸阳市", "乾县", "610424")),
        ("成都市武侯区", Region("四川省", "成都市", "武侯区", "510107")),
    ],
)
def test_region_of_names_a_place(agency: str, expected: Region) -> None:
    assert region_of(agency) == expected


@pytest.mark.parametrize(
    "agency",
    [
        "湖滨新区",  # a functional zone, not a division
        "西湖区司法局",  # 杭州 or 南昌
        "吉林",  # the province or the city
        "市司法局",
        "区人民政府",
        "",
        None,
    ],
)
def test_region_of_does_not_guess(agency: str | None) -> None:
    assert region_of(agency) is None


@pytest.mark.parametrize(
    ("agency", "hint", "expected"),
    [
        ("湖滨新区", "宿迁市", Region("江苏省", "宿迁市", None, "321300")),
        ("湖滨新区", "321300", Region("江苏省", "宿迁市", None, "321300")),
        ("西湖区司法局", "江西省", Region("江西省", "南昌市", "西湖区", "360103")),
        ("西湖区司法局", "3301", Region("浙江省", "杭州市", "西湖区", "330106")),
        ("市司法局", "福建省厦门市", Region("福建省", "厦门市", None, "350200")),
        # A name that fits one place wins over a hint that disagrees.
        ("思明区", "南昌市", Region("福建省", "厦门市", "思明区", "350203")),
        # A hint that settles nothing leaves the answer open.
        ("西湖区司法局", "福建省", None),
        ("湖滨新区", "吉林", None),
        ("湖滨新区", "999999", None),
    ],
)
def test_hint_settles_what_the_name_leaves_open(
    agency: str, hint: str, expected: Region | None
) -> None:
    assert region_of(agency, hint) == expected


@given(st.none() | st.text(), st.none() | st.text())
def test_region_of_never_raises(agency: str | None, hint: str | None) -> None:
    found = region_of(agency, hint)
    assert found is None or (len(found.code) == 6 and found.code.isdigit())
