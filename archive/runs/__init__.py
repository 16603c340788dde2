"""Crawl runs: their history, verdicts, schedule policy and crash recovery."""
