"""README promises that must not drift from the code: the two opening commands and the keys."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_demo_and_test_commands():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)[:2]
    assert "hotfix-tui demo" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and ".[test]" in blocks[1]


def test_ci_runs_the_readme_test_command():
    test_cmd = re.findall(r"```bash\n(.*?)\n```", README, re.S)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci


def test_every_binding_id_is_documented():
    from hotfix_tui.tui.actions import MAIN_BINDINGS

    keys_block = README.split("<!-- keys:start -->")[1].split("<!-- keys:end -->")[0]
    missing = [bid for bid, *_ in MAIN_BINDINGS if f"`{bid}`" not in keys_block]
    assert missing == []


def test_readme_key_table_is_generated_from_the_action_registry():
    from hotfix_tui.tui.actions import readme_table

    block = README.split("<!-- keys:start -->\n")[1].split("<!-- keys:end -->")[0]
    assert block == readme_table(), "run: python -m hotfix_tui.tui.actions (README key table)"
