"""Extraction: a fetched page or file in, a clean text with its metadata out.

``EXTRACTOR_VERSION`` names today's rules. Every row derived from a capture (a version's text
and fields, a copy's own text, an attachment's text, a fetch's document type) records the
version that produced it, so rows made by older rules can be found and `fazhi reprocess` can
derive them again (docs/reprocess.md). A change to the rules or their data
(archive/extract/data/) that changes any output must raise it.
"""

# 2: column-wise 索引号 tables; department documents (2026-12-07)
# 3: body headings on any template; a 落款 above trailing notes; prompts after the body cut;
#    a report over several pages or a frame read whole (2026-12-07)
EXTRACTOR_VERSION = 3
