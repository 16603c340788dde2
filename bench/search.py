"""Search over the synthetic archive: exactness, latency, index build time and size.

    .venv/bin/python -m bench.search [--versions 100000] [--postgres URL] [--no-sqlite]
                                     [--exact-terms 300] [--no-rebuild]

On each backend, over bench/synthetic_archive.py's archive of VERSIONS versions (built in bulk
and cached):

- **build**: ``archive.search.index.reindex`` from scratch (what ``fazhi db reindex`` does),
  timed; the index's size against the text's (UTF-8 bytes of every title and text).
- **exactness**: EXACT_TERMS substrings of 2–8 characters drawn from the latest texts; the set
  of reports ``archive.search.matching`` finds must equal the set a plain scan
  (instr/strpos over every latest version) finds, for every term.
- **latency**: a realistic mix of queries (terms of 2–4 characters, ANDed terms, quoted
  phrases, exclusions, with and without filters), each a full ``search()`` call (total,
  facets, a page of 20 with snippets); p50/p95/max, and the same by term length, since terms
  of three characters and more are checked against the text on PostgreSQL. Baseline in the
  same run: the naive way, a LIKE '%…%' scan counting the latest versions holding a term.
- **depth**: following next_cursor 100 hits at a time past 10,000 results; the page after
  10,000 against the first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from archive.search import SearchFilters, matching, search
from archive.search.index import reindex
from archive.storage import db
from archive.storage.models import ReportVersion, SearchDoc
from bench.synthetic_archive import LEVELS, PROVINCES, postgres_archive, sqlite_archive

TARGET_P95_MS = 50.0
TARGET_SIZE_RATIO = 2.0
SEED = 20261207
TERMS = (
    "复议", "败诉", "诉讼", "执法", "普法", "信访", "调解", "公证", "仲裁", "法治", "律师",
    "行政复议", "行政诉讼", "依法行政", "法律顾问", "府院联动", "营商环境", "政务公开",
    "放管服", "司法所", "合法性", "规范性", "柔性执法", "包容审慎", "信息公开", "出庭应诉",
)  # fmt: skip
LONG_TERMS = ("合法性审查", "负责人出庭", "法治政府建设", "规范性文件", "行政执法三项制度")


@dataclass(frozen=True)
class Timed:
    label: str
    ms: float
    term_chars: int


def _queries(rng: random.Random) -> list[tuple[str, str, SearchFilters]]:
    """(label, query, filters): the realistic mix, every query once."""
    mixed: list[tuple[str, str, SearchFilters]] = []
    for term in TERMS:
        mixed.append(("term", term, SearchFilters()))
        mixed.append(("phrase", f'"{term}"', SearchFilters()))
        year = SearchFilters(report_year=rng.randrange(2019, 2025))
        mixed.append(("term+year", term, year))
        place = SearchFilters(province=rng.choice(PROVINCES), level=rng.choice(LEVELS))
        mixed.append(("term+province+level", term, place))
        other = rng.choice([t for t in TERMS if t != term])
        mixed.append(("two terms", f"{term} {other}", SearchFilters()))
        mixed.append(("term -term", f"{term} -{other}", SearchFilters()))
    for term in LONG_TERMS:
        mixed.append(("long phrase", f'"{term}"', SearchFilters()))
    return mixed


def _exact_terms(session: Session, count: int, rng: random.Random) -> list[str]:
    ids = list(session.scalars(select(SearchDoc.version_id).where(SearchDoc.is_latest)))
    terms: set[str] = set()
    while len(terms) < count:
        body = session.scalar(select(ReportVersion.text).where(ReportVersion.id == rng.choice(ids)))
        line = rng.choice((body or "").split("\n"))
        size = rng.randint(2, 8)
        if len(line) <= size:
            continue
        start = rng.randrange(len(line) - size)
        term = line[start : start + size]
        if not any(c.isspace() or c in '"“”' for c in term) and not term.startswith("-"):
            terms.add(term)
    return sorted(terms)


def _scan(session: Session, term: str) -> set[tuple[int, int]]:
    """The reports whose latest version holds TERM, by reading every text."""
    position = func.instr if session.get_bind().dialect.name == "sqlite" else func.strpos
    rows = session.execute(
        select(SearchDoc.report_id, SearchDoc.version)
        .join(ReportVersion, ReportVersion.id == SearchDoc.version_id)
        .where(SearchDoc.is_latest)
        .where((position(ReportVersion.text, term) > 0) | (position(ReportVersion.title, term) > 0))
    )
    return {(row[0], row[1]) for row in rows}


def _like_count(session: Session, term: str) -> int:
    pattern = f"%{term}%"
    return (
        session.scalar(
            select(func.count())
            .select_from(SearchDoc)
            .join(ReportVersion, ReportVersion.id == SearchDoc.version_id)
            .where(SearchDoc.is_latest)
            .where(ReportVersion.text.like(pattern) | ReportVersion.title.like(pattern))
        )
        or 0
    )


def _ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _sizes(session: Session) -> tuple[int, int]:
    """(text bytes, index bytes)."""
    if session.get_bind().dialect.name == "sqlite":
        text_bytes = session.scalar(
            text(
                "SELECT sum(length(CAST(title AS BLOB)) + length(CAST(text AS BLOB))) "
                "FROM report_version"
            )
        )
        index_bytes = session.scalar(
            text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                "OR name = 'ix_search_doc_report_id'"
            )
        )
    else:
        text_bytes = session.scalar(
            text("SELECT sum(octet_length(title) + octet_length(text)) FROM report_version")
        )
        index_bytes = session.scalar(
            text(
                "SELECT pg_total_relation_size('search_doc') "
                "+ pg_relation_size('ix_report_version_search_grams')"
            )
        )
    return int(text_bytes or 0), int(index_bytes or 0)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _deep(session: Session, term: str) -> tuple[float, float, int] | None:
    """(first page ms, page after 10,000 ms, results) following cursors 100 at a time."""
    first = time.perf_counter()
    page = search(session, term, limit=100)
    first_ms = (time.perf_counter() - first) * 1000
    if page.total <= 10_100:
        return None
    seen = len(page.hits)
    while seen < 10_000 and page.next_cursor:
        page = search(session, term, limit=100, cursor=page.next_cursor)
        seen += len(page.hits)
    start = time.perf_counter()
    page = search(session, term, limit=100, cursor=page.next_cursor)
    return first_ms, (time.perf_counter() - start) * 1000, page.total


def run(backend: str, url: str, exact_terms: int, rebuild: bool) -> None:
    engine = db.make_engine(url)
    rng = random.Random(SEED)
    with Session(engine) as session:
        versions = session.scalar(select(func.count()).select_from(ReportVersion))
        if rebuild:
            start = time.perf_counter()
            reindex(session)
            session.commit()
            seconds = time.perf_counter() - start
            print(
                f"{backend:<10} index build: {versions:,} versions in {seconds:.1f} s "
                f"({seconds / max(versions or 1, 1) * 1000:.2f} ms/version)"
            )
        text_bytes, index_bytes = _sizes(session)
        ratio = index_bytes / max(text_bytes, 1)
        print(
            f"{backend:<10} size: text {text_bytes / 1e6:,.1f} MB, "
            f"index {index_bytes / 1e6:,.1f} MB, ratio {ratio:.2f} (target <= {TARGET_SIZE_RATIO})"
        )
        terms = _exact_terms(session, exact_terms, rng)
        wrong = [t for t in terms if matching(session, f'"{t}"') != _scan(session, t)]
        print(
            f"{backend:<10} exactness: {len(terms) - len(wrong)}/{len(terms)} substrings "
            f"(2-8 chars) find exactly the reports holding them"
            + (f"; WRONG: {wrong[:10]}" if wrong else "")
        )
        mixed = _queries(rng)
        for _, q, filters in mixed[:10]:  # warm the caches once
            search(session, q, filters)
        timed = [
            Timed(
                label,
                _ms(lambda q=q, f=filters: search(session, q, f)),
                max(len(t) for t in q.replace('"', "").split()),
            )
            for label, q, filters in mixed
        ]
        everything = [t.ms for t in timed]
        print(
            f"{backend:<10} latency over {len(timed)} queries: "
            f"p50 {_percentile(everything, 0.5):.1f} ms, "
            f"p95 {_percentile(everything, 0.95):.1f} ms, max {max(everything):.1f} ms "
            f"(target p95 <= {TARGET_P95_MS:.0f} ms)"
        )
        for name, keep in (
            ("terms of 2 chars", lambda t: t.term_chars <= 2),
            ("terms of 3-4 chars", lambda t: 3 <= t.term_chars <= 4),
            ("phrases of 5+ chars", lambda t: t.term_chars >= 5),
        ):
            chosen = [t.ms for t in timed if keep(t)]
            if chosen:
                print(
                    f"{backend:<10}   {name:<20} n={len(chosen):>3}: "
                    f"p50 {_percentile(chosen, 0.5):7.1f} ms, "
                    f"p95 {_percentile(chosen, 0.95):7.1f} ms"
                )
        baseline_terms = TERMS[:6]
        base = [_ms(lambda t=t: _like_count(session, t)) for t in baseline_terms]
        ours = [_ms(lambda t=t: search(session, t)) for t in baseline_terms]
        slow, fast = statistics.median(base), statistics.median(ours)
        print(
            f"{backend:<10} baseline LIKE '%term%' count, {len(base)} terms: median {slow:.1f} ms"
            f" vs search() {fast:.1f} ms: ratio {slow / fast:.1f}"
        )
        deep = _deep(session, "法治")
        if deep:
            print(
                f"{backend:<10} depth: 法治 ({deep[2]:,} results), first page {deep[0]:.1f} ms, "
                f"page after 10,000 {deep[1]:.1f} ms"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL server URL; omit to bench SQLite only")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--exact-terms", type=int, default=300)
    parser.add_argument(
        "--rebuild",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time a rebuild of the index (default)",
    )
    args = parser.parse_args()
    if args.sqlite:
        run("sqlite", sqlite_archive(args.versions), args.exact_terms, args.rebuild)
    if args.postgres:
        run(
            "postgresql",
            postgres_archive(args.versions, args.postgres),
            args.exact_terms,
            args.rebuild,
        )


if __name__ == "__main__":
    main()
