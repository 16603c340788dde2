"""Ingest speed as the archive grows: time per version at 1,000 and at 100,000 stored versions.

    .venv/bin/python -m bench.ingest [--postgres URL] [--no-sqlite] [--versions 100000]
                                     [--window 1000]

Every version goes through ``archive.storage.store.ingest`` in its own transaction (the crawler
commits a batch at once: this is its slowest case), into a fresh SQLite file and, with
``--postgres`` (a server URL whose user may create databases), a fresh PostgreSQL database
created for the run and dropped after it.

The pages are synthetic but built from real text: paragraphs recombined from the fixture
reports' sentences (so they share the vocabulary and stock phrases real reports share),
3,000–8,000 characters, each by its own body and year. One page in five is a near-duplicate:
a correction of an earlier report (a note in one paragraph, Jaccard 0.97–1.0), which
the near-duplicate lookup finds and the identity turns into version n + 1. Every page is one
new version, so versions stored = pages ingested.

Printed: the time per version over the first window (versions 0–1,000) and over the last
(99,000–100,000), and their ratio; the target is ≤ 1.5, i.e. a lookup that does not grow
with the archive.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.storage import db
from archive.storage.store import Outcome, ingest
from tests.store_samples import corrected, extracted_pages

SEED = 20240313
NEAR_DUPLICATES = 0.2
LENGTH = (3000, 8000)
SENTENCES_PER_PARAGRAPH = (2, 6)
RECENT = 5000  # corrections pick among this many latest reports: memory stays flat
TARGET = 1.5
_SENTENCE_END = re.compile(r"(?<=[。；])")
_DIGIT = re.compile(r"\d")


@dataclasses.dataclass(frozen=True)
class Window:
    start: int
    seconds: float

    def per_version_ms(self, size: int) -> float:
        return self.seconds / size * 1000


def sentences() -> list[str]:
    """Every sentence of the fixture reports, the material synthetic reports are made of."""
    found = {
        sentence
        for record in extracted_pages().values()
        for line in record.text.split("\n")
        for sentence in _SENTENCE_END.split(line)
        if len(sentence) >= 10
    }
    return sorted(found)


def synthetic_pages(count: int) -> Iterator[Extracted]:
    """COUNT pages, the same on every run and backend (see the module doc)."""
    rng = random.Random(SEED)
    pool = sentences()
    template = next(iter(extracted_pages().values()))
    recent: list[Extracted] = []
    for number in range(count):
        if recent and rng.random() < NEAR_DUPLICATES:
            slot = rng.randrange(len(recent))
            record = corrected(recent[slot], note=f"（第{number}号更正）")
            recent[slot] = record
        else:
            record = _report(rng, pool, template, number)
            recent = [*recent[-RECENT + 1 :], record]
        yield record


def _report(rng: random.Random, pool: list[str], template: Extracted, number: int) -> Extracted:
    agency = f"样本市第{number}区人民政府"
    year = rng.randrange(2019, 2025)
    target = rng.randrange(*LENGTH)
    lines = [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，现将有关情况报告如下："
    ]
    while sum(map(len, lines)) < target:
        chosen = rng.sample(pool, rng.randrange(*SENTENCES_PER_PARAGRAPH))
        lines.append(_DIGIT.sub(lambda _: str(rng.randrange(10)), "".join(chosen)))
    text = "\n".join(lines)
    title = f"{agency}关于{year}年法治政府建设情况的报告"
    return dataclasses.replace(
        template,
        url=f"https://www.sample{number}.gov.cn/fzzfjs/{year}/report.html",
        title=title,
        title_original=title,
        text=text,
        text_original=text,
        agency=agency,
        report_year=year,
        region=None,
        metadata={},
        attachments=(),
    )


def run(url: str, versions: int, window: int) -> tuple[Window, Window]:
    """Ingest VERSIONS pages into an empty archive at URL; time the first and last windows."""
    db.upgrade(url)
    engine = db.make_engine(url)
    last_start = versions - window
    timed: dict[int, float] = {0: 0.0, last_start: 0.0}
    seen_at = dt.datetime(2024, 3, 13, tzinfo=dt.UTC)
    with Session(engine) as session:
        for number, record in enumerate(synthetic_pages(versions)):
            start = time.perf_counter()
            result = ingest(session, record, url=record.url, seen_at=seen_at)
            session.commit()
            elapsed = time.perf_counter() - start
            if result.outcome not in (Outcome.NEW_REPORT, Outcome.NEW_VERSION):
                raise AssertionError(f"page {number} made no version: {result}")
            for window_start in timed:
                if window_start <= number < window_start + window:
                    timed[window_start] += elapsed
    engine.dispose()
    return Window(0, timed[0]), Window(last_start, timed[last_start])


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A database of its own on the server, dropped afterwards."""
    name = f"fazhi_bench_{random.randrange(16**8):08x}"
    admin_url = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def report(backend: str, first: Window, last: Window, versions: int, window: int) -> None:
    early, late = first.per_version_ms(window), last.per_version_ms(window)
    for at, ms in ((first, early), (last, late)):
        print(
            f"{backend:<11} versions {at.start:>7,}-{at.start + window:>7,}: "
            f"{ms:6.2f} ms/version  {1000 / ms:6.1f} versions/s"
        )
    print(
        f"{backend:<11} ratio at {versions:,} / at {window:,}: {late / early:.2f} "
        f"(target <= {TARGET})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL; omit to bench SQLite only")
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="bench SQLite"
    )
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=1_000)
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            report("sqlite", *run(url, args.versions, args.window), args.versions, args.window)
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            windows = run(url, args.versions, args.window)
        report("postgresql", *windows, args.versions, args.window)


if __name__ == "__main__":
    main()
