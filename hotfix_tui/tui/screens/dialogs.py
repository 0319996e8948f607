"""Modal screens: skip reason, severity change, help, incident picker and new-incident form.

Every dialog has the incident's clock dock on top (see `ClockDock`), the palette too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from hotfix_tui.tui.host import host
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.footer import KeyFooter
from hotfix_tui.tui.widgets.text import STATE_STYLE, clean, severity_color

if TYPE_CHECKING:
    from hotfix_tui.core.joining import Elsewhere


class SkipScreen(ModalScreen[str | None]):
    """Ask why a task is skipped; dismisses with the reason or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, task_label: str) -> None:
        super().__init__()
        self.task_label = task_label

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="dialog"):
            yield Label(Text(f"Skip {clean(self.task_label)}", style="bold"))
            yield Input(placeholder="reason (enter to skip, esc to cancel)", id="skip-reason")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value)
        else:
            self.notify("a skip needs a reason", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class SeverityChoice:
    id: str
    label: str
    target: str
    color: str


class SeverityScreen(ModalScreen[str | None]):
    """Pick a severity, then confirm the change; dismisses with the new severity or None.

    While confirming: `y` or `enter` confirms, `n` or `esc` goes back to the list (a second
    `esc` closes the dialog)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("y", "confirm", "Yes", id="modal.yes", show=False),
        Binding("n", "cancel", "No", id="modal.no", show=False),
    ]

    def __init__(self, current: str | None, choices: list[SeverityChoice]) -> None:
        super().__init__()
        self.current = current
        self.choices = choices
        self.picked: str | None = None

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="dialog"):
            yield Label(Text(f"Change severity (now {self.current or '?'})", style="bold"))
            opts = []
            for c in self.choices:
                t = Text()
                t.append(f" {c.id} ", style=f"bold black on {severity_color(c.id, c.color)}")
                t.append(f" {clean(c.label)}  target {c.target}")
                if c.id == self.current:
                    t.append("  (current)", style="dim")
                opts.append(Option(t, id=c.id))
            yield OptionList(*opts, id="severity-list")
            yield Static(id="severity-confirm")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [c.id for c in self.choices]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        sev = event.option.id
        if self.picked is not None and sev == self.picked:
            self.action_confirm()  # enter on the asked-about severity confirms, like y
            return
        if sev == self.current:
            self.notify(f"severity is already {sev}")
            return
        self.picked = sev
        c = next(c for c in self.choices if c.id == sev)
        self.query_one("#severity-confirm", Static).update(
            Text.assemble(
                (f"Change {self.current or '?'} → {sev}? ", "bold"),
                f"The SLA target becomes {c.target}; applicable tasks change. ",
                ("y", "bold reverse"), "/", ("enter", "bold reverse"), " yes  ",
                ("n", "bold reverse"), "/", ("esc", "bold reverse"), " no",
            )
        )
        self.add_class("-confirming")

    def action_confirm(self) -> None:
        if self.picked:
            self.dismiss(self.picked)

    def action_cancel(self) -> None:
        if self.picked:
            self.picked = None
            self.remove_class("-confirming")
            self.query_one("#severity-confirm", Static).update("")
            return
        self.dismiss(None)


class StatusScreen(ModalScreen[str | None]):
    """Pick the incident's status among its workflow's; dismisses with it or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, current: str, statuses: list[str]) -> None:
        super().__init__()
        self.current = current
        self.statuses = statuses

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="dialog"):
            yield Label(Text(f"Set status (now {clean(self.current or '?')})", style="bold"))
            yield OptionList(*[Option(Text(clean(s)), id=str(i))
                               for i, s in enumerate(self.statuses)], id="status-list")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        if self.current in self.statuses:
            ol.highlighted = self.statuses.index(self.current)
        ol.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.statuses[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every binding with its current keys (after the user's keymap)."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield ClockDock()
        t = Text()
        t.append("hotfix-tui keys\n\n", style="bold")
        width = max((len(k) for k, _, _ in self.rows), default=8) + 2
        titles = max((len(d) for _, d, _ in self.rows), default=32) + 2  # never into the id
        for keys, desc, bid in self.rows:
            t.append(keys.ljust(width), style="bold cyan")
            t.append(desc.ljust(titles))
            t.append(bid, style="dim")
            t.append("\n")
        t.append("\nRemap keys in config.yaml under `keymap:` by binding id.  esc closes.",
                 style="dim")
        with VerticalScroll(classes="dialog help"):
            yield Static(t, id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass
class PickItem:
    folder: Path
    label: Text
    relabel: Callable[[], Text] | None = None  # the label now (its SLA clock moves)
    join: Elsewhere | None = None  # on another branch: enter switches there (after asking)




def incident_label(hid: str, title: str, severity: str | None, sev_color: str, status: str,
                   sla: object | None, mine: str = "") -> Text:
    """A picker line: ID, severity (coloured), status, SLA state, what of it is mine (`★ IC,
    2 tasks`), title (all as text)."""
    from hotfix_tui.core.clocks import format_duration

    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(clean(hid), style="bold")
    t.append("  ")
    t.append(f" {clean(severity or '?')} ",
             style=f"bold black on {severity_color(severity, sev_color)}" if severity else "dim")
    t.append(f"  {clean(status or '?'):<20} ")
    state = getattr(sla, "state", None)
    if sla is None or state is None:
        what = "no SLA clock"
    elif state == "not-started":
        what = "SLA not started"
    elif getattr(sla, "stopped", False):
        what = f"SLA {state} ({format_duration(sla.elapsed_seconds)})"  # type: ignore[attr-defined]
    elif state == "breached":
        what = f"✖ breached by {format_duration(-sla.remaining_seconds)}"  # type: ignore[attr-defined]
    else:
        mark = "●" if state == "ok" else "▲"
        what = f"{mark} {format_duration(sla.remaining_seconds)} left"  # type: ignore[attr-defined]
    t.append(f"{what:<20}", style=STATE_STYLE.get(state or "", "dim"))
    t.append(" ")
    if mine:
        t.append(f"★ {clean(mine)}  ", style="bold yellow")
    t.append(clean(title))
    return t


class PickerScreen(Screen[Path | str | None]):
    """Choose one of the repo's incidents, or declare a new one."""

    BINDINGS = [
        Binding("n", "new", "New incident", id="picker.new"),
        Binding("o", "overview", "Overview (every branch)", id="picker.overview"),
        Binding("q,escape", "quit_picker", "Quit", id="picker.quit"),
    ]

    def __init__(self, items: list[PickItem], root: Path | None) -> None:
        super().__init__()
        self.items = items
        self.root = root

    def compose(self) -> ComposeResult:
        head = Text(" hotfix-tui: choose an incident", style="bold reverse")
        if any(it.join is not None for it in self.items):
            head.append("  (one on another branch: enter switches to its branch, after asking)",
                        style="reverse")
        yield Static(head, id="picker-head")
        opts = [Option(it.label, id=str(i)) for i, it in enumerate(self.items)]
        opts.append(Option(Text("+ Declare a new incident…", style="bold green"), id="new"))
        yield OptionList(*opts, id="picker-list")
        yield KeyFooter()

    def tick_clocks(self) -> None:
        """Every second: each incident's line again, where its SLA clock changed it."""
        ol = self.query_one(OptionList)
        for i, it in enumerate(self.items):
            if it.relabel is None:
                continue
            label = it.relabel()
            if label.plain != it.label.plain:
                it.label = label
                ol.replace_option_prompt_at_index(i, label)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "new":
            self.action_new()
            return
        item = self.items[int(event.option.id or 0)]
        if item.join is None:
            self.dismiss(item.folder)
            return
        from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen

        x = item.join
        tracking = "" if x.local else f", a local branch tracking {x.source}"
        question = (f"Join {x.id}? This switches the work tree to {x.branch}{tracking} "
                    f"({x.switch}).")

        def answered(yes: bool | None) -> None:
            if yes:
                self._switch(item)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exclusive=True, group="picker-git", exit_on_error=False)
    def _switch(self, item: PickItem) -> None:
        from hotfix_tui.core.errors import UserError
        from hotfix_tui.core.joining import join

        assert item.join is not None and self.root is not None
        try:
            join(self.root, item.join)
            error = None
        except UserError as exc:
            error = str(exc)
        self.app.call_from_thread(self._switched, item, error)

    def _switched(self, item: PickItem, error: str | None) -> None:
        if error is not None:
            self.notify(clean(error), severity="error", title="Join", markup=False, timeout=10)
            return
        x = item.join
        if x is not None:
            self.notify(clean(f"switched to {x.branch}"), title=f"Joined {x.id}", markup=False)
        self.dismiss(item.folder)

    def action_new(self) -> None:
        self.dismiss("new")

    def action_overview(self) -> None:
        host(self.app).show_overview()

    def action_quit_picker(self) -> None:
        self.dismiss(None)


class NewIncidentScreen(ModalScreen[tuple[str, str] | None]):
    """Description and severity of a new incident; dismisses with them or None.

    Up and down in the description already move in the severity list (and go there), so a key
    typed right after enter is never lost."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("down", "severity(1)", "Next severity", show=False, id="new.down"),
        Binding("up", "severity(-1)", "Previous severity", show=False, id="new.up"),
    ]

    DEFAULT_CSS = """
    NewIncidentScreen #new-severity:focus { border: tall $accent; }
    NewIncidentScreen #new-description:focus { border: tall $accent; }
    """

    def __init__(self, severities: list[SeverityChoice]) -> None:
        super().__init__()
        self.severities = severities

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="dialog"):
            yield Label(Text("Declare a new incident", style="bold"))
            yield Input(placeholder="what is broken, in a few words", id="new-description")
            opts = []
            for c in self.severities:
                t = Text()
                t.append(f" {c.id} ", style=f"bold black on {severity_color(c.id, c.color)}")
                t.append(f" {clean(c.label)}  target {c.target}")
                opts.append(Option(t, id=c.id))
            yield OptionList(*opts, id="new-severity")
            yield Button("Declare", id="new-create", variant="error")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(Input.Submitted)
    def to_severity(self) -> None:
        self.query_one(OptionList).focus()

    def action_severity(self, delta: int) -> None:
        ol = self.query_one(OptionList)
        ol.focus()
        if delta > 0:
            ol.action_cursor_down()
        else:
            ol.action_cursor_up()

    @on(OptionList.OptionSelected)
    @on(Button.Pressed)
    def create(self) -> None:
        desc = self.query_one(Input).value.strip()
        if not desc:
            self.notify("say in a few words what is broken", severity="warning")
            self.query_one(Input).focus()
            return
        ol = self.query_one(OptionList)
        idx = ol.highlighted or 0
        self.dismiss((desc, self.severities[idx].id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ClockedPalette(CommandPalette):
    """Textual's command palette with the incident's clock dock on top."""

    DEFAULT_CSS = """
    ClockedPalette > #--container { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield ClockDock()
        yield from super().compose()
