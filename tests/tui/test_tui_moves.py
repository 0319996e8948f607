"""Moving through the checklist: `g` to the first open task at or after the cursor, the cursor
moving on after a check, `ctrl+r` redoing, and every action (unskip included) undoing."""

from __future__ import annotations

from conftest import drawn

from hotfix_tui.core.config.settings import Settings

SIZE = (100, 40)


def cursor(app) -> str | None:
    return app.screen.cursor


async def test_g_stays_on_the_open_task_under_the_cursor(incident, make_app):
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T003")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert cursor(app) == "t:T003"
        await pilot.press("g", "x")  # g then check: the open task under the cursor is checked
        await pilot.pause()
        assert incident.view.find("T003").done and not incident.view.find("T004").done


async def test_g_from_a_done_task_goes_to_the_next_open_one(incident, make_app):
    incident.set_done("T003")
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T003")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert cursor(app) == "t:T004"


async def test_the_cursor_moves_to_the_next_open_task_after_a_check(incident, make_app):
    incident.set_done("T002")
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T001")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert incident.view.find("T001").done
        assert cursor(app) == "t:T003"  # T002 is done already
        await pilot.press("space")
        await pilot.pause()
        assert incident.view.find("T003").done  # two quick presses do not undo each other


async def test_with_advance_after_check_off_the_cursor_stays(incident, make_app):
    app = make_app(incident, Settings(advance_after_check=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T001")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert cursor(app) == "t:T001"


async def test_ctrl_r_redoes_what_u_undid(incident, make_app):
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T001")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert not incident.view.find("T001").done
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert incident.view.find("T001").done
        await pilot.press("u")  # the redo is itself undone
        await pilot.pause()
        assert not incident.view.find("T001").done


async def test_an_unskip_is_undone_and_the_reason_shows_again(incident, make_app):
    incident.skip("T004", "no feature flag for checkout")
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.reveal("T004")
        await pilot.pause()
        await pilot.press("s")  # on a skipped task: unskip
        await pilot.pause()
        assert incident.view.find("T004").skip is None
        await pilot.press("u")
        await pilot.pause()
        assert incident.view.find("T004").skip is not None
        row = app.screen.current_task()
        assert row is not None and row.key == "T004"
        assert row.view.skipped is not None
        assert "no feature flag for checkout" in drawn(app, "t:T004")
        await pilot.press("ctrl+r", "u")  # unskipped again, and that undone too
        await pilot.pause()
        assert "no feature flag for checkout" in drawn(app, "t:T004")


async def test_the_undo_toast_says_what_the_state_is_now(incident, make_app):
    app = make_app(incident, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        incident.set_severity("P1")
        await pilot.press("u")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert "undone: severity back to P0" in said, said
