"""`fazhi reprocess` speed and memory on a large synthetic archive with WARC captures.

    .venv/bin/python -m bench.reprocess [--versions 100000] [--postgres URL] [--no-sqlite]
                                        [--batch 50]

The archive: bench/ingest.py's synthetic reports (real sentences recombined, one page in five a
correction of an earlier report, so a new version), each rendered as a portal page
(``<title>``, SiteName, ``<h1>``, one ``<p>`` a paragraph) and archived through
``archive.ingest.process`` into WARC files and a fresh database, a hundred pages a commit. Then
every version is aged as older rules would have left it (a counter line kept in its text, no
extractor version): the reprocess that follows re-extracts every capture, replaces every text
(keeping the old one) and re-derives every anatomy — the most it ever writes.

Printed, per backend, each rate against a baseline measured in the same run (the house rule):
the ingest of the same pages from bytes (extract, classify, dedup, store: what a crawl's
archive process does a page), the reprocess of the aged archive, and a second reprocess (which
changes nothing) — in versions a second and as ratios to the ingest; the reprocess rate over
its first and its last tenth of batches (flat: ratio near 1); and the process's RSS sampled
after every batch, first tenth against last (flat memory: growth near 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from archive import ingest as archiving
from archive.reprocess.progress import Status
from archive.reprocess.run import reprocess
from archive.reprocess.scope import Scope
from archive.search import index as search_index
from archive.storage import db, dedup
from archive.storage.models import ReportVersion
from archive.storage.warc import WarcWriter
from bench.ingest import scratch_postgres, synthetic_pages

COMMIT_EVERY = 100
FETCHED_AT = dt.datetime(2024, 3, 13, tzinfo=dt.UTC)
HEADERS = {"Content-Type": "text/html; charset=utf-8"}
DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")


def page_html(title: str, agency: str, text: str) -> bytes:
    """A portal's article page around TITLE and TEXT (one paragraph a line)."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="SiteName" content="{html.escape(agency)}门户网站"></head><body>'
        f'<div class="nav">首页 | 政务公开 | 法治政府建设</div><h1>{html.escape(title)}</h1>'
        f'<div class="article">{paragraphs}</div><div class="footer">版权所有</div>'
        f"</body></html>"
    ).encode()


def build(engine: Engine, data: Path, versions: int) -> float:
    """VERSIONS synthetic pages captured and archived; the seconds it took."""
    start = time.perf_counter()
    with (
        Session(engine) as session,
        WarcWriter(data / "warc", "bench", sync_each=False) as warc,
    ):
        for number, record in enumerate(synthetic_pages(versions), start=1):
            agency = _spelt(record.agency or "")
            body = page_html(
                record.title.replace(record.agency or "", agency),
                agency,
                record.text.replace(record.agency or "", agency),
            )
            response = archiving.Response(record.url, 200, HEADERS, body, fetched_at=FETCHED_AT)
            done = archiving.process(session, response, warc=warc)
            if done.result is None:
                raise AssertionError(f"page {number} made no version: {done}")
            if number % COMMIT_EVERY == 0:
                session.commit()
        session.commit()
    return time.perf_counter() - start


def _spelt(agency: str) -> str:
    """样本市第12区人民政府 as 样本市一二区人民政府: extraction reads a body's name in words
    (a district numbered in digits is no body it knows), and the page then speaks for it."""
    return agency.translate(DIGITS).replace("市第", "市")


def age(engine: Engine) -> None:
    """Every version as older rules left it: a counter line kept, no extractor version."""
    with Session(engine) as session:
        ids = list(session.scalars(select(ReportVersion.id).order_by(ReportVersion.id)))
        for start in range(0, len(ids), COMMIT_EVERY):
            for version_id in ids[start : start + COMMIT_EVERY]:
                search_index.drop_version(session, version_id)
                text = session.scalar(
                    select(ReportVersion.text).where(ReportVersion.id == version_id)
                )
                older = f"{text}\n浏览次数：{version_id}"
                session.execute(
                    update(ReportVersion)
                    .where(ReportVersion.id == version_id)
                    .values(
                        text=older,
                        content_sha256=dedup.content_key(older, ""),
                        extractor_version=None,
                    )
                )
                search_index.add_version(session, version_id)
            session.commit()


@dataclass
class Samples:
    """Per batch: when it ended, versions done so far, RSS then (MB)."""

    at: list[float] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def __call__(self, status: Status) -> None:
        if status.phase != "reports":
            return
        self.at.append(time.perf_counter() - self.started)
        self.versions.append(status.counts.get("versions", 0))
        self.rss_mb.append(_rss_mb())

    def rate(self, first: bool) -> float:
        """Versions a second over the first (or last) tenth of the batches."""
        tenth = max(1, len(self.at) // 10)
        span = range(0, tenth) if first else range(len(self.at) - tenth, len(self.at))
        start_at = self.at[span.start - 1] if span.start else 0.0
        start_versions = self.versions[span.start - 1] if span.start else 0
        done = self.versions[span.stop - 1] - start_versions
        return done / (self.at[span.stop - 1] - start_at)

    def memory(self) -> tuple[float, float, float]:
        """Peak RSS over the first tenth of batches, over the last tenth, and overall (MB)."""
        tenth = max(1, len(self.rss_mb) // 10)
        return max(self.rss_mb[:tenth]), max(self.rss_mb[-tenth:]), max(self.rss_mb)


def _rss_mb() -> float:
    """The current resident set (not the peak): /proc/self/statm's second field."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def bench(url: str, versions: int, batch: int) -> None:
    db.upgrade(url)
    engine = db.make_engine(url)
    backend = engine.dialect.name
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory)
        built = build(engine, data, versions)
        with Session(engine) as session:
            stored = session.scalar(select(func.count()).select_from(ReportVersion)) or 0
        age(engine)
        runs = []
        for _ in range(2):
            samples = Samples()
            start = time.perf_counter()
            summary = reprocess(
                engine,
                root=data,
                source_of=lambda _: None,
                scope=Scope(),
                batch=batch,
                progress=samples,
            )
            runs.append((time.perf_counter() - start, summary, samples))
    engine.dispose()
    ingest_rate = versions / built
    print(f"{backend}: {versions:,} pages → {stored:,} versions")
    print(f"  ingest from bytes (baseline) {ingest_rate:7.1f} versions/s")
    for name, (seconds, summary, samples) in zip(("reprocess", "again"), runs, strict=True):
        rate = stored / seconds
        first, last = samples.rate(first=True), samples.rate(first=False)
        early, late, peak = samples.memory()
        changed = {k: v for k, v in summary.counts.items() if k not in ("reports", "versions")}
        print(
            f"  {name:<9} {rate:7.1f} versions/s = {rate / ingest_rate:.2f} × ingest; "
            f"first tenth {first:.1f}/s, last {last:.1f}/s (ratio {last / first:.2f}); "
            f"RSS first tenth {early:.0f} MB, last {late:.0f} MB (growth {late - early:+.0f} "
            f"MB, peak {peak:.0f}); changed {changed or 'nothing'}"
        )


def backends(args: argparse.Namespace) -> Iterator[str]:
    if args.sqlite:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=100_000, help="pages to archive")
    parser.add_argument("--batch", type=int, default=50, help="reports a transaction")
    parser.add_argument("--postgres", help="PostgreSQL server URL; omit to bench SQLite only")
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="bench SQLite"
    )
    args = parser.parse_args()
    for url in backends(args):
        bench(url, args.versions, args.batch)


if __name__ == "__main__":
    main()
