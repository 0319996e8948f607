"""Every folder of the spec-kit-extensions family opens: unknown prefixes
are plain checklists, never an error; only severity workflows count as "the current incident"."""

from __future__ import annotations

import json

import pytest
from family import lay_out
from gitfix import git, run

from hotfix_tui.core.discovery import find_specs
from hotfix_tui.core.opening import pick_incident


def test_every_layout_is_found_with_its_kind(repo):
    kinds = lay_out(repo)
    (repo / "specs/hotfix/003-queue-stuck").mkdir(parents=True)
    (repo / "specs/hotfix/003-queue-stuck/hotfix.md").write_text("# Hotfix\n")
    (repo / "specs/notes").mkdir()  # no tasks.md: not a spec
    found = {f.folder.relative_to(repo).as_posix(): f.kind for f in find_specs(repo)}
    assert found == {**kinds, "specs/hotfix/003-queue-stuck": "hotfix"}
    order = [f.kind for f in find_specs(repo)]
    assert order == sorted(order, key=["hotfix", "bugfix", "refactor", "deprecate",
                                       "modification", "feature"].index)


@pytest.mark.parametrize("folder", [
    "specs/bugfix-001-login-crash",
    "specs/refactor-001-split-billing",
    "specs/deprecate-001-legacy-api",
    "specs/001-checkout/modifications/001-add-coupons",
    "specs/001-checkout",
])
def test_status_opens_each_as_a_checklist(repo, capsys, monkeypatch, folder):
    lay_out(repo)
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "status", folder, "--json")
    assert code == 0, err
    data = json.loads(out)
    # each kind has its workflow (shipped with hotfix-tui): a checklist without severities
    kinds = {"modifications": "modify", "bugfix": "bugfix", "refactor": "refactor",
             "deprecate": "deprecate"}
    assert data["workflow"] == next((w for k, w in kinds.items() if k in folder), None)
    assert data["sla"] is None and data["severity"] is None
    assert data["progress"] == {"done": 1, "total": 3}
    code, out, err = run(capsys, "done", "T001", "--spec", folder)
    assert code == 0, err
    assert json.loads(run(capsys, "status", "--spec", folder, "--json")[1])["progress"] == {
        "done": 2, "total": 3}


def test_a_workflow_named_in_tasks_md_must_exist(repo, capsys, monkeypatch):
    lay_out(repo)
    tasks = repo / "specs/bugfix-001-login-crash/tasks.md"
    tasks.write_text(tasks.read_text().replace("**Input**", "**Workflow**: bugfx\n**Input**"))
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "status", "specs/bugfix-001-login-crash")
    assert code == 2 and "tasks.md:3:1" in err and "unknown workflow 'bugfx'" in err


def test_only_incidents_count_when_guessing(repo, capsys, monkeypatch):
    lay_out(repo)
    monkeypatch.chdir(repo)
    assert pick_incident(repo) is None  # checklists and features only: nothing is guessed
    code, out, err = run(capsys, "new", "Pool exhausted", "-s", "P1", "--no-branch", "--no-open")
    assert code == 0, err
    # the old layout kept, numbered after the feature 002-search as spec-kit-extensions numbers
    assert pick_incident(repo).folder == repo / "specs/hotfix-003-pool-exhausted"
    code, out, err = run(capsys, "done", "T001")
    assert code == 0 and "Assess severity" in out
    # on a feature's branch, that feature is the one meant
    git(repo, "switch", "-q", "-c", "002-search")
    assert pick_incident(repo).folder == repo / "specs/002-search"


def test_a_checklist_workflow_with_severities_counts(repo, capsys, monkeypatch):
    lay_out(repo)
    wf_dir = repo / ".hotfix/workflows"
    wf_dir.mkdir(parents=True)
    from hotfix_tui.core.workflow.files import find_workflows

    text = find_workflows(repo)["hotfix"].read_text()
    wf_dir.joinpath("bugfix.yaml").write_text(
        text.replace("id: hotfix", "id: bugfix", 1).replace("folder_prefix: hotfix",
                                                            "folder_prefix: bugfix"))
    assert pick_incident(repo).folder == repo / "specs/bugfix-001-login-crash"


def test_a_bugfix_as_upstream_declares_it_says_its_kind_severity_status_and_branch(
    tmp_path, capsys, monkeypatch
):
    import shutil
    from pathlib import Path

    from upstream import TASKS_TEMPLATES, create, make_upstream_repo
    from upstream import git as ugit

    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "bugfix", "Login broke after password reset")
    report = Path(out["BUG_REPORT_FILE"])
    report.write_text(report.read_text().replace("[ ] Medium", "[x] Medium", 1))
    shutil.copy(TASKS_TEMPLATES / "bugfix-tasks.md", report.parent / "tasks.md")
    ugit(repo, "switch", "-q", "-c", out["BRANCH_NAME"])
    monkeypatch.chdir(repo)
    code, text, err = run(capsys, "status")
    assert code == 0, err
    head = text.splitlines()[:2]
    assert head[0] == "bugfix-001  Login broke after"  # the folder's id and words
    assert head[1] == f"bugfix | Severity Medium | Status open | Branch {out['BRANCH_NAME']}"
    data = json.loads(run(capsys, "status", "--json")[1])
    assert (data["kind"], data["severity"], data["status"]) == ("bugfix", "Medium", "open")
    assert data["sla"] is None  # no targets for a bug report's severities
    row = json.loads(run(capsys, "list", "--json")[1])[0]
    assert (row["id"], row["kind"], row["status"], row["branch"]) == (
        "bugfix-001", "bugfix", "open", out["BRANCH_NAME"])
