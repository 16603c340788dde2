"""Unattended re-crawls in every spring publication window (APScheduler 3.x).

The scheduler process arrives with the scheduler issue; this module is its
home in the product card's layout.
"""
