"""Dialogs of who does what: a name for a role or a task, the roles to give, and the status
update composer (the workflow's template filled in, edited, then sent)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from hotfix_tui.tui.screens.record_dialogs import MODAL_CSS
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.text import clean

TEAM_CSS = MODAL_CSS.replace("CommandsScreen {", "CommandsScreen, NameScreen, RoleScreen, "
                             "UpdateScreen {") + """
.record-dialog.update { width: 90; height: 1fr; }
#update-text { height: 1fr; }
#role-list { height: auto; max-height: 8; margin: 1 0; }
"""


class NameScreen(ModalScreen[str | None]):
    """Ask for a person's name (empty: nobody); dismisses with the name or None (cancelled)."""

    DEFAULT_CSS = TEAM_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.hint = title, value, hint

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Label(Text(clean(self.title_text), style="bold"))
            if self.hint:
                yield Label(Text(clean(self.hint), style="dim"))
            yield Input(self.value, placeholder="a name (enter saves, empty: nobody, esc "
                        "cancels)", id="name-input")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class RoleScreen(ModalScreen[str | None]):
    """The roles and who holds each; dismisses with the role chosen or None."""

    DEFAULT_CSS = TEAM_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, roles: list[tuple[str, str, str | None]], handing: str = "") -> None:
        super().__init__()
        self.roles, self.handing = roles, handing  # (id, label, holder)

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Label(Text("Give a role (enter chooses, esc cancels)", style="bold"))
            options = []
            for rid, label, holder in self.roles:
                line = Text(f"{clean(label)}: ", style="bold")
                line.append(clean(holder or "nobody"), style="" if holder else "dim italic")
                if rid == "commander" and self.handing:
                    line.append(f"  -> {clean(self.handing)} (handing over)", style="yellow")
                options.append(Option(line, id=rid))
            yield OptionList(*options, id="role-list")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class UpdateScreen(ModalScreen[str | None]):
    """The status update composer: the template filled in, editable; ctrl+s sends it (empty:
    marked sent without text), esc cancels."""

    DEFAULT_CSS = TEAM_CSS
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="update.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="update.cancel"),
    ]

    def __init__(self, text: str, reminder: str = "") -> None:
        super().__init__()
        self.text, self.reminder = text, reminder

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # here, not at start-up

        yield ClockDock()
        with Vertical(classes="record-dialog update"):
            head = Text("Status update  (", style="bold")
            head.append("ctrl+s", style="bold reverse")
            head.append(" sends · esc cancels)")
            yield Label(head)
            if self.reminder:
                yield Label(Text(f"sending restarts the {clean(self.reminder).lower()}; "
                                 "empty: only marked sent", style="dim"))  # fits 80 columns
            yield TextArea(self.text, id="update-text", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        self.query_one("#update-text").focus()

    def action_send(self) -> None:
        from textual.widgets import TextArea

        self.dismiss(self.query_one("#update-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
