"""The search itself: exact matches from the n-gram index, then filters, facets, ranking and
keyset paging in SQL that runs alike on SQLite and PostgreSQL (docs/search.md).

Ranking is a score both backends compute identically: how many of the searched terms the
title holds. Ties go to the newest report (highest id), then the highest version, so the
order is total and a cursor (the last hit's score, report id and version) resumes exactly
where a page ended, however deep.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from archive.search.grams import fts_phrase, term_grams
from archive.search.index import FTS, uses_fts
from archive.search.query import Query, QueryError, parse
from archive.search.results import FACETS, Hit, SearchFilters, SearchPage
from archive.search.snippets import snippet
from archive.storage.models import ReportVersion, SearchDoc

MAX_LIMIT = 100
FACET_VALUES = 50  # the most frequent values of a facet, then by value
_PAGE = "#"  # the facet name that marks a page row in _evaluate's statement (no facet has it)


@dataclass(frozen=True)
class PageRow:
    """A hit's keys as the page query returns them, before its title and snippet are read."""

    version_id: int
    report_id: int
    version: int
    score: int


def search(
    session: Session,
    q: str,
    filters: SearchFilters = SearchFilters(),  # noqa: B008 (frozen: never mutated)
    *,
    all_versions: bool = False,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Reports whose latest version (every version with ALL_VERSIONS) contains the query."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    query = parse(q)
    fingerprint = _fingerprint(query, filters, all_versions)
    after = _decode(cursor, fingerprint) if cursor is not None else None
    total, facets, rows = _evaluate(
        session, _matched(session, query, filters, all_versions), after, limit
    )
    more = len(rows) > limit
    rows = rows[:limit]
    hits = _hits(session, rows, query)
    last = rows[-1] if more else None
    next_cursor = _encode(fingerprint, (last.score, last.report_id, last.version)) if last else None
    return SearchPage(hits=hits, total=total, facets=facets, next_cursor=next_cursor)


def matching(
    session: Session,
    q: str,
    filters: SearchFilters = SearchFilters(),  # noqa: B008 (frozen: never mutated)
    *,
    all_versions: bool = False,
) -> set[tuple[int, int]]:
    """Every (report id, version) a search finds, unranked: for exports and exactness checks."""
    found = _matched(session, parse(q), filters, all_versions).subquery()
    return {(row[0], row[1]) for row in session.execute(select(found.c.report_id, found.c.version))}


def _with_grams(n: int, terms: tuple[str, ...]) -> Any:
    """PostgreSQL: the versions holding every gram of TERMS, from one GIN lookup. MATERIALIZED:
    computed once through the index, never by calling search_grams row by row on the rows a
    selective filter leaves (the planner's choice when it has no statistics on the expression).
    """
    grams = sorted({gram for term in terms for gram in term_grams(term)})
    gram_set = func.search_grams(ReportVersion.title, ReportVersion.text)
    held = select(ReportVersion.id).where(gram_set.op("@>")(cast(grams, ARRAY(Text))))
    return select(held.cte(f"grams_{n}").prefix_with("MATERIALIZED").c.id)


def _spelled_out(include: tuple[str, ...], exclude: tuple[str, ...]) -> Any:
    """PostgreSQL: whether the version's title or text holds each long term of INCLUDE and none
    of EXCLUDE (strpos; long: more than a bigram, whose bigrams can all be there without the
    term; a long term is held exactly when strpos finds it, so excluding one needs no gram
    lookup). A scalar subquery, so it runs row by row after every cheaper condition (latest,
    filters, the gram lookup) has narrowed the rows: reading a text (TOASTed, ~15 kB) is the
    costly step of a search. The text is read once per row however many terms (``|| ''`` in a
    subquery kept apart by OFFSET 0), not once per strpos call."""
    wanted = [t for t in include if len(t) > 2]
    unwanted = [t for t in exclude if len(t) > 2]
    if not wanted and not unwanted:
        return None
    read = (
        select(ReportVersion.title, (ReportVersion.text + literal("")).label("body"))
        .where(ReportVersion.id == SearchDoc.version_id)
        .offset(0)
        .correlate(SearchDoc)
        .subquery("read")
    )

    def held(term: str) -> Any:
        return or_(func.strpos(read.c.title, term) > 0, func.strpos(read.c.body, term) > 0)

    checks = [held(t) for t in wanted] + [~held(t) for t in unwanted]
    return select(and_(*checks)).scalar_subquery().is_(True)


def _match_condition(session: Session, query: Query) -> Any:
    if uses_fts(session):
        expression = " AND ".join(fts_phrase(t) for t in query.include)
        expression += "".join(f" NOT {fts_phrase(t)}" for t in query.exclude)
        return SearchDoc.version_id.in_(select(FTS.c.rowid).where(FTS.c.grams.match(expression)))
    conditions: list[Any] = [SearchDoc.version_id.in_(_with_grams(0, query.include))]
    short = [t for t in query.exclude if len(t) <= 2]
    conditions += [
        SearchDoc.version_id.not_in(_with_grams(n, (t,))) for n, t in enumerate(short, 1)
    ]
    spelled = _spelled_out(query.include, query.exclude)
    if spelled is not None:
        conditions.append(spelled)
    return and_(*conditions)


def _in_title(session: Session, term: str) -> Any:
    position = func.instr if uses_fts(session) else func.strpos
    return case((position(SearchDoc.title, term) > 0, 1), else_=0)


def _matched(
    session: Session, query: Query, filters: SearchFilters, all_versions: bool
) -> Select[*tuple[Any, ...]]:
    score = sum((_in_title(session, t) for t in query.include), start=literal(0, Integer))
    statement: Select[*tuple[Any, ...]] = select(
        SearchDoc.version_id,
        SearchDoc.report_id,
        SearchDoc.version,
        cast(score, Integer).label("score"),
        *(getattr(SearchDoc, name) for name in FACETS),
    ).where(_match_condition(session, query))
    if not all_versions:
        statement = statement.where(SearchDoc.is_latest == true())
    for name in FACETS:
        value = getattr(filters, name)
        if value is not None:
            statement = statement.where(getattr(SearchDoc, name) == value)
    if filters.changed_since is not None:
        since = select(ReportVersion.id).where(ReportVersion.first_seen >= filters.changed_since)
        statement = statement.where(SearchDoc.version_id.in_(since))
    return statement


def _after(results: Any, after: tuple[int, int, int]) -> Any:
    """The keyset condition: strictly after the cursor's (score, report id, version)."""
    score, report_id, version = after
    return or_(
        results.c.score < score,
        and_(results.c.score == score, results.c.report_id < report_id),
        and_(
            results.c.score == score,
            results.c.report_id == report_id,
            results.c.version < version,
        ),
    )


def _evaluate(
    session: Session,
    matched: Select[*tuple[Any, ...]],
    after: tuple[int, int, int] | None,
    limit: int,
) -> tuple[int, dict[str, list[tuple[str, int]]], list[PageRow]]:
    """The total, every facet's counts and a page (LIMIT + 1 rows, to tell if more follow), in
    one statement over the result set, found once: matching is the costly part of a search
    (the index lookups, and on PostgreSQL the text check of longer terms)."""
    results = matched.cte("results").prefix_with("MATERIALIZED")
    none = cast(literal(None), Integer)
    arms = [
        select(
            literal("").label("facet"),
            literal("").label("value"),
            func.count().label("n"),
            none,
            none,
            none,
            none,
        ).select_from(results)
    ]
    for name in FACETS:
        column = results.c[name]
        spelled = cast(column, String).label("value")
        counted = (
            select(literal(name).label("facet"), spelled, func.count().label("n"))
            .where(column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), spelled)
            .limit(FACET_VALUES)
            .subquery()
        )
        arms.append(select(counted.c.facet, counted.c.value, counted.c.n, none, none, none, none))
    order = (results.c.score.desc(), results.c.report_id.desc(), results.c.version.desc())
    page = select(
        literal(_PAGE).label("facet"),
        literal("").label("value"),
        literal(0).label("n"),
        results.c.version_id,
        results.c.report_id,
        results.c.version,
        results.c.score,
    )
    if after is not None:
        page = page.where(_after(results, after))
    paged = page.order_by(*order).limit(limit + 1).subquery()
    arms.append(select(*paged.c))
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    total = 0
    rows: list[PageRow] = []
    for row in session.execute(union_all(*arms)):
        facet = str(row[0])
        if facet == _PAGE:
            rows.append(PageRow(version_id=row[3], report_id=row[4], version=row[5], score=row[6]))
        elif facet == "":
            total = int(row[2])
        else:
            facets[facet].append((str(row[1]), int(row[2])))
    for counts in facets.values():
        counts.sort(key=lambda pair: (-pair[1], pair[0]))
    rows.sort(key=lambda r: (-r.score, -r.report_id, -r.version))
    return total, facets, rows


def _hits(session: Session, rows: list[PageRow], query: Query) -> list[Hit]:
    if not rows:
        return []
    found = session.execute(
        select(
            SearchDoc.version_id,
            SearchDoc.title,
            SearchDoc.agency,
            SearchDoc.report_year,
            SearchDoc.province,
            SearchDoc.level,
            ReportVersion.text,
            ReportVersion.published_date,
        )
        .join(ReportVersion, ReportVersion.id == SearchDoc.version_id)
        .where(SearchDoc.version_id.in_([r.version_id for r in rows]))
    )
    read = {v.version_id: v for v in found}
    hits = []
    for row in rows:
        doc = read[row.version_id]
        hits.append(
            Hit(
                report_id=row.report_id,
                version=row.version,
                title=doc.title,
                snippet=snippet(doc.title, doc.text, query.include),
                agency=doc.agency,
                report_year=doc.report_year,
                province=doc.province,
                level=doc.level,
                published_date=doc.published_date,
                score=float(row.score),
            )
        )
    return hits


def _fingerprint(query: Query, filters: SearchFilters, all_versions: bool) -> str:
    """What a cursor is valid for: the same query, filters and version scope."""
    spelled = repr((query.key, filters, all_versions)).encode()
    return hashlib.sha256(spelled).hexdigest()[:16]


def _encode(fingerprint: str, key: tuple[int, int, int]) -> str:
    payload = json.dumps({"s": fingerprint, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str, fingerprint: str) -> tuple[int, int, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = payload["k"]
        if payload["s"] != fingerprint:
            raise QueryError("this cursor belongs to another search (query, filters or scope)")
        if len(key) != 3 or not all(type(part) is int for part in key):
            raise ValueError(key)
    except QueryError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
        raise QueryError("malformed cursor: pass back next_cursor unchanged") from exc
    return key[0], key[1], key[2]


__all__ = ["MAX_LIMIT", "matching", "search"]
