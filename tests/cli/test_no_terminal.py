"""Without a terminal the app never starts: `new` and `demo` print the folder, `open` says why.

Started from a script or a pipe, the app had no screen to draw on and redrew for ever, growing
until the machine ran out of memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from gitfix import make_repo

CMD = [str(Path(sys.executable).with_name("hotfix-tui"))]  # the installed command


def _limited() -> None:  # a runaway app fails fast instead of filling the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CMD + args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=30, preexec_fn=_limited, env=dict(os.environ))


def test_new_without_a_terminal_creates_the_incident_and_prints_its_folder(tmp_path):
    repo = make_repo(tmp_path / "repo")
    done = _run(["new", "Database down", "--severity", "P0"], repo)
    assert done.returncode == 0, done.stderr
    assert (repo / done.stdout.strip() / "tasks.md").is_file()
    assert "\x1b[" not in done.stdout  # no frame drawn into the pipe
    assert "hotfix-tui open" in done.stderr


def test_open_without_a_terminal_refuses_with_a_message_naming_what_to_use(tmp_path):
    repo = make_repo(tmp_path / "repo")
    assert _run(["new", "Database down", "--severity", "P0", "--no-open"], repo).returncode == 0
    done = _run(["open"], repo)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "needs a terminal" in done.stderr and "hotfix-tui status" in done.stderr


def test_demo_without_a_terminal_prints_the_folder(tmp_path):
    done = _run(["demo", "--dir", str(tmp_path / "demo")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (Path(done.stdout.strip()) / "tasks.md").is_file()
