"""`list` over every branch: incidents on three branches, one only on the
remote, read from git objects without a checkout; one row per folder, from its newest copy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from family import lay_out
from gitfix import clone, git, make_repo, run

from hotfix_tui.core.reports import catalog

F1, B1 = "specs/hotfix/001-checkout-returns-500-errors", "hotfix/001-checkout-returns-500-errors"
F2, B2 = "specs/hotfix/002-db-replica-lag", "hotfix/002-db-replica-lag"
F3, B3 = "specs/hotfix/003-search-index-stale", "hotfix/003-search-index-stale"


def at(monkeypatch, when: str) -> None:
    """Commits made from now on carry this time (the newest-copy rule compares them)."""
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)


def quiet_config(interval: float) -> None:
    """Write `fetch_interval` to the (isolated) config file; 0: no background fetch."""
    import os

    cfg = Path(os.environ["HOTFIX_TUI_CONFIG_DIR"])
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.yaml").write_text(f"fetch_interval: {interval}\n")


def declare(capsys, root: Path, desc: str, sev: str = "P1") -> None:
    code, out, err = run(capsys, "new", desc, "--severity", sev, "--no-open")
    assert code == 0, err
    git(root, "add", "specs")
    git(root, "commit", "-q", "-m", f"declare {desc}")


@pytest.fixture
def team(tmp_path, capsys, monkeypatch):
    """Alice pushed hotfix/001 and hotfix/002; hotfix/003 exists only in her clone."""
    quiet_config(0)
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    monkeypatch.chdir(alice)
    at(monkeypatch, "2026-11-01T10:00:00Z")
    declare(capsys, alice, "Checkout returns 500 errors", "P0")
    git(alice, "push", "-q", "-u", "origin", B1)
    declare(capsys, alice, "DB replica lag")
    git(alice, "push", "-q", "-u", "origin", B2)
    declare(capsys, alice, "Search index stale", "P2")
    return remote, alice


def rows(capsys, *extra: str) -> dict[str, dict]:
    code, out, err = run(capsys, "list", "--json", *extra)
    assert code == 0, err
    return {r["folder"]: r for r in json.loads(out)}


def test_fresh_clone_lists_the_teams_incidents_on_other_branches(team, tmp_path, capsys,
                                                                 monkeypatch):
    remote, alice = team
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    monkeypatch.chdir(bob)
    got = rows(capsys)
    assert set(got) == {F1, F2}
    r1 = got[F1]
    assert r1["id"] == "hotfix-001" and r1["kind"] == "hotfix" and r1["severity"] == "P0"
    assert r1["status"] == "Investigating" and r1["progress"] == {"done": 0, "total": 26}
    assert r1["branch"] == f"origin/{B1}" and r1["branches"] == [f"origin/{B1}"]
    assert r1["checked_out"] is False and r1["as_of"] is not None
    assert r1["sla"]["target_seconds"] == 3600
    assert got[F2]["severity"] == "P1"
    assert not (bob / "specs").exists()  # nothing was checked out
    assert rows(capsys, "--here") == {}
    code, out, err = run(capsys, "list")
    assert code == 0 and "hotfix-001" in out and "hotfix-002" in out
    assert "remote branches as of the last fetch" in out
    # in Alice's clone: three branches, 003 only there, the checked-out one marked
    monkeypatch.chdir(alice)
    got = rows(capsys)
    assert set(got) == {F1, F2, F3}
    assert got[F3]["checked_out"] is True and got[F3]["source"] == "work tree"
    assert got[F3]["branches"] == [B3] and got[F3]["as_of"] is None
    assert got[F1]["branches"] == [B1, f"origin/{B1}"] and got[F1]["source"] == B1
    assert got[F1]["as_of"] is None  # a local branch is not as old as the last fetch


def test_one_row_per_folder_from_the_newest_copy(team, tmp_path, capsys, monkeypatch):
    remote, alice = team
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    monkeypatch.chdir(bob)
    git(bob, "switch", "-q", B1)
    at(monkeypatch, "2026-11-01T11:00:00Z")
    assert run(capsys, "done", "T001")[0] == 0
    git(bob, "commit", "-q", "-am", "T001")
    got = rows(capsys)[F1]
    assert got["checked_out"] and got["source"] == "work tree"
    assert got["progress"]["done"] == 1 and got["branches"] == [B1, f"origin/{B1}"]
    git(bob, "switch", "-q", "main")
    got = rows(capsys)[F1]  # the local branch's copy is newer than the remote's
    assert not got["checked_out"] and got["source"] == B1 and got["progress"]["done"] == 1
    # Alice pushes later work: after a fetch the remote's copy is the newest
    monkeypatch.chdir(alice)
    git(alice, "switch", "-q", B1)
    at(monkeypatch, "2026-11-01T12:00:00Z")
    assert run(capsys, "done", "T002", "--spec", F1)[0] == 0
    assert run(capsys, "done", "T003", "--spec", F1)[0] == 0
    git(alice, "commit", "-q", "-am", "T002, T003")
    git(alice, "push", "-q")
    monkeypatch.chdir(bob)
    assert rows(capsys)[F1]["progress"]["done"] == 1  # as of the last fetch
    assert catalog.fetch(bob) is not None
    got = rows(capsys)[F1]
    # the remote's copy is the newest; Bob's T001, never pushed, is merged in (the union)
    assert got["source"] == f"origin/{B1}" and got["progress"]["done"] == 3
    assert got["as_of"] is not None
    lacks = {d["branch"]: [m["task"] for m in d["missing"]] for d in got["diverged"]}
    assert lacks == {B1: ["T002", "T003"], f"origin/{B1}": ["T001"]}
    # merged into main: still one row, main among its branches
    git(bob, "merge", "-q", "--no-ff", "-m", "merge 001", f"origin/{B1}")
    got = rows(capsys)
    assert list(got).count(F1) == 1
    assert "main" in got[F1]["branches"] and got[F1]["checked_out"]


def test_uncommitted_changes_in_the_work_tree_are_shown(team, capsys, monkeypatch):
    remote, alice = team
    git(alice, "switch", "-q", B2)
    assert run(capsys, "done", "T001", "--spec", F2)[0] == 0
    got = rows(capsys)[F2]
    assert got["source"] == "work tree" and got["progress"]["done"] == 1


def test_family_kinds_on_other_branches(repo, capsys, monkeypatch):
    kinds = lay_out(repo)
    git(repo, "switch", "-q", "-c", "specs-branch")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "specs")
    git(repo, "switch", "-q", "main")
    monkeypatch.chdir(repo)
    got = rows(capsys)
    assert {f: r["kind"] for f, r in got.items()} == kinds
    assert all(r["branches"] == ["specs-branch"] and not r["checked_out"] for r in got.values())
    assert got["specs/001-checkout"]["progress"] == {"done": 1, "total": 3}


def test_a_broken_copy_on_another_branch_names_its_folder(repo, capsys, monkeypatch):
    lay_out(repo)
    tasks = repo / "specs/bugfix-001-login-crash/tasks.md"
    tasks.write_text(tasks.read_text().replace("**Input**", "**Workflow**: nope\n**Input**"))
    git(repo, "switch", "-q", "-c", "other")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "specs")
    git(repo, "switch", "-q", "main")
    monkeypatch.chdir(repo)
    got = rows(capsys)["specs/bugfix-001-login-crash"]
    assert "unknown workflow 'nope'" in got["error"] and "hotfix-tui-copies" not in got["error"]


def test_list_starts_a_background_fetch_when_the_last_is_old(team, tmp_path, capsys,
                                                              monkeypatch):
    import os
    import time

    remote, alice = team
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    git(alice, "switch", "-q", B1)
    assert run(capsys, "done", "T001", "--spec", F1)[0] == 0
    git(alice, "commit", "-q", "-am", "T001")
    git(alice, "push", "-q")
    tip = git(alice, "rev-parse", "HEAD").strip()
    monkeypatch.chdir(bob)
    quiet_config(60)
    run(capsys, "list")  # the clone is fresh: nothing started
    assert git(bob, "rev-parse", f"origin/{B1}").strip() != tip
    old = time.time() - 3600
    os.utime(bob / ".git/packed-refs", (old, old))
    code, out, err = run(capsys, "list")
    assert code == 0 and "as of the last fetch" in out
    deadline = time.monotonic() + 60  # the fetch runs on after list returned
    while git(bob, "rev-parse", f"origin/{B1}").strip() != tip:
        assert time.monotonic() < deadline, "the background fetch did not arrive"
        time.sleep(0.1)
    while not (bob / ".git/FETCH_HEAD").exists():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert rows(capsys)[F1]["progress"]["done"] == 1
    assert not catalog.fetch_due(bob, 0, catalog.last_fetch(bob))  # 0: off
