"""End to end: two clones through a bare remote; a teammate's `done` on the other clone appears
in the open TUI (with a local uncommitted change) without a key press."""

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


def test_teammates_done_on_the_other_clone_appears_without_a_key(tmp_path):
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    conf = home / "hotfix-config"
    conf.mkdir()
    (conf / "config.yaml").write_text("fetch_interval: 1\n")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "HOTFIX_TUI_CONFIG_DIR": str(conf),
        "TERM": "xterm-256color",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("TMUX", None)

    def git(cwd: Path, *a: str) -> str:
        return subprocess.run(["git", *a], cwd=cwd, check=True, capture_output=True, text=True,
                              env=env).stdout

    def as_user(cwd: Path, name: str) -> None:
        git(cwd, "config", "user.name", name)
        git(cwd, "config", "user.email", f"{name.split()[0].lower()}@example.invalid")

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    ana = tmp_path / "ana"
    git(tmp_path, "clone", "-q", str(remote), str(ana))
    as_user(ana, "Ana Lyst")
    (ana / "README.md").write_text("# svc\n")
    git(ana, "add", "README.md")
    git(ana, "commit", "-q", "-m", "init")
    git(ana, "push", "-q", "-u", "origin", "main")
    subprocess.run([str(EXE), "new", "Checkout is down", "--severity", "P0", "--no-open"],
                   cwd=ana, check=True, capture_output=True, env=env, timeout=60)
    subprocess.run([str(EXE), "sync"], cwd=ana, check=True, capture_output=True, env=env,
                   timeout=60)
    branch = git(ana, "branch", "--show-current").strip()
    ben = tmp_path / "ben"
    git(tmp_path, "clone", "-q", str(remote), str(ben))
    as_user(ben, "Ben Ops")
    git(ben, "switch", "-q", branch)
    tasks = next((ana / "specs").glob("hotfix/001-*")) / "tasks.md"
    head = git(ana, "rev-parse", "HEAD")

    tmux = Tmux(tmp_path, env)
    tmux.run("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "-c", str(ana),
             str(EXE))
    try:
        tmux.wait_for(r"T001 Assess severity and impact", r"T005")
        tmux.run("send-keys", "-t", "e2e", "space")  # Ana's own check, not committed
        assert wait_until(lambda: "- [x] **T001**" in tasks.read_text()), tasks.read_text()
        for args in (("done", "T005"), ("sync",)):
            subprocess.run([str(EXE), *args], cwd=ben, check=True, capture_output=True,
                           env=env, timeout=60)
        # no key pressed: the background fetch brings Ben's check onto Ana's screen
        tmux.wait_for(r"\[x\] T005", r"Ben Ops", timeout=30)
        assert "- [x] **T001**" in tasks.read_text() and "- [x] **T005**" in tasks.read_text()
        assert git(ana, "rev-parse", "HEAD") == head  # never a checkout or a commit
        tmux.run("send-keys", "-t", "e2e", "q")
        assert wait_until(lambda: "e2e" not in tmux.run("list-sessions"), timeout=10)
    finally:
        tmux.run("kill-server")
