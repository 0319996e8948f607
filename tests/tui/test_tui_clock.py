"""The clock is live on every screen: behind and beside every dialog, in the picker's list."""

from __future__ import annotations

import pytest
from textual.widgets import Digits, OptionList

from hotfix_tui.core.clocks import format_duration
from hotfix_tui.core.create import create_incident
from hotfix_tui.core.settings import Settings
from hotfix_tui.core.workflow import resolve_workflow
from hotfix_tui.tui.app import HotfixApp, MainScreen
from hotfix_tui.tui.widgets import ClockDock, HeaderLine, SlaPanel

SIZE = (100, 40)

# how each dialog is opened: keys pressed, or an action of the main screen
DIALOGS = {
    "help": ["question_mark"],
    "severity": ["e"],
    "skip": ["s"],
    "detection": ["d"],
    "activity": ["a"],
    "report": ["r"],
    "palette": ["ctrl+p"],
    "correct-start": ["!correct_start"],
}


async def _open(app: HotfixApp, pilot, how: list[str]) -> None:
    for k in how:
        if k.startswith("!"):
            assert app.main is not None
            await app.main.run_action(k[1:])
        else:
            await pilot.press(k)
    for _ in range(5):
        await pilot.pause()


@pytest.mark.parametrize("size", [SIZE, (80, 24), (60, 18)], ids=["100x40", "80x24", "60x18"])
@pytest.mark.parametrize("dialog", list(DIALOGS))
async def test_the_clock_ticks_every_second_over_each_dialog(
    incident, make_app, clock, dialog, size
):
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        main = app.main
        assert main is not None
        main_stats = main.query_one("#sla-stats")
        before = str(main_stats.render())
        await _open(app, pilot, DIALOGS[dialog])
        screen = app.screen
        assert not isinstance(screen, MainScreen), dialog
        dock = screen.query_one(ClockDock)
        # laid exactly over the header and the SLA panel: no dialog covers the countdown line
        top = main.query_one(HeaderLine).region.union(main.query_one(SlaPanel).region)
        assert dock.region == top
        for child in screen.children:
            if child is not dock and child.display and child.region.height:
                assert child.region.y >= dock.region.bottom, (dialog, child)
        stats = dock.query_one("#sla-stats")
        seen = set()
        for _ in range(3):
            clock.advance(seconds=1)
            app.tick()
            await pilot.pause()
            seen.add(str(stats.render()))
            if size[1] >= 20:  # under 20 rows the panel has no Digits
                remaining = main.clock_state().sla.remaining_seconds
                assert dock.query_one(Digits).value == format_duration(remaining)
        assert len(seen) == 3  # it changed every tick
        # the main screen behind is not repainted while covered; it catches up when shown
        assert str(main_stats.render()) == before
        app.pop_screen() if app.screen is screen else None
        await pilot.pause()
        assert app.screen is main
        assert str(main_stats.render()) == str(stats.render())


async def test_the_note_input_leaves_the_clock_ticking(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        digits = app.main.query_one("#sla-digits", Digits)
        for want in ("0:59:59", "0:59:58"):
            clock.advance(seconds=1)
            app.tick()
            await pilot.pause()
            assert digits.value == want


async def test_the_pickers_lines_tick(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Checkout returns 500 errors", "P0", wf, clock=clock)
    create_incident(repo, "Search is slow", "P1", wf, clock=clock)
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ol = app.screen.query_one(OptionList)

        def lines() -> list[str]:
            return [str(ol.get_option_at_index(i).prompt) for i in range(2)]

        assert "1:00:00 left" in lines()[0] and "4:00:00 left" in lines()[1]
        clock.advance(seconds=1)
        app.tick()
        await pilot.pause()
        assert "0:59:59 left" in lines()[0] and "3:59:59 left" in lines()[1]
