"""Alerts and reminders in core: what is due, logged once under a fixed id, the alert command,
the terminal's escape sequences, the settings and the workflow's `reminders:` checked."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from gitfix import T0

from hotfix_tui.core.alerting import alerts, dispatch, reminders
from hotfix_tui.core.alerting.alert_command import run_alert_command
from hotfix_tui.core.alerting.terminal_alerts import desktop_notification, tmux_wrap
from hotfix_tui.core.clocks import sla_reading, window_readings
from hotfix_tui.core.config.settings import load_settings
from hotfix_tui.core.record import events
from hotfix_tui.core.workflow.loader import load_workflow, resolve_workflow, validate_file
from hotfix_tui.core.workflow.model import ReminderDef, WindowDef

WARN = (0.5, 0.75, 0.9)


def due_at(minutes: float, fired: set[str] = frozenset(), stop=None) -> list[alerts.Alert]:
    now = T0 + timedelta(minutes=minutes)
    sla = sla_reading(T0, stop, 3600, now, WARN)
    return alerts.due_alerts("hotfix-001", "P0", sla, WARN, [], [], set(fired), now)


@pytest.mark.parametrize(
    ("minutes", "kind", "threshold", "aid"),
    [
        (30, "warning", 0.5, "alert:hotfix-001:warning:0.5"),
        (45, "warning", 0.75, "alert:hotfix-001:warning:0.75"),
        (54, "warning", 0.9, "alert:hotfix-001:warning:0.9"),
        (60.05, "breach", 1.0, "alert:hotfix-001:breach:1"),
    ],
)
def test_each_crossing_is_due_once_under_a_fixed_id(minutes, kind, threshold, aid):
    (a,) = due_at(minutes)
    assert (a.kind, a.threshold, a.id) == (kind, threshold, aid)
    assert due_at(minutes, {aid}) == []
    assert a.payload()["incident"] == "hotfix-001" and a.payload()["severity"] == "P0"


def test_nothing_due_before_the_first_threshold_or_once_the_clock_stopped():
    assert due_at(29.9) == []
    assert due_at(90, stop=T0 + timedelta(minutes=20)) == []


def test_only_the_furthest_crossing_is_due():
    (a,) = due_at(50)  # opened late: 75 % rings, not 50 % as well
    assert a.threshold == 0.75
    (b,) = due_at(200)
    assert b.kind == "breach" and "BREACHED by 2:20:00" in b.message


def test_a_window_that_ended_is_due():
    w = WindowDef("rollback-checkpoint", "Rollback checkpoint", "fix_deployed", 7200)
    now = T0 + timedelta(hours=2, seconds=1)
    wins = window_readings([w], {"fix_deployed": T0}, set(), now)
    (a,) = alerts.due_alerts("hotfix-001", "P0", None, WARN, wins, [], set(), now)
    assert a.id == "alert:hotfix-001:window:rollback-checkpoint" and a.kind == "window"
    early = window_readings([w], {"fix_deployed": T0}, set(), now - timedelta(seconds=2))
    assert alerts.due_alerts("hotfix-001", "P0", None, WARN, early, [], set(), now) == []


def test_reminders_run_from_the_start_then_from_the_last_sent():
    d = ReminderDef("stakeholder-update", "Stakeholder update", {"P0": 1800, "P1": 3600})
    r = reminders.reminder_readings([d], "P0", T0, {}, {}, T0 + timedelta(minutes=18))
    assert r[0].remaining_seconds == 12 * 60
    assert reminders.reminder_readings([d], "P2", T0, {}, {}, T0) == []  # not for P2
    sent = {"stakeholder-update": T0 + timedelta(minutes=25)}
    r = reminders.reminder_readings([d], "P0", T0, {}, sent, T0 + timedelta(minutes=30))
    assert r[0].remaining_seconds == 25 * 60
    stopped = reminders.reminder_readings(
        [ReminderDef(d.id, d.label, d.every, stops_at="incident_end")],
        "P0",
        T0,
        {"incident_end": T0},
        {},
        T0,
    )
    assert stopped == []
    due = reminders.reminder_readings([d], "P0", T0, {}, {}, T0 + timedelta(minutes=30))
    (a,) = alerts.due_alerts("hotfix-001", "P0", None, WARN, [], due, set(), T0)
    assert a.kind == "reminder" and a.threshold == "stakeholder-update"
    assert a.id == "alert:hotfix-001:reminder:stakeholder-update@20261125T143000Z"


def test_record_logs_once_and_mark_sent_restarts_the_interval(tmp_path):
    (a,) = due_at(30)
    alerts.record(tmp_path, a, "Ana")
    alerts.record(tmp_path, a, "Bob")  # a second clone's copy: the same event
    log = events.read_log(tmp_path)
    assert [e.id for e in log] == [a.id]
    ev = log[0]
    assert ev.kind == "alert"
    assert ev.data == {"alert": "warning", "threshold": 0.5, "message": a.message}
    assert alerts.fired_ids(log) == {a.id}
    reminders.mark_sent(tmp_path, "stakeholder-update", T0 + timedelta(minutes=40), "Ana")
    log = events.read_log(tmp_path)
    sent = reminders.last_sent(log)
    assert sent == {"stakeholder-update": T0 + timedelta(minutes=40)}
    assert [e.kind for e in log] == ["alert", "reminder_sent"]
    assert log[-1].data == {"reminder": "stakeholder-update"}


def test_alert_command_gets_json_and_env(tmp_path):
    out = tmp_path / "alert.json"
    env = tmp_path / "env.txt"
    (a,) = due_at(54)
    cmd = f"cat > {out}; env | grep '^HOTFIX_' | sort > {env}"
    assert run_alert_command(cmd, a) is None
    data = json.loads(out.read_text())
    assert set(data) >= {
        "incident",
        "kind",
        "threshold",
        "severity",
        "remaining_seconds",
        "message",
        "at",
    }
    assert data["kind"] == "warning" and data["threshold"] == 0.9
    assert data["at"] == "2026-11-25T14:54:00Z" and data["remaining_seconds"] == 360
    lines = env.read_text()
    assert "HOTFIX_INCIDENT=hotfix-001" in lines and "HOTFIX_KIND=warning" in lines


def test_alert_command_failures_are_messages(tmp_path):
    (a,) = due_at(30)
    assert "exited with status 3: boom" in run_alert_command("echo boom >&2; exit 3", a)
    assert "timed out after 0.3 s" in run_alert_command("sleep 5", a, timeout=0.3)


def test_desktop_notification_sequences():
    seq = desktop_notification("SLA 90%", "hotfix-001 P0; 0:06:00 left\x1b[31m")
    assert seq.startswith("\x1b]777;notify;SLA 90%;hotfix-001 P0, 0:06:00 left [31m\x1b\\")
    assert "\x1b]9;SLA 90%: hotfix-001 P0, 0:06:00 left [31m\x1b\\" in seq
    wrapped = desktop_notification("T", "B", tmux=True)
    assert wrapped == tmux_wrap("\x1b]777;notify;T;B\x1b\\") + tmux_wrap("\x1b]9;T: B\x1b\\")
    assert tmux_wrap("\x1b]9;x\x1b\\") == "\x1bPtmux;\x1b\x1b]9;x\x1b\x1b\\\x1b\\"


def write_config(text: str) -> Path:
    path = load_settings().path
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_alert_settings_default_on_and_read():
    s = load_settings()
    assert (s.alert_bell, s.alert_desktop, s.alert_command) == (True, True, None)
    write_config("alerts:\n  bell: false\n  desktop: false\n  command: 'curl -d @- x'\n")
    s = load_settings()
    assert (s.alert_bell, s.alert_desktop, s.alert_command) == (False, False, "curl -d @- x")
    assert s.problems == []


def test_bad_alert_settings_name_file_and_line():
    path = write_config("theme: nord\nalerts:\n  bell: loud\n  sound: yes\n  command: ''\n")
    s = load_settings()
    assert s.alert_bell is True and s.alert_command is None
    assert s.problems == [
        f"{path}:3: alerts.bell: must be true or false; ignored",
        f"{path}:4: alerts.sound: unknown setting (known: bell, desktop, command); ignored",
        f'{path}:5: alerts.command: must be a shell command, e.g. "curl -d @- '
        'https://chat/hook"; ignored',
    ]
    write_config("alerts: [bell]\n")
    assert (
        load_settings()
        .problems[0]
        .endswith(":1: alerts: must be a mapping with bell, desktop and command; ignored")
    )


def test_builtin_workflow_has_the_stakeholder_reminder():
    wf = resolve_workflow("hotfix", None)
    (r,) = wf.reminders
    assert (r.id, r.task, r.every) == ("stakeholder-update", "T002", {"P0": 1800, "P1": 3600})


MINI = """\
schema_version: 1
id: mini
name: Mini
severities:
  P0: {label: Critical, target: 1h}
phases:
  - id: only
    name: Only
    tasks:
      - id: T001
        title: Do it
reminders:
"""


def test_reminders_are_validated(tmp_path):
    p = tmp_path / "mini.yaml"
    p.write_text(
        MINI + "  - id: update\n    label: Update\n    every: {P0: 15m}\n"
        "    task: T001\n    stops_at: incident_end\n"
    )
    wf = load_workflow(p)
    assert wf.reminders == (ReminderDef("update", "Update", {"P0": 900}, "T001", "incident_end"),)
    p.write_text(
        MINI + "  - id: update\n    label: Update\n    every: {P9: 15m, P0: 2 hourz}\n"
        "    task: T404\n    stops_at: never\n    colour: red\n"
        "  - id: update\n    label: Again\n    every: {}\n"
    )
    msgs = [str(x) for x in validate_file(p)]
    want = [
        "unknown key 'colour' in reminder 1",
        "unknown severity 'P9' in reminder update every",
        "unknown unit 'hourz'",
        "unknown task 'T404' in reminder update task",
        "stops_at",
        "duplicate reminder id 'update'",
        "every is empty",
    ]
    for w in want:
        assert any(w in m for m in msgs), (w, msgs)
    assert all(m.startswith(f"{p}:") for m in msgs)


def reading_at(minutes: float) -> dispatch.Reading:
    now = T0 + timedelta(minutes=minutes)
    return dispatch.Reading("hotfix-001", "P0", WARN, sla_reading(T0, None, 3600, now, WARN), [],
                            [], now)


def a_dispatcher(
    folder: Path, minutes: float, shown: list[str], claims: Path
) -> dispatch.Dispatcher:
    d = dispatch.Dispatcher(folder, "Ana", started=T0 + timedelta(minutes=minutes),
                            log=events.read_log(folder), report=shown.append, claims=claims)
    d.add(lambda a: shown.append(a.id))
    return d


def test_a_process_shows_alerts_logged_within_the_grace_before_it_started_not_older(tmp_path):
    (a,) = due_at(45)
    alerts.record(tmp_path, a, "Bob")  # logged at 14:45:00 by another process
    for started, want in ((45.5, [a.id]), (46.0, [a.id]), (46.02, [])):
        shown: list[str] = []
        d = a_dispatcher(tmp_path, started, shown, tmp_path / "claims")
        d.dispatch(reading_at(started))
        d.dispatch(reading_at(started + 1))
        assert shown == want, started  # once at most; older than the grace (60 s): not again


def test_an_alert_waits_for_a_busy_log_and_is_logged_on_a_later_tick(repo, clock):
    import threading

    from gitfix import incident as incident_at

    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.journal import incident_lock

    folder = create_incident(repo, "Checkout is down", "P0", resolve_workflow("hotfix", repo),
                             clock=clock)
    inc = incident_at(repo, clock, str(folder.relative_to(repo)))
    shown: list[str] = []
    d = dispatch.Dispatcher.for_incident(inc, events.read_log(folder), shown.append)
    d.add(lambda a: shown.append(a.id))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # a sync of another thread holds the incident's lock
        lock = incident_lock(repo, folder)
        with lock:
            held.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    assert held.wait(30)
    try:
        d.dispatch(reading_at(30))
        assert shown == ["alert:hotfix-001:warning:0.5"]  # shown at once
        assert alerts.fired_ids(events.read_log(folder)) == set()  # not logged yet
    finally:
        release.set()
        t.join(30)
    d.dispatch(reading_at(30.02))
    assert alerts.fired_ids(events.read_log(folder)) == {"alert:hotfix-001:warning:0.5"}
    assert shown == ["alert:hotfix-001:warning:0.5"]


def test_posting_an_alert_is_logged_but_adds_no_timeline_row(repo, clock, tmp_path):
    from gitfix import incident as incident_at

    from hotfix_tui.core.creating import create_incident

    folder = create_incident(repo, "Checkout is down", "P0", resolve_workflow("hotfix", repo),
                             clock=clock)
    inc = incident_at(repo, clock, str(folder.relative_to(repo)))
    out = tmp_path / "posted.json"
    d = dispatch.Dispatcher.for_incident(inc, events.read_log(folder), pytest.fail)
    jobs: list = []
    d.command = dispatch.CommandChannel(f"cat > {out}", jobs.append, pytest.fail)
    d.dispatch(reading_at(30))
    (job,) = jobs
    job()
    assert json.loads(out.read_text())["id"] == "alert:hotfix-001:warning:0.5"
    log = events.read_log(folder)
    assert alerts.posted_ids(log) == {"alert:hotfix-001:warning:0.5"}
    assert [e.kind for e in log if e.kind.startswith("alert")] == ["alert", "alert_posted"]
    clock.advance(minutes=31)
    inc.set_done("T001")
    pm = (folder / "post-mortem.md").read_text()
    assert pm.count("Alert: hotfix-001 P0: 50% of the 1:00:00 target used") == 1
    assert "alert_posted" not in pm and "alert posted" not in pm.lower()


def test_claims_are_per_clone_shared_by_its_worktrees(repo, tmp_path):
    from gitfix import git

    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "other")
    main = dispatch.claims_dir(repo, repo / "specs")
    assert main == (repo / ".git" / "hotfix-tui" / "alerts")
    assert dispatch.claims_dir(tmp_path / "wt", tmp_path / "wt" / "specs") == main
    (a,) = due_at(30)
    assert dispatch.claim_name(a.id) == "alert_hotfix-001_warning_0.5"
    assert dispatch.claim(main, a) is True
    assert dispatch.claim(main, a) is False  # the second process of the clone does not post
    assert json.loads((main / "alert_hotfix-001_warning_0.5").read_text())["id"] == a.id


def test_an_update_marked_sent_is_undone_and_redone(repo, clock):
    from gitfix import incident as open_incident

    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record import events as evlog
    from hotfix_tui.core.workflow.loader import resolve_workflow

    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P0", wf, clock=clock)
    inc = open_incident(repo, clock)
    clock.advance(minutes=20)
    before = reminders.incident_reminders(inc, clock(), evlog.read_log(inc.folder))
    inc.reminder_sent(before[0].id, before[0].label)
    sent = reminders.incident_reminders(inc, clock(), evlog.read_log(inc.folder))
    assert sent[0].due > before[0].due  # the reminder starts again from now
    assert inc.undo_last()
    undone = reminders.incident_reminders(inc, clock(), evlog.read_log(inc.folder))
    assert [r.due for r in undone] == [r.due for r in before]
    assert inc.redo_last()
    again = reminders.incident_reminders(inc, clock(), evlog.read_log(inc.folder))
    assert [r.due for r in again] == [r.due for r in sent]
