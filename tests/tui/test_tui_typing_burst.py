"""Typing a whole dialog in one burst: every key and paste lands in the field it was aimed at.

The keys are posted to the app as a terminal delivers them (all at once, no wait between them),
so a focus move (Tab, a dialog opening) must take effect before the next key is routed."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen

SIZE = (120, 40)
NAMED = {"tab": "\t", "enter": "\r", "escape": "\x1b", "down": None, "shift+tab": None,
         "end": None, "ctrl+u": None}


class Paste:
    def __init__(self, text: str) -> None:
        self.text = text


def burst(app: HotfixApp, *items: str | Paste) -> None:
    """Post every key (a named key, or each character of a text) and paste without a pause."""
    for item in items:
        if isinstance(item, Paste):
            app.post_message(events.Paste(item.text))
        elif item in NAMED:
            app.post_message(events.Key(item, NAMED[item]))
        else:
            for ch in item:
                app.post_message(events.Key(_character_to_key(ch), ch))


def hotfix_md(incident) -> str:
    return (incident.folder / "hotfix.md").read_text(encoding="utf-8")


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()


async def test_the_detection_dialog_typed_in_one_burst_fills_each_field(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "d", "error rate 5xx > 5%", "tab", "2026-11-25 13:52", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "**Detection**: 2026-11-25 13:52:00 UTC - error rate 5xx > 5%" in hotfix_md(incident)


async def test_the_detection_dialog_takes_pastes_in_the_field_aimed_at(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "d", Paste("PagerDuty: checkout 5xx"), "tab", Paste("2026-11-25 13:41"))
        await settle(pilot)
        how = app.screen.query_one("#detection-how", Input).value
        when = app.screen.query_one("#detection-when", Input).value
        assert (how, when) == ("PagerDuty: checkout 5xx", "2026-11-25 13:41")
        burst(app, "shift+tab", "end", "!", "enter")  # a field focused again selects all
        await settle(pilot)
        assert "**Detection**: 2026-11-25 13:41:00 UTC - PagerDuty: checkout 5xx!" in (
            hotfix_md(incident))


async def test_a_skip_reason_typed_right_after_s_is_the_reason(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "j", "s", "IC already paged", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        tasks = (incident.folder / "tasks.md").read_text(encoding="utf-8")
        assert "Ana Lyst): IC already paged" in tasks


async def test_the_time_dialog_typed_in_one_burst_gets_the_time(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert "**Incident Start**: 2026-11-25 14:00:00 UTC" in start
        await app.main.run_action("correct_start")
        # clear the time shown, type the new one, save, and answer the confirmation it asks
        burst(app, "ctrl+u", "2026-11-25 13:30", "enter", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "**Incident Start**: 2026-11-25 13:30:00 UTC" in hotfix_md(incident)


async def test_the_new_incident_dialog_typed_in_one_burst(repo, clock):
    from hotfix_tui.core.config.settings import Settings

    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "n", "Payments timing out", "enter", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        folder = repo / "specs" / "hotfix" / "001-payments-timing-out"
        assert "**Severity**: P1" in (folder / "tasks.md").read_text(encoding="utf-8")


async def test_the_time_typed_right_after_tab_goes_to_when(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        burst(app, "error rate 5xx > 5%", "tab", "2026-11-25 13:52")
        await settle(pilot)
        assert app.screen.query_one("#detection-how", Input).value == "error rate 5xx > 5%"
        assert app.screen.query_one("#detection-when", Input).value == "2026-11-25 13:52"
