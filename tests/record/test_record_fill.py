"""The record fills itself in: timeline, status, detection, start correction, fix commit, log."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from gitfix import T0, git, run

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record.fill import NeedsConfirmation
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

FIX = Path(__file__).parents[1] / "fixtures"
UP_FOLDER = "specs/hotfix-001-checkout-500s"
START = "2026-11-25 14:00:00 UTC"



@pytest.fixture
def upstream(repo) -> Path:
    """An incident written by the upstream extension (by hand): templates, start stamped."""
    git(repo, "switch", "-q", "-c", "hotfix/001-checkout-500s")
    folder = repo / UP_FOLDER
    folder.mkdir(parents=True)
    hotfix = (FIX / "upstream" / "hotfix-template.md").read_text()
    hotfix = hotfix.replace("[YYYY-MM-DD HH:MM:SS UTC]", START, 1)
    hotfix = hotfix.replace("hotfix-###", "hotfix-001").replace("[INCIDENT TITLE]", "Checkout 500s")
    hotfix = hotfix.replace("[ ] P1 (Major", "[x] P1 (Major")
    (folder / "hotfix.md").write_text(hotfix)
    tasks = (FIX / "hotfix-tasks-template.md").read_text()
    tasks = tasks.replace("hotfix-###", "hotfix-001").replace("[P0/P1/P2]", "P1")
    tasks = tasks.replace("[INCIDENT TITLE]", "Checkout 500s")
    (folder / "tasks.md").write_text(tasks)
    shutil.copy(FIX / "upstream" / "post-mortem-template.md", folder / "post-mortem.md")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "hotfix-001 declared by the extension")
    return folder


def load(folder: Path, clock) -> Incident:
    root = folder.parents[1]
    return Incident(folder, resolve_workflow("hotfix", root), clock=clock, repo_root=root)


def hf(folder: Path) -> str:
    return (folder / "hotfix.md").read_text()


def log(folder: Path) -> list[record.LogRow]:
    table = record.log_table((folder / "post-mortem.md").read_text())
    assert table is not None
    return table[0]


def test_timeline_and_status_fill_themselves_in(upstream, clock):
    inc = load(upstream, clock)
    assert inc.severity == "P1" and inc.started_at == T0
    steps = [
        ("T001", 10, "Investigation Start"),
        ("T005", 40, "Root Cause Identified"),
        ("T012", 95, "Fix Deployed"),
        ("T013", 130, "Incident End"),
    ]
    for task, minutes, field in steps:
        clock.t = T0 + timedelta(minutes=minutes)
        inc.set_done(task)
        assert record.get_field(hf(upstream), field) == (
            (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S UTC")
        )
    text = hf(upstream)
    assert record.get_field(text, "Total Duration") == "2 hours 10 minutes"
    assert record.checked_options(text, "SLA Breach") == ["No"]
    assert record.checked_options(text, "Status") == ["Fix Deployed"]
    clock.advance(minutes=5)
    inc.set_done("T014")
    assert record.checked_options(hf(upstream), "Status") == ["Monitoring"]
    # placeholder rows replaced as their events happen, real rows carry the git user
    rows = log(upstream)
    real = [r for r in rows if not r.placeholder]
    assert [r.who for r in real] == ["Ana Lyst"] * len(real)
    events = [r.event for r in rows if r.placeholder]
    assert "Investigation started" not in events and "Root cause identified" not in events
    assert "Fix deployed" not in events and "Verification complete" not in events
    assert inc.sla().state == "met"


def test_a_time_a_person_wrote_is_kept(upstream, clock):
    text = hf(upstream).replace(
        "**Investigation Start**: [YYYY-MM-DD HH:MM:SS UTC]",
        "**Investigation Start**: 2026-11-25 14:03:00 UTC",
    )
    (upstream / "hotfix.md").write_text(text)
    inc = load(upstream, clock)
    clock.advance(minutes=20)
    inc.set_done("T001")
    assert record.get_field(hf(upstream), "Investigation Start") == "2026-11-25 14:03:00 UTC"


def test_every_action_appends_a_log_row(upstream, clock):
    inc = load(upstream, clock)
    clock.advance(minutes=1)
    inc.set_done("T002")
    inc.set_done("T002", False)
    inc.skip("T007", "P1: no staging needed")
    inc.note("T003", "500s on /checkout")
    inc.set_severity("P0")
    inc.set_detection(T0 - timedelta(minutes=3), "Datadog alert")
    inc.undo_last()
    events = [r.event for r in log(upstream) if not r.placeholder]
    assert events == [
        "Detected (undone)",  # at the time of the detection, not when it was typed
        "T002 done: Notify incident commander and stakeholders",
        "T002 reopened: Notify incident commander and stakeholders",
        "T007 skipped: Implement the fix",
        "Note on T003 Reproduce the issue",
        "Severity changed P1 -> P0",
        "Undo: detection 2026-11-25 13:57:00 UTC",
    ]
    real = [r for r in log(upstream) if not r.placeholder]
    assert real[0].time == "13:57:00"
    assert all(r.time == "14:01:00" and r.who == "Ana Lyst" for r in real[1:])
    assert record.field_time(hf(upstream), "Detection") is None  # undone


def test_detection_cli(upstream, capsys, monkeypatch):
    monkeypatch.chdir(upstream.parents[1])
    code, out, err = run(capsys, "detected", "PagerDuty", "alert", "--at", "2026-11-25 13:55")
    assert code == 0, err
    assert (
        record.get_field(hf(upstream), "Detection") == "2026-11-25 13:55:00 UTC - PagerDuty alert"
    )
    row = next(r for r in log(upstream) if r.event == "Detected")
    assert row.notes == "PagerDuty alert"
    assert not any(r.event == "First detection" for r in log(upstream))  # placeholder replaced
    code, out, err = run(capsys, "detected", "customer ticket", "--at", "2026-11-25 13:50")
    assert code == 1 and "--force" in err
    assert "13:55:00" in record.get_field(hf(upstream), "Detection")
    code, out, err = run(
        capsys, "detected", "customer ticket", "--at", "2026-11-25 13:50", "--force"
    )
    assert code == 0, err
    assert (
        record.get_field(hf(upstream), "Detection") == "2026-11-25 13:50:00 UTC - customer ticket"
    )
    assert run(capsys, "detected", "x", "--at", "soon")[0] == 2


def test_started_at_asks_and_every_clock_follows(upstream, capsys, monkeypatch, clock):
    monkeypatch.chdir(upstream.parents[1])
    inc = load(upstream, clock)
    clock.t = T0 + timedelta(minutes=30)
    inc.set_done("T013")  # Incident End at 14:30, Total Duration 30 minutes
    assert record.get_field(hf(upstream), "Total Duration") == "30 minutes"
    code, out, err = run(capsys, "started-at", "2026-11-25 13:00")
    assert code == 1 and "--yes" in err and "2026-11-25 14:00:00 UTC" in err
    assert record.get_field(hf(upstream), "Incident Start") == START
    code, out, err = run(capsys, "started-at", "2026-11-25 13:00", "--yes")
    assert code == 0, err
    text = hf(upstream)
    assert record.get_field(text, "Incident Start") == "2026-11-25 13:00:00 UTC"
    assert record.get_field(text, "Total Duration") == "1 hour 30 minutes"
    code, out, err = run(capsys, "status", "--json")
    data = json.loads(out)
    assert data["started_at"] == "2026-11-25T13:00:00Z"
    assert data["sla"]["elapsed_seconds"] == 90 * 60
    assert any(r.event == "Incident Start corrected" for r in log(upstream))
    code, out, err = run(capsys, "started-at", "2026-11-25 13:00:00")
    assert code == 0 and "already" in out


def test_started_at_fills_an_empty_start_without_asking(upstream, clock):
    text = hf(upstream).replace(START, "[YYYY-MM-DD HH:MM:SS UTC]", 1)
    (upstream / "hotfix.md").write_text(text)
    inc = load(upstream, clock)
    inc.set_started_at(T0 - timedelta(hours=1))
    assert inc.started_at == T0 - timedelta(hours=1)
    with pytest.raises(NeedsConfirmation):
        inc.set_started_at(T0)


def test_fix_commit_lists_and_records(upstream, capsys, monkeypatch):
    root = upstream.parents[1]
    (root / "checkout.py").write_text("retry = 3\n")
    git(root, "add", "checkout.py")
    git(root, "commit", "-q", "-m", "Retry the payment call")
    sha = git(root, "rev-parse", "HEAD").strip()
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "fix-commit")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["1", sha[:7]] and "Retry the payment call" in lines[0]
    code, out, err = run(capsys, "fix-commit", "1")
    assert code == 0, err
    text = hf(upstream)
    assert record.get_field(text, "Commit SHA") == sha
    assert f"git revert {sha}\n" in text
    assert "git revert [commit-sha]" not in text
    assert f"git revert {sha}" in (upstream / "tasks.md").read_text()
    assert any(r.event == "Fix commit recorded" for r in log(upstream))
    # a different SHA needs --force; an unknown one is refused
    (root / "checkout.py").write_text("retry = 5\n")
    git(root, "commit", "-qam", "Retry five times")
    code, out, err = run(capsys, "fix-commit", "1")
    assert code == 1 and "--force" in err
    code, out, err = run(capsys, "fix-commit", "1", "--force")
    assert code == 0, err
    new = git(root, "rev-parse", "HEAD").strip()
    assert record.get_field(hf(upstream), "Commit SHA") == new
    assert f"git revert {new}" in hf(upstream) and sha not in hf(upstream)
    assert run(capsys, "fix-commit", "0123abcd")[0] == 1


def test_needs_detection_until_it_is_set(upstream, clock):
    from hotfix_tui.core.record.fill import needs_detection

    inc = load(upstream, clock)
    assert needs_detection(inc)
    inc.set_detection(None, "on-call noticed")
    assert not needs_detection(inc)
    assert record.get_field(hf(upstream), "Detection") == f"{START} - on-call noticed"


def test_detection_answer_gives_the_recorded_time_and_how_or_blanks():
    from hotfix_tui.core.record.fill import detection_answer

    filled = "**Detection**: 2026-03-01 10:05:00 UTC - PagerDuty alert\n"
    assert detection_answer(filled) == ("2026-03-01 10:05:00", "PagerDuty alert")
    placeholder = "**Detection**: [YYYY-MM-DD HH:MM:SS UTC] - [how it was found]\n"
    assert detection_answer(placeholder) == ("", "")
    assert detection_answer("no such field\n") == ("", "")
