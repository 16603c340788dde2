"""Workers on one frontier: pages/s with 1, 2 and 4 `fazhi worker` processes, same replica.

    .venv/bin/python -m bench.distributed [--workers 1 2 4]

Needs PostgreSQL and Redis (FAZHI_TEST_POSTGRES_URL, FAZHI_TEST_REDIS_URL; each round
gets a fresh database and key prefix). Politeness is off (no delay, no AutoThrottle,
8 requests per host), so this measures the workers, not the portals' patience. The
clock runs from seeding to the last page fetched (not to the workers' idle exit);
ratios are against the first round (1 worker) of the same run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis
import yaml

from tests.crawl_process import FAST, overrides
from tests.replica.server import start_replica
from tests.services import POSTGRES_ADMIN_URL, REDIS_URL, fresh_postgres_database, run_token

QUIET = overrides({**FAST, "LOG_LEVEL": "WARNING"})
IDLE_EXIT = 1.0  # seconds with an empty frontier before a worker quits


def round_with(workers: int, registry: Path, data: Path) -> tuple[int, float, float]:
    """Pages fetched, seconds taken and CPU seconds used by WORKERS processes."""
    token = run_token()
    prefix = f"fazhi-bench:{token}:"
    with fresh_postgres_database(token) as database:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")},
            "FAZHI_ALLOW_PRIVATE": "1",
            "FAZHI_DATA_DIR": str(data / token),
            "FAZHI_DATABASE_URL": database,
            "FAZHI_REDIS_URL": REDIS_URL,
            "FAZHI_REDIS_PREFIX": prefix,
        }
        fazhi = [sys.executable, "-m", "fazhi"]
        subprocess.run([*fazhi, "db", "upgrade"], env=env, check=True, capture_output=True)
        start = time.time()
        subprocess.run(
            [*fazhi, "crawl", "--all", "--registry", str(registry)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        command = [*fazhi, "worker", "--registry", str(registry), "--idle-exit", str(IDLE_EXIT)]
        procs = [
            subprocess.Popen(
                [*command, *QUIET], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for _ in range(workers)
        ]
        cpu = 0.0
        for proc in procs:
            _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"a worker failed (log in {data / token})")
            cpu += usage.ru_utime + usage.ru_stime
        with psycopg.connect(database) as db:
            query = 'SELECT count(*), max(fetched_at) FROM "fetch" WHERE status IS NOT NULL'
            pages, last = db.execute(query).fetchone()
        seconds = last.timestamp() - start
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    return pages, seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"PostgreSQL {POSTGRES_ADMIN_URL.rsplit('@', 1)[-1]}, Redis {REDIS_URL}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch, start_replica() as replica:
        data = Path(scratch)
        registry = data / "replica.yaml"
        registry.write_text(yaml.safe_dump(replica.registry_entries(), allow_unicode=True))
        for workers in args.workers:
            pages, seconds, cpu = round_with(workers, registry, data)
            rates[workers] = pages / seconds
            print(f"{workers} worker(s): {pages} pages in {seconds:5.1f} s = "
                  f"{rates[workers]:6.1f} pages/s, {1000 * cpu / pages:4.0f} ms CPU/page "
                  "(workers, start-up included)")  # fmt: skip
    base = rates[args.workers[0]]
    for workers, rate in rates.items():
        print(f"ratio {workers}/{args.workers[0]} workers: {rate / base:.2f}")


if __name__ == "__main__":
    main()
