"""A throwaway PostgreSQL server the test may stop and start: never the machine's own.

`initdb` into a temporary directory, `pg_ctl start` on a free port of 127.0.0.1, and
`pg_ctl stop -m immediate` to cut it off mid-crawl as a crash or a network loss would.
PostgreSQL refuses to run as root, so as root the cluster belongs to ``postgres``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.services import unavailable


@dataclass
class OwnPostgres:
    bindir: Path
    root: Path
    port: int
    owner: list[str]  # prefix that runs a command as the cluster's owner

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.owner, str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), *args],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "-w", "stop")


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path is None:
        unavailable("pg_ctl and initdb", "apt-get install -y postgresql")
    return Path(on_path).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="fazhi-pg-"))
    owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        owner = ["runuser", "-u", "postgres", "--"]
    server = OwnPostgres(bindir, root, _free_port(), owner)
    try:
        subprocess.run(
            [*owner, str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
             "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        server.start()
        yield server
    finally:
        if (root / "data" / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
