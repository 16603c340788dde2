"""archive.extract.authorship: a page titled for a government's whole 法治政府建设 but signed
only by that government's departments is the department's document, not the government's
report; every other pairing of title and 落款 leaves the title rules' verdict alone."""

from __future__ import annotations

import pytest

from archive.extract.authorship import classify_page, department_signer
from archive.extract.classify import DocType

BODY = "现将有关情况报告如下：" + "推进法治政府建设，" * 10


@pytest.mark.parametrize(
    ("title", "signed_by", "department"),
    [
        # titled for the place or its 人民政府, signed only by a department of it
        ("泉州市2022年法治政府建设工作总结", "泉州市司法局", "泉州市司法局"),
        ("南昌市西湖区人民政府2023年度依法行政工作总结", "西湖区司法局", "西湖区司法局"),
        ("2023年石柱县法治政府建设情况报告", "石柱县司法局", "石柱县司法局"),
        ("涪陵区2021年法治政府建设工作总结", "重庆市涪陵区司法局", "重庆市涪陵区司法局"),
        (
            "衢州市2023年法治政府建设工作总结",
            "衢州市发展和改革委员会法规科",
            "衢州市发展和改革委员会法规科",
        ),
        ("沙市区2023年法治政府建设工作总结", "荆州市沙市区司法局", "荆州市沙市区司法局"),
        # the government signs, alone, with the party committee, or through its office
        ("泉州市2022年法治政府建设工作总结", "泉州市人民政府", None),
        ("泉州市2022年法治政府建设工作总结", "中共泉州市委、泉州市人民政府", None),
        ("泉州市2022年法治政府建设工作总结", "泉州市司法局、泉州市人民政府", None),
        ("泉州市2022年法治政府建设工作总结", "泉州市人民政府办公室", None),
        # the party committee's organs and other branches are not its departments
        ("泉州市2022年法治政府建设工作总结", "泉州市委全面依法治市委员会办公室", None),
        ("泉州市2022年法治政府建设工作总结", "泉州市人民法院", None),
        # the department's own report, a sector's report, another place, no author, no 落款
        ("泉州市司法局2022年法治政府建设工作总结", "泉州市司法局", None),
        ("泉州市2022年市场监管领域法治政府建设情况报告", "泉州市市场监督管理局", None),
        ("泉州市2022年法治政府建设工作总结", "漳州市司法局", None),
        ("2022年法治政府建设工作总结", "泉州市司法局", None),
        ("泉州市2022年法治政府建设工作总结", None, None),
    ],
)
def test_department_signer(title: str, signed_by: str | None, department: str | None) -> None:
    assert department_signer(title, signed_by) == department


def test_only_a_report_verdict_is_withdrawn() -> None:
    assert classify_page("泉州市2022年法治政府建设工作总结", BODY, "泉州市司法局") == (
        DocType.DEPARTMENT_DOCUMENT,
        "signature: titled for its place, signed by 泉州市司法局",
    )
    assert classify_page("泉州市2022年法治政府建设工作总结", BODY, "泉州市人民政府")[0] is (
        DocType.ANNUAL_REPORT
    )
    assert classify_page("泉州市2024年法治政府建设工作要点", BODY, "泉州市司法局")[0] is (
        DocType.WORK_PLAN
    )
