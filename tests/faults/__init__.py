"""Fault tests: hostile pages, scope and address safety, the read-only role.

The table of faults, how each is injected and what is asserted: docs/reliability.md.
"""
