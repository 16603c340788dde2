"""Which Chromium renders JavaScript pages, and how to get one.

Order: ``FAZHI_BROWSER``; Playwright's own download (the normal path for users
with internet); the system Chromium (Debian's package, for machines where
``playwright install`` cannot download). Installing tries Playwright's download
first and never installs system packages itself: that needs root and is the
Makefile's decision, not the library's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from archive.config import Settings

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
APT_HINT = "apt-get update && apt-get install -y chromium"


class BrowserNotFound(RuntimeError):
    """No usable Chromium; the message says how to get one."""


@dataclass(frozen=True)
class Browser:
    path: str
    origin: str  # 'FAZHI_BROWSER' | 'playwright' | 'system'


def playwright_chromium() -> str | None:
    """Path of Playwright's downloaded Chromium, if it is really on disk."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = p.chromium.executable_path
    return path if Path(path).is_file() else None


def system_chromium() -> str | None:
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def resolve(settings: Settings) -> Browser:
    if settings.browser:
        if not os.access(settings.browser, os.X_OK):
            raise BrowserNotFound(f"FAZHI_BROWSER={settings.browser} is not an executable file")
        return Browser(settings.browser, "FAZHI_BROWSER")
    path = playwright_chromium()
    if path:
        return Browser(path, "playwright")
    path = system_chromium()
    if path:
        return Browser(path, "system")
    raise BrowserNotFound(
        "no Chromium found: `playwright install chromium` could not provide one; "
        f"on Debian run `{APT_HINT}` or set FAZHI_BROWSER"
    )


def install(settings: Settings) -> Browser:
    """Make sure a browser exists: Playwright's download where it works, else the system's."""
    try:
        return resolve(settings)
    except BrowserNotFound:
        pass
    subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"],
        check=False,
        timeout=600,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return resolve(settings)
