"""One incident whose folder differs between branches: `list` shows the union of the copies' event
logs (as a merge would) and says which branch lacks what. Real clones, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitfix import BRANCH, FOLDER, git, run, team
from teamfix import BOB, HID, cli, commit, diverged_team, later  # noqa: F401

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.reports.summaries import FILE


def list_json(capsys, monkeypatch, root: Path) -> dict:
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    (row,) = [r for r in json.loads(out) if r["folder"] == FOLDER]
    return row


def lacks(row: dict) -> dict[str, list[str]]:
    return {d["branch"]: [m["text"] for m in d["missing"]] for d in row["diverged"]}


def done_tasks(root: Path, ref: str) -> set[str]:
    text = git(root, "show", f"{ref}:{FOLDER}/tasks.md")
    return {ln.split("**")[1] for ln in text.splitlines() if ln.strip().startswith("- [x] **T")}


@pytest.fixture
def bob_apart(tmp_path):
    return diverged_team(tmp_path)


def test_list_json_counts_a_task_done_only_on_another_branch(bob_apart, capsys, monkeypatch):
    _remote, _alice, bob = bob_apart
    git(bob, "switch", "-q", "main")  # nothing checked out: every copy comes from git objects
    assert done_tasks(bob, BOB) == {"T005"}
    assert done_tasks(bob, f"origin/{BRANCH}") == {"T004"}  # the newest copy
    row = list_json(capsys, monkeypatch, bob)
    assert row["id"] == HID
    assert row["progress"]["done"] == 2  # T004 and T005: the union of both logs
    found = lacks(row)
    assert found[f"origin/{BRANCH}"] == ["T005 done (by Bob Roe)"]
    assert found[BOB] == ["T004 done (by Alice Doe)"]
    assert sorted(found[BRANCH]) == ["T004 done (by Alice Doe)", "T005 done (by Bob Roe)"]
    missing = row["diverged"][0]["missing"][0]
    assert {"id", "kind", "task", "who", "text"} <= set(missing)


def test_list_merges_the_checked_out_copy_with_the_branches_ahead_of_it(
    bob_apart, capsys, monkeypatch
):
    _remote, _alice, bob = bob_apart  # Bob's work tree: BOB, T005 done and committed
    row = list_json(capsys, monkeypatch, bob)
    assert row["progress"]["done"] == 2
    found = lacks(row)
    assert found[f"origin/{BRANCH}"] == ["T005 done (by Bob Roe)"]
    assert found[BOB] == ["T004 done (by Alice Doe)"]
    # an uncommitted change of the work tree is part of what the other branches lack
    cli(bob, "done", "T006")
    row = list_json(capsys, monkeypatch, bob)
    assert row["progress"]["done"] == 3
    found = lacks(row)
    assert found[f"origin/{BRANCH}"] == ["T005 done (by Bob Roe)", "T006 done (by Bob Roe)"]
    assert found[BOB] == ["T004 done (by Alice Doe)"]


def test_list_text_says_which_branch_lacks_what(bob_apart, capsys, monkeypatch):
    _remote, _alice, bob = bob_apart
    git(bob, "switch", "-q", "main")
    monkeypatch.chdir(bob)
    code, out, _err = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    row = next(i for i, ln in enumerate(lines) if HID in ln)
    assert " 2/28 " in lines[row]
    notes = [ln.strip() for ln in lines[row + 1 : row + 4]]
    assert f"origin/{BRANCH} lacks: T005 done (by Bob Roe)" in notes
    assert f"{BOB} lacks: T004 done (by Alice Doe)" in notes


def test_merged_view_comes_from_the_summary_cache_on_the_next_run(bob_apart, capsys, monkeypatch):
    _remote, _alice, bob = bob_apart
    git(bob, "switch", "-q", "main")
    first = list_json(capsys, monkeypatch, bob)
    cache = json.loads((bob / ".git" / "hotfix-tui" / FILE).read_text(encoding="utf-8"))
    kept = [v for v in cache["items"].values() if v.get("lacks")]
    assert len(kept) == 1 and kept[0]["done"] == 2
    again = list_json(capsys, monkeypatch, bob)
    assert again.pop("sla")["state"] == first.pop("sla")["state"]  # (the real clock moved on)
    assert again == first


def test_identical_copies_show_no_divergence(tmp_path, capsys, monkeypatch):
    _remote, alice, bob = team(tmp_path, utc_now)
    cli(alice, "done", "T004")
    commit(alice, "T004 done", later(2))
    git(alice, "push", "-q")
    git(bob, "pull", "-q")
    git(bob, "switch", "-q", "-c", BOB)  # a second branch holding the same copy
    git(bob, "switch", "-q", "main")
    row = list_json(capsys, monkeypatch, bob)
    assert row["progress"]["done"] == 1 and row["diverged"] == []
    code, out, _err = run(capsys, "list")
    assert code == 0 and "lacks" not in out


def test_a_branch_behind_only_lacks_what_it_has_not_seen(tmp_path, capsys, monkeypatch):
    """A branch that is simply behind (the local branch before a pull) is named as lacking the
    newer events; the view is the newest copy's."""
    _remote, alice, bob = team(tmp_path, utc_now)
    cli(alice, "done", "T004")
    commit(alice, "T004 done", later(2))
    git(alice, "push", "-q")
    git(bob, "fetch", "-q")
    git(bob, "switch", "-q", "main")
    row = list_json(capsys, monkeypatch, bob)
    assert row["progress"]["done"] == 1
    assert lacks(row) == {BRANCH: ["T004 done (by Alice Doe)"]}


def test_skips_and_notes_made_on_one_branch_are_named_and_shown(tmp_path, capsys, monkeypatch):
    _remote, _alice, bob = team(tmp_path, utc_now)
    git(bob, "switch", "-q", "-c", BOB)
    cli(bob, "skip", "T003", "--reason", "cannot reproduce")
    cli(bob, "note", "T004", "pool at 100%")
    commit(bob, "skip, note", later(1))
    git(bob, "switch", "-q", "main")
    row = list_json(capsys, monkeypatch, bob)
    assert row["progress"]["done"] == 1  # the skip settles T003
    said = lacks(row)
    assert said[f"origin/{BRANCH}"] == said[BRANCH]
    assert said[BRANCH] == ["T003 skipped (by Bob Roe)", "note on T004 (by Bob Roe)"]


def test_many_copies_that_differ_are_merged_in_the_forked_workers_then_cached(
    tmp_path, capsys, monkeypatch
):
    """60 incidents, each with T005 done on one branch and T004 on another: every row is the
    union (summarized among forked workers), and the next run reads them from the cache."""
    import shutil

    from gitfix import make_repo

    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.reports import fanout
    from hotfix_tui.core.workflow.loader import resolve_workflow

    root = make_repo(tmp_path / "repo")
    wf = resolve_workflow("hotfix", root)
    first = create_incident(root, "Pool exhausted", "P1", wf, branch=False)
    folders = [first]
    for n in range(2, 61):
        folders.append(first.with_name(first.name.replace("001", f"{n:03d}")))
        shutil.copytree(first, folders[-1])
    git(root, "switch", "-q", "-c", "one")
    git(root, "add", "specs")
    git(root, "commit", "-q", "-m", "60 incidents")
    for branch, task in (("two", "T005"), ("three", "T004")):
        git(root, "switch", "-q", "-c", branch, "one")
        for folder in folders:
            Incident(folder, wf, repo_root=root).set_done(task)
        git(root, "commit", "-q", "-am", f"{task} everywhere")
    git(root, "switch", "-q", "main")
    assert len(folders) >= fanout.MIN_ITEMS and fanout.can_fork()
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 60
    for row in rows:
        assert row["progress"]["done"] == 2, row["folder"]
        said = {d["branch"]: sorted(m["task"] for m in d["missing"]) for d in row["diverged"]}
        assert said == {"one": ["T004", "T005"], "three": ["T005"], "two": ["T004"]}
    cache = json.loads((root / ".git" / "hotfix-tui" / FILE).read_text(encoding="utf-8"))
    assert sum(1 for v in cache["items"].values() if v.get("lacks")) == 60
    code, again, err = run(capsys, "list", "--json")
    assert code == 0
    drop = lambda rs: [{k: v for k, v in r.items() if k != "sla"} for r in rs]  # noqa: E731
    assert drop(json.loads(again)) == drop(rows)  # (the real clock moved on)
