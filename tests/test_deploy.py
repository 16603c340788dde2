"""The docker-compose deployment, as docker-compose itself resolves it (no engine needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.services import unavailable

ROOT = Path(__file__).resolve().parent.parent


def resolved() -> dict:
    tool = shutil.which("docker-compose")
    if tool is None:
        unavailable("docker-compose", "apt-get install -y docker-compose")
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=True,
    )
    return yaml.safe_load(result.stdout)


def test_services_start_in_order_and_workers_scale() -> None:
    config = resolved()
    services = config["services"]
    assert set(services) == {"postgres", "redis", "migrate", "scheduler", "worker", "web"}
    assert all("healthcheck" in services[s] for s in ("postgres", "redis"))
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("scheduler", "worker"):
        after = services[name]["depends_on"]
        assert after["migrate"]["condition"] == "service_completed_successfully"
        assert after["redis"]["condition"] == "service_healthy"
        env = services[name]["environment"]
        assert env["FAZHI_DATABASE_URL"].startswith("postgresql://")
        assert env["FAZHI_REDIS_URL"].startswith("redis://")
    assert services["scheduler"]["command"] == ["schedule", "start"]
    worker = services["worker"]
    assert worker["command"] == ["worker"]
    # `--scale worker=4` fails on a fixed container name or a published port
    assert "container_name" not in worker and "ports" not in worker
    assert any(v.startswith("fazhidata:/data") for v in worker["volumes"])  # WARC files
    assert set(config["volumes"]) == {"pgdata", "redisdata", "fazhidata"}


def test_the_reading_room_serves_the_archive_read_only() -> None:
    web = resolved()["services"]["web"]
    assert web["command"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["environment"]["FAZHI_DATABASE_URL"].startswith("postgresql://")
    assert "fazhidata:/data:ro" in web["volumes"]
    assert web["ports"] == [{"published": 8000, "target": 8000}]


def test_image_has_the_project_and_chromium() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "apt-get install" in dockerfile and "chromium" in dockerfile
    assert "pip install --no-cache-dir -e ." in dockerfile
    assert "FAZHI_BROWSER=/usr/bin/chromium" in dockerfile
    assert 'ENTRYPOINT ["fazhi"]' in dockerfile
