"""Whose document a page is, when its title and its 落款 disagree.

The annual report is the reporting body's own (《法治政府建设与责任落实督察工作规定》: each
government reports its year to the party committee, the people's congress and the government
above, and publishes it): a government's report is titled for the government or its place
(沙县区2023年法治政府建设…) and the government signs it, alone or with the party committee; a
department's report names the department and the department signs it. A text titled for a
place's whole 法治政府建设 but signed only by departments of that place (沙县区… signed
沙县区司法局; 长治市… signed 长治市发展和改革委员会法规科) is neither: it is that department's
document about the place — the lead department's 工作总结 for the 依法治区委, a compilation, a
draft — whatever word its title ends in. So the report rule's verdict is withdrawn for it.

Kept on purpose: a title narrowed to a sector (长治市2023年市场监管领域法治政府建设…) is a
department's own report and stays; a government, its 办公室, the party committee (区委…) or
another branch (人大, 法院) among the signers keeps the page the government's; a title that
names no author, or a department, is left to the title rules.
"""

import re

from archive.extract.agency import agency_from_title, normalize_agency
from archive.extract.classify import DocType, canonical_text, classify, title_core
from archive.extract.dates import normalize_numerals

_YEAR = r"(?:19|20)\d{2}年度?"
# The place-wide subject, right after the author and the year: nothing narrows it to a sector.
_WHOLE_SUBJECT = re.compile(rf"^(?:关于)?(?:{_YEAR})?(?:全[省市区县旗州盟])?(?:法治政府|依法行政)")
_LEADING_YEAR = re.compile(rf"^{_YEAR}")
_GOVERNMENT = "人民政府"
# What may follow a place's name in a body that is NOT one of its government's departments:
# the government itself and its office (政府, 人民政府办公室), the party committee and its
# organs (区委, 区委依法治区办), the congress, the CPPCC, the courts and procuratorates.
_NOT_A_DEPARTMENT = re.compile(r"^(?:人民|政府|委|人大|政协|纪委|监委|中共)")
# Levels that hold others: a body may put them before the place (三明市 in 三明市沙县区司法局).
_OUTER = re.compile(r"(?:自治区|省|市|自治州|州|盟)")


def classify_page(title: str, text: str, signed_by: str | None) -> tuple[DocType, str]:
    """classify(), except that a 'report' titled for a government and signed only by its
    departments is ``DEPARTMENT_DOCUMENT`` (see the module's docstring)."""
    doc_type, reason = classify(title, text)
    if doc_type is DocType.ANNUAL_REPORT and (signer := department_signer(title, signed_by)):
        return DocType.DEPARTMENT_DOCUMENT, f"signature: titled for its place, signed by {signer}"
    return doc_type, reason


def department_signer(title: str, signed_by: str | None) -> str | None:
    """The department signing, when TITLE is about a government's whole 法治政府建设 and
    every body of SIGNED_BY (、-joined) is one of that government's departments."""
    place = _government_place(title)
    if place is None or not signed_by:
        return None
    bodies = [canonical_text(b).replace(" ", "") for b in signed_by.split("、")]
    if all(_is_department_of(body, place) for body in bodies):
        return bodies[-1]
    return None


def _government_place(title: str) -> str | None:
    """The place whose government TITLE is about, when its author is a government (or a
    place) and its subject that government's whole 法治政府建设; else None."""
    author = agency_from_title(title)
    if author is None or not normalize_agency(author).endswith(_GOVERNMENT):
        return None  # no author, or a department: its own report
    core = _LEADING_YEAR.sub("", normalize_numerals(title_core(title)))
    if not core.startswith(author) or not _WHOLE_SUBJECT.match(core[len(author) :]):
        return None  # 长治市2023年市场监管领域法治政府建设…: a sector's, not the place's
    key = normalize_agency(author).removesuffix(_GOVERNMENT)
    return key or None


def _is_department_of(body: str, place: str) -> bool:
    """BODY is an organ of PLACE's government: it starts with PLACE's name, or the name of
    its innermost part (沙县区 of 三明市沙县区) after outer place names (三明市沙县区司法局 for
    沙县区), and goes on with no 政府, 委, 人大…"""
    for name in _names(place):
        start = body.find(name)
        if start < 0 or (start and not _OUTER.search(body[:start])):
            continue
        rest = body[start + len(name) :]
        return bool(rest) and not _NOT_A_DEPARTMENT.match(rest)
    return False


def _names(place: str) -> list[str]:
    """PLACE and each tail of it after an outer level (三明市沙县区 → itself, 沙县区)."""
    tails = [place[m.end() :] for m in _OUTER.finditer(place)]
    return [place, *(tail for tail in tails if len(tail) >= 2)]
