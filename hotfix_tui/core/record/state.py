"""What a replay of the log builds (`State`, one `TaskState` per task, timeline `Row`s) and the
passes that build them, which each kind's declaration (`kinds.py`) reads and updates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hotfix_tui.core.record.causal import Frontier
from hotfix_tui.core.record.event import Event
from hotfix_tui.core.workflow.model import Workflow


@dataclass
class TaskState:
    """What the events say of one task."""

    done: bool = False
    done_at: datetime | None = None  # when the effective done happened (None when not done)
    last_done_at: datetime | None = None  # the time of the latest done, even if reopened since
    skip: Event | None = None
    notes: dict[str, Event] = field(default_factory=dict)
    touched: bool = False  # any event names this task
    title: str | None = None  # set by a retitle (the ID stays)
    decided_by: Event | None = None  # the event that settles its state (causal order)
    assignee: str | None = None  # who the task is assigned to (an `assign` event)


@dataclass
class Row:
    """One projected row of the post-mortem timeline."""

    when: datetime
    order: tuple[str, str]
    cells: tuple[str, str, str, str]
    time_cell: str | None = None  # a row written by hand keeps its own Time cell
    raw: str | None = None  # ... and its own line, spacing and all


@dataclass
class State:
    """The whole record after replaying the log."""

    tasks: dict[str, TaskState] = field(default_factory=dict)
    severity: str | None = None
    status: str | None = None
    status_set: Event | None = None  # a manual status the tasks do not contradict, if in force
    status_refused: str = ""  # why a manual status in the log is not in force
    start: datetime | None = None
    detection: tuple[datetime, str] | None = None
    fix: tuple[str, str] | None = None
    placeholders: list[str] | None = None  # the template's timeline rows, as first recorded
    events: list[Event] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # record facts some event decides
    reverted: dict[str, Event] = field(default_factory=dict)  # cancelled id -> its revert event
    choices: dict[str, str] = field(default_factory=dict)  # group key -> its value ("": none)
    roles: dict[str, str] = field(default_factory=dict)  # role id -> who holds it (`role` events)
    handover: Event | None = None  # a commander hand-over not yet accepted

    def task(self, ref: str) -> TaskState:
        return self.tasks.get(ref) or TaskState()


class Replay:
    """One replay in progress: the state, the causal frontier of each fact, and what the final
    derivations need (done times, the last task change, the status a creation set)."""

    __slots__ = ("st", "wf", "front", "done_time", "last_task_change", "created_status")

    def __init__(self, wf: Workflow | None) -> None:
        self.st = State()
        self.wf = wf
        self.front = Frontier()
        self.done_time: dict[str, datetime] = {}  # a done's effective time (a re-done keeps it)
        self.last_task_change: tuple[str, str] | None = None
        self.created_status: str | None = None


class Timeline:
    """One pass writing the post-mortem timeline: what each row says of the values before it
    (severity, status, start) and the task titles of the tasks.md it goes with."""

    __slots__ = ("st", "wf", "titles", "sev", "status", "start", "_latest")

    def __init__(self, st: State, wf: Workflow | None, titles: Callable[[str], str]) -> None:
        self.st = st
        self.wf = wf
        self.titles = titles
        self.sev: str | None = None
        self.status: str | None = wf.initial_status if wf else None
        self.start: datetime | None = None
        self._latest: dict[str, tuple[str, str] | None] = {}

    def label(self, ev: Event) -> str:
        """`T005 ` for an event about task T005 ('' for the incident, and for a box without an
        ID: its key is its words, which the title says)."""
        ref = ev.task
        return f"{ref} " if ref and not ref.islower() else ""

    def title(self, ev: Event) -> str:
        """The title of the event's task ('' for the incident)."""
        ref = ev.task
        return self.titles(ref) if ref else ""

    def latest(self, kind: str) -> tuple[str, str] | None:
        """The order of the latest event of `kind` in the log (found on first asking)."""
        if kind not in self._latest:
            events = self.st.events
            self._latest[kind] = max((e.order for e in events if e.kind == kind), default=None)
        return self._latest[kind]
