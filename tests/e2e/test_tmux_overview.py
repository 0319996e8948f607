"""End to end: the installed `hotfix-tui` in tmux shows the overview of every branch (o) and
the SLA stats screen with its chart (m); `list` and `stats` print the other branch's incident."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_tmux import Tmux, wait_until

EXE = Path(sys.executable).parent / "hotfix-tui"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not EXE.exists(), reason=f"hotfix-tui is not installed at {EXE}"),
]


def test_overview_and_stats_in_tmux(tmp_path):
    home = tmp_path / "home"
    (home / "hotfix-config").mkdir(parents=True)
    (home / "hotfix-config" / "config.yaml").write_text("fetch_interval: 0\n")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "HOTFIX_TUI_CONFIG_DIR": str(home / "hotfix-config"),
        "TERM": "xterm-256color",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("TMUX", None)
    repo = tmp_path / "repo"
    repo.mkdir()

    def run(*a: str) -> str:
        return subprocess.run(list(a), cwd=repo, check=True, capture_output=True, text=True,
                              env=env, timeout=60).stdout

    run("git", "init", "-q", "-b", "main")
    run("git", "config", "user.name", "E2E Tester")
    run("git", "config", "user.email", "e2e@example.invalid")
    (repo / "README.md").write_text("# svc\n")
    run("git", "add", "README.md")
    run("git", "commit", "-q", "-m", "init")
    run(str(EXE), "new", "Checkout is down", "--severity", "P0", "--no-open")
    run("git", "add", "specs")
    run("git", "commit", "-q", "-m", "declare 001")
    run(str(EXE), "new", "Search is slow", "--severity", "P2", "--no-open")  # from main
    run(str(EXE), "detected", "pager alert")
    assert "hotfix-001" in run(str(EXE), "list") and "hotfix-002" in run(str(EXE), "list")
    assert '"incidents": 2' in run(str(EXE), "stats", "--json")

    tmux = Tmux(tmp_path, env)
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "140", "-y", "40", "-c", str(repo),
             str(EXE))
    try:
        tmux.wait_for(r"hotfix-002", r"Search is slow")
        tmux.run("send-keys", "-t", "e2e", "o")
        tmux.wait_for(r"Overview: 2 folder", r"hotfix\s+2 \(2 open\)", r"hotfix-001.*P0",
                      r"hotfix/001-checkout-down", r"hotfix-002.*checked out")
        tmux.run("send-keys", "-t", "e2e", "m")
        tmux.wait_for(r"SLA stats: 2 incident", r"TTR median", r"P0 <1:00:00", r"compliance")
        tmux.run("send-keys", "-t", "e2e", "Escape")
        tmux.wait_for(r"Overview: 2 folder")
        tmux.run("send-keys", "-t", "e2e", "Escape")
        tmux.wait_for(r"Search is slow", r"Immediate Response")
        tmux.run("send-keys", "-t", "e2e", "q")
        assert wait_until(lambda: "e2e" not in tmux.run("list-sessions"), timeout=10)
    finally:
        tmux.run("kill-server")
