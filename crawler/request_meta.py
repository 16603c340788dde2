"""The request meta keys the crawl's components share, each named once.

Meta carries what middlewares, the frontier and the worker read about a request; what only
the spider's callbacks read travels in ``cb_kwargs`` (``crawler.spiders.reports``), as Scrapy
advises.
"""

SOURCE = "fazhi_source"  # registry slug: scope guard, per-source frontier queues, failure rows
PARENT = "fazhi_parent"  # the report page an attachment is fetched for (a worker's lease)
FOUND_ON = "fazhi_found_on"  # the page that linked it: the skip audit of a dropped request
RENDERED_FOR = "fazhi_rendered_for"  # why the browser renders it: crawler.rendering's reasons
