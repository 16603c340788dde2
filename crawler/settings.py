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

DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.PrivateAddressGuard": 50}
EXTENSIONS = {"crawler.progress.ProgressLine": 500}

# Every response reaches the archive pipeline, whatever its status (error pages are fetches too).
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
FAZHI_MAX_PAGES = 2000  # per source and run
FAZHI_MAX_DEPTH = 6  # listing levels below a start URL
FAZHI_EXPLORE_DEPTH = 2  # links without any signal are followed this far from a start URL
DOWNLOAD_MAXSIZE = 50 * 2**20  # a report page or file larger than this is refused, with a reason
DOWNLOAD_WARNSIZE = 10 * 2**20

# JavaScript pages: scrapy-playwright, only for requests with meta["playwright"]=True.
DOWNLOAD_HANDLERS = {
    "http": "crawler.playwright_handler.FazhiPlaywrightHandler",
    "https": "crawler.playwright_handler.FazhiPlaywrightHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
