"""The reading room under load: report-page latency over a 100,000-version archive, and 50
concurrent clients for 60 s.

    .venv/bin/python -m bench.reading_room [--postgres URL] [--no-sqlite] [--versions 100000]
                                           [--samples 500] [--clients 50] [--seconds 60]

The archive is bench/ingest.py's synthetic pages (real sentences recombined, 3,000–8,000
characters, one in five a correction of an earlier report, so ~80,000 reports), written in bulk
(reports, versions, one sighting each) rather than through the ingest path, which would take an
hour; the reading room reads the same tables either way. Each backend gets a fresh archive (a
scratch PostgreSQL database with ``--postgres``, dropped after), served by a real `fazhi serve`
(uvicorn) in a child process, asked over HTTP/1.1 keep-alive connections from this process.

Printed: report pages fetched one after another (p50, p95; target p95 <= 100 ms), then CLIENTS
threads asking a mix of pages (report, version, API report, listing) for SECONDS: requests,
errors (anything but 200; target 0), p50 and p99.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.models import Report, ReportVersion, Sighting
from bench.ingest import scratch_postgres, synthetic_pages
from tests.serve_process import serving

SEED = 20241208
BATCH = 2000
TARGET_P95_MS = 100.0
MIX = ("/reports/{id}", "/reports/{id}/v/1", "/api/v1/reports/{id}",
       "/?province=%E7%A6%8F%E5%BB%BA%E7%9C%81")  # fmt: skip  # 福建省


def build(url: str, versions: int) -> int:
    """VERSIONS synthetic versions into an empty archive at URL; returns the reports made."""
    db.upgrade(url)
    engine = db.make_engine(url)
    reports: dict[tuple[str | None, int | None], tuple[int, int]] = {}  # -> (id, last version)
    seen = dt.datetime(2024, 3, 13, tzinfo=dt.UTC)
    rng = random.Random(SEED)
    rows: dict[type, list[dict[str, object]]] = {Report: [], ReportVersion: [], Sighting: []}
    with Session(engine) as session:
        for number, page in enumerate(synthetic_pages(versions)):
            key = (page.agency, page.report_year)
            report_id, version = reports.get(key, (len(reports) + 1, 0))
            if version == 0:
                rows[Report].append(
                    {"id": report_id, "identity_key": f"{page.agency}|{page.report_year}",
                     "agency": page.agency, "report_year": page.report_year,
                     "province": rng.choice(("福建省", "湖南省", "广东省", "安徽省")),
                     "created_at": seen}
                )  # fmt: skip
            reports[key] = (report_id, version + 1)
            at = seen + dt.timedelta(minutes=number)
            rows[ReportVersion].append(
                {"id": number + 1, "report_id": report_id, "version": version + 1,
                 "content_sha256": f"{number:064x}", "title": page.title,
                 "title_original": page.title, "text": page.text, "text_original": page.text,
                 "published_date": dt.date(2024, 3, 13), "metadata": {"索引号": f"X-{number}"},
                 "repairs": [], "first_seen": at, "last_seen": at}
            )  # fmt: skip
            rows[Sighting].append(
                {"version_id": number + 1, "url": f"{page.url}?v={number}",
                 "site": f"www.sample{report_id}.gov.cn", "first_seen": at, "last_seen": at}
            )  # fmt: skip
            if len(rows[ReportVersion]) >= BATCH:
                _flush(session, rows)
        _flush(session, rows)
        session.commit()
        made = session.scalar(select(func.count()).select_from(Report)) or 0
    engine.dispose()
    return made


def _flush(session: Session, rows: dict[type, list[dict[str, object]]]) -> None:
    for model, batch in rows.items():
        if batch:
            session.execute(insert(model), batch)
            batch.clear()


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, float]:
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - start) * 1000


def _connection(base: str) -> http.client.HTTPConnection:
    host, port = base.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=30)


def sequential(base: str, reports: int, samples: int) -> list[float]:
    rng = random.Random(SEED)
    conn = _connection(base)
    _get(conn, "/reports/1")  # warm the connection and the server
    timings = []
    for _ in range(samples):
        status, ms = _get(conn, f"/reports/{rng.randrange(1, reports + 1)}")
        if status != 200:
            raise AssertionError(f"report page answered {status}")
        timings.append(ms)
    conn.close()
    return timings


def concurrent(base: str, reports: int, clients: int, seconds: float) -> tuple[list[float], int]:
    """CLIENTS threads asking the MIX of pages until SECONDS have passed."""
    deadline = time.monotonic() + seconds
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(SEED + number)
        conn = _connection(base)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            path = rng.choice(MIX).format(id=rng.randrange(1, reports + 1))
            try:
                status, ms = _get(conn, path)
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = _connection(base)
                continue
            mine.append(ms)
            failed += status != 200
        conn.close()
        with lock:
            timings.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors[0]


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def measure(backend: str, url: str, data: Path, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    reports = build(url, args.versions)
    print(f"{backend:<11} built {args.versions:,} versions of {reports:,} reports "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    with serving(url, data) as base:
        pages = sequential(base, reports, args.samples)
        p95 = percentile(pages, 95)
        verdict = "ok" if p95 <= TARGET_P95_MS else "MISSED"
        print(f"{backend:<11} report page, one at a time ({args.samples}): "
              f"p50 {statistics.median(pages):.1f} ms, p95 {p95:.1f} ms "
              f"(target <= {TARGET_P95_MS:.0f}) {verdict}")  # fmt: skip
        timings, errors = concurrent(base, reports, args.clients, args.seconds)
        p50, p99 = statistics.median(timings), percentile(timings, 99)
        print(f"{backend:<11} {args.clients} clients x {args.seconds:.0f} s: {len(timings):,} "
              f"requests ({len(timings) / args.seconds:.0f}/s), {errors} errors, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")  # fmt: skip


def backends(args: argparse.Namespace, scratch: Path) -> Iterator[tuple[str, str]]:
    if not args.no_sqlite:
        yield "sqlite", f"sqlite:///{scratch}/archive.sqlite3"
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            yield "postgresql", url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="server URL whose user may create databases")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-web-") as scratch:
        for backend, url in backends(args, Path(scratch)):
            measure(backend, url, Path(scratch), args)


if __name__ == "__main__":
    main()
