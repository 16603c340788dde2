"""`fazhi reprocess`: today's rules applied to the past, from the captures.

The WARC records behind the ``fetch`` rows hold every byte fetched; this package reads them
again, derives with today's code (the one path, :mod:`archive.ingest`) what older rules
derived, and brings the archive in line without ever letting a change of *our* extraction
pass for a change by the *publisher*: a version's derived text is replaced in place (the old
one kept in ``version_history``), versions are added or removed only where the publisher
rule (:mod:`archive.storage.publisher`) decides otherwise than the stored rows, and two
versions that today's rules make identical are reported, not merged. Batches commit with a
checkpoint, so a killed run resumes. docs/reprocess.md.
"""
