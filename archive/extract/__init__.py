"""Extraction: a fetched page or file in, a clean text with its metadata out."""
