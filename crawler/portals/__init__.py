"""Portal discovery: finding the governments' sites a parent portal links to, and telling
them from everything else (docs/discovery.md). The spider is ``crawler/spiders/discover.py``."""
