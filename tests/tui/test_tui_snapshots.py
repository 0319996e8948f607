"""Snapshots (pytest-textual-snapshot) of the main screen and the help screen, clock frozen."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hotfix_tui.core.alerting import alerts
from hotfix_tui.core.alerting.reminders import incident_reminders
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp

SIZE = (100, 40)


def _app(repo, clock, minutes: int, done: tuple[str, ...] = ()) -> HotfixApp:
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors for EU customers", "P0", wf,
                             clock=clock)
    inc = Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)
    for tid in done:
        inc.set_done(tid)
    clock.t = clock.t + timedelta(minutes=minutes)
    # what is due now has fired before: no toast races the screenshot (alerts have own tests)
    now = clock()
    due = alerts.due_alerts(inc.id, inc.severity, inc.sla(now), wf.clock.warnings,
                            inc.windows(now), incident_reminders(inc, now, []), set(), now)
    for a in due:  # logged two minutes before the app starts: shown before, never again
        alerts.record(folder, replace(a, at=now - timedelta(minutes=2)), "Ana Lyst")
    return HotfixApp(inc, root=repo, clock=clock, settings=Settings(theme="textual-dark"),
                     watch=False)


@pytest.mark.parametrize(
    ("minutes", "done"),
    [
        pytest.param(12, ("T001", "T002"), id="p0-time-to-spare"),
        pytest.param(35, ("T001", "T002", "T003"), id="p0-warning"),
        pytest.param(55, ("T001", "T002", "T003", "T004", "T005"), id="p0-near-breach"),
        pytest.param(71, ("T001", "T002", "T003"), id="p0-breached"),
    ],
)
def test_main_screen(snap_compare, repo, clock, minutes, done):
    assert snap_compare(_app(repo, clock, minutes, done), terminal_size=SIZE)


def test_main_screen_sla_met(snap_compare, repo, clock):
    done = ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012",
            "T013")
    assert snap_compare(_app(repo, clock, 50, done), terminal_size=SIZE)


def test_help_screen(snap_compare, repo, clock):
    assert snap_compare(_app(repo, clock, 5), press=["question_mark"], terminal_size=SIZE)


def test_main_screen_80x24(snap_compare, repo, clock):
    assert snap_compare(_app(repo, clock, 30, ("T001",)), terminal_size=(80, 24))
