"""Whose page a page is: its publisher's own, whose changes are versions, or a copy elsewhere,
which is only ever a sighting. One decision for the crawl and `fazhi ingest` alike.

The rules, and why the page's own word counts only where no registry entry vouches for the
site: docs/dedup.md ("The publisher's own site").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive.extract.agency import normalize_agency
from archive.extract.classify import canonical_text
from archive.extract.region import region_of
from archive.storage.dedup import agency_key
from archive.storage.source_info import SourceInfo

if TYPE_CHECKING:
    from archive.extract.page import Extracted

PEOPLES_GOVERNMENT = "人民政府"
# Government portals are on gov.cn (国务院办公厅《政府网站发展指引》); mirrors, media and
# content farms are not. Only consulted when neither a registry entry nor the page's
# SiteName says whose site it is.
GOVERNMENT_DOMAIN = "gov.cn"
SITE_META = "SiteName"  # the CMS meta tag naming the site's owner (TRS, Hanweb, gkmlpt…)
_SITE_WORDS = re.compile(r"(?:门户网站|门户网|网站|门户)$")


def speaks_for_a_body(extracted: Extracted, url: str, source: SourceInfo | None) -> bool:
    """Whether the page at URL is its publisher's own: on the site of the body it names.

    A registry entry decides for the sites it covers (the crawl's source; `fazhi ingest`
    looks the URL up in the registry). Elsewhere — an unregistered portal, an ad-hoc
    ``--start-url`` crawl — the page says whose site it is: its SiteName, else a gov.cn host.
    """
    agency = agency_key(extracted.agency)
    if source is not None and source.registered:
        own = normalize_agency(source.agency) if source.agency else None
        return source.owns(url) and publishes_for(own, source.division_code, agency)
    if agency is None:
        return False  # nobody vouches for a page that names no body
    site = extracted.metadata.get(SITE_META)
    if site:
        owner = site_owner(site)
        region = region_of(owner)
        return publishes_for(owner, region.code if region else None, agency)
    host = (urlsplit(url).hostname or "").lower()
    return host == GOVERNMENT_DOMAIN or host.endswith("." + GOVERNMENT_DOMAIN)


def publishes_for(own: str | None, division_code: str | None, agency: str | None) -> bool:
    """Whether the site of body OWN (normalised, in DIVISION_CODE) is where AGENCY publishes.

    Its own site, or the 人民政府 portal of its division: district portals host their
    departments' 信息公开 (seed 004: 西湖区司法局's report on the 西湖区 portal). A page
    naming no body takes its site's word.
    """
    if agency is None or own == agency:
        return True
    if own is None or not own.endswith(PEOPLES_GOVERNMENT) or division_code is None:
        return False
    region = region_of(agency, division_code)
    return region is not None and region.code == division_code


def site_owner(site_name: str) -> str:
    """The body a site name names: 福建省人民政府門戶網站 is 福建省人民政府's site."""
    return normalize_agency(_SITE_WORDS.sub("", canonical_text(site_name)))
