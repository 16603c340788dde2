"""Spiders of the Scrapy project (one generic, data-driven spider)."""
