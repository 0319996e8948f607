"""The event log never loses a line: reverts, rewritten history, torn writes and exact notes.

Real git repositories (a bare remote and clones), the real record and the real CLI.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from gitfix import FOLDER, T0, FakeClock, git, incident, make_repo, run, team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.sync import sync

NOTE = "DB pool exhausted - keep"


@pytest.fixture
def setup(tmp_path):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    return clock, remote, alice, bob


def log_text(root: Path) -> str:
    return (root / FOLDER / evlog.LOG).read_text(encoding="utf-8")


def log_lines(root: Path) -> list[str]:
    return [ln for ln in log_text(root).split("\n") if ln]


def kinds(root: Path, kind: str) -> list[dict]:
    return [o for o in map(json.loads, log_lines(root)) if o["kind"] == kind]


def note_commit(root: Path) -> str:
    """The last commit that added the note's line to the log."""
    out = git(root, "log", "--format=%H", "-S", NOTE, "--", f"{FOLDER}/{evlog.LOG}")
    return out.split()[0]


def notes_of(root: Path, clock, ref: str = "T004") -> list[str]:
    inc = incident(root, clock)
    return [n.text for n in inc.view.find(ref).notes]


def test_a_git_revert_of_a_note_becomes_a_revert_event_and_its_line_is_restored(setup):
    clock, _remote, alice, bob = setup
    a = incident(alice, clock)
    a.note("T004", NOTE)
    assert sync(alice, a.folder, a).pushed
    (note_line,) = [ln for ln in log_lines(alice) if NOTE in ln]
    note_id = json.loads(note_line)["id"]
    clock.advance(minutes=1)
    assert sync(bob, bob / FOLDER).ok  # Bob's clone has seen the note
    assert NOTE in (bob / FOLDER / "tasks.md").read_text()
    sha = note_commit(alice)
    git(alice, "-c", "user.name=Ben Ops", "revert", "--no-edit", sha)
    revert_sha = git(alice, "rev-parse", "HEAD").strip()
    git(alice, "push", "-q")
    assert NOTE not in log_text(alice)  # plain git erased the line

    # Bob pulls the revert first: his clone restores the line and cancels the note
    clock.advance(minutes=1)
    assert sync(bob, bob / FOLDER).ok
    assert note_line in log_lines(bob)
    (rev_b,) = kinds(bob, "revert")
    assert rev_b["ref"] == note_id and rev_b["commit"] == revert_sha
    assert rev_b["who"] == "Ben Ops"
    assert rev_b["id"].startswith(f"git-{revert_sha[:12]}-revert-")

    # Alice's next write restores the same line and makes the same event, byte for byte
    clock.advance(minutes=1)
    a2 = incident(alice, clock)
    a2.set_done("T001")
    assert note_line in log_lines(alice)
    assert [ln for ln in log_lines(alice) if '"kind":"revert"' in ln] == [
        ln for ln in log_lines(bob) if '"kind":"revert"' in ln
    ]
    assert sync(alice, a2.folder, a2).ok
    assert sync(bob, bob / FOLDER).ok
    assert log_text(alice) == log_text(bob)
    assert len(kinds(alice, "revert")) == 1

    for root in (alice, bob):
        assert NOTE not in (root / FOLDER / "tasks.md").read_text()  # not active
        assert notes_of(root, clock) == []
        pm = (root / FOLDER / "post-mortem.md").read_text()
        assert f"reverted in {revert_sha[:7]} by Ben Ops" in pm
    # the restored line and the revert event are committed: the remote has them
    shown = git(alice, "show", f"origin/{git(alice, 'branch', '--show-current').strip()}:"
                f"{FOLDER}/{evlog.LOG}")
    assert note_line in shown and revert_sha in shown


def test_a_committed_hand_deletion_of_a_log_line_is_credited_to_its_author(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.note("T004", NOTE)
    git(alice, "add", FOLDER)
    git(alice, "commit", "-q", "-m", "note")
    p = alice / FOLDER / evlog.LOG
    p.write_text("".join(ln + "\n" for ln in log_lines(alice) if NOTE not in ln))
    git(alice, "-c", "user.name=Cy Hand", "commit", "-q", "-am", "drop a line")
    sha = git(alice, "rev-parse", "HEAD").strip()
    clock.advance(minutes=1)
    incident(alice, clock).set_done("T001")
    assert any(NOTE in ln for ln in log_lines(alice))
    (rev,) = kinds(alice, "revert")
    assert rev["commit"] == sha and rev["who"] == "Cy Hand"
    assert NOTE not in (alice / FOLDER / "tasks.md").read_text()


def test_rewritten_history_restores_the_lines_without_a_revert_event(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.note("T004", NOTE)
    assert sync(alice, a.folder, a).pushed
    (note_line,) = [ln for ln in log_lines(alice) if NOTE in ln]
    git(alice, "reset", "-q", "--hard", "HEAD~1")
    git(alice, "push", "-q", "--force")
    assert NOTE not in log_text(alice)
    clock.advance(minutes=1)
    a2 = incident(alice, clock)
    a2.set_done("T001")
    assert sync(alice, a2.folder, a2).ok
    assert note_line in log_lines(alice)
    assert kinds(alice, "revert") == []
    assert notes_of(alice, clock) == [NOTE]  # still active: nobody cancelled it


def test_switching_branches_never_brings_another_branch_s_lines(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    git(alice, "switch", "-q", "-c", "side")
    a.set_done("T005")  # only on the side branch
    git(alice, "commit", "-q", "-am", "T005 on the side")
    git(alice, "switch", "-q", "-")
    a.view.load()
    a.note("T004", "back on the incident branch")
    assert not [e for e in kinds(alice, "done") if e.get("task") == "T005"]
    assert not a.view.find("T005").done


def test_a_line_deleted_in_the_work_tree_comes_back_on_the_next_sync(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.note("T004", NOTE)
    assert sync(alice, a.folder, a).pushed
    (note_line,) = [ln for ln in log_lines(alice) if NOTE in ln]
    p = alice / FOLDER / evlog.LOG
    p.write_text("".join(ln + "\n" for ln in log_lines(alice) if NOTE not in ln))
    clock.advance(minutes=1)
    assert sync(alice, alice / FOLDER).ok
    assert note_line in log_lines(alice)
    assert kinds(alice, "revert") == []
    assert git(alice, "status", "--porcelain").strip() == ""


def test_a_torn_last_line_is_set_aside_and_never_committed(setup, capsys, monkeypatch):
    clock, _remote, alice, _bob = setup
    monkeypatch.chdir(alice)
    p = alice / FOLDER / evlog.LOG
    torn = '{"id":"2026-11-25T14:00:09.000000Z-dead-0001","kind":"no'
    with p.open("a", encoding="utf-8") as f:
        f.write(torn)
    code, _out, err = run(capsys, "note", "T004", "after the crash", "--spec", FOLDER)
    assert code == 0, err
    aside = list((alice / ".git" / "hotfix-tui").glob("torn-*.jsonl"))
    assert len(aside) == 1
    assert torn in aside[0].read_text(encoding="utf-8")
    assert aside[0].name in err and "torn" in err
    for ln in log_lines(alice):
        json.loads(ln)  # every line of the log is an event
    assert log_text(alice).endswith("\n")
    assert run(capsys, "commit", "--spec", FOLDER)[0] == 0
    shown = git(alice, "show", f"HEAD:{FOLDER}/{evlog.LOG}")
    for ln in shown.splitlines():
        json.loads(ln)
    assert "after the crash" in shown and torn not in shown
    # the next write says nothing more: the line was set aside once
    code, _out, err = run(capsys, "done", "T001", "--spec", FOLDER)
    assert code == 0 and "torn" not in err


EXACT = [
    "a\tb",
    "two  spaces and   three",
    "  leading and trailing  ",
    "line one\nline two",
    "cr\rhere",
    "windows\r\nline\r\n",
    "ends with a newline\n",
    "\nstarts with a newline",
    "- [ ] **T009** looks like a task\n# a heading\n  - indented item\n\nblank line above",
    "1. ordered\n> quote\n```\nfence\n***\n===\n<div>\n\\backslash\n\\\"quoted\"\n\"q\"",
    "**Note** (14:00, Eve): a note inside a note\n  **Skipped** (x): y",
]


@pytest.mark.parametrize("text", EXACT)
def test_a_note_keeps_every_character_through_tasks_md(setup, text):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.note("T004", text)
    a.note("T004", "a plain note after it")
    before = log_text(alice)
    again = incident(alice, clock)
    assert [n.text for n in again.view.find("T004").notes] == [text, "a plain note after it"]
    assert again.view.pending == []
    again.repair()
    assert log_text(alice) == before  # no hand edit seen, nothing recorded
    notes = [e for e in evlog.read_log(alice / FOLDER) if e.kind == "note"]
    assert [e.get("text") for e in notes] == [text, "a plain note after it"]


def test_skip_reasons_and_done_notes_keep_their_spaces(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.skip("T004", "not  needed:\tcovered by T003")
    a.set_done("T001", note="found  it\nin the logs")
    again = incident(alice, clock)
    assert again.view.find("T004").skip.text == "not  needed:\tcovered by T003"
    assert [n.text for n in again.view.find("T001").notes] == ["found  it\nin the logs"]
    assert again.view.pending == []


def test_an_exact_note_reaches_another_clone_through_sync(setup):
    clock, _remote, alice, bob = setup
    text = "first\tline\n  second  line\r\nthird"
    a = incident(alice, clock)
    a.note("T004", text)
    assert sync(alice, a.folder, a).pushed
    clock.advance(minutes=1)
    assert sync(bob, bob / FOLDER).ok
    assert notes_of(bob, clock) == [text]
    assert (bob / FOLDER / "tasks.md").read_text() == (alice / FOLDER / "tasks.md").read_text()
    assert log_text(bob) == log_text(alice)


def test_the_cli_note_keeps_runs_of_spaces(setup, capsys, monkeypatch):
    clock, _remote, alice, _bob = setup
    monkeypatch.chdir(alice)
    code, _out, err = run(capsys, "note", "T004", "pool  at\t20", "--spec", FOLDER)
    assert code == 0, err
    assert notes_of(alice, clock) == ["pool  at\t20"]
    assert "pool  at\t20" in (alice / FOLDER / "tasks.md").read_text()


_HOME: list[tuple[Path, FakeClock]] = []


def _hyp_incident() -> tuple[Path, FakeClock]:
    """One incident for every example (a note per example, kept under the same task)."""
    if not _HOME:
        from hotfix_tui.core.creating import create_incident
        from hotfix_tui.core.workflow.loader import resolve_workflow

        clock = FakeClock(T0)
        root = make_repo(Path(tempfile.mkdtemp(prefix="hotfix-notes-")) / "repo")
        create_incident(root, "Database connection pool exhausted causing 503s", "P1",
                        resolve_workflow("hotfix", root), clock=clock)
        _HOME.append((root, clock))
    return _HOME[0]


NOTE_TEXT = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(32, 127)] + ["\t", "\r", "\n"]),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=NOTE_TEXT, task=st.sampled_from(["T003", "T004", "T012"]))
def test_any_note_text_round_trips_exactly(text, task):
    root, clock = _hyp_incident()
    folder = root / FOLDER
    inc = incident(root, clock)
    inc.note(task, text)
    before = log_text(root)
    again = incident(root, clock)
    assert again.view.pending == []
    assert again.view.find(task).notes[-1].text == text
    again.repair()
    assert log_text(root) == before
    tasks = (folder / "tasks.md").read_text(encoding="utf-8")
    assert tasks == again.view.text("tasks.md")
    # the reference parser reads the same notes as the fast one
    slow = tasks_md.parse_tasks(tasks, engine="markdown-it")
    assert [n.text for n in slow.task(task).notes] == [n.text for n in again.view.find(task).notes]
