"""The action layer on real files: undo, external edits, plain checklists, domain purity."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors", "P1", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def test_undo_restores_checkbox_and_record(inc, clock):
    before_tasks = inc.view.path("tasks.md").read_text()
    before_hotfix = inc.view.path("hotfix.md").read_text()
    clock.advance(minutes=5)
    inc.set_done("T012")
    hotfix = inc.view.path("hotfix.md").read_text()
    assert "**Fix Deployed**: 2026-11-25 14:05:00 UTC" in hotfix
    assert inc.status == "Fix Deployed"
    assert inc.undo_last() == "T012 open again"  # what the state is now
    assert inc.view.path("tasks.md").read_text() == before_tasks
    assert inc.view.path("hotfix.md").read_text() == before_hotfix
    assert inc.status == "Investigating"
    assert inc.undo_last() is None


def test_undo_note_and_skip(inc):
    base = inc.view.path("tasks.md").read_text()
    inc.note("T004", "pool at 100%")
    inc.skip("T009", "nobody awake")
    assert inc.view.task_view(inc.view.find("T009")).state == "skipped"
    inc.undo_last()
    inc.undo_last()
    assert inc.view.path("tasks.md").read_text() == base


def test_external_edit_is_merged_by_task_id(inc):
    path = inc.view.path("tasks.md")
    text = path.read_text()
    # someone adds a line at the top and checks T002 in an editor
    edited = "<!-- edited by hand -->\n" + text.replace("- [ ] **T002**", "- [x] **T002**")
    path.write_text(edited)
    inc.set_done("T003")
    final = path.read_text()
    assert final.startswith("<!-- edited by hand -->\n")
    assert "- [x] **T002**" in final and "- [x] **T003**" in final


def test_task_gone_is_refused_and_other_change_kept(inc):
    path = inc.view.path("tasks.md")
    edited = path.read_text().replace("- [ ] **T003** Reproduce the issue\n", "")
    path.write_text(edited)
    with pytest.raises(IncidentError, match="T003 is gone"):
        inc.set_done("T003")
    assert path.read_text() == edited


def test_refresh_reports_changed_files(inc):
    assert inc.view.refresh() == set()
    p = inc.view.path("hotfix.md")
    p.write_text(record.set_checked(p.read_text(), "Severity", "P0"))
    assert "hotfix.md" in inc.view.refresh()  # tasks.md follows: its Severity field is projected
    assert inc.severity == "P0" and inc.sla().target_seconds == 3600


def test_severity_change_flips_applicability(inc):
    assert inc.view.task_view(inc.view.find("T011")).applicable
    inc.set_severity("P0")
    view = inc.view.task_view(inc.view.find("T011"))
    assert not view.applicable and view.state == "n/a" and "P0" in view.reason
    assert inc.view.next_open().id == "T001"


def test_windows_follow_deployment(inc, clock):
    clock.advance(minutes=30)
    inc.set_done("T012")
    clock.advance(minutes=90)
    ws = {w.id: w for w in inc.windows()}
    assert ws["rollback-checkpoint"].remaining_seconds == 30 * 60
    assert ws["rollback-checkpoint"].state in ("warning", "critical")
    inc.set_done("T017")
    assert "rollback-checkpoint" not in {w.id for w in inc.windows()}


def test_sla_survives_restart(inc, clock, repo):
    clock.advance(hours=5)
    again = Incident(inc.folder, inc.workflow, clock=clock, who="x", repo_root=repo)
    sla = again.sla()
    assert sla.state == "breached" and sla.remaining_seconds == -3600


def test_plain_checklist_without_workflow(tmp_path, clock):
    folder = tmp_path / "feature"
    folder.mkdir()
    (folder / "tasks.md").write_text(
        "# Tasks: Login\n\n## Setup\n\n- [ ] T001 [P] Create model\n* [X] T002 Wire API\n"
        "\n## Polish\n\n1. [ ] Write docs\n"
    )
    inc = Incident(folder, None, clock=clock, who="me")
    assert [p.name for p in inc.view.phases()] == ["Setup", "Polish"]
    assert inc.sla() is None and inc.windows() == []
    assert [t.state for t in inc.view.tasks()] == ["open", "done", "open"]
    inc.set_done("T001")
    assert "- [x] T001 [P] Create model" in (folder / "tasks.md").read_text()


def test_core_never_imports_textual():
    code = (
        "import sys, pkgutil, importlib, hotfix_tui.core as c\n"
        "seen = [importlib.import_module(m.name).__name__\n"
        "        for m in pkgutil.walk_packages(c.__path__, 'hotfix_tui.core.')]\n"
        "import hotfix_tui.cli\n"
        "print(len(seen))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    count, found = out.stdout.strip().splitlines()
    assert int(count) > 40  # every module of every core package was imported
    assert found == "[]"


def test_started_at_correction_moves_every_clock(inc, clock):
    p = inc.view.path("hotfix.md")
    start = (clock() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S UTC")
    p.write_text(record.set_field_time(p.read_text(), "Incident Start", start, overwrite=True))
    inc.view.refresh()
    assert inc.sla().elapsed_seconds == 7200


def test_reopening_a_task_takes_back_what_it_recorded(inc, clock):
    pristine = inc.view.path("hotfix.md").read_text()
    clock.advance(minutes=20)
    inc.set_done("T012")
    clock.advance(minutes=10)
    inc.set_done("T013")
    assert inc.sla().state == "met" and inc.status == "Fix Deployed"
    stamped = inc.view.path("hotfix.md").read_text()
    assert "**Total Duration**: 30 minutes" in stamped and "[x] No" in stamped
    inc.set_done("T013", False)  # a stray check, taken back by hand (not undo)
    text = inc.view.path("hotfix.md").read_text()
    assert "**Incident End**: [YYYY-MM-DD HH:MM:SS UTC]" in text
    assert "**Total Duration**: [X hours Y minutes]" in text
    assert "**SLA Breach**: [ ] Yes | [ ] No" in text
    assert "**Fix Deployed**: 2026-11-25 14:20:00 UTC" in text
    assert inc.sla().state in ("ok", "warning") and inc.sla().running
    pm = inc.view.path("post-mortem.md").read_text()
    assert "Incident End 2026-11-25 14:30:00 UTC cleared" in pm
    inc.set_done("T012", False)
    assert inc.status == "Investigating"
    assert inc.view.path("hotfix.md").read_text() == pristine


def test_undo_of_a_reopen_brings_back_the_original_stamps(inc, clock):
    clock.advance(minutes=20)
    inc.set_done("T012")
    stamped = inc.view.path("hotfix.md").read_text()
    clock.advance(minutes=5)
    inc.set_done("T012", False)
    clock.advance(minutes=5)
    inc.undo_last()
    assert inc.view.path("hotfix.md").read_text() == stamped


def test_a_person_written_time_is_kept_when_another_task_records_the_event(inc, clock):
    p = inc.view.path("hotfix.md")
    p.write_text(record.set_field_time(p.read_text(), "Fix Deployed", "2026-11-25 13:59:00 UTC"))
    inc.view.refresh()
    clock.advance(minutes=20)
    inc.set_done("T012")
    assert "**Fix Deployed**: 2026-11-25 13:59:00 UTC" in p.read_text()


def test_redo_does_again_what_undo_took_back_and_a_new_action_ends_it(inc):
    inc.set_severity("P0")
    assert inc.undo_last() == "severity back to P1"
    assert inc.severity == "P1"
    assert inc.redo_last() == "severity P1 -> P0"
    assert inc.severity == "P0"
    assert inc.redo_last() is None
    assert inc.undo_last() == "severity back to P1"  # the redo is undone like any action
    inc.note("T004", "pool at 100%")  # a new action: what was undone cannot come back
    assert inc.redo_last() is None
    assert inc.severity == "P1"


def test_an_unskip_undoes_to_the_skip_with_its_reason_and_redoes(inc):
    inc.skip("T009", "nobody awake")
    inc.unskip("T009")
    assert inc.undo_last() == "T009 skipped again: nobody awake"
    skip = inc.view.find("T009").skip
    assert skip is not None and skip.text == "nobody awake"
    assert "nobody awake" in inc.view.path("tasks.md").read_text()
    inc.redo_last()
    assert inc.view.find("T009").skip is None


def test_a_detection_undone_is_redone_and_a_fill_ends_what_redo_has(inc, clock):
    from datetime import timedelta

    when = clock() - timedelta(minutes=4)
    inc.set_detection(when, "Grafana alert")
    assert inc.undo_last() == "detection cleared"
    assert "detection" not in inc.event_times()
    inc.redo_last()
    assert inc.event_times()["detection"] == when
    inc.set_severity("P0")
    inc.undo_last()
    inc.set_fix_commit("a" * 40, "Raise the pool")  # a new action: the severity stays undone
    assert inc.redo_last() is None
    assert inc.severity == "P1"
