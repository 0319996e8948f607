"""Causal order, derived status, reopen as a fact and one lifecycle: what the record concludes
after clones act apart and meet is something that happened.

Real repositories with a bare remote and two clones; the CLI in-process.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from gitfix import FOLDER, T0, FakeClock, checked, incident, run, team

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record import events
from hotfix_tui.core.record.journal import home
from hotfix_tui.core.sync import sync

MD = ("tasks.md", "hotfix.md", "post-mortem.md")


@pytest.fixture
def setup(tmp_path):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    return clock, remote, alice, bob


def settle(clock, *pairs) -> None:
    for root, inc in pairs:
        clock.advance(seconds=1)
        sync(root, inc.folder, inc)


def hot(root) -> str:
    return (root / FOLDER / "hotfix.md").read_text()


def tasks(root) -> str:
    return (root / FOLDER / "tasks.md").read_text()


def status_json(capsys, root) -> dict:
    os.chdir(root)
    code, out, _ = run(capsys, "status", "--json", "--spec", FOLDER)
    assert code == 0
    return json.loads(out)


def set_clone(root, value: str) -> None:
    p = home(root, root / FOLDER) / "clone"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(value + "\n")


# --- 4. a stale skip leaves no Status that no task supports -------------------------------


def test_a_stale_skip_of_a_done_status_task_leaves_a_status_the_tasks_support(setup, capsys):
    clock, _remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    settle(clock, (alice, a), (bob, b))
    clock.advance(minutes=5)
    a.set_done("T012")  # Fix Deployed
    assert record.checked_options(hot(alice), "Status")[-1] == "Fix Deployed"
    b.skip("T012", "not needed")  # Bob has not synced: he never saw the done
    settle(clock, (alice, a), (bob, b), (alice, a))
    for root in (alice, bob):
        # a done beats a concurrent skip, whose reason stays as a note: Status has its task
        assert "T012" in checked(tasks(root))
        assert "not needed" in tasks(root)
        assert record.checked_options(hot(root), "Status")[-1] == "Fix Deployed"
        data = status_json(capsys, root)
        t012 = next(t for t in data["tasks"] if t["id"] == "T012")
        assert t012["done"] and not t012["skipped"] and data["status"] == "Fix Deployed"
    assert tasks(alice) == tasks(bob) and hot(alice) == hot(bob)


def test_a_skip_after_seeing_the_done_moves_the_status_back(setup, capsys):
    clock, _remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    clock.advance(minutes=5)
    a.set_done("T027")  # Resolved
    settle(clock, (alice, a), (bob, b))
    b.view.load()
    b.set_done("T027", False)
    b.skip("T027", "not resolved after all")
    settle(clock, (bob, b), (alice, a))
    for root in (alice, bob):
        assert "T027" not in checked(tasks(root))
        assert record.checked_options(hot(root), "Status")[-1] == "Investigating"
        assert status_json(capsys, root)["status"] == "Investigating"


def test_a_manual_status_the_tasks_contradict_is_refused_with_the_reason(setup, capsys):
    clock, _remote, alice, _bob = setup
    os.chdir(alice)
    code, _out, err = run(capsys, "set-status", "Fix Deployed", "--spec", FOLDER)
    assert code != 0 and "T012" in err and "nothing was written" in err
    assert record.checked_options(hot(alice), "Status")[-1] == "Investigating"


def test_a_status_ticked_by_hand_cannot_outlive_the_tasks(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.set_done("T012")
    text = hot(alice).replace("[x] Fix Deployed", "[ ] Fix Deployed")
    (alice / FOLDER / "hotfix.md").write_text(text.replace("[ ] Resolved", "[x] Resolved"))
    clock.advance(minutes=1)
    a.set_done("T001")  # the hand tick is recorded, and the tasks decide: T027 is not done
    assert record.checked_options(hot(alice), "Status")[-1] == "Fix Deployed"


# --- 5. a reopen is a fact: a breach never turns into "met" ------------------------------


def test_a_breached_sla_stays_breached_when_the_fix_is_checked_again(setup, capsys):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    a.set_severity("P0")
    clock.advance(minutes=50)
    a.set_done("T013")  # 14:50: restored within the hour
    assert a.sla() is not None and a.sla().state == "met"
    clock.advance(minutes=2)
    a.set_done("T013", False)  # the fix did not hold
    clock.advance(minutes=30)  # 15:22: the hour is gone
    assert a.sla().state == "breached"
    change = a.set_done("T013")
    assert change is not None
    assert any("14:50:00" in m and "--keep-first" in m for m in change.messages)
    assert record.get_field(hot(alice), "Incident End") == "2026-11-25 15:22:00 UTC"
    assert record.checked_options(hot(alice), "SLA Breach") == ["Yes"]
    assert a.sla().state == "missed"
    os.chdir(alice)
    code, out, _ = run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["total"]["breached"] == 1


def test_done_keep_first_keeps_the_time_before_the_reopen_on_purpose(setup, capsys):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    clock.advance(minutes=10)
    a.set_done("T013")
    clock.advance(minutes=5)
    a.set_done("T013", False)
    clock.advance(minutes=5)
    os.chdir(alice)
    code, out, _ = run(capsys, "done", "T013", "--keep-first", "--spec", FOLDER)
    assert code == 0 and "keeps 2026-11-25 14:10:00 UTC" in out
    assert record.get_field(hot(alice), "Incident End") == "2026-11-25 14:10:00 UTC"
    code, _out, err = run(capsys, "undo", "T013", "--spec", FOLDER)
    code, _out, err = run(
        capsys, "done", "T013", "--keep-first", "--at", "2026-11-25 14:12", "--spec", FOLDER
    )
    assert code != 0 and "not both" in err


def test_rechecking_a_done_task_keeps_its_time(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    clock.advance(minutes=10)
    a.set_done("T013")
    clock.advance(minutes=5)
    a.set_done("T013")  # already done: a re-assertion, not a new time
    assert record.get_field(hot(alice), "Incident End") == "2026-11-25 14:10:00 UTC"


# --- 6. causal order, not clone ids ------------------------------------------------------


@pytest.mark.parametrize("synced", [False, True])
def test_two_actions_in_one_second_are_ordered_by_what_each_clone_saw(setup, synced):
    clock, _remote, alice, bob = setup
    set_clone(alice, "ffffffff")  # the skip's clone sorts last by id
    set_clone(bob, "00000000")
    a, b = incident(alice, clock), incident(bob, clock)
    settle(clock, (alice, a), (bob, b))
    clock.t = T0 + timedelta(minutes=30)
    a.skip("T017", "no feature flag")
    if synced:  # Bob saw the skip before he checked the task
        settle(clock, (alice, a), (bob, b))
        clock.t = T0 + timedelta(minutes=30, seconds=1)
        b.view.load()
        b.set_done("T017", True)
    else:
        b.set_done("T017")  # the same second, on a clone that never saw the skip
    settle(clock, (bob, b), (alice, a), (bob, b))
    for root in (alice, bob):
        assert "T017" in checked(tasks(root))
        assert "**Skipped**" not in "".join(
            ln for ln in tasks(root).splitlines(keepends=True) if "no feature flag" in ln
        )
    assert tasks(alice) == tasks(bob)


def test_events_name_what_their_clone_had_seen_and_carry_sub_second_times(setup):
    clock, _remote, alice, _bob = setup
    a = incident(alice, clock)
    clock.t = T0 + timedelta(seconds=0.25)
    a.set_done("T001")
    a.set_done("T001", False)
    log = [e for e in events.read_log(alice / FOLDER) if e.task == "T001"]
    assert log[0].recorded.endswith(".250000Z")
    assert log[1].get("saw") == [log[0].id]


def test_a_reopen_concurrent_with_a_done_goes_to_the_later_and_is_the_same_everywhere(setup):
    clock, _remote, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.set_done("T003")
    settle(clock, (alice, a), (bob, b))
    b.view.load()
    clock.advance(minutes=1)
    a.set_done("T003", False)
    clock.advance(minutes=1)
    b.set_done("T003", False)
    b.set_done("T003")
    settle(clock, (alice, a), (bob, b), (alice, a))
    assert "T003" in checked(tasks(alice)) and tasks(alice) == tasks(bob)


# --- 10. one lifecycle -------------------------------------------------------------------

CUSTOM = """\
schema_version: 1
id: ops
name: Ops incident
folder_prefix: hotfix
severities:
  P0: {label: Critical, target: 1h, color: red}
  P1: {label: Major, target: 4h}
statuses: [Open, Resolved - pending, Closed]
clock: {starts_at: incident_start, stops_at: incident_end}
phases:
  - id: first
    name: First
    tasks:
      - id: T001
        title: Restore
        on_done: {events: [incident_end], status: Resolved - pending}
      - id: T002
        title: Close
        on_done: {status: Closed}
"""


@pytest.fixture
def custom(repo, clock):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    (repo / ".hotfix" / "workflows" / "ops.yaml").write_text(CUSTOM)
    wf = resolve_workflow("ops", repo)
    folder = create_incident(repo, "Queue stuck", "P1", wf, clock=clock, branch=False)
    from hotfix_tui.core.record.incident import Incident

    return Incident(folder, wf, clock=clock, repo_root=repo)


def test_every_reader_agrees_when_a_custom_workflow_is_closed(custom, repo):
    from hotfix_tui.core.discovery import is_closed
    from hotfix_tui.core.workflow.lifecycle import is_closed as lifecycle_closed

    inc = custom
    inc.set_done("T001")
    assert inc.status == "Resolved - pending"
    assert not is_closed(inc.folder, repo)  # "Resolved - pending" is not Resolved
    assert not lifecycle_closed(inc.status, inc.workflow)
    inc.set_done("T002")
    assert inc.status == "Closed"
    assert is_closed(inc.folder, repo)  # the picker, the board and the overview ask here
    assert lifecycle_closed(inc.status, inc.workflow)


def test_final_statuses_can_name_several_closing_statuses(tmp_path):
    from hotfix_tui.core.workflow.lifecycle import is_closed
    from hotfix_tui.core.workflow.loader import load_workflow

    p = tmp_path / "ops.yaml"
    p.write_text(CUSTOM.replace("clock:", "final_statuses: [Resolved - pending, Closed]\nclock:"))
    wf = load_workflow(p)
    assert is_closed("Resolved - pending", wf) and is_closed("closed", wf)
    assert not is_closed("Open", wf) and not is_closed("Resolved", wf)


def test_a_manual_status_is_shown_as_such_and_the_next_task_change_recomputes(
    repo, clock, capsys, monkeypatch
):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    text = CUSTOM.replace("[Open, Resolved", "[Open, Mitigating, Resolved")
    (repo / ".hotfix" / "workflows" / "ops.yaml").write_text(text)
    wf = resolve_workflow("ops", repo)
    folder = create_incident(repo, "Queue stuck", "P1", wf, clock=clock, branch=False)
    inc = Incident(folder, wf, clock=clock, repo_root=repo, who="Ana Lyst")
    inc.set_status("Mitigating")  # no task reaches it: a person may say so
    assert inc.status == "Mitigating" and inc.view.status_label == "Mitigating (set by Ana Lyst)"
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "status", "--json", "--spec", str(folder))
    assert json.loads(out)["status_set_by"]["who"] == "Ana Lyst"
    code, out, _ = run(capsys, "status", "--spec", str(folder))
    assert "Status Mitigating (set by Ana Lyst)" in out
    clock.advance(minutes=1)
    inc.set_done("T001")  # a task change recomputes: the tasks decide again
    assert inc.status == "Resolved - pending" and inc.view.status_set() is None
    inc.set_done("T001", False)
    assert inc.status == "Open"
