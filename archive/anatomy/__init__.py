"""A report's anatomy: its outline, the article-25 parts it covers, and the key figures it
states, each figure with its evidence (docs/anatomy.md).

Everything here is a pure function of a version's text (one paragraph a line), its report year
and its issuing body, so the same code serves ingestion, `fazhi reports anatomy --text FILE`
and, later, reprocessing. ``ANATOMY_VERSION`` names the rules: every stored section, part span
and figure records the version that produced it, and a change to the rules or their data
(archive/anatomy/data/) that changes any output must raise it, so stored rows made by older
rules can be found and derived again.
"""

ANATOMY_VERSION = 1
