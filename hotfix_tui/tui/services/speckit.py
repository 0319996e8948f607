"""Answering a spec-kit workflow gate from the TUI: `specify workflow resume` in a thread worker
(after the choice was confirmed), its output kept in a log file.

The worker posts `GateAnswered` to the screen that asked (the overview reads the runs again on
it), or has the app say the outcome when that screen was closed meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from hotfix_tui.core import speckit_runs
from hotfix_tui.core.errors import UserError
from hotfix_tui.tui.host import host
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from hotfix_tui.core.speckit_runs import Resumed, Run


class GateAnswered(Message):
    """A gate's answer ran: the run's new state, or the error that stopped it."""

    def __init__(self, run_id: str, resumed: Resumed | None, error: str = "") -> None:
        super().__init__()
        self.run_id = run_id
        self.resumed = resumed
        self.error = error


RESUMING: set[str] = set()  # runs whose resume is running in this process


def start(screen: Screen[Any], root: Path, run: Run, choice: str) -> bool:
    """Resume `run` with `choice` in a thread worker of `screen` (True); a clear toast (False)
    when it cannot be."""
    app = host(screen.app)
    try:
        speckit_runs.check_answer(run, choice, root)
        specify = speckit_runs.find_specify(app.settings.specify_command)
    except UserError as exc:
        screen.notify(clean(str(exc)), severity="error", title="Gate", markup=False, timeout=15)
        return False
    log = speckit_runs.log_path(root, run.run_id, app.clock())
    RESUMING.add(run.run_id)
    screen.notify(
        clean(f"run {run.run_id}: the rest of {run.workflow_id} runs here; output in {log}"),
        title=f"Resuming with {clean(choice)}",
        markup=False,
    )

    def work() -> None:
        try:
            done = speckit_runs.answer_gate(root, run.run_id, choice, specify=specify, log=log)
            msg = GateAnswered(run.run_id, done)
        except (UserError, OSError) as exc:
            msg = GateAnswered(run.run_id, None, str(exc))
        finally:
            RESUMING.discard(run.run_id)
        if screen.is_attached:
            screen.post_message(msg)
        else:  # the screen was closed meanwhile: the app says it
            screen.app.call_from_thread(told, screen.app, msg)

    # the app's worker: closing the screen that asked does not lose the answer's outcome
    screen.app.run_worker(work, thread=True, group="speckit", exit_on_error=False)
    return True


def told(screen: Screen[Any] | App[Any], message: GateAnswered) -> None:
    """Say what the resume did: the run's new state and where its output is."""
    done = message.resumed
    if done is None:
        text = clean(message.error)
        screen.notify(text, severity="error", title="Gate", markup=False, timeout=15)
        return
    text = clean(done.summary() + (f"\noutput: {done.log}" if done.log else ""))
    bad = done.code != 0 and done.run.status != "aborted"
    screen.notify(
        text, title="Workflow run", severity="error" if bad else "information", markup=False,
        timeout=15,
    )
