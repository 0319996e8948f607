"""Plain git can never break the record: a teammate who never ran hotfix-tui (no merge driver)
pulls, commits conflict markers and pushes; every other clone's next sync rebuilds the files.

Two real clones and a bare remote; the fresh clone runs only git.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from gitfix import FOLDER, T0, FakeClock, clone, git, run, team

from hotfix_tui.core.record import events as evlog

FRED = "Fred Fresh"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    clock = FakeClock(T0)
    remote, alice, _bob = team(tmp_path, clock)
    fred = clone(remote, tmp_path / "fred", FRED)
    git(fred, "switch", "-q", "hotfix/001-database-connection-pool")
    monkeypatch.chdir(alice)
    return remote, alice, fred


def no_driver(root: Path) -> None:
    config = (root / ".git" / "config").read_text()
    assert "hotfix-tui" not in config  # this clone never ran hotfix-tui


def pull_with_conflict(root: Path, name: str) -> None:
    out = subprocess.run(
        ["git", "pull", "-q", "--no-rebase", "--no-edit"], cwd=root, capture_output=True, text=True
    )
    assert out.returncode != 0, out.stdout + out.stderr
    assert "<<<<<<<" in (root / FOLDER / name).read_text()


def log(root: Path) -> list[dict]:
    text = (root / FOLDER / evlog.LOG).read_text()
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def test_markers_pushed_by_a_clone_without_the_driver_are_rebuilt_by_the_next_sync(setup, capsys):
    remote, alice, fred = setup
    code, _out, err = run(capsys, "done", "T003")
    assert code == 0, err
    code, _out, err = run(capsys, "sync")
    assert code == 0, err
    # Fred, in his editor: checks T004 and says where he reproduces T003
    tasks = fred / FOLDER / "tasks.md"
    text = tasks.read_text()
    text = text.replace("- [ ] **T004**", "- [x] **T004**")
    text = text.replace("**T003** Reproduce the issue", "**T003** Reproduce the issue on staging")
    tasks.write_text(text)
    git(fred, "commit", "-q", "-am", "T004 done, T003 on staging")
    no_driver(fred)
    pull_with_conflict(fred, "tasks.md")
    git(fred, "commit", "-q", "-am", "merge")  # markers and all, as people do
    git(fred, "push", "-q")

    code, out, err = run(capsys, "sync")
    assert code == 0, err
    for name in ("tasks.md", "hotfix.md", "post-mortem.md"):
        assert "<<<<<<<" not in (alice / FOLDER / name).read_text(), name
    pushed = git(alice, "show", f"origin/hotfix/001-database-connection-pool:{FOLDER}/tasks.md")
    assert "<<<<<<<" not in pushed  # the rebuilt files went to the remote
    code, _out, err = run(capsys, "done", "T005")
    assert code == 0, err
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    tasks_json = [t for t in json.loads(out)["tasks"] if t["id"] == "T003"]
    assert len(tasks_json) == 1 and tasks_json[0]["done"], tasks_json
    done_t004 = [e for e in log(alice) if e["kind"] == "done" and e.get("task") == "T004"]
    assert [e["who"] for e in done_t004] == [FRED]
    code, _out, err = run(capsys, "resolve", "--keep", "both")
    assert code == 0, err
    assert not [e for e in log(alice) if e["kind"] == "reopen"]
    status = json.loads(run(capsys, "status", "--json")[1])
    done = {t["id"] for t in status["tasks"] if t["done"]}
    assert {"T003", "T004", "T005"} <= done


def test_a_free_text_conflict_keeps_both_sides_marked_and_tasks_can_still_be_checked(
    setup, capsys
):
    remote, alice, fred = setup
    summary = "[One or two sentences on the change]"
    hot = alice / FOLDER / "hotfix.md"
    hot.write_text(hot.read_text().replace(summary, "Raised the pool size to 50."))
    code, _out, err = run(capsys, "sync")
    assert code == 0, err
    fhot = fred / FOLDER / "hotfix.md"
    fhot.write_text(fhot.read_text().replace(summary, "Restarted the API pods."))
    git(fred, "commit", "-q", "-am", "summary")
    no_driver(fred)
    pull_with_conflict(fred, "hotfix.md")
    git(fred, "commit", "-q", "-am", "merge")
    git(fred, "push", "-q")

    code, _out, err = run(capsys, "sync")
    assert code == 0, err
    code, _out, err = run(capsys, "done", "T005")
    assert code == 0, err
    assert "conflict" in err and "hotfix.md" in err  # warned, not refused
    text = hot.read_text()
    assert "Raised the pool size to 50." in text and "Restarted the API pods." in text
    assert text.count("<<<<<<<") == 1 and text.count(">>>>>>>") == 1
    tasks = (alice / FOLDER / "tasks.md").read_text()
    assert "- [x] **T005**" in tasks
    code, out, err = run(capsys, "resolve", "--keep", "both")
    assert code == 0, err
    text = hot.read_text()
    assert "<<<<<<<" not in text, text
    assert "Raised the pool size to 50." in text and "Restarted the API pods." in text
    assert "- [x] **T005**" in (alice / FOLDER / "tasks.md").read_text()


def test_a_hand_edit_arriving_by_sync_and_by_plain_pull_becomes_the_same_events(
    setup, tmp_path, capsys, monkeypatch
):
    remote, alice, fred = setup
    bob = tmp_path / "bob"
    tasks = fred / FOLDER / "tasks.md"
    text = tasks.read_text().replace("- [ ] **T004**", "- [x] **T004**")
    tasks.write_text(text.replace("- [ ] **T006**", "- [x] **T006**"))
    git(fred, "commit", "-q", "-am", "T004 and T006 by hand")
    git(fred, "push", "-q")
    # Bob: a change of his own, committed, then a plain pull (his clone has the driver)
    monkeypatch.chdir(bob)
    code, _out, err = run(capsys, "done", "T005")
    assert code == 0, err
    git(bob, "commit", "-q", "-am", "T005")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit")
    code, _out, err = run(capsys, "status")  # the merged files are read: Fred's edit recorded
    assert code == 0, err
    code, _out, err = run(capsys, "done", "T002")
    assert code == 0, err
    # Alice gets Fred's commit through sync's own merge
    monkeypatch.chdir(alice)
    code, _out, err = run(capsys, "done", "T003")
    assert code == 0, err
    code, _out, err = run(capsys, "sync")
    assert code == 0, err
    for root in (bob, alice, bob):
        monkeypatch.chdir(root)
        code, _out, err = run(capsys, "sync")
        assert code == 0, err
    for root in (alice, bob):
        done = [e for e in log(root) if e["kind"] == "done" and e.get("task") in ("T004", "T006")]
        assert sorted((e["task"], e["who"]) for e in done) == [("T004", FRED), ("T006", FRED)]
    assert log(alice) == log(bob)


def test_markers_committed_then_merged_again_are_settled_whole():
    """A clone without the driver commits markers, pulls again and commits the nested ones."""
    from hotfix_tui.core.git.mdmerge import resolve_markers

    text = (
        "# Tasks\n\n"
        "<<<<<<< HEAD\n"
        "<<<<<<< HEAD\n"
        "- [x] **T001** Start\n"
        "=======\n"
        "- [ ] **T001** Start\n"
        "  - **Note** (2026-11-25 14:01:00 UTC, Bob Roe): first\n"
        ">>>>>>> 1111111\n"
        "=======\n"
        "- [ ] **T001** Start\n"
        "  - **Note** (2026-11-25 14:02:00 UTC, Ann Lee): second\n"
        ">>>>>>> 2222222\n"
        "- [ ] **T002** Next\n"
    )
    settled, left = resolve_markers(text)
    assert left == []
    assert not [ln for ln in settled.splitlines() if ln[:7] in ("<<<<<<<", "=======", ">>>>>>>")]
    assert settled.count("**T001**") == 1 and "first" in settled and "second" in settled


def test_an_edit_a_commit_carried_names_what_that_commit_s_log_held(setup, capsys):
    _remote, alice, fred = setup
    code, _out, err = run(capsys, "done", "T004")
    assert code == 0, err
    run(capsys, "sync")
    git(fred, "pull", "-q")
    done = next(e for e in log(fred) if e["kind"] == "done" and e.get("task") == "T004")
    tasks = fred / FOLDER / "tasks.md"
    tasks.write_text(tasks.read_text().replace("- [x] **T004**", "- [ ] **T004**"))
    git(fred, "commit", "-q", "-am", "T004 is not done after all")
    git(fred, "push", "-q")
    code, _out, err = run(capsys, "sync")
    assert code == 0, err
    reopen = next(e for e in log(alice) if e["kind"] == "reopen" and e.get("task") == "T004")
    assert reopen["who"] == FRED and reopen["saw"] == [done["id"]]


def test_an_editor_saved_over_a_pulled_file_keeps_what_the_pull_brought(setup, capsys):
    """The buffer was read before a plain `git pull` brought a teammate's note by hand."""
    _remote, alice, fred = setup
    run(capsys, "sync")
    git(fred, "pull", "-q")
    tasks = alice / FOLDER / "tasks.md"
    buffer = tasks.read_text()  # Alice's editor reads tasks.md
    theirs = fred / FOLDER / "tasks.md"
    line = "  - **Note** (2026-11-25 14:30:00 UTC, Fred Fresh): pool size is 10\n"
    text = theirs.read_text()
    at = text.index("\n", text.index("**T004**")) + 1
    theirs.write_text(text[:at] + line + text[at:])
    git(fred, "commit", "-q", "-am", "a note by hand")
    git(fred, "push", "-q")
    git(alice, "pull", "-q", "--no-edit")
    assert "pool size is 10" in tasks.read_text()
    tasks.write_text(buffer.replace("Review error logs", "Review the error logs"))  # stale save
    code, _out, err = run(capsys, "done", "T001")
    assert code == 0, err
    after = tasks.read_text()
    assert after.count("pool size is 10") == 1 and "Review the error logs" in after
    notes = [e for e in log(alice) if e.get("text") == "pool size is 10"]
    assert [e["kind"] for e in notes] == ["note"] and notes[0]["who"] == FRED
