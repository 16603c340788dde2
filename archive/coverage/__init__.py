"""Who must publish, and who did: China's administrative divisions over time (GB/T 2260) and
the accounting of expected reports against the archive."""
