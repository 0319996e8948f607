"""Fixtures for the web board tests: a real git repo with a real incident, and the CLI run as a
separate process (the way a teammate's `hotfix-tui done` changes the files under the server)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitfix import make_repo

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.workflow.loader import resolve_workflow

ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)>"


def new_incident(root: Path, description: str, severity: str = "P1", **kw) -> Path:
    wf = resolve_workflow("hotfix", root)
    return create_incident(root, description, severity, wf, **kw)


def cli(root: Path, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `hotfix-tui ARGV` as its own process in `root` (the installed module, this Python)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run(
        [sys.executable, "-m", "hotfix_tui.cli", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def incident_repo(tmp_path) -> tuple[Path, Path]:
    """A repo on its incident branch with one P1 incident started now: (root, folder)."""
    root = make_repo(tmp_path / "repo")
    return root, new_incident(root, "Database connection pool exhausted causing 503s")


# --- the browser tests: Debian's Chromium driven by Playwright --------------------------------
CHROMIUM = os.environ.get("HOTFIX_TUI_CHROMIUM", "/usr/bin/chromium")
WAIT_MS = 20_000  # generous: the page hears a change within ~0.5 s on an idle machine


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a module's tests; they are skipped without Playwright or it."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
    )
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()
