"""Hand-over: the stakeholder report and filling the post-mortem from the record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from gitfix import FOLDER, T0, git, incident, run

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.reports.report import build_report, fill_postmortem, render_markdown
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def worked(repo, clock):
    """An incident two people worked on: detection, tasks done, a skip, the fix deployed."""
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    inc = incident(repo, clock)
    inc.set_detection(T0 - timedelta(minutes=4), "Grafana alert")
    clock.t = T0 + timedelta(minutes=10)
    inc.set_done("T001")
    inc.view._who = "Bob Roe"
    clock.t = T0 + timedelta(minutes=50)
    inc.set_done("T005")
    inc.skip("T007", "P1: straight to production")
    clock.t = T0 + timedelta(hours=2)
    inc.set_done("T012")
    inc.view._who = None
    clock.t = T0 + timedelta(hours=2, minutes=30)
    return repo, inc


def test_report_data(worked):
    repo, inc = worked
    data = build_report(inc)
    assert data["id"] == "hotfix-001" and data["severity"] == "P1"
    assert data["status"] == "Fix Deployed"
    assert data["elapsed_seconds"] == 150 * 60
    assert data["sla"]["state"] == "warning" and data["sla"]["remaining_seconds"] == 90 * 60
    assert [t["id"] for t in data["done"]] == ["T001", "T005", "T012"]
    assert data["skipped"][0]["id"] == "T007"
    assert data["next"][0]["id"] == "T002"
    assert {w["id"] for w in data["windows"]} >= {"active-monitoring", "rollback-checkpoint"}
    assert data["events"][-1]["event"].startswith("T012 done")
    assert len(data["events"]) <= 10


def test_report_markdown_cli(worked, capsys, monkeypatch):
    repo, inc = worked
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "report")
    assert code == 0, err
    assert out.startswith("# Status: hotfix-001 - Database connection pool exhausted")
    for part in (
        "**Severity**: P1",
        "**Status**: Fix Deployed",
        "## Done",
        "- T005 ",
        "## Next",
        "## Open windows",
        "Active monitoring",
        "## Recent events",
        "(Bob Roe)",
        "## Skipped",
    ):
        assert part in out, part
    assert "**SLA**:" in out


def test_report_json_cli(worked, capsys, monkeypatch):
    repo, inc = worked
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "report", "--format", "json", "--spec", FOLDER)
    assert code == 0, err
    data = json.loads(out)
    assert data["id"] == "hotfix-001" and data["progress"]["done"] == 4  # 3 done, 1 skipped
    assert render_markdown(data).startswith("# Status: hotfix-001")


def test_postmortem_fills_placeholders_only(worked, capsys, monkeypatch):
    repo, inc = worked
    inc.set_done("T013")  # service restored at 16:30 -> duration known
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "postmortem")
    assert code == 0, err
    pm = (repo / FOLDER / "post-mortem.md").read_text()
    assert record.get_field(pm, "Participants") == "Ana Lyst, Bob Roe"
    assert record.get_field(pm, "Incident Commander") == "Ana Lyst"
    assert record.get_field(pm, "Incident Date") == "2026-11-25"
    assert record.get_field(pm, "Duration of Impact").startswith("2 hours 30 minutes")
    assert record.get_field(pm, "Post-Mortem Date").startswith("[YYYY-MM-DD]")  # for people
    assert "| 14:10:00 | T001 done" in pm  # the timeline is already there
    code, out, err = run(capsys, "postmortem")
    assert code == 0 and "nothing to fill" in out


def test_postmortem_never_overwrites_what_a_person_wrote(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    pm_path = repo / FOLDER / "post-mortem.md"
    text = record.set_field(pm_path.read_text(), "Incident Commander", "Carol Lead")
    pm_path.write_text(text)
    inc = incident(repo, clock)
    clock.advance(minutes=3)
    inc.set_done("T001")
    filled = fill_postmortem(inc)
    assert "Incident Commander" not in filled
    pm = pm_path.read_text()
    assert record.get_field(pm, "Incident Commander") == "Carol Lead"
    assert record.get_field(pm, "Participants") == "Ana Lyst"
    assert git(repo, "status", "--porcelain")  # written, not committed (auto_commit off)


def test_the_hand_over_report_says_what_an_incoming_engineer_needs(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P0", wf, clock=clock)
    ana = incident(repo, clock)
    ana.set_detection(T0 - timedelta(minutes=4), "Grafana alert: 5xx > 5%")
    clock.t = T0 + timedelta(minutes=6)
    ana.set_done("T001")
    ana.note("T003", "errors only on the EU cluster")
    ana.set_severity("P1")
    ana.undo_last()  # back to P0: the report shows neither the change nor its undo
    ana.skip("T007", "P0: straight to production")
    bob = incident(repo, clock)
    bob.view._who = "Bob Roe"
    clock.t = T0 + timedelta(minutes=20)
    bob.note("T005", "root cause: pool size cut to 10 by the config push at 13:50")
    clock.t = T0 + timedelta(minutes=30)
    hotfix = ana.folder / "hotfix.md"
    hotfix.write_text(hotfix.read_text().replace(
        "- **Estimated Users**: [count or share of users]",
        "- **Estimated Users**: 30% of EU checkouts"))
    ana.repair()
    data = build_report(ana)
    assert data["detection"] == {"at": "2026-11-25T13:56:00Z", "how": "Grafana alert: 5xx > 5%"}
    assert [(n["task"], n["who"], n["text"]) for n in data["notes"]] == [
        ("T003", "Ana Lyst", "errors only on the EU cluster"),
        ("T005", "Bob Roe", "root cause: pool size cut to 10 by the config push at 13:50"),
    ]
    assert "30% of EU checkouts" in "\n".join(data["impact"])
    assert any("pool size cut to 10" in line for line in data["root_cause"])
    text = render_markdown(data)
    first = text.splitlines()[2]
    assert first.startswith("**Now**:") and "P0" in first and "Investigating" in first
    assert "T002" in first  # the next task to do
    assert "## Detection" in text and "Grafana alert: 5xx > 5%" in text
    assert "## Notes" in text and "Bob Roe" in text and "14:20" in text
    assert "## Root cause" in text and "## Impact" in text
    assert "T007" in text and "P0: straight to production" in text
    assert "Undo" not in text and "P0 -> P1" not in text


def test_the_report_names_the_reminders_due(repo, clock, capsys, monkeypatch):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P0", wf, clock=clock)
    git(repo, "add", FOLDER)
    git(repo, "commit", "-q", "-m", "declare")
    clock.t = T0 + timedelta(minutes=40)
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "report")
    assert code == 0, err
    assert "## Reminders" in out and "stakeholder update" in out.lower(), out


def test_undos_collapse_with_what_they_undid_when_two_people_interleave(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P0", wf, clock=clock)
    ana = incident(repo, clock)
    bob = incident(repo, clock)
    bob.view._who = "Bob Roe"
    clock.t = T0 + timedelta(minutes=5)
    ana.set_severity("P1")
    clock.t = T0 + timedelta(minutes=6)
    ana.set_done("T002", at=T0 + timedelta(minutes=1))  # checked late: its row sorts first
    clock.t = T0 + timedelta(minutes=7)
    bob.note("T003", "errors only on the EU cluster")
    clock.t = T0 + timedelta(minutes=8)
    bob.set_done("T004")
    clock.t = T0 + timedelta(minutes=9)
    ana.undo_last()  # T002 open again; the severity stays P1
    clock.t = T0 + timedelta(minutes=10)
    bob.undo_last()  # T004 open again
    clock.t = T0 + timedelta(minutes=12)
    bob.set_done("T005")
    data = build_report(incident(repo, clock), events=50)
    rows = [(r["event"], r["who"]) for r in data["events"]]
    said = " ".join(e for e, _ in rows)
    assert "Undo" not in said, rows
    assert "T002" not in said and "T004" not in said, rows
    assert ("Severity changed P0 -> P1", "Ana Lyst") in rows
    assert any(e.startswith("T005 done") and w == "Bob Roe" for e, w in rows), rows
    assert any("T003" in e and w == "Bob Roe" for e, w in rows), rows
    assert data["severity"] == "P1"


def test_filling_the_post_mortem_is_undone_and_redone(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    inc = incident(repo, clock)
    clock.advance(minutes=3)
    inc.set_done("T002")
    pm_path = repo / FOLDER / "post-mortem.md"
    fields = ("Participants", "Hotfix ID", "Incident Date")
    before = {f: record.get_field(pm_path.read_text(), f) for f in fields}
    assert fill_postmortem(inc)
    filled = {f: record.get_field(pm_path.read_text(), f) for f in fields}
    assert filled != before
    assert inc.undo_last()
    assert {f: record.get_field(pm_path.read_text(), f) for f in fields} == before
    assert inc.redo_last()
    assert {f: record.get_field(pm_path.read_text(), f) for f in fields} == filled
