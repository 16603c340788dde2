"""Scrapy settings of the fazhi crawler.

Deployment-specific values (database, data dir, Redis, browser) come from
``FAZHI_*`` via :class:`archive.config.Settings` where the crawler starts; what
is here is policy for every deployment: politeness towards portals first.
"""

BOT_NAME = "fazhi"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An honest User-Agent: portals' webmasters must be able to find us.
USER_AGENT = "fazhi-archive/0.1 (+https://github.com/fazhi-archive/fazhi-archive)"

# Politeness: robots.txt, at most 2 requests per host at once, adaptive delay.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60

# Scrapy 2.19 starts both by default; an unattended crawler must not open ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
