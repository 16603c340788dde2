"""Storage: the schema, versions and dedup, WARC captures, spool, exports, reads."""
