"""A local replica of government portals: the proving ground of the crawler (see server.py)."""
