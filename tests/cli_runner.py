"""`fazhi` commands run in the test's own process through Typer's CliRunner.

The runner calls `fazhi.cli.app` directly: no interpreter start-up and no imports repeated per
command. Typer's runner (its vendored click) always keeps stdout and stderr apart (there is no
`mix_stderr`; `output` has both interleaved). A test that must prove the real entry point (the
`fazhi` script or `python -m fazhi` starting, a real process's exit code, a signal, a crawl's
child process) starts a subprocess instead and says why.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from typer.testing import CliRunner, Result

from fazhi.cli import app

ROOT = Path(__file__).resolve().parent.parent


def fazhi(*args: str, cwd: Path = ROOT, env: Mapping[str, str] | None = None) -> Result:
    """`fazhi ARGS` run from CWD, with ENV as its only FAZHI_ variables: what a developer's
    shell exports must not change what a test sees. An exception the command does not turn
    into a clean exit fails the test, as a traceback would in the real process."""
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith("FAZHI_")}
    with contextlib.chdir(cwd):
        return CliRunner().invoke(
            app, list(args), env={**unset, **(env or {})}, catch_exceptions=False
        )
