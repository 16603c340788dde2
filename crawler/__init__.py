"""The Scrapy project: one generic spider, its pipelines and the source registry."""
