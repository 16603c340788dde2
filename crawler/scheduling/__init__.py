"""The scheduler service: APScheduler jobs over the source registry, crawls as child processes.

``scheduler.py`` at the top level is its entry point; docs/scheduling.md says how it works.
"""
