"""`make demo`: the whole product against the local replica, with no internet.

Serves the eight replica portals on 127.0.0.1, crawls them with `fazhi crawl`
into ./data/demo/, then prints what was archived (`fazhi reports list`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.replica.server import start_replica

DATA = Path("data") / "demo"


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    database = f"sqlite:///{DATA}/archive.sqlite3"
    env = {**os.environ, "FAZHI_ALLOW_PRIVATE": "1", "FAZHI_DATA_DIR": str(DATA)}
    with start_replica() as replica:
        registry = DATA / "replica.yaml"
        registry.write_text(
            yaml.safe_dump(replica.registry_entries(), allow_unicode=True), encoding="utf-8"
        )
        for slug, url in replica.sites.items():
            print(f"serving {slug:<10} {url}")
        crawl = subprocess.run(
            [
                sys.executable,
                "-m",
                "fazhi",
                "crawl",
                "--all",
                "--registry",
                str(registry),
                "--db",
                database,
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
            ],
            env=env,
            check=False,
        )
    subprocess.run([sys.executable, "-m", "fazhi", "reports", "list", "--db", database], check=True)
    print(f"archive: {DATA}/archive.sqlite3 — try: fazhi export --db {database}")
    return crawl.returncode


if __name__ == "__main__":
    sys.exit(main())
