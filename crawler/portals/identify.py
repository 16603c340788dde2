"""Whose site is this? A candidate's home page, judged on its own evidence.

The division comes from the 网站标识码 when the site shows one (its first six digits) and
from the names the site gives itself otherwise (SiteName, title, 主办单位); when both are
there they must agree. What the body is (the government, a department of it, a service
platform, a court, a newspaper) comes from the words after the divisions in the site's own
names. The parent's anchor text is evidence too, read in the year it was written (a link
still saying 新建县 leads to 新建区's portal), but never enough alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from archive.coverage.divisions import Division, DivisionLookup
from archive.coverage.history import contains
from crawler.portals.evidence import PageEvidence
from crawler.portals.names import Body, Name, department_name, read_name, today


class Verdict(StrEnum):
    GOVERNMENT = "government"  # a government's portal: proposed at the division's level
    DEPARTMENT = "department"  # a department's site: proposed as 部门 of its division
    OUTSIDE = "outside"  # a government body outside the walk's scope (another province)
    CENTRAL = "central"  # the national portal or a central body (网站标识码 bm…)
    PLATFORM = "platform"  # 政务服务网, hotlines: a government's site, not its portal
    NOT_EXECUTIVE = "not_executive"  # 人大, 政协, courts, Party organs
    NOT_GOVERNMENT = "not_government"  # media, enterprises, schools: no division, no code
    CONFLICT = "conflict"  # the 网站标识码 and the site's names disagree
    DEAD = "dead"  # no page: an error status or no answer
    DUPLICATE = "duplicate"  # a second portal of a division already found

    @property
    def proposed(self) -> bool:
        return self in (Verdict.GOVERNMENT, Verdict.DEPARTMENT)


@dataclass(frozen=True)
class Identity:
    """What a site is, the division it belongs to, and the signals that said so."""

    verdict: Verdict
    reason: str
    division: Division | None = None
    body: str | None = None  # 人民政府, or the department's name (司法局)
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def level(self) -> str | None:
        if self.verdict is Verdict.DEPARTMENT:
            return "部门"
        return self.division.level if self.verdict is Verdict.GOVERNMENT and self.division else None


def identify(
    page: PageEvidence,
    lookup: DivisionLookup,
    year: int,
    scope: Division | None = None,
    anchor: str = "",
) -> Identity:
    """The identity of the site whose home page PAGE is, found by following a link whose
    text was ANCHOR, within SCOPE (the division the walk started from; None: anywhere)."""
    within = scope.code if scope else None
    names = [(signal, read_name(text, lookup, year, within)) for signal, text in page.own_names()]
    evidence = {signal: name.text for signal, name in names if name.division}
    by_code = _division_of_code(page.site_code, lookup, year)
    if page.site_code:
        evidence["site_code"] = page.site_code + (f" → {by_code.code}" if by_code else "")
    if anchor:
        read = read_name(anchor, lookup, year, within)
        if read.division:
            evidence["anchor"] = anchor
        if read.division and read.named and read.renamed:  # a former name: 新建县 → 新建区
            evidence["anchor"] += f" ({read.named.name} {read.named.code} → {read.division.code})"
    body = _body(names)
    if body is Body.PLATFORM:
        return Identity(Verdict.PLATFORM, "a service platform, not a portal", evidence=evidence)
    if body is Body.NOT_EXECUTIVE:
        return Identity(Verdict.NOT_EXECUTIVE, "not an executive body", evidence=evidence)
    if page.site_code and page.site_code.startswith("bm"):
        return Identity(Verdict.CENTRAL, "a central body (网站标识码 bm…)", evidence=evidence)
    named = _named_division(names)
    division = by_code or named
    if division is None or body in (Body.OTHER, Body.NONE):
        reason = "names no division" if division is None else "not a government body"
        return Identity(Verdict.NOT_GOVERNMENT, reason, evidence=evidence)
    if by_code and named and named.code != by_code.code:
        return Identity(
            Verdict.CONFLICT,
            f"网站标识码 says {by_code.code}, the site's name {named.code}",
            evidence=evidence,
        )
    if scope is not None and division.code != scope.code and not contains(scope, division):
        reason = f"{division.name} ({division.code}) is outside {scope.name} ({scope.code})"
        return Identity(Verdict.OUTSIDE, reason, division, evidence=evidence)
    if body is Body.GOVERNMENT:
        return Identity(Verdict.GOVERNMENT, "a government portal", division, "人民政府", evidence)
    return Identity(
        Verdict.DEPARTMENT, "a department's site", division, _department(names), evidence
    )


def _division_of_code(code: str | None, lookup: DivisionLookup, year: int) -> Division | None:
    if not code or not code.isdigit():
        return None
    division = lookup.by_code(code[:6])
    if division is None:
        return None
    return today(division, lookup, year)


def _body(names: list[tuple[str, Name]]) -> Body:
    """The body the site's own names say it is: a platform or a non-executive body if any
    name says so (a 政务服务网 is run by the government's 办公厅), else the first name that
    says anything, the most deliberate first."""
    bodies = [name.body for _, name in names]
    for decisive in (Body.PLATFORM, Body.NOT_EXECUTIVE):
        if decisive in bodies:
            return decisive
    said = [(signal, name) for signal, name in names if name.body is not Body.NONE]
    # A host body of 人民政府办公室 runs its government's portal and departments' sites alike:
    # the site's own name decides when it has one.
    own = [name.body for signal, name in said if signal != "host_body" and name.division]
    return own[0] if own else (said[0][1].body if said else Body.NONE)


def _named_division(names: list[tuple[str, Name]]) -> Division | None:
    found = [name.division for _, name in names if name.division]
    return found[0] if found else None


def _department(names: list[tuple[str, Name]]) -> str:
    for _, name in names:
        if name.body is Body.DEPARTMENT:
            return department_name(name.rest)
    return ""
