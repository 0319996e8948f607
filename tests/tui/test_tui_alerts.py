"""Alerts in the TUI with the injected clock: each threshold, the breach, a window's end and a
reminder fire once (toast, bell, desktop notification, command), are logged, and never again."""

from __future__ import annotations

import json

import pytest
from textual.app import App
from watchstep import SteppedWatch

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.record import events
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.tui.app import HotfixApp

SIZE = (100, 40)


class Spy:
    """What the app sent to the terminal: bells and raw writes (through the one private call)."""

    def __init__(self, app: HotfixApp, monkeypatch) -> None:
        self.bells = 0
        self.raw: list[str] = []
        monkeypatch.setattr(app, "bell", self._bell)
        driver = app._driver
        assert driver is not None
        monkeypatch.setattr(driver, "write", self.raw.append)

    def _bell(self) -> None:
        self.bells += 1


def alert_ids(inc) -> list[str]:
    return [e.id for e in events.read_log(inc.folder) if e.kind == "alert"]


def toasts(app: HotfixApp) -> list[tuple[str, str]]:
    return [(n.title or "", str(n.message)) for n in app._notifications]


async def step(app: HotfixApp, pilot, clock, **delta: float) -> None:
    clock.advance(**delta)
    app.tick()
    await pilot.pause()


def test_textual_still_has_the_private_driver_write_we_use():
    # tui/terminal_out.py writes OSC sequences through App._driver.write: fail loudly if it moves
    app = App()
    assert hasattr(app, "_driver")
    from textual.driver import Driver

    assert callable(getattr(Driver, "write", None))


async def test_each_threshold_and_the_breach_fire_once_and_are_logged(
    incident, make_app, clock, monkeypatch
):
    incident.set_detection(None, "pager")
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=29, seconds=59)
        assert alert_ids(incident) == [] and spy.bells == 0
        await step(app, pilot, clock, seconds=1)  # 50 % and the P0 stakeholder update (30 min)
        assert alert_ids(incident) == [
            "alert:hotfix-001:warning:0.5",
            "alert:hotfix-001:reminder:stakeholder-update@20261125T143000Z",
        ]
        assert spy.bells == 2
        assert ("SLA 50%", "hotfix-001 P0: 50% of the 1:00:00 target used, 0:30:00 left") in (
            toasts(app)
        )
        assert any(t == "Reminder" for t, _ in toasts(app))
        assert "\x1b]777;notify;SLA 50%;hotfix-001 P0: 50% of the 1:00:00 target used" in (
            "".join(spy.raw)
        )
        await step(app, pilot, clock, seconds=1)
        await step(app, pilot, clock, minutes=5)
        assert spy.bells == 2 and len(alert_ids(incident)) == 2  # once per crossing
        for minutes, aid in ((10, "warning:0.75"), (9, "warning:0.9"), (7, "breach:1")):
            await step(app, pilot, clock, minutes=minutes)
            assert alert_ids(incident)[-1] == f"alert:hotfix-001:{aid}", alert_ids(incident)
        assert any(t == "SLA BREACHED" for t, _ in toasts(app))
        log = {e.id: e for e in events.read_log(incident.folder)}
        ev = log["alert:hotfix-001:breach:1"]
        assert ev.kind == "alert" and ev.data["alert"] == "breach" and ev.data["threshold"] == 1.0
        assert "SLA BREACHED" in ev.data["message"]
        fired = len(alert_ids(incident))
    # a restart later than the grace (alerts logged just before a start are shown) fires nothing
    clock.advance(minutes=2)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, seconds=1)
        await step(app, pilot, clock, minutes=1)
        assert spy.bells == 0 and len(alert_ids(incident)) == fired
        assert not any(t.startswith("SLA") for t, _ in toasts(app))


async def test_a_window_ending_alerts(incident, make_app, clock, monkeypatch):
    for tid in ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010"):
        incident.set_done(tid)
    incident.set_done("T012")  # deployed: the monitoring windows open
    incident.set_done("T013")  # verified: the resolution clock stops (no SLA alerts)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, hours=2)
        assert alert_ids(incident) == []
        await step(app, pilot, clock, seconds=1)
        assert sorted(alert_ids(incident)) == [
            "alert:hotfix-001:window:active-monitoring",
            "alert:hotfix-001:window:rollback-checkpoint",
        ]
        assert spy.bells == 2
        assert any("Rollback checkpoint: the window has ended" in m for _, m in toasts(app))


async def test_bell_and_desktop_can_be_turned_off(incident, make_app, clock, monkeypatch):
    app = make_app(incident, Settings(alert_bell=False, alert_desktop=False))
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=30)
        assert len(alert_ids(incident)) == 2 and any(t == "SLA 50%" for t, _ in toasts(app))
        assert spy.bells == 0 and "\x1b]777" not in "".join(spy.raw)


async def test_alert_toasts_stay_until_esc(incident, make_app, clock, monkeypatch):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=30)
        assert any(t == "SLA 50%" for t, _ in toasts(app))
        await step(app, pilot, clock, minutes=10)  # long after a plain toast's timeout
        assert any(t == "SLA 50%" for t, _ in toasts(app))
        await pilot.press("escape")
        await pilot.pause()
        assert toasts(app) == []


async def test_the_alert_command_writes_a_file_and_failures_are_shown(
    incident, make_app, clock, monkeypatch, tmp_path
):
    out = tmp_path / "alerts.jsonl"
    app = make_app(incident, Settings(alert_command=f"cat >> {out}; echo >> {out}"))
    async with app.run_test(size=SIZE) as pilot:
        Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=30)
        await app.workers.wait_for_complete()
        lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
        assert sorted(x["kind"] for x in lines) == ["reminder", "warning"]
        warning = next(x for x in lines if x["kind"] == "warning")
        assert warning["incident"] == "hotfix-001" and warning["threshold"] == 0.5
        assert warning["remaining_seconds"] == 1800 and warning["at"] == "2026-11-25T14:30:00Z"
    app = make_app(incident, Settings(alert_command="echo no webhook >&2; exit 7"))
    async with app.run_test(size=SIZE) as pilot:
        Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=15)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("Alert command", "alert command exited with status 7: no webhook") in toasts(app)
        assert app.is_running


def windows_line(app: HotfixApp) -> str:
    assert app.main is not None
    return str(app.main.query_one("#sla-windows").render())


async def test_reminder_shown_marked_sent_and_restarted(incident, make_app, clock, monkeypatch):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=18)
        assert "next stakeholder update in 0:12:00" in windows_line(app)
        await step(app, pilot, clock, minutes=2)
        await pilot.press("U")  # the composer; sent at 14:20: the next one is due at 14:50
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        sent = [e for e in events.read_log(incident.folder) if e.kind == "reminder_sent"]
        assert [e.get("reminder") for e in sent] == ["stakeholder-update"]
        assert "State of service" in sent[0].get("text")
        assert "next stakeholder update in 0:30:00" in windows_line(app)
        await step(app, pilot, clock, minutes=10)  # 14:30: not due (it restarted)
        assert not any("reminder" in a for a in alert_ids(incident))
        await step(app, pilot, clock, minutes=20)  # 14:50: due
        assert "alert:hotfix-001:reminder:stakeholder-update@20261125T145000Z" in (
            alert_ids(incident)
        )
        assert "Stakeholder update DUE" in windows_line(app)


async def test_report_offers_to_mark_the_update_sent(incident, make_app, clock, monkeypatch):
    from hotfix_tui.tui.screens.record_dialogs import ReportScreen

    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        Spy(app, monkeypatch)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert "u marks the stakeholder update sent" in str(app.screen.query_one("Label").render())
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is app.main
        assert [e.kind for e in events.read_log(incident.folder) if e.kind != "created"] == [
            "reminder_sent"
        ]


async def test_update_sent_for_a_p2_incident_has_no_reminder(repo, clock, make_app):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Slow search", "P2", wf, clock=clock)
    inc = Incident(folder, wf, clock=clock, who="Ana", repo_root=repo)
    app = make_app(inc)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("U")
        await pilot.pause()
        await pilot.press("ctrl+s")  # an update is sent all the same: no reminder restarts
        await pilot.pause()
        said = [m for _, m in toasts(app) if "Status update sent" in m]
        assert said and "due in" not in said[0]
        assert "stakeholder" not in windows_line(app)


WARN_75 = "alert:hotfix-001:warning:0.75"
UPDATE_30 = "alert:hotfix-001:reminder:stakeholder-update@20261125T143000Z"


def posted_ids(path) -> list[str]:
    """The alert ids the command (`cat >> path`) received, once per run."""
    if not path.exists():
        return []
    return [json.loads(x)["id"] for x in path.read_text().splitlines() if x.strip()]


def a_watch(incident: Incident, clock, command: str | None = None) -> SteppedWatch:
    """`hotfix-tui watch --json` on the same clone (its own Incident, as its own process)."""
    inc = Incident(incident.folder, incident.workflow, clock=clock, who="Ana Lyst",
                   repo_root=incident.repo_root)
    settings = Settings(alert_bell=False, alert_desktop=False, alert_command=command)
    return SteppedWatch(inc, clock, settings, as_json=True).start()


@pytest.mark.parametrize("first", ["watch", "tui"])
@pytest.mark.parametrize("tui_command", [False, True], ids=["command-on-watch", "command-on-both"])
async def test_a_tui_and_a_watch_on_one_clone_both_show_each_alert_and_post_it_once(
    incident, make_app, clock, monkeypatch, tmp_path, first, tui_command
):
    out = tmp_path / "posted.jsonl"
    command = f"cat >> {out}; echo >> {out}"
    watch = a_watch(incident, clock, command)
    app = make_app(incident, Settings(alert_command=command if tui_command else None))
    try:
        async with app.run_test(size=SIZE) as pilot:
            spy = Spy(app, monkeypatch)
            await step(app, pilot, clock, seconds=1)
            clock.advance(minutes=45)  # 75 % of the P0 hour, and the 30 min stakeholder update
            if first == "watch":
                watch.step()
                await step(app, pilot, clock)
            else:
                await step(app, pilot, clock)
                watch.step()
            assert any(t == "SLA 75%" for t, _ in toasts(app)), toasts(app)
            assert any(t == "Reminder" for t, _ in toasts(app))
            assert spy.bells == 2
            assert [json.loads(x)["id"] for x in watch.lines()] == [WARN_75, UPDATE_30]
            await step(app, pilot, clock, seconds=1)  # later ticks show nothing again
            watch.step()
            assert spy.bells == 2 and len(watch.lines()) == 2
            await app.workers.wait_for_complete()
    finally:
        watch.stop()
    assert sorted(posted_ids(out)) == sorted([WARN_75, UPDATE_30])  # one post per alert
    assert alert_ids(incident) == [WARN_75, UPDATE_30]


async def test_a_tui_opened_just_after_an_alert_was_logged_elsewhere_shows_it(
    incident, make_app, clock, monkeypatch
):
    watch = a_watch(incident, clock)
    clock.advance(minutes=45)
    watch.step()
    watch.stop()
    assert WARN_75 in alert_ids(incident)
    clock.advance(seconds=20)  # the on-call engineer opens the TUI 20 s later
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, seconds=1)
        assert any(t == "SLA 75%" for t, _ in toasts(app)), toasts(app)
        assert spy.bells == 2  # the 75 % warning and the stakeholder update


async def test_a_restarted_tui_does_not_show_alerts_that_fired_before_it_again(
    incident, make_app, clock, monkeypatch
):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, minutes=45)
        assert any(t == "SLA 75%" for t, _ in toasts(app)) and spy.bells == 2
    clock.advance(minutes=2)  # longer ago than the grace: the restart keeps quiet
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        spy = Spy(app, monkeypatch)
        await step(app, pilot, clock, seconds=1)
        await step(app, pilot, clock, minutes=1)
        assert spy.bells == 0 and toasts(app) == []
        await step(app, pilot, clock, minutes=7)  # 90 %: a new alert is shown
        assert [t for t, _ in toasts(app)] == ["SLA 90%"] and spy.bells == 1
