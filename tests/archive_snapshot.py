"""An archive's content by natural keys (report identity, version number, URL), not row ids:
what two runs must agree on even where PostgreSQL's sequences skipped ids a killed transaction
had taken. `fazhi reprocess`'s tests compare archives with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

# Each table's rows, keyed so that equal archives give equal lists.
QUERIES = {
    "report": "SELECT identity_key, agency, report_year, province, city, county, division_code "
    "FROM report ORDER BY identity_key",
    "version": "SELECT r.identity_key, v.version, v.content_sha256, v.title, v.text, "
    "v.text_original, v.published_date, v.signed_date, v.signed_by, v.document_date, v.script, "
    "v.first_seen, v.last_seen, v.extractor_version, "
    "(SELECT count(*) FROM version_band b WHERE b.version_id = v.id) "
    "FROM report_version v JOIN report r ON r.id = v.report_id ORDER BY 1, 2",
    "sighting": "SELECT r.identity_key, v.version, s.url, s.is_repost, s.text, s.fetch_id, "
    "s.first_seen, s.last_seen, s.extractor_version FROM sighting s "
    "JOIN report_version v ON v.id = s.version_id JOIN report r ON r.id = v.report_id "
    "ORDER BY 1, 2, 3",
    "attachment": "SELECT r.identity_key, v.version, a.url, a.text, a.extractor_version "
    "FROM attachment a JOIN report_version v ON v.id = a.version_id "
    "JOIN report r ON r.id = v.report_id ORDER BY 1, 2, 3",
    "fetch": 'SELECT id, doc_type, extractor_version, error FROM "fetch" ORDER BY id',
    "search_doc": "SELECT r.identity_key, d.version, d.is_latest, d.title FROM search_doc d "
    "JOIN report r ON r.id = d.report_id ORDER BY 1, 2",
    "anatomy": "SELECT r.identity_key, v.version, a.anatomy_version, a.report_year, "
    "(SELECT count(*) FROM version_section x WHERE x.version_id = v.id), "
    "(SELECT count(*) FROM version_figure x WHERE x.version_id = v.id) "
    "FROM version_anatomy a JOIN report_version v ON v.id = a.version_id "
    "JOIN report r ON r.id = v.report_id ORDER BY 1, 2",
    "version_history": "SELECT h.version, h.reason, h.content_sha256, h.text "
    "FROM version_history h ORDER BY 3, 2, 1",
}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(text(query))]
            for name, query in QUERIES.items()
        }
