"""Commit subjects name what the events since the last commit did, worded by each event kind's
declaration: hotfix incidents and checklists without severities alike. Real repositories, real
commits, read back with `git log`."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from gitfix import FOLDER, T0, git, incident, run

from hotfix_tui.core.alerting import reminders
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git import gitops
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.event import Event
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

SPECIFY = Path(__file__).parents[1] / "fixtures" / "specify"


def subject(root: Path) -> str:
    return git(root, "log", "-1", "--format=%s").strip()


@pytest.fixture
def hot(repo, clock):
    """A repo on the incident branch with the incident declared and committed."""
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(repo, "add", FOLDER)
    git(repo, "commit", "-q", "-m", "declare incident")
    return repo


def commit(root: Path, inc: Incident) -> str:
    gitops.commit_incident(root, inc.folder, None, inc)
    return subject(root)


def tick_by_hand(inc: Incident, task: str) -> None:
    path = inc.folder / "tasks.md"
    path.write_text(path.read_text().replace(f"- [ ] **{task}**", f"- [x] **{task}**"))
    inc.repair()


ACTIONS: dict[str, tuple[Callable[[Incident], object], str]] = {
    "note": (lambda inc: inc.note("T003", "errors only on the EU cluster"), "note on T003"),
    "skip": (lambda inc: inc.skip("T011", "P0: straight to production"), "T011 skipped"),
    "severity": (lambda inc: inc.set_severity("P0"), "severity P0"),
    "status": (  # every status of this workflow but the first is a task's: set as a hand would
        lambda inc: inc.tx.emit(kinds.STATUS, value="Monitoring", hand=True), "status Monitoring"
    ),
    "detection": (
        lambda inc: inc.set_detection(T0 - timedelta(minutes=4), "Grafana alert"), "detected"
    ),
    "start": (
        lambda inc: inc.set_started_at(T0 - timedelta(minutes=10), force=True),
        "incident start corrected",
    ),
    "fix commit": (lambda inc: inc.set_fix_commit("a" * 40, "Raise the pool"),
                   "fix commit aaaaaaaaaaaa"),
    "done by hand": (lambda inc: tick_by_hand(inc, "T004"), "T004 done"),
}


@pytest.mark.parametrize("action", ACTIONS, ids=list(ACTIONS))
def test_each_kind_of_event_is_named_in_the_commit_subject(hot, clock, action):
    act, words = ACTIONS[action]
    inc = incident(hot, clock)
    clock.advance(minutes=5)
    act(inc)
    assert commit(hot, inc) == f"hotfix-001: {words}"


def test_a_reopen_and_an_undo_are_named_for_what_they_did(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T003")
    assert commit(hot, inc) == "hotfix-001: T003 done"
    inc.set_done("T003", False)
    assert commit(hot, inc) == "hotfix-001: T003 reopened"
    inc.skip("T009", "no reviewer awake")
    inc.note("T004", "pool at 100%")
    inc.undo_last()
    assert commit(hot, inc) == "hotfix-001: T009 skipped"


def test_an_action_and_its_undo_in_one_commit_cancel_out(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T003")
    inc.set_severity("P0")
    inc.skip("T009", "no reviewer awake")
    inc.undo_last()
    inc.undo_last()
    assert commit(hot, inc) == "hotfix-001: T003 done"


def test_the_subject_names_the_final_severity_after_a_change_and_its_undo(hot, clock):
    inc = incident(hot, clock)
    inc.set_severity("P0")
    inc.set_severity("P2")
    inc.undo_last()  # back to P0
    assert commit(hot, inc) == "hotfix-001: severity P0"
    inc.undo_last()  # the committed change undone: back to P1
    assert commit(hot, inc) == "hotfix-001: severity P1"


def test_only_the_events_since_the_last_commit_are_named(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T001")
    inc.note("T003", "errors only on the EU cluster")
    assert commit(hot, inc) == "hotfix-001: T001 done, note on T003, investigation started"
    inc.set_done("T005")
    assert commit(hot, inc) == "hotfix-001: T005 done, root cause identified"


def test_a_task_done_on_a_checklist_without_severities_is_named(repo, capsys, monkeypatch):
    dest = repo / ".specify" / "extensions" / "workflows" / "bugfix"
    shutil.copytree(SPECIFY / "bugfix", dest)
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Login crash on Safari", "--workflow", "bugfix",
                         "--no-open")
    assert code == 0, err
    folder = Path(out.strip())
    assert not (folder / "hotfix.md").exists() and not (folder / "post-mortem.md").exists()
    code, out, err = run(capsys, "commit")
    assert code == 0, err
    name = "bugfix-001"  # its id from the folder (kind and number)
    assert subject(repo) == f"{name}: declared"
    assert run(capsys, "done", "T001")[0] == 0
    assert run(capsys, "note", "T002", "seen on Safari 17 only")[0] == 0
    code, out, err = run(capsys, "commit")
    assert code == 0, err
    assert subject(repo) == f"{name}: T001 done, note on T002"
    assert f"{name}: T001 done, note on T002" in out  # what `commit` says it committed


class Paged(kinds.Kind):
    """Test-only: the on-call engineer `to` was paged."""

    name = "paged"
    fields = {"to": str}

    def brief(self, ev: Event) -> str:
        return f"paged {ev.get('to')}"


@pytest.fixture
def paged() -> Iterator[kinds.Kind]:
    kind = kinds.declare(Paged)
    evlog._LAST = None
    yield kind
    del kinds.KINDS[Paged.name]
    evlog._LAST = None


def test_a_new_kind_is_named_by_its_own_declaration(hot, clock, paged):
    inc = incident(hot, clock)
    inc.tx.emit(paged, to="Cy")
    assert commit(hot, inc) == "hotfix-001: paged Cy"


def test_events_another_writer_appended_are_named_too(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T002")
    reminders.mark_sent(inc.folder, "stakeholder-update", clock(), "Bo Ops")  # not through inc
    assert commit(hot, inc) == "hotfix-001: T002 done, update sent (stakeholder-update)"
