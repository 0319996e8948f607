"""End to end: the installed `hotfix-tui` in tmux; keys in, screen and files out."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "hotfix-tui"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not EXE.exists(), reason=f"hotfix-tui is not installed at {EXE}"),
]


class Tmux:
    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.socket = f"hotfix-e2e-{os.getpid()}-{tmp.name}"
        self.env = env

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                             timeout=30, env=self.env)
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, *patterns: str, timeout: float = 20.0) -> str:
        """Poll the screen until every pattern is on it at once (a frame may be half drawn)."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if all(re.search(p, text) for p in patterns):
                return text
            time.sleep(0.1)
        raise AssertionError(f"{patterns!r} did not all appear on screen:\n{text}")


def wait_until(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_installed_app_in_tmux(tmp_path):
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
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

    def git(*a: str) -> None:
        subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    git("config", "user.name", "E2E Tester")
    git("config", "user.email", "e2e@example.invalid")
    (repo / "README.md").write_text("# svc\n")
    git("add", "README.md")
    git("commit", "-q", "-m", "init")
    subprocess.run([str(EXE), "new", "Checkout is down", "--severity", "P0", "--no-open"],
                   cwd=repo, check=True, capture_output=True, env=env, timeout=60)
    tasks = next((repo / "specs").glob("hotfix/001-*")) / "tasks.md"

    tmux = Tmux(tmp_path, env)
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "40", "-c", str(repo),
             str(EXE))
    try:
        tmux.wait_for(
            r"T001 Assess severity and impact", "hotfix-001", r"\bP0\b", "Immediate Response",
            r"\d:\d\d:\d\d left",
        )
        # nothing in the way: the first key acts on the checklist; detection is a panel line
        tmux.wait_for(r"Detection not recorded: d")
        tmux.run("send-keys", "-t", "e2e", "space")
        assert wait_until(lambda: "- [x] **T001**" in tasks.read_text()), tasks.read_text()
        tmux.wait_for(r"\[x\] T001", r"Immediate Response.*1/5")
        tmux.run("send-keys", "-t", "e2e", "x")  # the check moved the cursor on to T002
        assert wait_until(lambda: "- [x] **T002**" in tasks.read_text())
        assert "- [ ] **T003**" in tasks.read_text()
        # c commits the incident folder (a git worker; the screen stays usable)
        tmux.run("send-keys", "-t", "e2e", "c")
        assert wait_until(lambda: "hotfix-001:" in subprocess.run(
            ["git", "log", "-1", "--format=%s"], cwd=repo, capture_output=True, text=True,
            env=env).stdout)
        tmux.wait_for(r"Committed")
        # an outside edit shows up on screen
        tasks.write_text(tasks.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
        tmux.wait_for(r"\[x\] T004")
        tmux.run("send-keys", "-t", "e2e", "q")
        assert wait_until(lambda: "e2e" not in tmux.run("list-sessions"), timeout=10)
    finally:
        tmux.run("kill-server")


def test_an_alert_rings_the_bell_of_a_background_window(tmp_path):
    """An incident 31 minutes in: the 50 % alert fires at once; tmux flags the window's bell."""
    from datetime import UTC, datetime, timedelta

    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
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
    for args in (("init", "-q", "-b", "main"), ("config", "user.name", "E2E Tester"),
                 ("config", "user.email", "e2e@example.invalid"),
                 ("commit", "-q", "--allow-empty", "-m", "init")):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    subprocess.run([str(EXE), "new", "Checkout is down", "--severity", "P0", "--no-open"],
                   cwd=repo, check=True, capture_output=True, env=env, timeout=60)
    start = (datetime.now(UTC) - timedelta(minutes=31)).strftime("%Y-%m-%d %H:%M")
    subprocess.run([str(EXE), "started-at", start, "--yes"], cwd=repo, check=True,
                   capture_output=True, env=env, timeout=60)
    folder = next((repo / "specs").glob("hotfix/001-*"))

    tmux = Tmux(tmp_path, env)
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "40", "-c", str(repo))
    try:
        # the app in a second window that stays in the background (-d)
        tmux.run("new-window", "-d", "-t", "e2e:1", "-c", str(repo), str(EXE))

        def bell() -> bool:
            flags = tmux.run("list-windows", "-t", "e2e", "-F",
                             "#{window_index} #{window_bell_flag}")
            return "1 1" in flags.splitlines()

        assert wait_until(bell, timeout=30), tmux.run("list-windows", "-t", "e2e")
        log = (folder / "events.jsonl").read_text()
        assert '"id":"alert:hotfix-001:warning:0.5"' in log
    finally:
        tmux.run("kill-server")
