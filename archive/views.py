"""SQL views for consumers: the same definitions on SQLite and PostgreSQL.

They are part of the public contract (docs/schema.md); a change to them is a
migration, never an edit in place, so a researcher's saved query keeps working.
"""

REPORTS_LATEST = """
CREATE VIEW reports_latest AS
SELECT r.id AS report_id,
       r.agency,
       r.report_year,
       r.province,
       r.city,
       r.county,
       r.division_code,
       v.id AS version_id,
       v.version,
       v.title,
       v.published_date,
       v.content_sha256,
       v.first_seen,
       v.last_seen,
       (SELECT count(*) FROM report_version c WHERE c.report_id = r.id) AS versions,
       v.text
FROM report r
JOIN report_version v ON v.report_id = r.id
WHERE v.version = (SELECT max(m.version) FROM report_version m WHERE m.report_id = r.id)
"""

REPORT_HISTORY = """
CREATE VIEW report_history AS
SELECT v.report_id,
       v.id AS version_id,
       v.version,
       v.title,
       v.published_date,
       v.content_sha256,
       v.first_seen,
       v.last_seen,
       (SELECT count(*) FROM sighting s WHERE s.version_id = v.id) AS sightings,
       (SELECT count(*) FROM sighting s
        WHERE s.version_id = v.id AND s.is_repost) AS repost_sightings
FROM report_version v
"""

VIEWS = {"reports_latest": REPORTS_LATEST, "report_history": REPORT_HISTORY}
