"""`hotfix-tui watch` with a workflow whose P0 target is 20 s, on an injected clock (no sleeping),
and `hotfix-tui remind-done`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from gitfix import FOLDER, run, team
from watchstep import SteppedWatch

from hotfix_tui import cli_watch
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import events
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.sync import sync
from hotfix_tui.core.workflow.loader import resolve_workflow

FAST = """\
schema_version: 1
id: hotfix
name: Fast hotfix
severities:
  P0: {label: "Critical", target: 20s, color: red}
statuses: [Investigating, Resolved]
clock: {starts_at: incident_start, stops_at: incident_end, warnings: [0.5, 0.75, 0.9]}
reminders:
  - id: stakeholder-update
    label: Stakeholder update
    every: {P0: 12s}
phases:
  - id: only
    name: Only
    tasks:
      - id: T001
        title: Fix it
        on_done: {events: [incident_end], status: Resolved}
"""


@pytest.fixture
def fast(repo: Path, clock) -> Incident:
    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    (repo / ".hotfix" / "workflows" / "hotfix.yaml").write_text(FAST, encoding="utf-8")
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout is down", "P0", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def watch(
    inc: Incident, clock, settings: Settings | None = None, resolve_at: int = 30, **kw
) -> tuple[int, list[str], str, int]:
    """Run the loop; the injected sleep advances the clock and resolves the incident later."""
    out, err = io.StringIO(), io.StringIO()
    ticks = 0
    other = Incident(inc.folder, inc.workflow, clock=clock, who="Bob", repo_root=inc.repo_root)

    def sleep(seconds: float) -> None:
        nonlocal ticks
        ticks += 1
        clock.advance(seconds=seconds)
        if ticks == resolve_at:
            other.set_done("T001")  # another engineer resolves it: the loop sees the file
        assert ticks < 100, "the loop did not stop"

    code = cli_watch.watch_loop(
        inc,
        settings or Settings(alert_bell=False, alert_desktop=False),
        out=out,
        err=err,
        clock=clock,
        sleep=sleep,
        **kw,
    )
    return code, out.getvalue().splitlines(), err.getvalue(), ticks


def test_watch_json_prints_each_alert_once_and_exits_when_resolved(fast, clock):
    code, lines, err, ticks = watch(fast, clock, as_json=True)
    assert code == 0 and err == "" and ticks == 30
    objs = [json.loads(x) for x in lines]
    assert [(o["kind"], o["threshold"], o["at"][11:19]) for o in objs] == [
        ("warning", 0.5, "14:00:10"),
        ("reminder", "stakeholder-update", "14:00:12"),
        ("warning", 0.75, "14:00:15"),
        ("warning", 0.9, "14:00:18"),
        ("breach", 1.0, "14:00:21"),
    ]  # the reminder stays due (not again) until marked done
    assert all(o["incident"] == "hotfix-001" and o["severity"] == "P0" for o in objs)
    assert objs[0]["remaining_seconds"] == 10 and objs[4]["remaining_seconds"] == -1
    logged = [e.id for e in events.read_log(fast.folder) if e.kind == "alert"]
    assert logged == [o["id"] for o in objs]
    # a second watch (a restart, later than the grace) fires nothing again
    clock.advance(minutes=2)
    fast.set_done("T001", False)
    code, lines, _, _ = watch(fast, clock, as_json=True, resolve_at=3)
    assert code == 0 and lines == []


def test_watch_prints_a_line_a_second_or_only_alerts(fast, clock):
    code, lines, _, _ = watch(fast, clock, resolve_at=12)
    assert code == 0
    assert lines[0] == "14:00:00 hotfix-001 P0 | 0:00:20 left (0%) [ok]"
    assert "ALERT SLA 50%: hotfix-001 P0: 50% of the 0:00:20 target used, 0:00:10 left" in lines
    assert lines[-1] == "hotfix-001 is Resolved"
    code, lines, _, _ = watch(fast, clock, quiet=True, resolve_at=3)
    assert lines == ["hotfix-001 is Resolved"]


def test_watch_rings_the_terminal_and_runs_the_command(fast, clock, tmp_path):
    out = tmp_path / "alerts.jsonl"
    terminal = io.StringIO()
    settings = Settings(alert_command=f"cat >> {out}; echo >> {out}")
    code, _, err, _ = watch(fast, clock, settings, resolve_at=11, quiet=True, terminal=terminal)
    assert code == 0 and err == ""
    assert terminal.getvalue().count("\a") == 1  # the 50 % alert at 10 s
    assert "\x1b]777;notify;SLA 50%;" in terminal.getvalue()
    (alert,) = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert alert["kind"] == "warning" and alert["threshold"] == 0.5


def test_a_failing_command_is_reported_not_fatal(fast, clock):
    settings = Settings(alert_bell=False, alert_desktop=False, alert_command="exit 9")
    code, _, err, ticks = watch(fast, clock, settings, resolve_at=16, quiet=True)
    assert code == 0 and ticks == 16
    assert err.count("alert command exited with status 9") == 3  # 50 %, reminder, 75 %


def test_watch_cli_on_a_resolved_incident_exits_0(fast, capsys, monkeypatch):
    fast.set_done("T001")
    monkeypatch.setattr(cli_watch, "SLEEP", lambda s: pytest.fail("slept"))
    code, out, err = run(capsys, "watch", str(fast.folder), "--json")
    assert (code, out, err) == (0, "", "")


def test_remind_done_logs_and_restarts(fast, capsys, monkeypatch, clock):
    monkeypatch.setattr(cli_watch, "CLOCK", clock)
    clock.advance(seconds=5)
    code, out, _ = run(capsys, "remind-done", "--spec", str(fast.folder))
    assert code == 0 and out == "Stakeholder update done; the next one is due in 0:00:12\n"
    (ev,) = [e for e in events.read_log(fast.folder) if e.kind != "created"]
    assert ev.kind == "reminder_sent" and ev.data == {"reminder": "stakeholder-update"}
    assert ev.happened.startswith("2026-11-25T14:00:05")
    code, _, err = run(capsys, "remind-done", "status-page", "--spec", str(fast.folder))
    assert code == 1 and "no running reminder 'status-page' (reminders: stakeholder-update)" in err


def stepped(inc: Incident, clock, command: str | None) -> SteppedWatch:
    """A `watch --json` process of its own on the incident's clone, started now."""
    own = Incident(inc.folder, inc.workflow, clock=clock, who=inc.who, repo_root=inc.repo_root)
    settings = Settings(alert_bell=False, alert_desktop=False, alert_command=command)
    return SteppedWatch(own, clock, settings, as_json=True).start()


def posted(path: Path) -> list[str]:
    """The alert ids the command (`cat >> path`) received, once per run."""
    if not path.exists():
        return []
    return [json.loads(x)["id"] for x in path.read_text().splitlines() if x.strip()]


def printed(w: SteppedWatch) -> list[str]:
    return [json.loads(x)["id"] for x in w.lines()]


ALERTS_FAST = [
    "alert:hotfix-001:warning:0.5",
    "alert:hotfix-001:reminder:stakeholder-update@20261125T140012Z",
    "alert:hotfix-001:warning:0.75",
    "alert:hotfix-001:warning:0.9",
    "alert:hotfix-001:breach:1",
]


def test_two_watches_on_one_clone_both_print_each_alert_and_post_it_once(fast, clock, tmp_path):
    out = tmp_path / "posted.jsonl"
    command = f"cat >> {out}; echo >> {out}"
    a, b = stepped(fast, clock, command), stepped(fast, clock, command)
    try:
        for second in range(22):
            clock.advance(seconds=1)
            (a, b)[second % 2].step()  # each second a different one ticks first
            (b, a)[second % 2].step()
    finally:
        a.stop()
        b.stop()
    assert printed(a) == printed(b) == ALERTS_FAST
    assert sorted(posted(out)) == sorted(ALERTS_FAST)
    assert a.err.getvalue() == b.err.getvalue() == ""


def test_the_claim_under_git_stops_a_second_run_when_the_log_does_not_say_posted(
    fast, clock, tmp_path
):
    out = tmp_path / "posted.jsonl"
    command = f"cat >> {out}; echo >> {out}"
    a, b = stepped(fast, clock, command), stepped(fast, clock, command)
    try:
        clock.advance(seconds=10)
        a.step()
        log = fast.folder / events.LOG  # as if a ran the command and was killed before logging it
        kept = [x for x in log.read_text().splitlines(True) if '"alert_posted"' not in x]
        log.write_text("".join(kept))
        b.step()
    finally:
        a.stop()
        b.stop()
    assert printed(a) == printed(b) == ["alert:hotfix-001:warning:0.5"]
    assert posted(out) == ["alert:hotfix-001:warning:0.5"]


def test_a_clone_that_synced_an_alert_posted_elsewhere_shows_it_and_does_not_post_it_again(
    tmp_path, clock
):
    _, alice, bob = team(tmp_path, clock)
    wf = resolve_workflow("hotfix", alice)
    on_a = Incident(alice / FOLDER, wf, clock=clock, who="Alice Doe", repo_root=alice)
    on_b = Incident(bob / FOLDER, wf, clock=clock, who="Bob Roe", repo_root=bob)
    out_a, out_b = tmp_path / "posted-a.jsonl", tmp_path / "posted-b.jsonl"
    wa = stepped(on_a, clock, f"cat >> {out_a}; echo >> {out_a}")
    wb = stepped(on_b, clock, f"cat >> {out_b}; echo >> {out_b}")
    try:
        clock.advance(hours=3)  # 75 % of the P1 target (4 h); the hourly update is due
        wa.step()
        sync(alice, on_a.folder, on_a)
        sync(bob, on_b.folder, on_b)
        wb.step()
    finally:
        wa.stop()
        wb.stop()
    due = ["alert:hotfix-001:warning:0.75", "alert:hotfix-001:reminder:stakeholder-update@"
           "20261125T150000Z"]
    assert printed(wa) == printed(wb) == due  # Bob's watch shows them
    assert sorted(posted(out_a)) == sorted(due) and posted(out_b) == []  # posted once
