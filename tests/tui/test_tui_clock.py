"""The clock is live on every screen: behind and beside every dialog, in the picker's list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Digits, OptionList

from hotfix_tui.core.clocks import format_duration
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.header import HeaderLine
from hotfix_tui.tui.widgets.sla_panel import SlaPanel

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
    create_incident(repo, "Search is slow", "P1", wf, clock=clock, branch=False)
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


# --- colour per state, with words too ---------------------------------------------------------

STATES = [
    (12, "ok", "● OK"),
    (35, "warning", "▲ WARNING"),
    (46, "warning", "▲ WARNING"),
    (55, "critical", "▲▲ CRITICAL"),
    (71, "breached", "✖ BREACHED"),
]


@pytest.mark.parametrize("theme", ["textual-dark", "nord", "gruvbox"])
async def test_each_state_has_its_colour_and_word(incident, clock, theme):
    from textual.color import Color

    seen = {}
    app = HotfixApp(
        incident, root=incident.repo_root, clock=clock, settings=Settings(theme=theme), watch=False
    )
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.query_one(SlaPanel)
        digits = panel.query_one(Digits)
        for minutes, state, word in STATES:
            clock.t = clock.t.replace(hour=14, minute=0) + timedelta(minutes=minutes)
            app.tick()
            await pilot.pause()
            assert panel.has_class(f"-{state}")
            assert str(panel.query_one("#sla-stats").render()).startswith(f" {word} ")
            style = digits.rich_style
            fg = Color.from_rich_color(style.color)
            bg = Color.from_rich_color(style.bgcolor)
            seen[minutes] = (fg, bg, style.bold)
        colors = app.theme_variables
        assert seen[12][0] == Color.parse(colors["success"])
        assert seen[35][0] == Color.parse(colors["warning"]) == seen[46][0]
        assert seen[55][0] == Color.parse(colors["error-lighten-2"]) and seen[55][2]
        fg, bg, bold = seen[71]  # breached: reversed on the error colour, bold
        assert bg == Color.parse(colors["error"]) and bold
        assert fg.brightness >= seen[12][0].brightness  # never dimmer than ok
        assert len({seen[m][:2] for m in (12, 35, 55, 71)}) == 4  # all distinct


async def test_met_is_its_own_colour_and_word(incident, clock):
    for tid in ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012"):
        incident.set_done(tid)
    clock.advance(minutes=40)
    incident.set_done("T013")
    app = HotfixApp(
        incident, root=incident.repo_root, clock=clock, settings=Settings(), watch=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.query_one(SlaPanel)
        assert panel.has_class("-met")
        assert str(panel.query_one("#sla-stats").render()).startswith(" ✔ SLA met ")


def test_severity_badges_use_the_workflows_colours():
    from hotfix_tui.core.workflow.loader import resolve_workflow
    from hotfix_tui.tui.widgets.text import severity_color

    wf = resolve_workflow("hotfix", None)
    got = {s.id: severity_color(s.id, s.color) for s in wf.severities}
    assert got == {"P0": "#ff4d4f", "P1": "#e09000", "P2": "#ffd60a"}  # red, orange, yellow
    assert severity_color("SEV1", "#123456") == "#123456"
