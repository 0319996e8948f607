"""Branches and numbers: numbers unique across every branch, record
commits only on their incident's branch, `new --from`, and `--spec` on every incident command.
Real repositories with a bare remote; the CLI runs in-process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitfix import clone, git, make_repo, run

from hotfix_tui.core import sync as core_sync
from hotfix_tui.core.git import branches, gitops
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

F1 = "specs/hotfix/001-checkout-returns-500-errors"
B1 = "hotfix/001-checkout-returns-500-errors"
F2 = "specs/hotfix/002-db-replica-lag"
B2 = "hotfix/002-db-replica-lag"


def new(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "new", *argv, "--severity", "P1", "--no-open")


def branch_of(root: Path) -> str:
    return git(root, "branch", "--show-current").strip()


@pytest.fixture
def origin(tmp_path: Path, capsys, monkeypatch) -> Path:
    """A bare remote holding hotfix/001-… and hotfix/002-…, each made and pushed by Alice."""
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    monkeypatch.chdir(alice)
    assert new(capsys, "Checkout returns 500 errors")[0] == 0
    git(alice, "add", "specs")
    git(alice, "commit", "-q", "-m", "declare 001")
    git(alice, "push", "-q", "-u", "origin", B1)
    assert new(capsys, "DB replica lag")[0] == 0
    git(alice, "add", "specs")
    git(alice, "commit", "-q", "-m", "declare 002")
    git(alice, "push", "-q", "-u", "origin", B2)
    return remote


def test_fresh_clone_on_main_numbers_after_the_remote_branches(origin, tmp_path, capsys,
                                                                monkeypatch):
    bob = clone(origin, tmp_path / "bob", "Bob Roe")
    assert branch_of(bob) == "main" and not (bob / "specs").exists()
    monkeypatch.chdir(bob)
    code, out, err = new(capsys, "Search index stale")
    assert code == 0, err
    assert Path(out.strip()) == bob / "specs/hotfix/003-search-index-stale"
    assert branch_of(bob) == "hotfix/003-search-index-stale"
    assert branches.used_numbers(bob) == {1, 2}
    # the nested layout on another branch counts too
    git(bob, "switch", "-q", "main")
    git(bob, "switch", "-q", "-c", "other")
    nested = bob / "specs/hotfix/007-queue-stuck"
    nested.mkdir(parents=True)
    (nested / "hotfix.md").write_text("# Hotfix\n")
    git(bob, "add", "specs")
    git(bob, "commit", "-q", "-m", "nested")
    git(bob, "switch", "-q", "main")
    assert branches.next_number(bob) == 8


def test_new_refuses_to_carry_another_incidents_uncommitted_changes(origin, tmp_path, capsys,
                                                                     monkeypatch):
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", B1)
    monkeypatch.chdir(alice)
    assert run(capsys, "done", "T001", "--spec", F1)[0] == 0
    code, out, err = new(capsys, "Cache stampede on login")
    assert code == 1
    assert F1 in err and "uncommitted" in err and "commit" in err and "sync" in err
    assert branch_of(alice) == B1
    assert not (alice / "specs/hotfix/003-cache-stampede-login").exists()
    assert "- [x] **T001**" in (alice / F1 / "tasks.md").read_text()
    # with --no-branch nothing moves, so it is allowed
    code, out, err = run(capsys, "new", "Cache stampede on login", "-s", "P2", "--no-branch",
                         "--no-open")
    assert code == 0, err
    assert branch_of(alice) == B1


def test_new_on_another_incidents_branch_starts_from_the_default_branch(origin, tmp_path,
                                                                        capsys, monkeypatch):
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", B1)
    (alice / "fix.py").write_text("pool_size = 50\n")
    git(alice, "add", "fix.py")
    git(alice, "commit", "-q", "-m", "the fix of 001")
    monkeypatch.chdir(alice)
    code, out, err = new(capsys, "Search index stale")
    assert code == 0, err
    assert "branched from origin/main" in err and B1 in err and "another incident" in err
    assert branch_of(alice) == "hotfix/003-search-index-stale"
    main = git(alice, "rev-parse", "origin/main").strip()
    assert git(alice, "rev-parse", "HEAD").strip() == main
    assert not (alice / "fix.py").exists() and not (alice / F1).exists()
    # from a branch that is not an incident's, HEAD is the start, silently
    git(alice, "add", "specs")
    git(alice, "commit", "-q", "-m", "declare 003")
    git(alice, "switch", "-q", "-c", "feature-x", "main")
    (alice / "feature.py").write_text("x = 1\n")
    git(alice, "add", "feature.py")
    git(alice, "commit", "-q", "-m", "feature")
    head = git(alice, "rev-parse", "HEAD").strip()
    code, out, err = new(capsys, "Feature flag broken")
    assert code == 0 and "branched from" not in err
    assert git(alice, "rev-parse", "HEAD").strip() == head


def test_new_from_ref(origin, tmp_path, capsys, monkeypatch):
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", "main")
    monkeypatch.chdir(alice)
    code, out, err = new(capsys, "Queue stuck", "--from", B2)
    assert code == 0, err
    assert git(alice, "rev-parse", "HEAD").strip() == git(alice, "rev-parse", B2).strip()
    assert branch_of(alice) == "hotfix/003-queue-stuck"
    assert (alice / F2).is_dir()
    code, out, err = new(capsys, "Another one", "--from", "no-such-ref")
    assert code == 2 and "no-such-ref" in err
    assert not (alice / "specs/hotfix/004-another-one").exists()


@pytest.fixture
def on_002_with_001_changed(origin, tmp_path, capsys, monkeypatch) -> Path:
    """Alice on hotfix/002 (made the old way, from hotfix/001) with 001's record changed."""
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", B1)
    git(alice, "branch", "-q", "-D", B2)
    git(alice, "switch", "-q", "-c", B2)
    monkeypatch.chdir(alice)
    assert run(capsys, "done", "T001", "--spec", F1)[0] == 0
    return alice


def test_commit_of_an_incident_on_another_incidents_branch_is_refused(on_002_with_001_changed,
                                                                       capsys):
    alice = on_002_with_001_changed
    head = git(alice, "rev-parse", "HEAD").strip()
    remote_b2 = git(alice, "ls-remote", "origin", B2).split()[0]
    code, out, err = run(capsys, "commit", "--spec", F1)
    assert code == 1
    assert B1 in err and B2 in err and "another incident's branch" in err
    assert f"git switch {B1}" in err and "nothing was committed" in err
    assert git(alice, "rev-parse", "HEAD").strip() == head
    code, out, err = run(capsys, "sync", "--spec", F1)
    assert code == 1 and B1 in err and B2 in err and "sync again" in err
    assert git(alice, "rev-parse", "HEAD").strip() == head
    assert git(alice, "ls-remote", "origin", B2).split()[0] == remote_b2
    # on its own branch the same commit goes through
    git(alice, "switch", "-q", B1)
    code, out, err = run(capsys, "commit", "--spec", F1)
    assert code == 0, err
    assert branch_of(alice) == B1 and "hotfix-001" in out


def test_auto_commit_and_core_calls_refuse_too(on_002_with_001_changed, clock):
    alice = on_002_with_001_changed
    inc = Incident(alice / F1, resolve_workflow("hotfix", alice), clock=clock, repo_root=alice)
    errors: list[str] = []
    gitops.attach_auto_commit(inc, errors.append)
    inc.note("T002", "pool size checked")
    assert len(errors) == 1 and "auto-commit:" in errors[0] and B1 in errors[0] and B2 in errors[0]
    with pytest.raises(branches.WrongBranch):
        gitops.commit_incident(alice, alice / F1, None, inc)
    with pytest.raises(branches.WrongBranch):
        core_sync.sync(alice, alice / F1, inc)


def test_commit_after_the_incident_branch_was_merged(origin, tmp_path, capsys, monkeypatch):
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", "main")
    git(alice, "merge", "-q", "--no-ff", "-m", "merge 001", B1)
    monkeypatch.chdir(alice)
    assert run(capsys, "done", "T020", "--spec", F1)[0] == 0
    code, out, err = run(capsys, "commit", "--spec", F1)
    assert code == 0, err
    # and once the merged branch is deleted everywhere, main still holds the folder
    git(alice, "branch", "-q", "-D", B1)
    git(alice, "branch", "-q", "-D", "-r", f"origin/{B1}")
    assert run(capsys, "done", "T021", "--spec", F1)[0] == 0
    assert run(capsys, "commit", "--spec", F1)[0] == 0
    # an incident whose branch is not merged here is refused on a plain branch too
    git(alice, "switch", "-q", "-c", "experiments", "main")
    git(alice, "checkout", B2, "--", F2)  # its files copied over, its branch not merged
    assert run(capsys, "done", "T001", "--spec", F2)[0] == 0
    code, out, err = run(capsys, "commit", "--spec", F2)
    assert code == 1 and "not merged into experiments" in err and B2 in err


def test_no_branch_incident_commits_on_the_branch_it_was_declared_on(repo, capsys,
                                                                     monkeypatch):
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Disk full", "-s", "P2", "--no-branch", "--no-open")
    assert code == 0, err
    folder = "specs/hotfix/001-disk-full"
    assert "**Branch**: `main`" in (repo / folder / "hotfix.md").read_text()
    assert run(capsys, "commit", "--spec", folder)[0] == 0
    git(repo, "switch", "-q", "-c", "hotfix/002-other")
    assert run(capsys, "done", "T001", "--spec", folder)[0] == 0
    code, out, err = run(capsys, "commit", "--spec", folder)
    assert code == 1 and "belongs on main" in err and "hotfix/002-other" in err


def test_status_takes_spec_as_an_option(origin, tmp_path, capsys, monkeypatch):
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", "main")
    git(alice, "merge", "-q", "-m", "both", B1, B2)
    monkeypatch.chdir(alice)
    code, out, err = run(capsys, "status")
    assert code == 3 and "--spec SPEC_DIR" in err
    code, out, err = run(capsys, "status", "--spec", F2)
    assert code == 0, err
    assert out.startswith("hotfix-002")
    code, out, err = run(capsys, "status", "--spec", F1, "--json")
    assert code == 0 and '"id": "hotfix-001"' in out
    assert run(capsys, "status", F1)[0] == 0
    code, out, err = run(capsys, "status", F1, "--spec", F2)
    assert code == 2 and "give one" in err


def test_every_incident_command_takes_spec():
    from hotfix_tui.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    takes = {
        name
        for name, sp in sub.choices.items()
        if any("--spec" in a.option_strings for a in sp._actions)
    }
    acting = {"open", "status", "done", "undo", "skip", "note", "severity", "set-status",
              "detected", "started-at", "fix-commit", "commit", "sync", "report", "postmortem"}
    assert acting <= takes, acting - takes



def test_features_and_modifications_commit_on_their_feature_branch(repo, capsys, monkeypatch):
    from family import lay_out

    lay_out(repo)
    git(repo, "switch", "-q", "-c", "001-checkout")
    monkeypatch.chdir(repo)
    for spec in ("specs/001-checkout", "specs/001-checkout/modifications/001-add-coupons"):
        assert run(capsys, "done", "T003", "--spec", spec)[0] == 0
        code, out, err = run(capsys, "commit", "--spec", spec)
        assert code == 0, err
    # on an incident's branch a feature's record is refused
    git(repo, "switch", "-q", "-c", "hotfix/009-other")
    assert run(capsys, "undo", "T003", "--spec", "specs/001-checkout")[0] == 0
    code, out, err = run(capsys, "commit", "--spec", "specs/001-checkout")
    assert code == 1 and "belongs on 001-checkout" in err
