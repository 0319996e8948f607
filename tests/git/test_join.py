"""Joining an incident from a fresh clone: commands name the incidents open on other branches
(with the `git switch` to run) instead of inviting a duplicate, and `join` switches."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitfix import BRANCH, FOLDER, clone, git, make_repo, run

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git.repo import current_branch
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

SECOND_BRANCH = "hotfix/002-search-returns-nothing"


def declare(root: Path, description: str, clock, folder: str, branch: str) -> None:
    """Declare an incident on its own branch in `root`, commit it and push the branch."""
    wf = resolve_workflow("hotfix", root)
    create_incident(root, description, "P1", wf, clock=clock)
    git(root, "add", folder)
    git(root, "commit", "-q", "-m", f"declare {folder}")
    git(root, "push", "-q", "-u", "origin", branch)


@pytest.fixture
def remote(tmp_path) -> Path:
    seed = make_repo(tmp_path / "seed", "Seed Er")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True,
                   capture_output=True, timeout=60)
    return bare


@pytest.fixture
def alice(tmp_path, remote, clock) -> Path:
    """Alice declared hotfix-001 on its branch and pushed it."""
    root = clone(remote, tmp_path / "alice", "Alice Doe")
    declare(root, "Database connection pool exhausted causing 503s", clock, FOLDER,
            BRANCH)
    return root


@pytest.fixture
def carol(tmp_path, remote, alice, monkeypatch) -> Path:
    """A teammate's fresh clone, on main, fetched after Alice pushed; the current folder."""
    root = clone(remote, tmp_path / "carol", "Carol Ng")
    git(root, "fetch", "-q")
    monkeypatch.chdir(root)
    return root


def resolve_incident(root: Path, clock, folder: str) -> None:
    inc = Incident(root / folder, resolve_workflow("hotfix", root), clock=clock, repo_root=root)
    inc.set_done("T027")  # Resolved
    assert inc.status.lower().startswith("resolved")


@pytest.mark.parametrize("argv", [["status"], ["done", "T004"], ["sync"]])
def test_fresh_clone_names_the_incident_open_on_another_branch(carol, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 3, (out, err)
    assert "hotfix-001" in err
    assert f"git switch {BRANCH}" in err
    assert "hotfix-tui join" in err
    assert "hotfix-tui new" not in err and "declare one" not in err
    assert current_branch(carol) == "main"  # nothing was switched
    assert not (carol / FOLDER).exists()


def test_a_repository_without_any_incident_still_suggests_new(tmp_path, monkeypatch, capsys):
    root = make_repo(tmp_path / "lonely")
    monkeypatch.chdir(root)
    code, _out, err = run(capsys, "status")
    assert code == 3
    assert 'hotfix-tui new "what broke"' in err


def test_an_incident_resolved_on_its_branch_is_not_offered(
    tmp_path, remote, alice, clock, monkeypatch, capsys
):
    resolve_incident(alice, clock, FOLDER)
    git(alice, "commit", "-q", "-am", "resolved")
    git(alice, "push", "-q")
    root = clone(remote, tmp_path / "dave", "Dave Oh")
    monkeypatch.chdir(root)
    code, _out, err = run(capsys, "status")
    assert code == 3
    assert f"git switch {BRANCH}" not in err
    assert "hotfix-tui new" in err


def test_join_switches_to_the_incident_branch_and_status_then_works(carol, capsys):
    code, out, err = run(capsys, "join")
    assert code == 0, err
    assert current_branch(carol) == BRANCH
    upstream = git(carol, "rev-parse", "--abbrev-ref", f"{BRANCH}@{{upstream}}").strip()
    assert upstream == f"origin/{BRANCH}"  # a local branch tracking the teammate's one
    assert "hotfix-001" in out and BRANCH in out
    code, out, err = run(capsys, "status")
    assert code == 0, err
    assert "hotfix-001" in out
    code, out, err = run(capsys, "done", "T004")
    assert code == 0, err


def test_join_by_id_picks_that_incident(carol, alice, clock, capsys):
    declare(alice, "Search returns nothing", clock, "specs/hotfix/002-search-returns-nothing",
            SECOND_BRANCH)
    git(carol, "fetch", "-q")
    code, _out, err = run(capsys, "join", "hotfix-002")
    assert code == 0, err
    assert current_branch(carol) == SECOND_BRANCH
    code, out, _err = run(capsys, "status")
    assert code == 0 and "hotfix-002" in out


def test_join_without_an_id_lists_the_open_incidents_when_there_are_several(
    carol, alice, clock, capsys
):
    declare(alice, "Search returns nothing", clock, "specs/hotfix/002-search-returns-nothing",
            SECOND_BRANCH)
    git(carol, "fetch", "-q")
    code, out, err = run(capsys, "join")
    assert code == 3, (out, err)
    for hid, branch in (("hotfix-001", BRANCH), ("hotfix-002", SECOND_BRANCH)):
        assert hid in err and f"git switch {branch}" in err
    assert "hotfix-tui join ID" in err
    assert current_branch(carol) == "main"


def test_join_with_an_unknown_id_says_which_exist(carol, capsys):
    code, _out, err = run(capsys, "join", "hotfix-042")
    assert code == 3
    assert "hotfix-042" in err and "hotfix-001" in err
    assert current_branch(carol) == "main"


def test_join_refuses_while_another_incident_has_uncommitted_changes(carol, clock, capsys):
    wf = resolve_workflow("hotfix", carol)
    create_incident(carol, "Local only", "P2", wf, clock=clock, branch=False)  # uncommitted
    code, _out, err = run(capsys, "join", "hotfix-001")
    assert code == 1
    assert "uncommitted" in err
    assert current_branch(carol) == "main"


def test_sync_on_a_fresh_clone_fetches_before_it_reports(tmp_path, remote, clock, monkeypatch,
                                                          capsys):
    root = clone(remote, tmp_path / "erin", "Erin Fu")  # cloned before the incident existed
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    declare(alice, "Database connection pool exhausted causing 503s", clock, FOLDER,
            BRANCH)
    monkeypatch.chdir(root)
    code, _out, err = run(capsys, "status")  # not fetched yet: nothing is known
    assert code == 3 and "hotfix-001" not in err
    code, _out, err = run(capsys, "sync")
    assert code == 3
    assert "hotfix-001" in err and f"git switch {BRANCH}" in err
    assert "hotfix-tui new" not in err
    assert git(root, "rev-parse", "--verify", "--quiet", f"origin/{BRANCH}").strip()



def test_a_work_tree_holding_only_closed_incidents_names_the_open_one_elsewhere(
    carol, clock, capsys
):
    wf = resolve_workflow("hotfix", carol)
    folder = create_incident(carol, "Old outage", "P2", wf, clock=clock, branch=False)
    resolve_incident(carol, clock, folder.relative_to(carol).as_posix())
    code, _out, err = run(capsys, "status")
    assert code == 3
    assert "hotfix-001" in err and f"git switch {BRANCH}" in err
    assert "specs/hotfix/002-old-outage" in err and "--spec" in err  # still named here
    assert "hotfix-tui new" not in err
