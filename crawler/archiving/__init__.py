"""The crawl's hand-off to the archive: batches, the archive process, storing."""
