"""Modal screens of the git-native record: confirmations, detection, start correction,
fix-commit picker, activity (the post-mortem timeline) and the hand-over report.

Every text read from the repository (commit subjects, log rows, the report) is shown as
`Text` after `clean()`, or in a read-only TextArea: never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from hotfix_tui.core.clocks import parse_time
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.reports.commands import CopyCommand
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.text import clean

TIME_HINT = "YYYY-MM-DD HH:MM"

MODAL_CSS = """
ConfirmScreen, DetectionScreen, TimeScreen, RecheckScreen, CommitPickerScreen, ActivityScreen,
ReportScreen, CommandsScreen {
    align: center top;
}
.record-dialog {
    width: 72;
    max-width: 95%;
    height: auto;
    max-height: 100%;
    margin: 1 0 7 0;  /* right under the clock dock; toasts (bottom right) stay clear */
    padding: 1 2;
    border: thick $primary;
    background: $surface;
}
"""


def parse_when(text: str) -> datetime | None:
    """A UTC time typed as `YYYY-MM-DD HH:MM[:SS]`; None when it is not one."""
    return parse_time(text.strip()) if text.strip() else None


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismisses with True (y) or False (n, esc)."""

    DEFAULT_CSS = MODAL_CSS + "#confirm-question { margin-bottom: 1; }"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Static(Text(clean(self.question), style="bold"), id="confirm-question")
            yield Static(Text.assemble(("y", "bold reverse"), " yes   ",
                                       ("n", "bold reverse"), " no"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DetectionScreen(ModalScreen[tuple[datetime | None, str] | None]):
    """How (and when) the incident was detected; dismisses with (time or None, how) or None."""

    DEFAULT_CSS = MODAL_CSS

    BINDINGS = [Binding("escape", "cancel", "Later", id="modal.cancel")]

    def __init__(self, incident_id: str, now: datetime, how: str = "", when: str = "") -> None:
        super().__init__()
        self.incident_id = incident_id
        self.now = now
        self.how = how
        self.when = when

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Label(Text(f"How was {clean(self.incident_id)} detected?", style="bold"))
            yield Input(value=self.how,
                        placeholder="alert, customer report, dashboard, … (enter saves)",
                        id="detection-how")
            yield Label(Text(f"When (UTC, {TIME_HINT}); empty means now", style="dim"))
            yield Input(value=self.when,
                        placeholder=f"now: {self.now.strftime('%Y-%m-%d %H:%M')}",
                        id="detection-when")
            yield Static(Text("enter saves · tab moves · esc cancels", style="dim"))

    @on(Input.Submitted)
    def submitted(self) -> None:
        how = self.query_one("#detection-how", Input).value.strip()
        when_text = self.query_one("#detection-when", Input).value
        when = parse_when(when_text)
        if when_text.strip() and when is None:
            self.notify(f"{when_text.strip()!r} is not a time; write {TIME_HINT} (UTC)",
                        severity="warning", markup=False)
            self.query_one("#detection-when", Input).focus()
            return
        if not how:
            self.notify("say in a few words how it was noticed", severity="warning")
            self.query_one("#detection-how", Input).focus()
            return
        self.dismiss((when, how))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TimeScreen(ModalScreen[datetime | None]):
    """Ask for a UTC time (e.g. a corrected Incident Start); dismisses with it or None."""

    DEFAULT_CSS = MODAL_CSS

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Label(Text(clean(self.title_text), style="bold"))
            if self.hint:
                yield Static(Text(clean(self.hint), style="dim"))
            yield Input(value=self.value, placeholder=f"{TIME_HINT} (UTC)", id="time-input")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        when = parse_when(event.value)
        if when is None:
            self.notify(f"{event.value.strip()!r} is not a time; write {TIME_HINT} (UTC)",
                        severity="warning", markup=False)
            return
        self.dismiss(when)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecheckScreen(ModalScreen[str | None]):
    """Checking a reopened task that records a time: record now, keep the time before the
    reopen, or give one; dismisses with "now", "keep", "at" or None."""

    DEFAULT_CSS = MODAL_CSS + "#recheck-question { margin-bottom: 1; }"

    BINDINGS = [
        Binding("n", "answer('now')", "Now", id="recheck.now"),
        Binding("k", "answer('keep')", "Keep", id="recheck.keep"),
        Binding("t", "answer('at')", "Time", id="recheck.at"),
        Binding("escape", "answer(None)", "Cancel", id="modal.cancel"),
    ]

    def __init__(self, task: str, labels: Sequence[str], before: str, now: str) -> None:
        super().__init__()
        self.question = (
            f"{task} was reopened. Record {', '.join(labels)} as now ({now}), or keep "
            f"{before}, the time before the reopen?"
        )

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Static(Text(clean(self.question), style="bold"), id="recheck-question")
            yield Static(Text.assemble(("n", "bold reverse"), " now   ",
                                       ("k", "bold reverse"), " keep   ",
                                       ("t", "bold reverse"), " give a time   ",
                                       ("esc", "bold reverse"), " cancel"))

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)


@frozen
class CommitChoice:
    sha: str
    short: str
    subject: str
    author: str
    date: str


class CommitPickerScreen(ModalScreen[CommitChoice | None]):
    """Pick the fix commit among the branch's recent commits; dismisses with it or None."""

    DEFAULT_CSS = MODAL_CSS + """
    .record-dialog.commits { width: 100; }
    #commit-list { height: auto; max-height: 22; margin: 1 0; }
    """

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, commits: Sequence[CommitChoice], current: str | None = None) -> None:
        super().__init__()
        self.commits = list(commits)
        self.current = current

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog commits"):
            yield Label(Text("Fix commit (recent commits of this branch)", style="bold"))
            opts = []
            for i, c in enumerate(self.commits):
                t = Text(no_wrap=True, overflow="ellipsis")
                t.append(c.short, style="bold yellow")
                t.append(f"  {c.date}  ", style="dim")
                t.append(clean(c.author)[:20], style="cyan")
                t.append(f"  {clean(c.subject)}")
                if self.current and c.sha.startswith(self.current):
                    t.append("  (recorded)", style="dim")
                opts.append(Option(t, id=str(i)))
            yield OptionList(*opts, id="commit-list")
            yield Static(Text("enter records it as the fix · esc cancels", style="dim"))

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.highlighted = 0
        ol.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.commits[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


@frozen
class ActivityRow:
    time: str
    who: str
    event: str
    notes: str
    arrived: bool  # came from another engineer in a sync of this session


class ActivityScreen(ModalScreen[None]):
    """The latest rows of the post-mortem timeline (who did what, when), newest first."""

    DEFAULT_CSS = MODAL_CSS + """
    .record-dialog.activity { width: 110; height: 1fr; }
    #activity-summary { margin: 1 0; height: auto; }
    #activity-table { height: 1fr; }
    #activity-detail { height: auto; max-height: 6; margin-top: 1; }
    """

    BINDINGS = [Binding("escape,q,a", "close", "Close", id="activity.close")]

    def __init__(self, title: str, rows: Sequence[ActivityRow], summary: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.rows = list(rows)
        self.summary = summary

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable  # here, not at start-up (only this dialog has one)

        yield ClockDock()
        with Vertical(classes="record-dialog activity"):
            yield Label(Text(clean(self.title_text), style="bold"))
            if self.summary:
                yield Static(Text(clean_block(self.summary)), id="activity-summary")
            table: DataTable[Text] = DataTable(id="activity-table", cursor_type="row",
                                               zebra_stripes=True)
            yield table
            yield Static(id="activity-detail")  # the highlighted row whole (cells are cut)
            yield Static(Text("◆ arrived from others in a sync · esc closes", style="dim"))

    def on_mount(self) -> None:
        from textual.widgets import DataTable

        table = self.query_one(DataTable)
        table.add_columns(" ", "Time", "Who", "Event", "Notes")
        if not self.rows:
            table.add_row(Text(""), Text("-"), Text(""), Text("nothing logged yet"), Text(""))
        for r in self.rows:
            style = "bold" if r.arrived else ""
            table.add_row(
                Text("◆" if r.arrived else " ", style="cyan"),
                Text(clean(r.time), style="dim"),
                Text(clean(r.who), style="cyan " + style),
                Text(clean(r.event), style=style),
                Text(clean(r.notes)),
            )
        table.focus()
        self._detail(0)

    def on_data_table_row_highlighted(self, event: object) -> None:
        self._detail(getattr(event, "cursor_row", 0))

    def _detail(self, index: int) -> None:
        """The highlighted row's event and notes in full, wrapped, under the table."""
        if not (0 <= index < len(self.rows)):
            return
        r = self.rows[index]
        t = Text.assemble((clean(f"{r.time} {r.who}: {r.event}"), "bold"))
        if r.notes:
            t.append("\n")
            t.append(clean(r.notes))
        self.query_one("#activity-detail", Static).update(t)

    def action_close(self) -> None:
        self.dismiss(None)


class CommandsScreen(ModalScreen[None]):
    """Commands filled in from the record; enter or y copies the highlighted one (OSC 52).

    OSC 52 never confirms, so every command is shown in full too (select it with the mouse)."""

    DEFAULT_CSS = MODAL_CSS + """
    .record-dialog.commands { width: 100; }
    #commands-list { height: auto; max-height: 24; margin: 1 0; }
    """

    BINDINGS = [
        Binding("escape,q", "cancel", "Close", id="commands.close"),
        Binding("y", "copy", "Copy", id="commands.copy"),
    ]

    def __init__(self, commands: Sequence[CopyCommand]) -> None:
        super().__init__()
        self.commands = list(commands)

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog commands"):
            yield Label(Text("Commands (enter or y copies · esc closes)", style="bold"))
            opts = []
            for i, c in enumerate(self.commands):
                t = Text()
                t.append(clean(c.label), style="bold")
                t.append("\n  ")
                t.append(clean(c.command), style="bold cyan")
                if c.warning:
                    t.append("\n  ⚠ ", style="bold red")
                    t.append(clean(c.warning), style="red")
                opts.append(Option(t, id=str(i)))
            yield OptionList(*opts, id="commands-list")
            yield Static(Text("Copying uses OSC 52 (in tmux: set -g set-clipboard on); if "
                              "nothing is pasted, select the command with the mouse.",
                              style="dim"))

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.highlighted = 0
        ol.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self._copy(int(event.option.id or 0))

    def action_copy(self) -> None:
        self._copy(self.query_one(OptionList).highlighted or 0)

    def _copy(self, index: int) -> None:
        c = self.commands[index]
        self.app.copy_to_clipboard(c.command)
        self.notify(clean(c.command), title="Copied (OSC 52)", markup=False)
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportScreen(ModalScreen[str | None]):
    """The hand-over report as literal markdown text (read-only, scrollable, selectable).

    With a reminder running (`reminder`: its label), `u` closes it with "sent": the update went out.
    """

    DEFAULT_CSS = MODAL_CSS + """
    .record-dialog.report { width: 100; height: 1fr; }
    #report-text { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="report.close"),
        Binding("c", "copy", "Copy", id="report.copy"),
        Binding("u", "sent", "Update sent", id="report.sent"),
    ]

    def __init__(self, markdown: str, reminder: str = "") -> None:
        super().__init__()
        self.markdown = markdown
        self.reminder = reminder

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # here, not at start-up (only this dialog has one)

        yield ClockDock()
        with Vertical(classes="record-dialog report"):
            head = Text("Hand-over report  (c copies · ", style="bold")
            if self.reminder:
                head.append("u", style="bold reverse")
                head.append(f" marks the {clean(self.reminder).lower()} sent · ")
            head.append("esc closes)")
            yield Label(head)
            yield TextArea(clean_block(self.markdown), read_only=True, id="report-text",
                           soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        self.query_one("#report-text").focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.markdown)
        self.notify("report copied to the clipboard")

    def action_sent(self) -> None:
        if self.reminder:
            self.dismiss("sent")

    def action_close(self) -> None:
        self.dismiss(None)


def clean_block(text: str) -> str:
    """`clean()` per line: newlines stay, other control characters become visible."""
    return "\n".join(clean(line) for line in text.split("\n"))
