"""The record cannot contradict itself: each defect found in the field, as a named regression.

Real repositories with a bare remote; the markdown is always a projection of the event log.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from gitfix import BRANCH, FOLDER, T0, FakeClock, checked, git, incident, run, team

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record import events
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.record.transaction import IncidentTransaction
from hotfix_tui.core.sync import sync
from hotfix_tui.core.workflow.loader import resolve_workflow

MD = ("tasks.md", "hotfix.md", "post-mortem.md")


@pytest.fixture
def setup(tmp_path):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    return clock, remote, alice, bob


def files(root) -> dict[str, str]:
    return {n: (root / FOLDER / n).read_text() for n in MD}


def ids(root) -> set[str]:
    return {e.id for e in events.read_log(root / FOLDER)}


def timeline(root) -> list[record.LogRow]:
    table = record.log_table((root / FOLDER / "post-mortem.md").read_text())
    assert table is not None
    return [r for r in table[0] if not r.placeholder]


def settle(clock, *pairs) -> None:
    for root, inc in pairs:
        clock.advance(seconds=1)
        sync(root, inc.folder, inc)


def test_sla_is_never_met_while_the_service_restored_task_is_open(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    clock.advance(minutes=10)
    a.set_done("T013")
    settle(clock, (alice, a), (bob, b))
    clock.advance(minutes=1)
    b.set_done("T013", False)
    clock.advance(minutes=1)
    b.set_done("T013")
    clock.advance(minutes=1)
    a.set_done("T013", False)  # the latest intent: open
    settle(clock, (bob, b), (alice, a), (bob, b))
    for root, inc in ((alice, a), (bob, b)):
        inc.view.load()
        assert "T013" not in checked(files(root)["tasks.md"])
        assert record.field_time(files(root)["hotfix.md"], "Incident End") is None
        assert inc.sla().running and inc.sla().state != "met"
    assert files(alice) == files(bob)


def test_a_note_and_a_sync_in_the_same_clone_both_land(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    b.note("T004", "Bob's note from the other clone")
    settle(clock, (bob, b))
    clock.advance(minutes=1)
    a.note("T003", "Alice's note")
    # the incident lock is held by the sync from commit to checkout: a write waits for it
    from hotfix_tui.core.record.journal import incident_lock

    lock = incident_lock(alice, a.folder)
    with lock:
        result = sync(alice, a.folder, a)  # the same thread may take it again
    assert result.ok
    a.note("T005", "after the sync")
    text = files(alice)["tasks.md"]
    assert "Bob's note from the other clone" in text and "Alice's note" in text
    assert "after the sync" in text


def test_plain_git_pull_merges_without_markers_and_commands_see_the_merge(setup, capsys):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    clock.advance(minutes=2)
    a.set_done("T001")
    a.note("T002", "paged the IC")
    git(alice, "add", FOLDER)
    git(alice, "commit", "-q", "-m", "alice")
    git(alice, "push", "-q")
    clock.advance(minutes=1)
    b.set_done("T003")
    b.note("T002", "bob was here")
    git(bob, "add", FOLDER)
    git(bob, "commit", "-q", "-m", "bob")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit")  # Bob has run hotfix-tui: driver known
    for name in (*MD, "events.jsonl"):
        assert "<<<<<<<" not in (bob / FOLDER / name).read_text(), name
    os.chdir(bob)
    code, out, _ = run(capsys, "status", "--json", FOLDER)
    assert code == 0
    b.repair()
    text = files(bob)["tasks.md"]
    assert {"T001", "T003"} <= checked(text)
    assert "paged the IC" in text and "bob was here" in text


def test_a_clone_without_the_driver_gets_markers_repaired_from_the_log(setup, tmp_path):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    clock.advance(minutes=2)
    a.set_done("T001")
    git(alice, "add", FOLDER)
    git(alice, "commit", "-q", "-m", "alice")
    git(alice, "push", "-q")
    b.set_done("T003")
    git(bob, "add", FOLDER)
    git(bob, "commit", "-q", "-m", "bob")
    git(bob, "config", "--remove-section", "merge.hotfix-tui")  # as if it never ran here
    pull = os.system(f"cd {bob} && git pull -q --no-rebase --no-edit >/dev/null 2>&1")
    assert pull != 0  # git's own text merge: both sides appended timeline rows at one place
    assert any("<<<<<<<" in t for t in files(bob).values())
    git(bob, "commit", "-q", "-am", "merge, markers and all")  # as people do
    b.repair()
    for name, text in files(bob).items():
        assert "<<<<<<<" not in text and "=======" not in text, name
    tasks = files(bob)["tasks.md"]
    assert {"T001", "T003"} <= checked(tasks) and tasks.count("**T001**") == 1
    events_rows = [r.event for r in timeline(bob)]
    assert events_rows.count("T001 done: Assess severity and impact") == 1


def test_a_driver_registered_under_an_old_module_path_is_registered_again(setup):
    clock, remote, alice, bob = setup
    old = '"python" -m hotfix_tui.core.mdmerge %O %A %B %P'  # before core had packages
    git(bob, "config", "merge.hotfix-tui.driver", old)
    incident(bob, clock).set_done("T001")  # any write registers the driver
    driver = git(bob, "config", "merge.hotfix-tui.driver").strip()
    assert driver.endswith("-m hotfix_tui.core.git.mdmerge %O %A %B %P"), driver
    assert git(bob, "config", "merge.hotfix-tui.name").strip()


def test_markers_in_text_people_wrote_are_kept_and_never_stop_a_write(setup, capsys):
    clock, remote, alice, bob = setup
    b = incident(bob, clock)
    hot = bob / FOLDER / "hotfix.md"
    text = hot.read_text()
    hot.write_text(text + "\n## Notes\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n")
    b.set_done("T001")
    assert "T001" in checked(files(bob)["tasks.md"])
    assert "<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n" in hot.read_text()
    os.chdir(bob)
    code, out, err = run(capsys, "status", FOLDER)
    assert code == 0 and "a conflict in text people wrote" in err  # read-only: told
    code, out, _ = run(capsys, "resolve", "--spec", FOLDER)
    assert code == 1 and "ours:   mine" in out and "theirs: theirs" in out
    code, out, _ = run(capsys, "resolve", "--keep", "both", "--spec", FOLDER)
    assert code == 0
    assert "mine\ntheirs\n" in hot.read_text() and "<<<<<<<" not in hot.read_text()
    assert "T001" in checked(files(bob)["tasks.md"])


def test_the_same_person_in_the_same_second_makes_two_events(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.note("T003", "same words")
    a.note("T003", "same words")
    a.set_done("T004")
    a.set_done("T004", False)
    a.set_done("T004")  # all within one second
    settle(clock, (alice, a), (bob, b), (alice, a))
    tasks = files(bob)["tasks.md"]
    assert tasks.count("same words") == 2
    assert "T004" in checked(tasks)
    assert timeline(bob)[-1].event.startswith("T004 done")


def test_an_event_is_never_lost_between_the_log_and_the_files(repo, clock, monkeypatch, capsys):
    wf = resolve_workflow("hotfix", repo)
    from hotfix_tui.core.creating import create_incident

    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)

    def crash(self, proj):
        raise KeyboardInterrupt("killed after the log, before the files")

    monkeypatch.setattr(IncidentTransaction, "_write_all", crash)
    with pytest.raises(KeyboardInterrupt):
        inc.set_done("T001")
    monkeypatch.undo()
    assert "T001" not in checked((folder / "tasks.md").read_text())  # the files lag...
    fresh = Incident(folder, wf, clock=clock, repo_root=repo)
    assert fresh.view.find("T001").done  # ...but every reader sees the event
    fresh.repair()  # and the next write heals the files
    assert "T001" in checked((folder / "tasks.md").read_text())
    assert sum(r.event.startswith("T001 done") for r in _rows(folder)) == 1


def _rows(folder):
    table = record.log_table((folder / "post-mortem.md").read_text())
    return [r for r in table[0] if not r.placeholder]


def test_a_later_intent_on_a_stale_copy_wins(setup, capsys):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.set_done("T003")
    settle(clock, (alice, a), (bob, b))
    clock.advance(minutes=1)
    a.set_done("T003", False)  # C reopens and syncs
    settle(clock, (alice, a))
    clock.advance(minutes=1)
    os.chdir(bob)
    code, out, _ = run(capsys, "done", "T003", "--spec", FOLDER)  # D, not synced: a no-op here
    assert code == 0 and "already done" in out
    b.view.load()
    settle(clock, (bob, b), (alice, a))
    assert "T003" in checked(files(alice)["tasks.md"])
    assert "T003" in checked(files(bob)["tasks.md"])


def test_a_task_is_never_done_and_skipped_at_once(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.skip("T007", "not needed")
    clock.advance(seconds=5)
    b.set_done("T007")
    settle(clock, (alice, a), (bob, b), (alice, a))
    for root in (alice, bob):
        doc_task = incident(root, clock).view.find("T007")
        assert doc_task.done and doc_task.skip is None
        assert files(root)["tasks.md"].count("**Skipped**") == 0


def test_a_box_unchecked_in_an_editor_is_recorded_not_reverted(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.set_done("T001")
    a.note("T002", "paged the IC")  # the file the editor opens is newer than any unchecked T001
    settle(clock, (alice, a), (bob, b))
    tasks = alice / FOLDER / "tasks.md"
    tasks.write_text(tasks.read_text().replace("- [x] **T001**", "- [ ] **T001**"))
    clock.advance(minutes=1)
    settle(clock, (alice, a), (bob, b))
    for root in (alice, bob):
        assert "T001" not in checked(files(root)["tasks.md"])
    assert any(r.event.startswith("T001 reopened") and r.who == "Alice Doe" for r in timeline(bob))


def test_two_retitles_of_one_task_leave_one_task(setup):
    clock, remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    for inc in (a, b):
        inc.repair()  # both clones have written the folder once (their last projection)
    for root, title in ((alice, "Reproduce on staging"), (bob, "Reproduce locally")):
        clock.advance(seconds=5)
        p = root / FOLDER / "tasks.md"
        p.write_text(p.read_text().replace("**T003** Reproduce the issue", f"**T003** {title}"))
    settle(clock, (alice, a), (bob, b), (alice, a))
    for root in (alice, bob):
        text = files(root)["tasks.md"]
        assert text.count("**T003**") == 1
        assert "**T003** Reproduce locally" in text  # the later retitle wins; the ID stays
        assert len(incident(root, clock).view.doc.tasks) == 28
    assert files(alice) == files(bob)
    rows = [r.event for r in timeline(alice)]
    assert "T003 retitled: Reproduce on staging" in rows
    assert "T003 retitled: Reproduce locally" in rows


def test_an_editor_saving_during_a_write_is_merged_not_overwritten(repo, clock, monkeypatch):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record import projection

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    real = projection.project
    calls = []

    def editor_saves_meanwhile(files, evs, w, linked=False):
        calls.append(1)
        if len(calls) == 1:  # an editor that takes no lock appends a line right now
            p = folder / "hotfix.md"
            p.write_text(p.read_text() + "\nTyped in vim while the tool wrote.\n")
        return real(files, evs, w, linked)

    monkeypatch.setattr("hotfix_tui.core.record.transaction.project", editor_saves_meanwhile)
    inc.set_done("T001")
    assert len(calls) >= 2  # the write was redone on the newer text
    assert "Typed in vim while the tool wrote." in (folder / "hotfix.md").read_text()
    assert record.field_time((folder / "hotfix.md").read_text(), "Investigation Start")


def test_rechecking_a_reopened_task_records_a_new_time_unless_kept(repo, clock):
    from hotfix_tui.core.creating import create_incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    clock.advance(minutes=6)
    inc.set_done("T001")
    first = (folder / "hotfix.md").read_text()
    clock.advance(minutes=4)
    inc.set_done("T001", False)
    clock.advance(minutes=1)
    change = inc.set_done("T001")  # a reopen is a fact: the new check records a new time
    assert record.get_field((folder / "hotfix.md").read_text(), "Investigation Start") == (
        "2026-11-25 14:11:00 UTC"
    )
    assert change is not None and any("14:06:00" in m for m in change.messages)
    inc.set_done("T001", False)
    inc.set_done("T001", keep_first=True)  # said on purpose: the time before the reopen
    assert record.get_field((folder / "hotfix.md").read_text(), "Investigation Start") == (
        "2026-11-25 14:11:00 UTC"
    )
    inc.set_done("T001", False)
    inc.undo_last()  # undoing a reopen is a mis-toggle: the time stays
    assert record.get_field((folder / "hotfix.md").read_text(), "Investigation Start") == (
        "2026-11-25 14:11:00 UTC"
    )
    clock.advance(minutes=1)
    inc.set_done("T005")
    inc.undo_last()
    assert record.get_field((folder / "hotfix.md").read_text(), "Root Cause Identified") == (
        record.get_field(first, "Root Cause Identified")
    )
    clock.advance(minutes=1)
    inc.set_done("T005", at=T0 + timedelta(minutes=8))  # a time given wins
    assert record.get_field((folder / "hotfix.md").read_text(), "Root Cause Identified") == (
        "2026-11-25 14:08:00 UTC"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("started-at", "2030-01-01 00:00", "--yes"),
        ("detected", "pager", "--at", "2030-01-01 00:00"),
        ("done", "T001", "--at", "2030-01-01 00:00"),
    ],
)
def test_times_in_the_future_are_refused(repo, clock, capsys, monkeypatch, argv):
    from hotfix_tui.core.creating import create_incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, branch=False)
    before = {n: (folder / n).read_text() for n in (*MD, "events.jsonl")}
    monkeypatch.chdir(repo)
    code, _, err = run(capsys, *argv, "--spec", str(folder))
    assert code == 2 and "is in the future" in err
    assert {n: (folder / n).read_text() for n in (*MD, "events.jsonl")} == before


def test_times_out_of_order_are_written_with_a_warning(repo, clock, capsys, monkeypatch):
    from hotfix_tui.core.creating import create_incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    clock.advance(minutes=30)
    inc.set_done("T005", at=T0 + timedelta(minutes=20))
    change = inc.set_done("T001", at=T0 + timedelta(minutes=25))
    assert change is not None
    assert any("Root Cause Identified" in m and "is before" in m for m in change.messages)


def test_the_post_mortem_timeline_tells_the_true_times(repo, clock):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.reports.report import build_report

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    clock.advance(minutes=20)
    inc.set_detection(T0 + timedelta(minutes=5), "pager")
    inc.set_detection(T0 + timedelta(minutes=2), "earlier: a customer", force=True)
    inc.set_started_at(T0 - timedelta(minutes=10), force=True)
    inc.note("T003", "a note taken back")
    inc.undo_last()
    inc.set_done("T001")
    inc.undo_last()
    rows = _rows(folder)
    began = next(r for r in rows if r.event == "Incident began")
    assert began.time == "13:50:00"  # the corrected start
    detected = [r for r in rows if r.event.startswith("Detected")]
    assert [(r.time, r.event) for r in detected] == [
        ("14:02:00", "Detected"),
        ("14:05:00", "Detected (corrected later)"),
    ]
    assert sum(r.event == "Undo: T001 done" for r in rows) == 1
    assert not [r for r in rows if r.event.startswith("T001 reopened")]  # one row per undo
    data = build_report(inc, events=100)
    assert not [e for e in data["events"] if "a note taken back" in e["notes"]]
    assert "a note taken back" not in (folder / "tasks.md").read_text()


def test_no_lock_file_is_left_in_the_work_tree(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    a.set_done("T001")
    a.note("T001", "x")
    settle(clock, (alice, a))
    left = [p.name for p in (alice / FOLDER).iterdir() if p.name.endswith((".lock", ".tmp"))]
    assert left == []
    assert git(alice, "status", "--porcelain", "--ignored", FOLDER) == ""


def test_a_folder_from_an_earlier_version_is_seeded_without_losing_a_byte(repo, clock):
    from hotfix_tui.core.creating import create_incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    clock.advance(minutes=5)
    inc.set_done("T001")
    inc.note("T002", "hand-over to Bo")
    inc.skip("T007", "no staging")
    (folder / "events.jsonl").unlink()  # as an earlier version (or create-hotfix.sh) left it
    pm = folder / "post-mortem.md"
    row = "| 14:01 | Pager fired | Ops |  |\n"
    pm.write_text(
        pm.read_text().replace("| HH:MM | First detection", row + "| HH:MM | First detection", 1)
    )
    before = {n: (folder / n).read_text() for n in MD}
    again = Incident(folder, wf, clock=clock, repo_root=repo)
    again.repair()
    assert {n: (folder / n).read_text() for n in MD} == before  # seeded: nothing reworded
    assert (folder / "events.jsonl").exists()
    clock.advance(minutes=1)
    again.set_done("T003")
    after = (folder / "post-mortem.md").read_text()
    assert "| 14:01 | Pager fired | Ops |  |" in after and "T003 done" in after
    assert "hand-over to Bo" in (folder / "tasks.md").read_text()


def test_an_edit_that_arrives_by_git_is_credited_to_its_commit(setup):
    clock, remote, alice, bob = setup
    b = incident(bob, clock)
    # a teammate on the upstream scripts checks T002 by hand and pushes
    p = alice / FOLDER / "tasks.md"
    p.write_text(p.read_text().replace("- [ ] **T002**", "- [x] **T002**"))
    git(alice, "commit", "-q", "-am", "T002 by hand")
    git(alice, "push", "-q")
    clock.advance(hours=1)
    sync(bob, b.folder, b)
    b.repair()
    assert "T002" in checked(files(bob)["tasks.md"])
    row = next(r for r in timeline(bob) if r.event.startswith("T002 done"))
    assert row.who == "Alice Doe"


def test_branch_names_stay_those_of_the_team(setup):
    clock, remote, alice, bob = setup
    assert git(bob, "branch", "--show-current").strip() == BRANCH


def test_a_temp_file_left_by_a_killed_writer_is_removed_by_the_next_write(repo, clock):
    from hotfix_tui.core.creating import create_incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout broken", "P1", wf, clock=clock, branch=False)
    left = folder / ".post-mortem.md.x1y2z3.tmp"  # as a SIGKILL between write and rename leaves
    left.write_text("half a file")
    Incident(folder, wf, clock=clock, repo_root=repo).set_done("T001")
    assert not left.exists()


def test_an_edit_without_events_survives_a_real_merge_and_is_credited(setup):
    clock, remote, alice, bob = setup
    b = incident(bob, clock)
    # Alice (on the upstream scripts) checks T002 by hand and pushes; Bob works meanwhile
    p = alice / FOLDER / "tasks.md"
    p.write_text(p.read_text().replace("- [ ] **T002**", "- [x] **T002**"))
    git(alice, "commit", "-q", "-am", "T002 by hand")
    git(alice, "push", "-q")
    clock.advance(minutes=5)
    b.note("T004", "Bob's note")
    result = sync(bob, b.folder, b)
    assert result.merged  # both sides changed: a real merge, not a fast-forward
    text = files(bob)["tasks.md"]
    assert "T002" in checked(text) and "Bob's note" in text
    row = next(r for r in timeline(bob) if r.event.startswith("T002 done"))
    assert row.who == "Alice Doe"
