"""A confirmed runbook step runs in a thread worker of the incident screen
(`run.execute_step`: time limit, process group, output kept under .git); `StepRan` tells the
screen the outcome, which records it (tui/screens/runbook.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.message import Message
from textual.screen import Screen

from hotfix_tui.core.errors import UserError
from hotfix_tui.core.runbook import run as rb

RUNNING: set[str] = set()  # tasks whose step runs in this process


class StepRan(Message):
    """A step's run ended: its result, or the error that stopped it."""

    def __init__(self, prepared: rb.Prepared, result: rb.Result | None, error: str = "") -> None:
        super().__init__()
        self.prepared = prepared
        self.result = result
        self.error = error


def start(
    screen: Screen[Any], p: rb.Prepared, inc_id: str, when: datetime, limit: float
) -> None:
    """Run a confirmed step in a thread worker of the screen; it posts `StepRan`."""
    RUNNING.add(p.task)

    def work() -> None:
        try:
            msg = StepRan(p, rb.execute_step(p, inc_id, when, limit))
        except (UserError, OSError) as exc:
            msg = StepRan(p, None, str(exc))
        finally:
            RUNNING.discard(p.task)
        screen.post_message(msg)

    screen.run_worker(work, thread=True, group="runbook", exit_on_error=False)
