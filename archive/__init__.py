"""The archive engine: extraction, normalisation, classification, storage.

Pure Python on purpose: it never imports scrapy or crawler, so researchers can
re-run extraction or dedup over saved pages without a crawler, and the crawler
stays a thin adapter around it.
"""
