"""The clock dock: a live copy of the header and SLA panel on top of every dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    pass

from hotfix_tui.tui.widgets.header import HeaderLine
from hotfix_tui.tui.widgets.sla_panel import SlaPanel


class ClockDock(Widget):
    """The incident's header line and SLA panel, docked on top of a dialog's screen.

    Dialogs are modal screens; Textual repaints the whole dimmed screen behind one for any change
    there, so the clock behind stays still while this opaque copy, laid exactly over it, ticks:
    one panel repainted a second, and no dialog ever covers the countdown. The dialog's inputs get
    a steady cursor (a blinking one would repaint twice a second more).
    """

    DEFAULT_CSS = """
    ClockDock { dock: top; layout: vertical; height: auto; background: $background; }
    """

    def compose(self) -> ComposeResult:
        yield HeaderLine(classes="dock-header")
        yield SlaPanel()

    def on_mount(self) -> None:
        show = getattr(self.app, "show_clock_dock", None)
        if show is not None:
            show(self)
        self.call_after_refresh(self._steady_cursors)

    def _steady_cursors(self) -> None:
        for inp in self.screen.query(Input):
            inp.cursor_blink = False
