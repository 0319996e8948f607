"""End to end: every command the installed `hotfix-tui --help` lists is in README's command
table (`join` included), so neither drifts from the other."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "hotfix-tui"
README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"hotfix-tui is not installed at {EXE}")


def help_commands() -> set[str]:
    out = subprocess.run([str(EXE), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(re.findall(r"^ {4}([a-z][a-z-]*)", out.stdout, re.M))


def command_table() -> str:
    return README.read_text(encoding="utf-8").split("## Commands")[1].split("\n\n")[1]


def test_join_is_in_the_help_and_in_the_readme_command_list():
    assert "join" in help_commands()
    assert "| `hotfix-tui join [ID]` |" in command_table()


def test_every_command_of_the_help_is_in_the_readme_command_list():
    table = command_table()

    def documented(cmd: str) -> bool:
        return any(f in table for f in (f"`hotfix-tui {cmd}", f"`{cmd} ", f"`{cmd}`", f" {cmd} "))

    assert [c for c in sorted(help_commands()) if not documented(c)] == []
