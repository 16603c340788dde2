"""Scrapy settings of the fazhi crawler.

Deployment-specific values (database, data dir, Redis, browser, contact) come from
``FAZHI_*`` via :class:`archive.config.Settings` where the crawler starts
(:func:`crawler.launch.project_settings`), never when this module is imported: loading the
project's settings must not fail on a misspelt variable, the command that starts a crawl says
so. What is here is policy for every deployment: politeness towards portals first.
"""

from importlib.metadata import version

from archive.config import PROJECT_URL

BOT_NAME = "fazhi"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An honest User-Agent: the project, its version, and whom a portal's webmaster can reach:
# the project's page here, the operator's FAZHI_CONTACT (URL or mailto:) once a crawl starts.
USER_AGENT_TEMPLATE = f"fazhi-archive/{version('fazhi-archive')} (+{{contact}})"
USER_AGENT = USER_AGENT_TEMPLATE.format(contact=PROJECT_URL)

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

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateAddressGuard": 50,
    # before robots.txt (100): nothing outside a source's domains is asked for, not even that
    "crawler.middlewares.ScopeGuard": 60,
    # also before robots.txt: a request a flood rule cut since it was queued is dropped here
    "crawler.floods.FloodGuard": 70,
    # a report page asked for again carries its last capture's ETag / Last-Modified
    "crawler.conditional.ConditionalRequests": 80,
    # Scrapy's, but a robots.txt answering 5xx disallows its host for the run (RFC 9309)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxt": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,  # Scrapy's, honouring Retry-After
    # above RedirectMiddleware (600): sees a 3xx before it is followed
    "crawler.middlewares.RedirectGuard": 650,
    "crawler.middlewares.FailureReasons": 950,  # next to the download handler: its failures first
    # several workers (FAZHI_REDIS_URL): one request start per host per DOWNLOAD_DELAY, fleet-wide
    "crawler.politeness.HostGate": 900,
}
FAZHI_RETRY_BACKOFF = 1.0  # seconds before the first retry, doubled for each next one
# Scrapy's list without CannotResolveHostError: a name that does not resolve is a portal that
# moved or a machine offline, not a busy server; retrying it only delays the run (the next run
# asks again). Timeouts, refused and broken connections are still retried.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,  # HttpCompressionMiddleware, on an empty compressed body
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
FAZHI_RETRY_AFTER_MAX = 60  # seconds; a 429/503 asking for a longer wait is not retried this run
EXTENSIONS = {
    "crawler.progress.ProgressLine": 500,
    # every run names a lock its process holds while alive: a killed crawl's run is marked failed
    "crawler.replay.RunOwner": 0,
}
# `fazhi crawl --resume` turns Scrapy's HTTP cache on: pages the failed runs of the same
# sources fetched are answered from their WARC records, not asked again, and not archived
# twice (crawler/replay.py, docs/reliability.md).
HTTPCACHE_ENABLED = False
HTTPCACHE_STORAGE = "crawler.replay.ArchiveStorage"
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.DummyPolicy"  # a stored answer is always used
SPIDER_MIDDLEWARES = {"crawler.replay.ReplayedPages": 50}

# Every response reaches the archive pipeline, whatever its status (error pages are fetches too):
# the spider's callbacks get them all. The setting, not the handle_httpstatus_all meta key, which
# also turns redirects off (RedirectMiddleware reads it); redirects stay with Scrapy.
HTTPERROR_ALLOW_ALL = True
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Scrapy starts this many tasks for every response to work through what its callback yields.
# Ours yields one item and requests (queued at once, no waiting), so four are plenty; the
# default 100 cost a third of the reactor's time (bench.crawl_speed: 65 s -> 47 s, 5,430 pages).
CONCURRENT_ITEMS = 4
FAZHI_MAX_PAGES = 2000  # per source and run
# Floods cut (crawler/floods.py): a URL shape of a source answering this many errors in a row is
# retired for the run (0: never); a source's requests stop this many seconds after its first.
FAZHI_RETIRE_AFTER = 20
FAZHI_SOURCE_TIME_BUDGET = 3600
# Relevance first, then breadth: the scheduler takes the highest priority first (the link's
# kind, crawler/discovery.py), and among equals the oldest, not Scrapy's default newest: a
# listing's thousand links queue behind what the home page already found, not before it.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
# A redirect to a page already asked for is dropped as a duplicate, and the skip audit says so.
DUPEFILTER_CLASS = "crawler.skips.AuditedDupeFilter"
# Database outage (crawler.archiving.archiver): pages wait in FAZHI_DATA_DIR/spool/, retried
# with a backoff doubling up to FAZHI_SPOOL_RETRY_MAX seconds; at its end a run waits
# FAZHI_SPOOL_PATIENCE seconds for the database before it gives up (status failed; the next
# crawl stores the rest).
FAZHI_SPOOL_RETRY_MAX = 60.0
FAZHI_SPOOL_PATIENCE = 120.0
FAZHI_MAX_DEPTH = 6  # listing levels below a start URL
FAZHI_EXPLORE_DEPTH = 2  # links without any signal are followed this far from a start URL
FAZHI_API_PAGES = 50  # pages of a listing's JSON endpoint, or XML record ranges, read at most
FAZHI_ARTICLE_PAGES = 30  # resources one report spans (正文分页, a frame) read at most, itself too
FAZHI_SITEMAP_DEPTH = 3  # sitemap levels: robots.txt's sitemap, an index's, an index's index's
# `fazhi worker`: a worker silent this long is dead, its leased requests go back on the queue
# (longer than the reactor is ever blocked); MAX_IDLE_TIME_BEFORE_CLOSE (scrapy-redis, seconds
# with nothing left anywhere in the frontier; 0 = wait forever) is set by `--idle-exit`.
FAZHI_WORKER_LEASE = 60
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
# Pages one browser tab renders before it is closed (crawler/playwright_handler.py): opening a
# tab costs Chromium more than a render; a tab's renderer grows with each page it renders.
# Over 180 renders (--copies 2 --render-all) 1 took 57 s of CPU, 5 took 41–52 s; over 540,
# 20 saved ~3 s more than 5 but held 175 MB more of renderer memory.
FAZHI_TAB_RENDERS = 5
# Pages one browser context renders before the next render opens a new one and it is closed:
# Playwright keeps every request of a context until it closes (playwright_handler.py).
FAZHI_CONTEXT_RENDERS = 100

LOG_LEVEL = "INFO"
# The crawl's log goes to LOG_FILE (`fazhi crawl` names one under FAZHI_DATA_DIR/logs/crawls/)
# and, with FAZHI_LOG_STDERR (`fazhi crawl --verbose`, `fazhi worker`) or without a file, to
# stderr; expected network failures are one line each there (crawler/failures.py).
FAZHI_LOG_STDERR = True
# `fazhi crawl`'s progress on stderr: redrawn in place every FAZHI_PROGRESS_INTERVAL seconds on
# a terminal; not on one (cron, CI, a file) or with the log streaming there too, a plain line
# every FAZHI_PROGRESS_LOG_INTERVAL seconds instead of redraws piling up.
FAZHI_PROGRESS = False
FAZHI_PROGRESS_INTERVAL = 1.0
FAZHI_PROGRESS_LOG_INTERVAL = 60.0
FEED_EXPORT_ENCODING = "utf-8"
