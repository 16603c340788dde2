"""`fazhi serve` in a child process, as a person starts it: the one place tests start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.crawl_process import ROOT
from tests.services import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def serving(database: str, data_dir: Path) -> Iterator[str]:
    """`fazhi serve --db DATABASE` with DATA_DIR's WARC files; yields its base URL."""
    port = free_port()
    env = {**os.environ, "FAZHI_DATA_DIR": str(data_dir)}
    log = data_dir / f"serve-{port}.log"
    with log.open("w", encoding="utf-8") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "fazhi", "serve", "--db", database, "--port", str(port)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: child.poll() is not None or _answers(base), "fazhi serve", 60)
            if child.poll() is not None:
                raise AssertionError(f"fazhi serve exited: {log.read_text(encoding='utf-8')}")
            yield base
        finally:
            child.terminate()
            child.wait(timeout=30)
