"""A synthetic archive of N versions, built in bulk and cached, for the benches that read an
archive (search, the report pages).

    from bench.synthetic_archive import sqlite_archive, postgres_archive
    url = sqlite_archive(100_000)                 # a SQLite file, cached under the temp dir
    url = postgres_archive(100_000, server_url)   # a database on the server, kept between runs

The texts are bench/ingest.py's synthetic pages (fixture sentences recombined, one page in five a
correction of a recent report, i.e. its version n + 1). Going through ``ingest`` one page at a
time would take hours at 100,000 versions, so the rows are written directly, as ingest would
leave them: reports spread over SOURCES sources (provinces and levels in turn, each source one
agency, so facets have realistic counts), versions numbered per report, one sighting each, no
near-duplicate bands (no bench that reads the archive uses them). The search index is built
once at the end (``archive.search.index.reindex``); bench/search.py times a rebuild.

The cache is keyed by the version count and the generator's seed; a marker row written last
tells a complete archive from one a killed run left behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import random
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import Engine, delete, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.search.index import drop_gram_index, reindex
from archive.storage import db
from archive.storage.models import Report, ReportVersion, SearchDoc, Sighting, Source
from bench.ingest import SEED, synthetic_pages

SOURCES = 3000
BATCH = 2000
PROVINCES = ("北京市", "上海市", "广东省", "浙江省", "江苏省", "福建省", "四川省", "湖北省")
LEVELS = ("省", "市", "县", "部门")
MARKER = "synthetic-archive-complete"
CACHE = Path(tempfile.gettempdir()) / "fazhi-bench"


def _name(versions: int) -> str:
    return f"synthetic_{versions}_{SEED}"


def sqlite_archive(versions: int) -> str:
    """The URL of a cached SQLite archive of VERSIONS versions, built if missing."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{_name(versions)}.sqlite3"
    url = f"sqlite:///{path}"
    if _complete(url):
        db.upgrade(url)  # an archive cached by an older schema gets the new migrations
    else:
        path.unlink(missing_ok=True)
        _build(url, versions)
    return url


def postgres_archive(versions: int, server_url: str) -> str:
    """The URL of a PostgreSQL database holding the archive, created on SERVER_URL if missing."""
    admin_url = make_url(server_url).set(drivername="postgresql")
    url = admin_url.set(database=f"fazhi_bench_{_name(versions)}").render_as_string(False)
    if _complete(url):
        db.upgrade(url)  # an archive cached by an older schema gets the new migrations
        return url
    with psycopg.connect(admin_url.render_as_string(False), autocommit=True) as admin:
        name = sql.Identifier(make_url(url).database or "")
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    _build(url, versions)
    return url


def _complete(url: str) -> bool:
    try:
        engine = db.make_engine(url)
        with Session(engine) as session:
            return session.scalar(select(Source.id).where(Source.slug == MARKER)) is not None
    except Exception:  # no such file or database yet
        return False
    finally:
        engine.dispose()


def normal(record: Extracted) -> Extracted:
    """The record in the archive's normal form (NFKC), as extraction leaves every text: the
    generator writes full-width punctuation of its own."""
    title, body = (unicodedata.normalize("NFKC", s) for s in (record.title, record.text))
    return dataclasses.replace(record, title=title, text=body)


def _sources() -> Iterator[dict[str, object]]:
    for number in range(SOURCES):
        province = PROVINCES[number % len(PROVINCES)]
        level = LEVELS[(number // len(PROVINCES)) % len(LEVELS)]
        agency = f"{province}样本{level}级第{number}号机关"
        yield {
            "id": number + 1,
            "slug": f"synthetic-{number}",
            "name": agency,
            "agency": agency,
            "level": level,
            "province": province,
            "home_url": f"https://www.s{number}.gov.cn/",
            "domains": [f"s{number}.gov.cn"],
        }


def _build(url: str, versions: int) -> None:
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        _fill(engine, versions)
    finally:
        engine.dispose()


def _fill(engine: Engine, versions: int) -> None:
    rng = random.Random(SEED + 1)
    sources = list(_sources())
    reports: dict[str, tuple[int, int]] = {}  # the generator's agency|year -> (report id, count)
    with Session(engine) as session:
        session.execute(delete(SearchDoc))
        if engine.dialect.name == "postgresql":
            drop_gram_index(session)
        session.execute(insert(Source), sources)
        pages = synthetic_pages(versions)
        for start in itertools.count(0, BATCH):
            batch = list(itertools.islice(pages, BATCH))
            if not batch:
                break
            new_reports, new_versions, sightings = [], [], []
            for offset, record in enumerate(batch):
                number = start + offset
                record = normal(record)
                key = f"{record.agency}|{record.report_year}"
                if key in reports:
                    report_id, count = reports[key]
                else:
                    report_id, count = len(reports) + 1, 0
                    source = sources[rng.randrange(SOURCES)]
                    new_reports.append(
                        {
                            "id": report_id,
                            "identity_key": key,
                            "agency": source["agency"],
                            "report_year": record.report_year,
                            "province": source["province"],
                            "source_id": source["id"],
                        }
                    )
                reports[key] = (report_id, count + 1)
                year = record.report_year or 2023
                seen = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=number)
                new_versions.append(
                    {
                        "id": number + 1,
                        "report_id": report_id,
                        "version": count + 1,
                        "content_sha256": hashlib.sha256(record.text.encode()).hexdigest(),
                        "title": record.title,
                        "title_original": record.title_original,
                        "text": record.text,
                        "text_original": record.text_original,
                        "published_date": seen.date(),
                        "metadata_": {},
                        "script": "zh-Hans",
                        "repairs": [],
                        "first_seen": seen,
                        "last_seen": seen,
                    }
                )
                sightings.append(
                    {
                        "version_id": number + 1,
                        "url": record.url,
                        "site": "",
                        "first_seen": seen,
                        "last_seen": seen,
                    }
                )
            if new_reports:
                session.execute(insert(Report), new_reports)
            session.execute(insert(ReportVersion), new_versions)
            session.execute(insert(Sighting), sightings)
            session.commit()
        if engine.dialect.name == "postgresql":
            for table in ("source", "report", "report_version", "sighting"):
                session.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                    {"t": table, "n": SOURCES + 1 + versions},
                )
        reindex(session)
        session.execute(
            insert(Source).values(
                id=SOURCES + 1, slug=MARKER, name=MARKER, home_url="https://example.invalid/"
            )
        )
        session.commit()
