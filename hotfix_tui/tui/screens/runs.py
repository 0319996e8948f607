"""A spec-kit workflow run and its gate: the message and options; a choice is confirmed (naming
the run, the gate and the choice) before the run resumes. A gate without `verdict_input` shows
the command that answers it in a terminal, copyable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from hotfix_tui.tui.screens.record_dialogs import MODAL_CSS, ConfirmScreen
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen

    from hotfix_tui.core.speckit_runs import Run

STATUS_STYLE = {
    "paused": "bold yellow",
    "running": "bold blue",
    "completed": "green",
    "failed": "bold red",
    "aborted": "red",
}


def run_label(run: Run, *, resuming: bool = False) -> Text:
    """One line of a run: id, workflow, status and step, the gate's message and options, the
    incident folders it names."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append("⏸ " if run.waiting else "  ", style="bold yellow")
    t.append(f"{clean(run.run_id):<10} ", style="bold")
    if run.error:
        t.append(clean(run.error), style="red")
        return t
    t.append(f"{clean(run.workflow_id or '?'):<20.20} ")
    status = "resuming" if resuming else run.status or "?"
    t.append(f"{clean(status):<10}", style=STATUS_STYLE.get(status, "bold cyan"))
    if run.current_step:
        t.append(f" at {clean(run.current_step)}")
    gate = run.gate
    if run.waiting and gate is not None:
        t.append(f": {clean(gate.message)} ", style="bold")
        t.append(f"[{clean('/'.join(gate.options))}]", style="cyan")
        t.append(f"  since {clean(run.updated_at[:16].replace('T', ' '))}", style="dim")
    elif run.step_error:
        t.append(f": {clean(run.step_error)}", style="red")
    if run.incidents:
        t.append(f"  → {clean(', '.join(run.incidents))}", style="cyan")
    return t


def ask(
    screen: Screen[Any], root: Path, run: Run, started: Callable[[], None] | None = None
) -> None:
    """Show the run's gate (or its state); a confirmed choice resumes it in a worker of `screen`
    (then `started` is called)."""
    from hotfix_tui.tui.services import speckit

    def chosen(choice: str | None) -> None:
        if choice and speckit.start(screen, root, run, choice) and started is not None:
            started()

    running = run.run_id in speckit.RESUMING
    screen.app.push_screen(GateScreen(run, root, running=running), chosen)


class GateScreen(ModalScreen[str | None]):
    """A run's state and the gate it waits at: enter on an option asks to confirm it."""

    DEFAULT_CSS = MODAL_CSS + """
    GateScreen { align: center top; }
    .record-dialog.gate { width: 90; }
    #gate-options { height: auto; max-height: 10; margin: 1 0; }
    """

    BINDINGS = [
        Binding("escape,q", "cancel", "Close", id="gate.close"),
        Binding("y", "copy", "Copy the command", id="gate.copy"),
    ]

    def __init__(self, run: Run, root: Path, *, running: bool = False) -> None:
        super().__init__()
        self.run = run
        self.root = root
        self.running = running

    @property
    def answerable(self) -> bool:
        gate = self.run.gate
        return self.run.waiting and gate is not None and bool(gate.verdict_input)

    def compose(self) -> ComposeResult:
        r, gate = self.run, self.run.gate
        yield ClockDock()
        with Vertical(classes="record-dialog gate"):
            head = Text(f"Workflow run {clean(r.run_id)}", style="bold")
            name = r.workflow_name or r.workflow_id
            head.append(f"  {clean(name or '?')}")
            yield Static(head)
            facts = Text(f"status {clean(r.status or '?')}")
            if r.current_step:
                facts.append(f" · step {clean(r.current_step)}")
            if r.updated_at:
                facts.append(f" · since {clean(r.updated_at[:19].replace('T', ' '))} UTC")
            if r.incidents:
                facts.append(f"\nincident: {clean(', '.join(r.incidents))}", style="cyan")
            if r.error or r.step_error:
                facts.append(f"\n{clean(r.error or r.step_error)}", style="red")
            yield Static(facts)
            if self.running:
                yield Static(Text("\nThis run is resuming now (its output goes to a log under "
                                  ".git/hotfix-tui/runs/).", style="yellow"))
            elif r.waiting and gate is not None:
                yield Static(Text(f"\nGate {clean(gate.step_id)}: {clean(gate.message)}",
                                  style="bold"))
                if self.answerable:
                    yield OptionList(
                        *(Option(clean(o), id=o) for o in gate.options), id="gate-options"
                    )
                    yield Static(Text(
                        "enter answers (after a confirmation): the rest of the workflow runs "
                        "on this machine (shell steps, agents) · esc closes", style="dim"))
                else:
                    yield Static(Text(
                        "\nThis gate declares no verdict_input: only spec-kit's own prompt "
                        "answers it. Run in a terminal:", style="yellow"))
                    yield Static(Text(r.resume_command(self.root), style="bold cyan"),
                                 id="gate-command")
                    yield Static(Text("y copies the command (OSC 52) · esc closes",
                                      style="dim"))
            else:
                yield Static(Text("\nNo gate waits for an answer in this run · esc closes",
                                  style="dim"))

    def on_mount(self) -> None:
        for ol in self.query(OptionList):
            ol.highlighted = 0
            ol.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or ""
        gate = self.run.gate
        question = (
            f"Answer gate '{gate.step_id if gate else '?'}' of workflow run {self.run.run_id} "
            f"({self.run.workflow_id}) with '{choice}'? The rest of the workflow then runs on "
            "this machine."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(choice)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_copy(self) -> None:
        if self.run.waiting and not self.answerable:
            command = self.run.resume_command(self.root)
            self.app.copy_to_clipboard(command)
            self.notify(clean(command), title="Copied (OSC 52)", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
