"""Checking a reopened task in the TUI: a mis-toggle keeps its time, otherwise the app asks,
naming both times; `X` checks a task at a time the user gives."""

from __future__ import annotations

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.tui.screens.record_dialogs import RecheckScreen, TimeScreen

SIZE = (100, 40)


def started(inc) -> str | None:
    return record.get_field((inc.folder / "hotfix.md").read_text(), "Investigation Start")


async def test_an_undo_and_recheck_within_a_minute_keeps_the_time(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.advance(minutes=5)
        await pilot.press("space")  # T001 done at 14:05
        clock.advance(seconds=20)
        await pilot.press("space")  # oops
        clock.advance(seconds=20)
        await pilot.press("space")
        await pilot.pause()
        assert not isinstance(app.screen, RecheckScreen)
        assert started(incident) == "2026-11-25 14:05:00 UTC"


async def test_a_later_recheck_asks_naming_both_times(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.advance(minutes=5)
        await pilot.press("space")
        clock.advance(minutes=1)
        await pilot.press("space")  # reopened: the investigation had not started after all
        clock.advance(minutes=4)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, RecheckScreen)
        assert "14:05:00" in app.screen.question and "14:10:00" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert started(incident) == "2026-11-25 14:10:00 UTC"
        clock.advance(minutes=5)
        await pilot.press("space")  # reopen again, then keep the time on purpose
        clock.advance(minutes=5)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, RecheckScreen)
        await pilot.press("k")
        await pilot.pause()
        assert started(incident) == "2026-11-25 14:10:00 UTC"


async def test_x_checks_a_task_at_a_time_given_in_a_dialog(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.advance(minutes=30)
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, TimeScreen)
        inp = app.screen.query_one("#time-input")
        inp.value = "2026-11-25 14:12"
        await pilot.press("enter")
        await pilot.pause()
        assert started(incident) == "2026-11-25 14:12:00 UTC"
        assert incident.view.find("T001").done


async def test_x_refuses_a_time_in_the_future_and_writes_nothing(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = (incident.folder / "events.jsonl").read_text()
        await pilot.press("X")
        await pilot.pause()
        inp = app.screen.query_one("#time-input")
        inp.value = "2026-11-25 15:30"  # an hour and a half after now
        await pilot.press("enter")
        await pilot.pause()
        assert not incident.view.find("T001").done
        assert (incident.folder / "events.jsonl").read_text() == before
        said = " ".join(str(n.message) for n in app._notifications)
        assert "in the future" in said, said


async def test_the_palette_checks_a_task_at_a_time(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.advance(minutes=30)
        await pilot.press("ctrl+p", *"Check at a given")
        for _ in range(20):
            await pilot.pause()
            if app.screen.query("OptionList") and app.screen.query_one("OptionList").option_count:
                break
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TimeScreen), app.screen
        app.screen.query_one("#time-input").value = "2026-11-25 14:12"
        await pilot.press("enter")
        await pilot.pause()
        assert incident.view.find("T001").done
        assert started(incident) == "2026-11-25 14:12:00 UTC"
