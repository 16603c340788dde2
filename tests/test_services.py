"""The external parts, real: Redis frontier, Chromium, docker-compose, Scrapy policy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import scrapy
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.launch import project_settings
from tests.services import RedisTarget, serve_directory, unavailable

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.redis
def test_scrapy_redis_frontier_dedupes_with_pinned_scrapy(redis_target: RedisTarget) -> None:
    """scrapy-redis lags Scrapy releases; its scheduler must still work with ours."""
    from scrapy_redis.scheduler import Scheduler

    crawler = get_crawler(
        scrapy.Spider,
        {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "REDIS_URL": redis_target.url,
            "SCHEDULER_QUEUE_KEY": redis_target.prefix + "%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": redis_target.prefix + "%(spider)s:dupefilter",
        },
    )
    crawler.spider = crawler._create_spider("probe")
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    assert scheduler.enqueue_request(scrapy.Request("http://127.0.0.1/report.html"))
    assert not scheduler.enqueue_request(scrapy.Request("http://127.0.0.1/report.html"))
    assert scheduler.next_request().url == "http://127.0.0.1/report.html"
    assert scheduler.next_request() is None
    scheduler.close("finished")


@pytest.mark.browser
def test_chromium_renders_script_built_links(chromium: str, tmp_path: Path) -> None:
    """The configured browser runs a page's JavaScript (the gkmlpt-style listings need it)."""
    from playwright.sync_api import sync_playwright

    (tmp_path / "list.html").write_text(
        "<html><head><meta charset=utf-8></head><body><ul id=l></ul><script>"
        "document.getElementById('l').innerHTML="
        "'<li><a href=\"/t20240313_1.html\">关于2023年法治政府建设情况的报告</a></li>';"
        "</script></body></html>",
        encoding="utf-8",
    )
    with serve_directory(tmp_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"{base}/list.html")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.textContent)")
        browser.close()
    assert links == ["关于2023年法治政府建设情况的报告"]


def test_docker_compose_file_is_valid() -> None:
    tool = shutil.which("docker-compose")
    if tool is None:
        unavailable("docker-compose", "apt-get install -y docker-compose")
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_crawler_opens_no_ports_and_is_polite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    settings = get_project_settings()
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert "fazhi-archive" in settings["USER_AGENT"]


def test_user_agent_names_the_project_version_and_the_operators_contact() -> None:
    """The deployment's settings are applied where a crawl starts: a child process shows it."""
    probe = "from crawler.launch import project_settings as s; print(s()['USER_AGENT'])"
    env = {**os.environ, "FAZHI_CONTACT": "mailto:archive@example.org"}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == (
        f"fazhi-archive/{version('fazhi-archive')} (+mailto:archive@example.org)"
    ), result.stderr


def test_a_misspelt_variable_breaks_no_settings_import_only_the_crawl_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FAZHI_CONTCT", "mailto:typo@example.org")
    assert "fazhi-archive" in get_project_settings()["USER_AGENT"]
    with pytest.raises(ValueError, match="FAZHI_CONTCT"):
        project_settings()
