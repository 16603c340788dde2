"""Recognise bytes that are not text at all, whatever Content-Type claims.

Portals serve attachments (PDF, DOCX, scanned images) as text/html often
enough that decoding them would store pages of mojibake. Two tests: the
signatures of formats whose opening looks like text (a PDF starts with a
readable header), and the share of control bytes, which no text encoding
without NUL-padded code units (UTF-16/32, handled by the caller) produces but
compressed or binary data does at about 10%.
"""

# Signatures of attachment formats portals link from report pages.
_SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "pdf",  # 法治政府建设情况报告.pdf linked as the report itself
    b"PK\x03\x04": "zip",  # .docx / .xlsx / .zip attachments (ZIP containers)
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "ole2",  # legacy .doc / .xls / .wps
    b"\x89PNG\r\n\x1a\n": "png",  # scanned pages published as images
    b"\x1f\x8b": "gzip",  # a compressed body served without Content-Encoding
}
# Control bytes that text never contains; tab, line breaks, form feed and ESC
# (used by ISO-2022 encodings) are allowed.
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
# Share of control bytes in the head of the body above which it is not text:
# uniform binary data has 27/256 ≈ 10.5%, text 0%.
_MAX_CONTROL_SHARE = 0.05
_HEAD = 8192


def binary_kind(body: bytes) -> str | None:
    """The kind of binary content the body is, or None if it may be text."""
    for signature, kind in _SIGNATURES.items():
        if body.startswith(signature):
            return kind
    head = body[:_HEAD]
    controls = sum(head.count(byte) for byte in _CONTROL_BYTES)
    if head and controls / len(head) > _MAX_CONTROL_SHARE:
        return "nul-heavy" if head.count(0) * 2 > controls else "control-bytes"
    return None
