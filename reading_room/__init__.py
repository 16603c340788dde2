"""The reading room: `fazhi serve`, the archive as researchers read it in a browser or by API.

It reads what the crawler wrote and never writes: SQLite is opened read-only, PostgreSQL
sessions are read-only transactions (and work under docs/readonly-role.sql's role). It imports
``archive`` for the models and the shared read side, never the crawler. Pages: docs/reading-room.md.
"""
