"""Runbook steps and follow-ups in the TUI: trusting a repository workflow (its commands and
what changed), the confirmation showing the exact command, a run's outcome (attach its output,
check the task), and the follow-up dialog (title, owner, due date)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from hotfix_tui.core.errors import UserError
from hotfix_tui.core.runbook import run as rb
from hotfix_tui.core.runbook import trust
from hotfix_tui.core.runbook.run import Prepared, Result
from hotfix_tui.core.runbook.trust import Reading
from hotfix_tui.core.workflow.runcmd import shown
from hotfix_tui.tui.host import host
from hotfix_tui.tui.screens.record_dialogs import MODAL_CSS
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.text import clean

CSS = MODAL_CSS + """
TrustScreen, RunConfirmScreen, RunResultScreen, FollowupScreen { align: center top; }
.record-dialog.runbook { width: 100; }
#trust-body, #run-output { height: auto; max-height: 20; margin: 1 0; }
"""
if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.tui.screens.record_flows import IncidentFlows
    from hotfix_tui.tui.services.runbook import StepRan


class MainScreen(Protocol):
    """What the runbook flows use of the incident screen (`screens.main.MainScreen`)."""

    incident: Incident
    flows: IncidentFlows

    @property
    def app(self) -> App[Any]: ...
    def refresh_task(self, key: str) -> None: ...
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

OUTPUT_LINES = 200  # of the kept tail, shown in the outcome


def _keys(*pairs: tuple[str, str]) -> Text:
    t = Text()
    for key, what in pairs:
        t.append(key, style="bold reverse")
        t.append(f" {what}   ")
    return t


class TrustScreen(ModalScreen[bool]):
    """A repository workflow's commands (and what changed since it was trusted): t trusts
    exactly this content, esc does not."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("t", "answer(True)", "Trust", id="trust.yes"),
        Binding("n,escape", "answer(False)", "Not now", id="trust.no"),
    ]

    def __init__(self, reading: Reading, where: str) -> None:
        super().__init__()
        self.reading = reading
        self.where = where  # the file as the person knows it (relative to the repository)

    def compose(self) -> ComposeResult:
        r = self.reading
        yield ClockDock()
        with Vertical(classes="record-dialog runbook"):
            what = "changed since you trusted it" if r.trusted_sha else "is not trusted yet"
            yield Static(Text(f"{clean(self.where)} {what}", style="bold yellow"))
            body = Text("Its commands run on this machine when you confirm a step (!):\n")
            for tid, command in r.commands():
                body.append(f"  {clean(tid)}: ", style="bold")
                body.append(f"{clean(shown(command))}\n", style="cyan")
            diff = r.diff()
            if diff:
                body.append("\nWhat changed:\n", style="bold")
                for line in diff.splitlines():
                    style = "green" if line.startswith("+") else \
                        "red" if line.startswith("-") else "dim"
                    body.append(clean(line) + "\n", style=style)
            with VerticalScroll(id="trust-body"):
                yield Static(body)
            yield Static(_keys(("t", "trust this content"), ("esc", "not now")))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class RunConfirmScreen(ModalScreen[bool]):
    """The exact command a step runs, placeholders filled; y runs it, n or esc does not."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("y", "answer(True)", "Run", id="run.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="run.no"),
    ]

    def __init__(self, prepared: Prepared, limit: float) -> None:
        super().__init__()
        self.prepared = prepared
        self.limit = limit

    def compose(self) -> ComposeResult:
        p = self.prepared
        yield ClockDock()
        with Vertical(classes="record-dialog runbook"):
            yield Static(Text(f"Run {clean(p.task)}'s command in the repository root?",
                              style="bold"))
            yield Static(Text(p.shown, style="bold cyan"), id="run-command")
            yield Static(Text(f"time limit {self.limit:g} s · output kept under .git/ · the "
                              "task is not checked by a run", style="dim"))
            yield Static(_keys(("y", "run"), ("n", "cancel")))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class RunResultScreen(ModalScreen[str | None]):
    """A run's exit code, duration and output; a attaches the output to the record, x checks
    the task (after a success), esc closes."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("a", "answer('attach')", "Attach output", id="runresult.attach"),
        Binding("x", "answer('check')", "Check the task", id="runresult.check"),
        Binding("escape,q", "answer(None)", "Close", id="runresult.close"),
    ]

    def __init__(self, task: str, result: Result) -> None:
        super().__init__()
        self.task_id = task
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        yield ClockDock()
        with Vertical(classes="record-dialog runbook"):
            how = "timed out: its process group was killed" if r.timed_out else \
                f"exit {r.exit_code}"
            yield Static(Text(f"{clean(self.task_id)}: {how} in {r.seconds:.1f} s",
                              style="bold green" if r.ok else "bold red"), id="run-outcome")
            lines = r.output.decode("utf-8", errors="replace").splitlines()[-OUTPUT_LINES:]
            out = Text("\n".join(clean(ln) for ln in lines) or "(no output)")
            with VerticalScroll(id="run-output"):
                yield Static(out)
            yield Static(Text(f"kept in .git/hotfix-tui/runs/{clean(r.log.name if r.log else '')}"
                              " (not in the record)", style="dim"))
            keys = [("a", "attach the output to the record")]
            if r.ok:
                keys.append(("x", f"check {clean(self.task_id)}"))
            yield Static(_keys(*keys, ("esc", "close")))

    def action_answer(self, what: str | None) -> None:
        if what == "check" and not self.result.ok:
            self.notify("the run did not succeed: check the task yourself (space) when it is "
                        "done", severity="warning")
            return
        self.dismiss(what)


class FollowupScreen(ModalScreen[tuple[str, str, str] | None]):
    """A follow-up: title, owner, due date (YYYY-MM-DD); enter on the last field adds it."""

    DEFAULT_CSS = CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="followup.cancel")]

    def __init__(self, owner: str, due: str) -> None:
        super().__init__()
        self.owner = owner
        self.due = due

    def compose(self) -> ComposeResult:
        yield ClockDock()
        with Vertical(classes="record-dialog"):
            yield Label(Text("New follow-up (a post-mortem action item)", style="bold"))
            yield Input(placeholder="what is to be done", id="followup-title")
            yield Input(value=self.owner, placeholder="owner", id="followup-owner")
            yield Input(value=self.due, placeholder="due YYYY-MM-DD", id="followup-due")
            yield Static(Text("tab moves · enter on the due date adds · esc cancels",
                              style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "followup-due":
            self.focus_next()
            return
        values = tuple(self.query_one(f"#followup-{k}", Input).value for k in
                       ("title", "owner", "due"))
        self.dismiss((values[0], values[1], values[2]))

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the flows the incident screen hands on to ---------------------------------------------


def _say(screen: MainScreen, text: str, severity: str = "error") -> None:
    screen.notify(clean(text), severity=severity, title="Runbook", markup=False, timeout=12)


def ask_run(screen: MainScreen, key: str) -> None:
    """Prepare the task's step; ask for trust when needed, then for the run itself."""
    from hotfix_tui.tui.services.runbook import RUNNING

    inc = screen.incident
    try:
        p = rb.prepare(inc, key)
    except UserError as exc:
        _say(screen, str(exc))
        return
    if p.task in RUNNING:
        _say(screen, f"{p.task}'s command is running already", "warning")
        return
    if not p.trusted:
        if p.reading is None:
            _say(screen, rb.untrusted_message(p))
            return

        def trusted(yes: bool | None) -> None:
            if yes and p.reading is not None:
                trust.trust(p.reading)  # exactly the content shown
                ask_run(screen, key)  # read again: a file changed meanwhile asks again

        try:
            where = str(p.reading.path.resolve().relative_to(p.root.resolve()))
        except ValueError:
            where = str(p.reading.path)
        screen.app.push_screen(TrustScreen(p.reading, where), trusted)
        return
    limit = host(screen.app).settings.run_timeout

    def confirmed(yes: bool | None) -> None:
        if yes:
            from hotfix_tui.tui.services.runbook import start

            _say(screen, f"{p.task} runs: {p.shown}", "information")
            start(cast("Screen[Any]", screen), p, inc.id, inc.clock(), limit)

    screen.app.push_screen(RunConfirmScreen(p, limit), confirmed)


def ran(screen: MainScreen, message: StepRan) -> None:
    """Record the run (a `run` event), then show its outcome: attach the output, check."""
    p, result = message.prepared, message.result
    if result is None:
        _say(screen, f"{p.task} did not run: {message.error}")
        return
    inc = screen.incident
    screen.flows.act(lambda: rb.record_run(inc, p, result))

    def chosen(what: str | None) -> None:
        if what == "attach":
            dest = screen.flows.act(lambda: rb.attach(inc, p.task, result))
            if dest is not None:
                _say(screen, f"output attached: {dest.relative_to(inc.folder)}", "information")
        elif what == "check":
            screen.flows.act(lambda: inc.set_done(p.task, True))
        screen.refresh_task(inc.view.task_ref(inc.view.find(p.task)))

    screen.app.push_screen(RunResultScreen(p.task, result), chosen)


def ask_followup(screen: MainScreen) -> None:
    """The follow-up dialog; what it gives is added through the record."""
    from datetime import timedelta

    from hotfix_tui.core.record.followup import add_followup

    inc = screen.incident
    due = (inc.clock() + timedelta(days=7)).date().isoformat()

    def given(values: tuple[str, str, str] | None) -> None:
        if values is None:
            return
        change = screen.flows.act(lambda: add_followup(inc, *values))
        if change is not None:
            _say(screen, f"{change.label} added to post-mortem.md; `hotfix-tui followups` "
                         "gives its gh issue command", "information")

    screen.app.push_screen(FollowupScreen(inc.who, due), given)


