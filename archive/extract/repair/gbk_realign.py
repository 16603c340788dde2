"""Re-align GBK text that was decoded one byte out of step.

A GBK stream that lost a byte decodes into a run of real but meaningless characters until it
falls back in step; decoding the run again one byte later gives the text back, with the lost
character as one U+FFFD, never a guess. A worked example (seed 003), and how a shift is judged
a repair (:mod:`archive.extract.repair.plausibility`): docs/extraction.md ("Repairs").
"""

import re
from dataclasses import dataclass
from itertools import accumulate

from archive.extract.repair.plausibility import (
    log_likelihood,
    prefix_log_likelihoods,
    suffix_log_likelihoods,
    typical_char_log_prob,
)

# What a decoder puts where it met a byte it could not use.
_LOST_BYTE_MARKS = "?\ufffd"
# A lone byte in GBK's trail range (0x40-0x7E) right after a two-byte character
# is the trail of a character read alone: where a shifted stream falls back in step.
_RESYNC = re.compile(r"(?<=[^\x00-\x7f])[\x40-\x7e]")
_CLUE = re.compile(rf"[{_LOST_BYTE_MARKS}]|{_RESYNC.pattern}")
# A repair must raise the log-likelihood of the text by this many nats: the
# prior odds against a corruption. A lost-byte mark before the run is itself
# evidence, so less is asked of it than of a shift whose start is only inferred.
# Measured on the 222 seed sentences (Simplified and OpenCC s2t) with one lead
# byte of a random character replaced by '?' or dropped, and on the same
# sentences with '?' and Latin words inserted between Han characters: the best
# shift of clean text gains at most -2.5 nats; marked repairs gain 12-290
# (median 72), unmarked ones median 46. At these bars 148 of the 222 marked and
# 133 of the 222 unmarked damages are repaired, none wrongly, and no clean text
# is touched.
_MIN_GAIN_MARKED = 5.0
_MIN_GAIN_UNMARKED = 8.0
# A shift must read at least this many characters differently: the reading of
# a single character is no evidence (?代? would otherwise become two U+FFFD).
_MIN_EVIDENCE = 2
# Two starts of an unmarked shift closer than this (nats) leave the character
# between them unknown. On shifted seed sentences the wrong one of two
# neighbouring starts won 6 times in 15 below 2.5 nats, once in 118 above.
_AMBIGUOUS_START = 2.5
# Characters of unchanged context scored on each side, so that words crossing
# the edge of a repair count the same for the original and the repair.
_CONTEXT = 3


@dataclass(frozen=True)
class _Run:
    """A maximal span of GBK two-byte characters and the clues around it."""

    start: int
    end: int
    marked: bool  # a lost-byte mark right before the run
    tail: str  # the resync byte right after the run, or ""
    stop: int  # end of what a repair replaces: the run and its closing clue


@dataclass(frozen=True)
class _Repair:
    start: int
    end: int
    text: str


def _is_double_byte(char: str) -> bool:
    return len(char.encode("gb18030")) == 2


def _run_around(text: str, index: int) -> _Run:
    start, end = index, index + 1
    while start > 0 and _is_double_byte(text[start - 1]):
        start -= 1
    while end < len(text) and _is_double_byte(text[end]):
        end += 1
    tail = text[end] if _RESYNC.match(text, end) else ""
    closed = bool(tail) or (end < len(text) and text[end] in _LOST_BYTE_MARKS)
    marked = start > 0 and text[start - 1] in _LOST_BYTE_MARKS
    return _Run(start, end, marked, tail, end + closed)


def _clued_runs(text: str) -> list[_Run]:
    """Runs of two-byte characters next to a lost-byte mark or before a resync byte."""
    runs: set[_Run] = set()
    for clue in _CLUE.finditer(text):
        at = clue.start()
        neighbours = (at - 1, at + 1) if text[at] in _LOST_BYTE_MARKS else (at - 1,)
        runs.update(
            _run_around(text, index)
            for index in neighbours
            if 0 <= index < len(text) and _is_double_byte(text[index])
        )
    return sorted(runs, key=lambda run: run.start)


def _shifted_pieces(run: str, tail: str) -> list[str]:
    """The run read one byte later, as one piece per character of the run.

    Piece k is the trail byte of run[k] read with the lead byte of run[k+1]
    (the last one with the tail byte); read pair by pair so that piece k is
    also what a shift starting at k gives.
    """
    data = run.encode("gb18030")[1:] + tail.encode("ascii")
    return [data[i : i + 2].decode("gb18030", errors="replace") for i in range(0, len(data), 2)]


def _best_repair(text: str, run: _Run) -> _Repair | None:
    """The shift start with the best gain, if it clears the bar.

    A mark before the run fixes the start (the mark and the orphan trail byte
    after it are one lost character). Otherwise every start in the run is
    tried: prefix scores of the text as it is and suffix scores of the shifted
    reading make that one linear pass, since U+FFFD joins no word.
    """
    origin = run.start - 1 if run.marked else run.start
    head = text[max(0, origin - _CONTEXT) : origin]
    after = text[run.stop : run.stop + _CONTEXT]
    pieces = _shifted_pieces(text[run.start : run.end], run.tail)
    offsets = [0, *accumulate(map(len, pieces))]
    prefix = prefix_log_likelihoods(head + text[run.start : run.end])
    suffix = suffix_log_likelihoods("".join(pieces) + after)
    original = log_likelihood(head + text[origin : run.stop] + after)
    # A repair that merges the tail byte or the closing mark into the last
    # piece is one character shorter; charge it the absent character.
    absent = typical_char_log_prob() if run.stop > run.end else 0.0
    lost = log_likelihood("\ufffd")
    starts = [0] if run.marked else list(range(len(pieces)))
    gains = [prefix[len(head) + k] + lost + suffix[offsets[k]] + absent - original for k in starts]
    # On a tie the latest start wins: it keeps more of the text as it was.
    best = max(reversed(starts), key=gains.__getitem__)
    evidence = sum(piece != "\ufffd" for piece in pieces[best:])
    if evidence < _MIN_EVIDENCE or gains[best] < _min_gain(run):
        return None
    if run.marked:
        return _Repair(origin, run.stop, "\ufffd" + "".join(pieces))
    return _unmarked_repair(run, pieces, gains, best)


def _unmarked_repair(run: _Run, pieces: list[str], gains: list[float], best: int) -> _Repair:
    """Without a mark the start is inferred, and a neighbouring start can score
    nearly as well: starting at k reads (run[k], FFFD) where starting at k-1
    reads (FFFD, piece[k-1]). Then neither character is known, and both become
    U+FFFD rather than a guess.
    """
    close = [k for k in (best - 1, best + 1) if 0 <= k < len(gains)]
    ambiguous = [k for k in close if gains[best] - gains[k] < _AMBIGUOUS_START]
    first = min([best, *ambiguous])
    last = max([best, *ambiguous])
    lost = "\ufffd" * (last - first + 1)
    return _Repair(run.start + first, run.stop, lost + "".join(pieces[last:]))


def _min_gain(run: _Run) -> float:
    return _MIN_GAIN_MARKED if run.marked else _MIN_GAIN_UNMARKED


def realign_gbk(text: str) -> tuple[str, int]:
    """Repair runs of shifted GBK; returns the text and the number of runs repaired.

    Cheap when there is nothing to repair: one regex search finds no lost-byte
    mark and no lone trail-range ASCII character after a non-ASCII one.
    """
    if not _CLUE.search(text):
        return text, 0
    pieces: list[str] = []
    position = 0
    repaired = 0
    for run in _clued_runs(text):
        if run.start < position or not (run.marked or run.stop > run.end):
            continue
        repair = _best_repair(text, run)
        if repair is not None and repair.start >= position:
            pieces += [text[position : repair.start], repair.text]
            position = repair.end
            repaired += 1
    if not repaired:
        return text, 0
    pieces.append(text[position:])
    return "".join(pieces), repaired
