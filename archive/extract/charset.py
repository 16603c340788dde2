"""Decode a fetched page's bytes to text, and say how the charset was chosen.

A declared charset is trusted only when it reads the bytes as well as any rival: Chinese portals
often declare gb2312 and serve UTF-8, or serve GBK as ISO-8859-1. The order of trust and the
rules: docs/extraction.md ("Decoding").
"""

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import webencodings
from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

from archive.errors import CharsetUndecidable
from archive.extract.binary_sniff import binary_kind
from archive.extract.repair.plausibility import plausibility

Source = Literal["http", "bom", "meta", "detected"]


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the Python codec the text was decoded with
    source: Source
    warnings: tuple[str, ...] = ()


# Legacy codecs decode as their supersets: pages declared GB2312 use GBK
# characters (镕, 喆) and Big5 pages use HKSCS ones; the superset loses nothing.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs"}
# The encodings Chinese pages come in. Detection is confined to them: left
# free, charset-normalizer read 15 of 120 short GBK snippets of the seeds as
# cp949 (Korean); confined, 2 of 120 as Big5, which the rival check corrects.
_CHINESE_CODECS = ("utf-8", "gb18030", "big5hkscs")
# More undecodable characters than this share of the non-ASCII ones means the
# charset is wrong, not the page damaged. On the seeds as pages, the right codec
# leaves none, GBK read as Big5 2-22% and UTF-8 read as GB18030 about 10%.
_MAX_ERROR_SHARE = 0.01
# Valid UTF-8 with this many multi-byte characters is UTF-8: a GBK character
# pair is valid UTF-8 with probability about 0.08, three in a row 0.0005.
_MIN_UTF8_EVIDENCE = 3
# A rival reading must beat the declared one by this many nats per character
# of its non-ASCII text (mojibake scores 2-8 lower than the right reading),
# over at least this many characters: a few characters form no words, and
# GBK's 其 read as Big5 is the bracket ［, which scores like any punctuation.
_MIN_RIVAL_MARGIN = 1.0
_MIN_RIVAL_EVIDENCE = 20
# Detection reads at most this much, starting just before the first non-ASCII
# byte so that a page's head of scripts and styles does not fill the sample.
_DETECTION_SAMPLE = 65536
_SCORING_SAMPLE = 400  # non-ASCII characters: enough evidence, bounded cost per page
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _whatwg_codec(name: str) -> codecs.CodecInfo | None:
    """Codec search function for WHATWG labels Python lacks (x-gbk, csgb2312, cn-big5)."""
    encoding = webencodings.lookup(name.replace("_", "-"))
    return encoding.codec_info if encoding is not None else None


codecs.register(_whatwg_codec)


def _usable(codec: str | None) -> str | None:
    """The codec to decode with for a resolved name, or None for a non-text codec.

    Python resolves labels such as "base64" or "zlib" to bytes-to-bytes codecs
    that str decoding refuses; a header naming one is no declaration at all.
    """
    if codec is None:
        return None
    try:
        b"a".decode(codec, errors="ignore")
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def resolve_charset(label: str) -> str | None:
    """The Python codec an encoding label decodes with, or None if it names none."""
    return _usable(resolve_encoding(label))


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _non_ascii_count(text: str) -> int:
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _error_count(text: str) -> int:
    return text.count("\ufffd")


def _too_many_errors(text: str) -> bool:
    return _error_count(text) > _MAX_ERROR_SHARE * max(1, _non_ascii_count(text))


def _scoring_sample(text: str) -> str:
    """The non-ASCII characters, where two readings of the same bytes differ."""
    return "".join(islice((char for char in text if not char.isascii()), _SCORING_SAMPLE))


def _better_rival(body: bytes, codec: str, text: str) -> str | None:
    """A Chinese encoding that reads the bytes with no error and clearly better, if any."""
    for rival in _CHINESE_CODECS:
        if rival == codec:
            continue
        try:
            rival_text = body.decode(rival)
        except UnicodeDecodeError:
            continue
        if rival == "utf-8":
            if _non_ascii_count(rival_text) >= _MIN_UTF8_EVIDENCE:
                return rival
            continue
        rival_sample = _scoring_sample(rival_text)
        if len(rival_sample) < _MIN_RIVAL_EVIDENCE:
            continue
        if plausibility(rival_sample) > plausibility(_scoring_sample(text)) + _MIN_RIVAL_MARGIN:
            return rival
    return None


def _fits(body: bytes, codec: str, text: str) -> bool:
    """Whether a declared codec's reading can be trusted.

    Valid UTF-8 needs no second opinion; other codecs decode foreign bytes
    quietly, so an error-free reading by a rival is compared with theirs.
    """
    if _too_many_errors(text):
        return False
    if body.isascii() or codec == "utf-8":
        return True
    return _better_rival(body, codec, text) is None


def _detection_sample(body: bytes) -> bytes:
    first = _NON_ASCII.search(body)
    start = max(0, body.rfind(b"<", 0, first.start())) if first else 0
    sample = body[start : start + _DETECTION_SAMPLE]
    if len(sample) == _DETECTION_SAMPLE:
        # '<' and '\n' never occur inside a GBK, Big5 or UTF-8 character.
        sample = sample[: max(sample.rfind(b"<"), sample.rfind(b"\n"), 1)]
    return sample


def _detect(body: bytes) -> str:
    """charset-normalizer's choice among the Chinese encodings, checked against rivals."""
    if body.isascii():
        return "ascii"
    match = from_bytes(_detection_sample(body), cp_isolation=list(_CHINESE_CODECS)).best()
    if match is not None:
        codec = _usable(match.encoding) or "utf-8"
    else:  # no candidate was clean enough for it: take the one with fewest errors
        codec = min(_CHINESE_CODECS, key=lambda codec: _error_count(to_unicode(body, codec)))
    return _better_rival(body, codec, to_unicode(body, codec)) or codec


def _decoded(text: str, codec: str, source: Source, warnings: list[str]) -> Decoded:
    if errors := _error_count(text):
        warnings.append(f"undecodable-bytes:{errors}")
    return Decoded(text, codec, source, tuple(warnings))


def _is_wide(codec: str) -> bool:
    """UTF-16/32 text is full of NUL bytes by design."""
    return codecs.lookup(codec).name.startswith(("utf-16", "utf-32"))


def _decode(body: bytes, declared: list[tuple[Source, str]], url: str | None) -> Decoded:
    bom_codec, bom = read_bom(body)
    if bom_codec is not None and bom is not None:
        return _decoded(to_unicode(body[len(bom) :], bom_codec), bom_codec, "bom", [])
    if not any(_is_wide(codec) for _, codec in declared) and (kind := binary_kind(body)):
        raise CharsetUndecidable(f"not text: {kind}", url=url)
    warnings: list[str] = []
    rejected: set[str] = set()
    for source, codec in declared:
        if codec not in rejected:
            text = to_unicode(body, codec)
            if _fits(body, codec, text):
                return _decoded(text, codec, source, warnings)
            rejected.add(codec)
        warnings.append(f"declared-charset-mismatch:{source}={codec}")
    codec = _detect(body)
    return _decoded(to_unicode(body, codec), codec, "detected", warnings)


def decode_html(
    body: bytes, headers: Mapping[str, str] | None = None, url: str | None = None
) -> Decoded:
    """Decode an HTML page; raises CharsetUndecidable only for bytes that are not text."""
    declarations: list[tuple[Source, str | None]] = [
        ("http", http_content_type_encoding(_header(headers, "content-type"))),
        ("meta", html_body_declared_encoding(body)),
    ]
    declared = [(source, codec) for source, name in declarations if (codec := _usable(name))]
    return _decode(body, declared, url)


def decode_text(body: bytes, declared: str | None = None, url: str | None = None) -> Decoded:
    """Decode a plain-text body (attachment, feed) whose only declaration is a label."""
    codec = resolve_charset(declared) if declared else None
    warnings = [f"unknown-charset:{declared}"] if declared and codec is None else []
    decoded = _decode(body, [("http", codec)] if codec else [], url)
    return Decoded(decoded.text, decoded.encoding, decoded.source, (*warnings, *decoded.warnings))
