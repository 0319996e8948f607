"""Helpers for the git tests: a bare remote and clones acting as engineers, incidents on them."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

BRANCH = "hotfix/001-database-connection-pool"
FOLDER = "specs/hotfix/001-database-connection-pool"


T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)  # the same instant as conftest's clock


class FakeClock:
    """A clock the tests set by hand: calling it (or `now()`) returns `t`."""

    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def now(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> None:
        self.t = self.t + timedelta(**kw)


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, timeout=60
    )
    return out.stdout


def make_repo(path: Path, name: str = "Ana Lyst") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", name)
    git(path, "config", "user.email", f"{name.split()[0].lower()}@example.invalid")
    git(path, "config", "commit.gpgsign", "false")
    (path / "README.md").write_text("# service\n")
    git(path, "add", "README.md")
    git(path, "commit", "-q", "-m", "init")
    return path


def clone(remote: Path, dest: Path, name: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", str(remote), str(dest)], check=True, capture_output=True, timeout=60
    )
    git(dest, "config", "user.name", name)
    git(dest, "config", "user.email", f"{name.split()[0].lower()}@example.invalid")
    git(dest, "config", "commit.gpgsign", "false")
    return dest


def team(tmp_path: Path, clock) -> tuple[Path, Path, Path]:
    """A bare remote holding an incident branch, and clones for Alice and Bob on that branch."""
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(seed), str(remote)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    create_incident(alice, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(alice, "add", FOLDER)
    git(alice, "commit", "-q", "-m", "declare incident")
    git(alice, "push", "-q", "-u", "origin", BRANCH)
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    git(bob, "switch", "-q", BRANCH)
    return remote, alice, bob


def incident(root: Path, clock, folder: str = FOLDER) -> Incident:
    return Incident(root / folder, resolve_workflow("hotfix", root), clock=clock, repo_root=root)


def at(clock, when: datetime):
    clock.t = when
    return clock


def checked(text: str) -> set[str]:
    out = set()
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("- [x] **T"):
            out.add(s.split("**")[1])
    return out


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit status, stdout, stderr)."""
    from hotfix_tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
