"""Fixtures for the web board tests: a real git repo with a real incident, and the CLI run as a
separate process (the way a teammate's `hotfix-tui done` changes the files under the server)."""

from __future__ import annotations

import os
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
