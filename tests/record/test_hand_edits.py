"""Hand edits are merged three-way: an editor saving an older copy keeps what it did not see.

Real repositories and the real CLI; the editor is a buffer read once and written back later.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from gitfix import run

from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

NOTE = "DB pool exhausted - keep"


@pytest.fixture
def folder(repo, capsys, monkeypatch) -> Path:
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Pool exhausted", "-s", "P1", "--no-branch", "--no-open")
    assert code == 0, err
    return Path(out.strip())


def kinds(folder: Path) -> list[str]:
    return [json.loads(x)["kind"] for x in (folder / evlog.LOG).read_text().splitlines() if x]


def test_an_editor_saving_an_older_copy_keeps_a_note_written_meanwhile(folder, capsys):
    tasks = folder / "tasks.md"
    buffer = tasks.read_text()  # the editor opens tasks.md
    code, _out, err = run(capsys, "note", "T004", NOTE)
    assert code == 0, err
    assert NOTE in tasks.read_text()
    # the editor saves its buffer with one sub-step reworded
    assert "  - Review error logs\n" in buffer
    tasks.write_text(buffer.replace("  - Review error logs\n", "  - Review error and pool logs\n"))
    code, _out, err = run(capsys, "done", "T001")
    assert code == 0, err
    text = tasks.read_text()
    assert text.count(NOTE) == 1, text
    assert "  - Review error and pool logs\n" in text  # the editor's rewording is kept
    assert "- [x] **T001**" in text
    assert "unnote" not in kinds(folder)


def test_a_note_deleted_in_an_editor_that_had_seen_it_is_deleted(folder, capsys):
    tasks = folder / "tasks.md"
    code, _out, err = run(capsys, "note", "T004", NOTE)
    assert code == 0, err
    code, _out, err = run(capsys, "note", "T002", "paged the IC")
    assert code == 0, err
    text = tasks.read_text()  # the editor opens the file with both notes and deletes one
    line = next(x for x in text.splitlines(keepends=True) if NOTE in x)
    tasks.write_text(text.replace(line, ""))
    code, _out, err = run(capsys, "done", "T001")
    assert code == 0, err
    after = tasks.read_text()
    assert NOTE not in after and "paged the IC" in after
    assert kinds(folder).count("unnote") == 1


def test_an_editor_rewriting_a_stale_buffer_in_a_loop_loses_no_note(repo, clock):
    """40 notes interleaved with saves of an editor's buffer that is reloaded only now and then,
    with a sub-step reworded in the buffer from time to time."""
    from hotfix_tui.core.creating import create_incident

    rnd = random.Random(20)
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Pool exhausted", "P1", wf, clock=clock, branch=False)
    tasks = folder / "tasks.md"
    buffer = tasks.read_text()
    steps = [x for x in buffer.splitlines(keepends=True) if x.startswith("  - ") and "**" not in x]
    reworded: list[str] = []
    written: list[str] = []
    for i in range(40):
        clock.advance(seconds=7)
        inc = Incident(folder, wf, clock=clock, repo_root=repo)
        task = f"T{rnd.randint(1, 12):03d}"
        text = f"note {i:02d} on {task}"
        inc.note(task, text)
        written.append(text)
        for _ in range(rnd.randint(0, 2)):  # the editor saves its (older) buffer
            if rnd.random() < 0.3:
                step = rnd.choice([s for s in steps if s in buffer])
                new = step.replace("  - ", "  - (edited) ", 1)
                buffer = buffer.replace(step, new, 1)
                reworded.append(new)
            tasks.write_text(buffer)
            if rnd.random() < 0.5:  # the tool reads it (a command, the TUI's watcher)
                clock.advance(seconds=1)
                Incident(folder, wf, clock=clock, repo_root=repo).repair()
        if rnd.random() < 0.15:
            buffer = tasks.read_text()  # the editor reloads the file
    Incident(folder, wf, clock=clock, repo_root=repo).repair()
    final = tasks.read_text()
    lost = [t for t in written if final.count(t + "\n") != 1]
    assert lost == [], f"{len(lost)} of {len(written)} notes lost or doubled: {lost}"
    assert all(r in final for r in reworded)
    assert "unnote" not in kinds(folder)


def test_an_edit_far_from_anything_the_tool_wrote_adds_and_never_deletes(folder, capsys):
    tasks = folder / "tasks.md"
    code, _out, err = run(capsys, "note", "T004", NOTE)
    assert code == 0, err
    text = tasks.read_text()
    lines = text.splitlines(keepends=True)
    # an editor replaces most of the file: the note is not in it, a box is checked by hand
    kept = [x for x in lines if x.startswith(("#", "- [", "**"))]
    kept = [x.replace("- [ ] **T002**", "- [x] **T002**") for x in kept]
    tasks.write_text("".join(kept))
    code, _out, err = run(capsys, "done", "T001")
    assert code == 0, err
    after = tasks.read_text()
    assert NOTE in after
    assert "- [x] **T002**" in after and "- [x] **T001**" in after
    assert "unnote" not in kinds(folder)


def test_an_editor_saving_an_older_hotfix_md_keeps_what_the_tool_wrote(folder, capsys):
    hot = folder / "hotfix.md"
    buffer = hot.read_text()
    code, _out, err = run(capsys, "done", "T001")
    assert code == 0, err
    code, _out, err = run(capsys, "severity", "P0")
    assert code == 0, err
    assert "[x] P0" in hot.read_text().replace("**", "")
    hot.write_text(buffer + "\nTyped in the editor.\n")
    code, _out, err = run(capsys, "done", "T002")
    assert code == 0, err
    after = hot.read_text()
    assert "Typed in the editor." in after
    assert "[x] P0" in after.replace("**", "")
    assert kinds(folder).count("severity") == 1  # the stale box is not a change of severity


def test_a_hand_edit_never_writes_outside_the_git_dir(folder, capsys):
    tasks = folder / "tasks.md"
    buffer = tasks.read_text()
    run(capsys, "note", "T004", NOTE)
    tasks.write_text(buffer)
    run(capsys, "done", "T001")
    names = {p.name for p in folder.iterdir()}
    assert names <= {"tasks.md", "hotfix.md", "post-mortem.md", "events.jsonl", ".gitattributes",
                     "spec.md", "plan.md"}  # the links `new` makes as the extension's script
    assert os.path.isdir(folder.parents[2] / ".git" / "hotfix-tui")
