"""The operator command, called in this process through Typer's CliRunner (tests/cli_runner.py);
two tests start the real process, as an operator does, to prove its entry points."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from fazhi.cli import app
from tests.cli_runner import ROOT, fazhi


def real_fazhi(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """COMMAND (an entry point, then fazhi's arguments) as a process of its own, no FAZHI_
    variable inherited but ENV."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    return subprocess.run(
        command, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=120
    )


def all_commands() -> list[str]:
    """Every leaf command as 'db upgrade', walking the click tree typer builds."""

    def walk(cmd: object, prefix: str) -> list[str]:
        if isinstance(cmd, TyperGroup):
            return [n for name, sub in cmd.commands.items() for n in walk(sub, f"{prefix}{name} ")]
        return [prefix.strip()]

    return walk(typer.main.get_command(app), "")


def test_version_from_python_m_fazhi() -> None:
    """A real process: `python -m fazhi` (fazhi/__main__.py) starts and reads the installed
    package's version; the runner would call the app without either."""
    result = real_fazhi([sys.executable, "-m", "fazhi", "--version"], cwd=ROOT)
    assert result.returncode == 0
    assert re.fullmatch(r"fazhi-archive \d+\.\d+\.\d+\n", result.stdout)


@pytest.mark.parametrize("command", all_commands())
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = fazhi(*command.split(), "--help", cwd=ROOT)
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout
    assert f"fazhi {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_db_upgrade_then_check_from_defaults(tmp_path: Path) -> None:
    """With no settings at all, the archive lands in ./data/archive.sqlite3."""
    assert fazhi("db", "upgrade", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "data" / "archive.sqlite3").is_file()
    check = fazhi("db", "check", cwd=tmp_path)
    assert check.exit_code == 0, check.stderr
    assert "agree" in check.stdout


def test_db_check_fails_before_upgrade(tmp_path: Path) -> None:
    result = fazhi("db", "check", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_unreachable_database_is_one_clean_line(tmp_path: Path) -> None:
    result = fazhi("db", "upgrade", "--db", "postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "127.0.0.1:1" in result.stderr


def test_misspelt_setting_is_refused_by_the_fazhi_script(tmp_path: Path) -> None:
    """A real process through the console script: a bad setting ends as one clean line and
    exit code 1 in `fazhi.cli.main`, which the script calls and the runner does not."""
    script = Path(sys.executable).with_name("fazhi")
    result = real_fazhi([str(script), "db", "check"], tmp_path, {"FAZHI_DATBASE_URL": "x"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "FAZHI_DATBASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_extract_prints_the_report(tmp_path: Path) -> None:
    page = ROOT / "tests/fixtures/pages/mirror/haizhu_gov_2023_hant.html"
    result = fazhi("extract", str(page), "--url", "http://127.0.0.1/a.html", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "广州市海珠区人民政府关于2023年度法治政府建设情况的报告" in result.stdout
    assert "t2s" in result.stdout


def test_extract_json_has_every_field(tmp_path: Path) -> None:
    page = ROOT / "tests/fixtures/pages/jpaas/nanchang_xihu_sfj_2023.html"
    result = fazhi("extract", str(page), "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["agency"] == "西湖区司法局"
    assert data["metadata"]["索引号"] == "A25110--2024-0003"
    assert {"text", "text_original", "removed", "repairs", "warnings", "region"} <= set(data)
    assert all({"text", "rule"} == set(r) for r in data["removed"])


def test_extract_refuses_binary_as_html(tmp_path: Path) -> None:
    fake = tmp_path / "page.html"
    fake.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    result = fazhi("extract", str(fake), "--content-type", "text/html", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_ingest_report_then_again_then_a_distractor(tmp_path: Path) -> None:
    page = ROOT / "tests/fixtures/pages/trs_wcm/xiamen_siming_gov_2023.html"
    url = "https://www.siming.gov.cn/xxgk/fdzdgknr/t20240313_1058384.htm"
    first = fazhi("ingest", str(page), "--url", url, cwd=tmp_path)
    assert first.exit_code == 0, first.stderr
    assert "new_report" in first.stdout
    again = fazhi("ingest", str(page), "--url", url, cwd=tmp_path)
    assert "unchanged" in again.stdout

    distractor = tmp_path / "gk.html"
    body = "<p>　　根据《中华人民共和国政府信息公开条例》规定，现公布本年度报告。</p>" * 20
    distractor.write_text(
        "<html><head><meta charset=utf-8><title>思明区2023年政府信息公开工作年度报告</title>"
        f"</head><body><h1>思明区2023年政府信息公开工作年度报告</h1>{body}</body></html>",
        encoding="utf-8",
    )
    other = fazhi(
        "ingest", str(distractor), "--url", "https://www.siming.gov.cn/t2.htm", cwd=tmp_path
    )
    assert other.exit_code == 0, other.stderr
    assert "not a report (info_disclosure_report)" in other.stdout
    listed = fazhi("reports", "list", cwd=tmp_path)
    assert listed.stdout.count("2023") == 1
    assert len(list((tmp_path / "data" / "warc").glob("*.warc.gz"))) == 3


def test_reports_show_prints_both_dates_and_the_signer(tmp_path: Path) -> None:
    page = ROOT / "tests/fixtures/pages/trs_wcm/xiamen_sfj_2021.html"
    url = "https://sfj.xm.gov.cn/zwgk/gggs/202203/t20220315_2636381.htm"
    assert fazhi("ingest", str(page), "--url", url, cwd=tmp_path).exit_code == 0
    shown = fazhi("reports", "show", "1", cwd=tmp_path)
    assert "published 2022-03-15, document 2022-03-14, signed by 厦门市司法局" in shown.stdout


def test_crawl_refuses_loopback_start_url(tmp_path: Path) -> None:
    result = fazhi("crawl", "--start-url", "http://127.0.0.1:9/", cwd=tmp_path)
    assert result.exit_code == 1
    assert "private or loopback" in result.stderr and "FAZHI_ALLOW_PRIVATE=1" in result.stderr


def test_crawl_wants_exactly_one_target(tmp_path: Path) -> None:
    result = fazhi("crawl", "--all", "--source", "fj-xm-siming", cwd=tmp_path)
    assert result.exit_code == 1
    assert "exactly one of" in result.stderr
