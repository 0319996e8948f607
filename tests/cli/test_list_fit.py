"""`list` fits the terminal: ids and branches are never cut, the title gives way; `list --json`
stays an array. A real upstream repository: a hotfix on a remote branch only, a bug fix checked
out, a spec-kit feature with a long name.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from gitfix import run
from upstream import TASKS_TEMPLATES, create, fill_like_agent, git, make_upstream_repo

HOTFIX_BRANCH = "origin/hotfix/001-checkout-returns-500"
FEATURE = "002-user-authentication-with-single-sign-on"


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("fit")
    repo = make_upstream_repo(base / "shop")
    origin = base / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    git(repo, "remote", "add", "origin", str(origin))
    out = create(repo, "hotfix", "Checkout returns 500 for EU cards")
    said = "Checkout returns 500 for EU cards"
    fill_like_agent(Path(out["HOTFIX_FILE"]), said, "[INCIDENT TITLE]")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hotfix declared")
    git(repo, "push", "-q", "origin", out["BRANCH_NAME"])
    git(repo, "switch", "-q", "main")
    git(repo, "branch", "-q", "-D", out["BRANCH_NAME"])  # only the remote's copy is left
    feature = repo / "specs" / FEATURE
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("# Tasks: SSO\n\n## Phase 1: Setup\n\n- [ ] T001 Add SSO\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "feature")
    bug = create(repo, "bugfix", "Login broke after password reset")
    git(repo, "switch", "-q", "-c", bug["BRANCH_NAME"])
    tasks = Path(bug["BUG_REPORT_FILE"]).parent / "tasks.md"
    shutil.copy(TASKS_TEMPLATES / "bugfix-tasks.md", tasks)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bug declared")
    return repo


@pytest.mark.parametrize("columns", [120, 80])
def test_list_never_cuts_ids_or_branches_and_fits_the_width(shop, capsys, monkeypatch, columns):
    monkeypatch.chdir(shop)
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "list")
    assert code == 0, err
    lines = out.splitlines()
    code, js, err = run(capsys, "list", "--json")
    rows = json.loads(js)
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    ids = {r["id"] for r in rows}
    assert {"hotfix-001", "bugfix-003", FEATURE} <= ids
    branches = {r["branch"] for r in rows}
    assert HOTFIX_BRANCH in branches and "bugfix/003-login-broke-after" in branches
    text = "\n".join(lines)
    for word in (*ids, *branches):
        assert f"{word} " in text + " " or text.endswith(word), word  # whole, never cut
    assert all(len(line) <= columns for line in lines), lines
    assert any("Checkout returns 500" in line for line in lines)


def test_list_without_a_terminal_keeps_whole_titles(shop, capsys, monkeypatch):
    monkeypatch.chdir(shop)
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, err = run(capsys, "list")
    assert code == 0, err
    assert "Checkout returns 500 for EU cards" in out
