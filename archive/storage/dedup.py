"""What makes two pages the same report, the same text, or nearly the same text.

Three keys, from strict to loose: the content key (SHA-256 of the normalised text), the
identity key (issuing body + year, with fallbacks) and a MinHash signature indexed in bands, so
a near-duplicate lookup does not grow with the archive. How :mod:`archive.storage.versions` uses
them, and every rule that follows: docs/dedup.md.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash
from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from archive.extract.agency import normalize_agency
from archive.extract.classify import title_core
from archive.extract.page import THIN_BODY
from archive.storage.models import ReportVersion, VersionBand

SHINGLE = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
# 20 bands of 6 values: a pair at Jaccard 0.8 shares a band with probability 0.998, at 0.5 with
# 0.27, at 0.3 with 0.014 (1 - (1 - s^6)^20). Candidates are then checked against the full
# signature, so a missed near-duplicate costs more than a needless comparison. Changing these
# numbers invalidates every stored band: they are part of the schema.
BANDS, ROWS = 20, 6
NEAR_DUPLICATE = 0.8
MAX_CANDIDATES = 32
IDENTITY_MAX = 300  # report.identity_key is VARCHAR(300)
# Odd 64-bit multipliers: the golden-ratio constant to chain code points, MurmurHash3's
# finaliser to spread each 5-gram over all 64 bits before the top 32 are kept.
_CHAIN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_SHIFT = np.uint64(33)
_HIGH = np.uint64(32)


def compact(text: str) -> str:
    """The text without whitespace: line breaks and indents are layout, not content."""
    return "".join(text.split())


def is_thin(text: str) -> bool:
    """Too short to identify a report by its text (the extractor's own threshold)."""
    return len(compact(text)) < THIN_BODY


def agency_key(agency: str | None) -> str | None:
    """The body's dedup key (:func:`archive.extract.agency.normalize_agency`), None when unknown."""
    return (normalize_agency(agency) or None) if agency else None


def identity_key(agency: str | None, year: int | None, title: str, url: str) -> str:
    """Which real-world report a page is: ``body|year``, else the title's core and the year,
    else the page's URL (a page with neither title nor body is only itself)."""
    body = agency_key(agency)
    if body and year:
        return _bounded(f"{body}|{year}")
    core = title_core(title) if title else ""
    if core:
        return _bounded(f"title:{core}|{year or '?'}")
    return _bounded(f"url:{url}")


def content_key(text: str, identity: str) -> str:
    """SHA-256 of the text; of identity and text for a thin body (see the module doc)."""
    return _sha256(f"{identity}\n{text}" if is_thin(text) else text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bounded(key: str) -> str:
    """Keys over the column's width keep a readable head and a digest of the whole."""
    if len(key) <= IDENTITY_MAX:
        return key
    digest = _sha256(key)
    return key[: IDENTITY_MAX - len(digest) - 1] + "#" + digest


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the distinct character 5-grams, computed in bulk with numpy.

    Hashing each shingle with SHA-1 (datasketch's default) costs ~15 ms for a 6,000-character
    report; chaining code points with a multiply-xor and MurmurHash3's finaliser costs ~1 ms
    and spreads 5-grams as evenly, which is all MinHash needs from it.
    """
    points = np.frombuffer(compact(text).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    count = len(points) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            hashes = (hashes * _CHAIN) ^ points[offset : offset + count]
        hashes ^= hashes >> _SHIFT
        hashes *= _MIX
        hashes ^= hashes >> _SHIFT
    return np.unique((hashes >> _HIGH).astype(np.uint32))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two :func:`shingle_hashes` sets. Which of a report's versions a copy
    copies: versions a figure apart are within MinHash's error (±0.03) of each other, not of
    this."""
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b, assume_unique=True)) / union if union else 1.0


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The seed's permutations, drawn once: drawing them costs half a millisecond a MinHash."""
    permutations: tuple[np.ndarray, np.ndarray] = MinHash(
        num_perm=NUM_PERM, seed=SEED, scheme=SCHEME
    ).permutations
    return permutations


def signature(text: str) -> LeanMinHash | None:
    """The MinHash of a text's 5-gram shingles; None for a thin body, which has no text to
    compare (its identity decides alone)."""
    if is_thin(text):
        return None
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=operator.index,  # the values are hashes already
        permutations=_permutations(),
        scheme=SCHEME,
    )
    minhash.update_batch(shingle_hashes(text).tolist())
    return LeanMinHash(minhash)


def to_bytes(sig: LeanMinHash) -> bytes:
    """datasketch's own layout (seed, scheme, values): a stored signature says how it was made."""
    buffer = bytearray(sig.bytesize())
    sig.serialize(buffer)
    return bytes(buffer)


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash.deserialize(data)


def band_hashes(sig: LeanMinHash) -> list[int]:
    """One signed 64-bit hash per band (BIGINT on both backends)."""
    values = np.asarray(sig.hashvalues, dtype="<u4")
    return [
        int.from_bytes(
            hashlib.blake2b(
                values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


@dataclass(frozen=True)
class Candidate:
    """A stored version whose text is estimated to be nearly the same."""

    version_id: int
    report_id: int
    similarity: float


def index_bands(session: Session, version_id: int, sig: LeanMinHash) -> None:
    session.execute(
        insert(VersionBand),
        [
            {"version_id": version_id, "band": band, "hash": value}
            for band, value in enumerate(band_hashes(sig))
        ],
    )


def drop_bands(session: Session, version_id: int) -> None:
    session.execute(delete(VersionBand).where(VersionBand.version_id == version_id))


@functools.cache
def sharing_bands() -> Select[int, int]:
    """(version_id, bands shared) of the versions sharing a band with a signature whose
    :func:`band_parameters` are bound, most shared first.

    One ``band = ? AND hash = :band_hash_<n>`` term per band, OR-ed: both backends answer it with
    one probe of ``ix_version_band_band_hash`` per band (SQLite ignores the index for a
    row-value IN). Built once: building 20 terms costs more than running them. At most
    :data:`MAX_CANDIDATES` rows, so a popular band (a template every county copies) cannot
    turn one lookup into a scan.
    """
    shared = func.count().label("bands")
    return (
        select(VersionBand.version_id, shared)
        .where(
            or_(
                *(
                    and_(
                        VersionBand.band == band, VersionBand.hash == bindparam(f"band_hash_{band}")
                    )
                    for band in range(BANDS)
                )
            )
        )
        .group_by(VersionBand.version_id)
        .order_by(shared.desc(), VersionBand.version_id)
        .limit(MAX_CANDIDATES)
    )


def band_parameters(sig: LeanMinHash) -> dict[str, int]:
    return {f"band_hash_{band}": value for band, value in enumerate(band_hashes(sig))}


@functools.cache
def _candidates() -> Select[int, int, bytes | None]:
    shared = sharing_bands().subquery()
    return select(ReportVersion.id, ReportVersion.report_id, ReportVersion.signature).join(
        shared, shared.c.version_id == ReportVersion.id
    )


def near_duplicates(
    session: Session, sig: LeanMinHash, threshold: float = NEAR_DUPLICATE
) -> list[Candidate]:
    """Versions at estimated Jaccard ≥ threshold, most similar first, among those sharing a
    band with SIG (:func:`sharing_bands`)."""
    rows = session.execute(_candidates(), band_parameters(sig))
    found = [
        Candidate(row.id, row.report_id, sig.jaccard(from_bytes(row.signature)))
        for row in rows
        if row.signature is not None
    ]
    return sorted(
        (c for c in found if c.similarity >= threshold),
        key=lambda c: (-c.similarity, c.version_id),
    )
