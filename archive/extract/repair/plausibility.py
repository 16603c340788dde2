"""How plausible a piece of Chinese text is, from jieba's word-frequency dictionary.

Mojibake is made of real characters, often common ones (薄靶戮 in 法治夜?！薄靶戮蜆I),
so a per-character list cannot tell it from text; what it never does is form
words. The score is the log-probability per character of the best segmentation
of the text into dictionary words, as jieba itself segments: real text scores
high because its characters join into frequent words, mojibake scores low.

The dictionary is jieba's ``dict.txt`` (349,046 words with corpus counts), read
as data: importing jieba would install log handlers and a temp-file cache that
the archive engine does not want. It is Simplified, so text is converted with
OpenCC t2s before scoring.
"""

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import distribution
from pathlib import Path

from archive.extract.zh_script import t2s


@dataclass(frozen=True)
class _WordModel:
    log_prob: dict[str, float]
    longest: int
    unseen: float  # an unknown Han character, as jieba scores it (count 1)
    neutral: float  # the expected log-probability per character of dictionary text


@cache
def _model() -> _WordModel:
    """Load jieba's dictionary once per process (about a second and 60 MB)."""
    path = distribution("jieba").locate_file("jieba/dict.txt")
    counts: dict[str, int] = {}
    with Path(str(path)).open(encoding="utf-8") as lines:
        for line in lines:
            word, count = line.split(" ", 2)[:2]
            counts[word] = int(count)
    total = sum(counts.values())
    log_total = math.log(total)
    log_prob = {word: math.log(count) - log_total for word, count in counts.items()}
    chars = sum(count * len(word) for word, count in counts.items())
    neutral = sum(count * log_prob[word] for word, count in counts.items()) / chars
    return _WordModel(log_prob, max(map(len, counts)), -log_total, neutral)


def _single_char_cost(char: str, model: _WordModel) -> float:
    """Score of a character outside any dictionary word.

    ASCII, punctuation, digits and spaces occur in real text and in mojibake
    alike, so they score as an average character and tip no comparison.
    Unknown Han characters, other letters, numbers and symbols (ǔ, Ｖ, ⒖, box
    drawing, private use: the GBK symbol rows that shifted bytes land in) and
    the marks decoders leave for lost bytes ('?', U+FFFD) score as unseen.
    """
    if char in model.log_prob:
        return model.log_prob[char]
    if char in "?\ufffd":
        return model.unseen
    if char.isascii() or unicodedata.category(char)[0] in "PZ" or char.isdecimal():
        return model.neutral
    return model.unseen


def _simplified(text: str) -> str:
    """t2s that keeps positions: scores are indexed by character of the original text."""
    converted = t2s(text)
    return converted if len(converted) == len(text) else "".join(map(t2s, text))


def prefix_log_likelihoods(text: str) -> list[float]:
    """best[i] = log-probability of the best segmentation of text[:i] into dictionary words.

    Same recurrence as jieba's route calculation, run forwards so that every
    prefix is scored in one pass.
    """
    model = _model()
    simplified = _simplified(text)
    best = [0.0] * (len(simplified) + 1)
    for end in range(1, len(simplified) + 1):
        score = best[end - 1] + _single_char_cost(simplified[end - 1], model)
        for start in range(max(0, end - model.longest), end - 1):
            word_log_prob = model.log_prob.get(simplified[start:end])
            if word_log_prob is not None:
                score = max(score, best[start] + word_log_prob)
        best[end] = score
    return best


def suffix_log_likelihoods(text: str) -> list[float]:
    """best[i] = log-probability of the best segmentation of text[i:]; the mirror image."""
    model = _model()
    simplified = _simplified(text)
    size = len(simplified)
    best = [0.0] * (size + 1)
    for start in range(size - 1, -1, -1):
        score = best[start + 1] + _single_char_cost(simplified[start], model)
        for end in range(start + 2, min(size, start + model.longest) + 1):
            word_log_prob = model.log_prob.get(simplified[start:end])
            if word_log_prob is not None:
                score = max(score, best[end] + word_log_prob)
        best[start] = score
    return best


def log_likelihood(text: str) -> float:
    """Log-probability of the best segmentation of the whole text into dictionary words."""
    return prefix_log_likelihoods(text)[-1]


def typical_char_log_prob() -> float:
    """What an average character of real text scores: the price of a character's absence."""
    return _model().neutral


def plausibility(text: str) -> float:
    """Mean log-probability per character (higher is better); comparable across lengths."""
    return log_likelihood(text) / len(text) if text else 0.0
