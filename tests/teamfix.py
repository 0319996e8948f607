"""A team whose copies of one incident diverge: Bob's branch ahead of main (merged views)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from gitfix import FOLDER, git, team

from hotfix_tui.core.clocks import utc_now

BOB = "bob/pool-fix"
HID = "hotfix-001"


def cli(root: Path, *argv: str) -> str:
    """`hotfix-tui ARGV` as its own process in `root` (how a teammate runs it)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run(
        [sys.executable, "-m", "hotfix_tui.cli", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def commit(root: Path, message: str, when: datetime) -> None:
    """Commit what the folder holds now, with a committer time (which copy is the newest)."""
    env = dict(os.environ, GIT_COMMITTER_DATE=when.isoformat(), GIT_AUTHOR_DATE=when.isoformat())
    git(root, "add", "-A", FOLDER)
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", message],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def later(hours: int) -> datetime:
    """A committer time after the incident's declaration (which was committed now)."""
    return utc_now() + timedelta(hours=hours)


def diverged_team(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Alice's incident on the remote; Bob checks T005 on his own branch BOB (not pushed);
    later Alice checks T004 on the incident branch and pushes (the newest copy); Bob fetches."""
    remote, alice, bob = team(tmp_path, utc_now)
    git(bob, "switch", "-q", "-c", BOB)
    cli(bob, "done", "T005")
    commit(bob, "T005 done", later(1))
    cli(alice, "done", "T004")
    commit(alice, "T004 done", later(2))
    git(alice, "push", "-q")
    git(bob, "fetch", "-q")
    return remote, alice, bob
