"""Pages older rules classified as something else than a report, read again: a page today's
rules read as a report goes through :func:`archive.ingest.derive`, as if just crawled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archive import ingest
from archive.errors import ExtractionError
from archive.extract.authorship import classify_page
from archive.extract.classify import DocType
from archive.reprocess.captures import Context, response_of, stamp


def reclassify(ctx: Context, rows: Sequence[Any], source_slug: str | None) -> None:
    for row in rows:
        url = row.final_url or row.url
        source = ctx.source_of(url)
        if source_slug is not None and (source is None or source.slug != source_slug):
            continue
        ctx.tally.count("pages")
        response = response_of(ctx, row)
        if response is None:
            continue
        region_hint = source.division_code if source else None
        try:
            extracted = ingest.extract_response(response, url, region_hint)
        except ExtractionError:
            ctx.tally.count("extraction_failed")
            continue
        doc_type, _ = classify_page(extracted.title, extracted.text, extracted.signed_by)
        if doc_type is not DocType.ANNUAL_REPORT:
            stamp(ctx, row, doc_type)
            continue
        ctx.tally.count("reclassified")
        done = ingest.derive(ctx.session, response, row.id, source=source, region_hint=region_hint)
        ctx.tally.event(
            "now-a-report",
            fetch=row.id,
            url=url,
            was=row.doc_type,
            outcome=str(done.result.outcome) if done.result else done.error or "deferred",
        )
