"""The key footer: one widget draws the keys as Textual's Footer pads them, and runs a click."""

from __future__ import annotations

from test_tui_app import is_checked, main
from textual.app import App, ComposeResult
from textual.binding import Binding

from hotfix_tui.tui.widgets.footer import KeyFooter

SIZE = (100, 40)


def footer(app) -> KeyFooter:
    return app.screen.query_one(KeyFooter)


async def test_wide_footer_pads_keys_and_puts_the_palette_at_the_right_end(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        f = footer(app)
        line = f.render().plain
        assert line.startswith(" space Done  g Next open  s Skip  n Note "), line
        assert line.endswith("▏^p palette ") and len(line) == 100, line
        assert [k.action for k in f.shown][-1] == "command_palette"


async def test_narrow_footer_is_compact_and_leaves_keys_out(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = footer(app).render().plain
        assert line.startswith("space Done g Next open s Skip n Note u Undo / Filter "), line
        assert "Severity" not in line and len(line) == 80  # the lowest priority goes first


async def test_a_click_on_a_key_runs_it(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert main(app).cursor == "t:T001" and not is_checked(incident, "T001")
        f = footer(app)
        start = next(s for s, _e, k in f.regions if k.action == "toggle_done")
        await pilot.click(KeyFooter, offset=(start + 2, 0))
        await pilot.pause()
        assert is_checked(incident, "T001")
        help_at = next(s for s, _e, k in f.regions if k.action == "help")
        await pilot.click(KeyFooter, offset=(help_at + 1, 0))
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"


async def test_the_footer_follows_the_focus_and_the_width(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert {k.action for k in footer(app).shown} == {"submit", "screen.clear_filter"}
        await pilot.press("escape")
        await pilot.pause()
        assert "toggle_done" in {k.action for k in footer(app).shown}
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        drawn = {k.action for _s, _e, k in footer(app).regions}
        assert footer(app).compact and "severity" not in drawn and "filter" in drawn
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        drawn = {k.action for _s, _e, k in footer(app).regions}
        assert not footer(app).compact and "severity" in drawn


class _Small(App[None]):
    """A bare app with one enabled and one disabled key, and the footer."""

    BINDINGS = [Binding("a", "add", "Add"), Binding("d", "drop", "Drop", tooltip="Drop it")]

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "drop" else True  # None: shown, disabled

    def action_add(self) -> None:
        self.ran.append("add")

    def action_drop(self) -> None:
        self.ran.append("drop")

    def bell(self) -> None:
        self.bells += 1


async def test_a_disabled_key_is_dim_and_rings_the_bell_hover_shows_its_tooltip():
    app = _Small()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        f = app.query_one(KeyFooter)
        keys = {k.action: k for k in f.shown}
        assert keys["add"].enabled and not keys["drop"].enabled
        text = f.render()
        drop = next((s, e) for s, e, k in f.regions if k.action == "drop")
        dim = [sp for sp in text.spans if sp.start >= drop[0] and sp.end <= drop[1]]
        assert dim and all(sp.style.dim for sp in dim)  # type: ignore[union-attr]
        await pilot.click(KeyFooter, offset=(drop[0] + 1, 0))
        add = next(s for s, _e, k in f.regions if k.action == "add")
        await pilot.click(KeyFooter, offset=(add + 1, 0))
        await pilot.pause()
        assert app.ran == ["add"] and app.bells == 1
        await pilot.hover(KeyFooter, offset=(drop[0] + 1, 0))
        await pilot.pause()
        assert f.tooltip == "Drop it"
        await pilot.hover(KeyFooter, offset=(30, 0))  # between the keys and the palette
        assert f.tooltip is None


async def test_keys_that_do_not_fit_padded_are_drawn_compact_and_a_tiny_footer_keeps_keys():
    app = _Small()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        f = app.query_one(KeyFooter)
        assert f.render().plain.startswith(" a Add  d Drop ")  # room enough: padded
        await pilot.resize_terminal(24, 5)
        await pilot.pause()
        assert f.render().plain == "a Add d Drop ▏^p palette"  # compact, the palette still there
        await pilot.resize_terminal(9, 5)
        await pilot.pause()
        assert f.render().plain == "a Add d D"  # no room for the palette: the keys, cropped


async def test_at_80_columns_the_footer_keeps_the_keys_that_matter_most(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        f = footer(app)
        line = f.render().plain
        drawn = {k.action for _s, _e, k in f.regions}
        for action in ("toggle_done", "next_open", "filter", "help", "app.quit",
                       "command_palette"):
            assert action in drawn, (action, line)
        assert len(line) == 80 and line.rstrip().endswith("^p palette"), line
