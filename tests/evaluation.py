"""How close an extracted text is to the expected one (tests and benchmarks share it)."""

from __future__ import annotations

from rapidfuzz.distance import LCSseq


def char_f1(got: str, expected: str) -> float:
    """F1 of the character LCS, whitespace ignored: precision punishes junk, recall loss."""
    a = "".join(got.split())
    b = "".join(expected.split())
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    common = LCSseq.similarity(a, b)
    precision, recall = common / len(a), common / len(b)
    return 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
