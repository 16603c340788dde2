"""Full-text search over the archive: exact substring semantics on both backends.

``search(session, q, filters, all_versions=..., limit=..., cursor=...)`` is the one entry point
(the reading room calls it); archive/search/index.py keeps the index in step with ingest.
docs/search.md states the semantics and the measurements.
"""

from archive.search.engine import MAX_LIMIT, matching, search
from archive.search.query import QueryError
from archive.search.results import FACETS, Hit, SearchFilters, SearchPage

__all__ = [
    "FACETS",
    "MAX_LIMIT",
    "Hit",
    "QueryError",
    "SearchFilters",
    "SearchPage",
    "matching",
    "search",
]
