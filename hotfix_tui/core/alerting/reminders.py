"""Recurring reminders of a workflow (e.g. a stakeholder update every 30 min for P0).

The interval runs from the latest `reminder_sent` event of the reminder in the incident's event
log, else from the incident start; `mark_sent` logs one ("update sent").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.record import events, kinds
from hotfix_tui.core.workflow.model import ReminderDef

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident


@frozen
class ReminderReading:
    """A reminder at one instant: when it is next due and how long until then."""

    id: str
    label: str
    interval_seconds: int
    due: datetime
    remaining_seconds: int  # <= 0: due now
    task: str = ""

    @property
    def key(self) -> str:
        """What identifies this occurrence: the reminder and the time it falls due."""
        return f"{self.id}@{self.due.strftime('%Y%m%dT%H%M%SZ')}"


def last_sent(log: Iterable[events.Event]) -> dict[str, datetime]:
    """Reminder id -> when it was last marked sent (the latest `happened` of its events; a mark
    undone, and its undo, count for nothing)."""
    out: dict[str, datetime] = {}
    sent = [e for e in log if e.kind == kinds.REMINDER_SENT]
    undone = {str(e.get("undoes")) for e in sent if e.get("undo")}
    for e in sent:
        if e.get("undo") or e.id in undone:
            continue
        rid = str(e.get("reminder") or "")
        try:
            when = e.happened_at
        except ValueError:
            continue
        if rid and (rid not in out or when > out[rid]):
            out[rid] = when
    return out


def reminder_readings(
    defs: Sequence[ReminderDef],
    severity: str | None,
    start: datetime | None,
    stopped: Iterable[str],
    sent: dict[str, datetime],
    now: datetime,
) -> list[ReminderReading]:
    """The reminders running now for this severity; `stopped` holds the events that happened."""
    if start is None:
        return []
    happened = set(stopped)
    out = []
    for d in defs:
        every = d.interval(severity)
        if every is None or (d.stops_at and d.stops_at in happened):
            continue
        base = max(start, sent.get(d.id, start))
        due = base + timedelta(seconds=every)
        remaining = int((due - now).total_seconds())
        out.append(ReminderReading(d.id, d.label, every, due, remaining, d.task))
    out.sort(key=lambda r: r.due)
    return out


def mark_sent(
    folder: Path, reminder: str, now: datetime, who: str, clone: str = ""
) -> events.Event:
    """Log that the reminder was done now (e.g. the stakeholder update was sent)."""
    existing = events.read_log(folder)
    ev = events.Recorder(clone, who).make(kinds.REMINDER_SENT, now, existing, reminder=reminder)
    events.append(folder, [ev])
    return ev


def incident_reminders(
    inc: Incident, now: datetime, log: Iterable[events.Event]
) -> list[ReminderReading]:
    """The running reminders of an incident (`core.incident.Incident`) at `now`."""
    wf = getattr(inc, "workflow", None)
    if wf is None or not wf.reminders:
        return []
    times = inc.event_times()
    defs = [
        d if d.stops_at else ReminderDef(d.id, d.label, d.every, d.task, wf.clock.stops_at)
        for d in wf.reminders
    ]
    return reminder_readings(
        defs,
        inc.severity,
        times.get(wf.clock.starts_at),
        times,
        last_sent(log),
        now,
    )


class LogReader:
    """The events of an incident folder, read again only when `events.jsonl` changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp: tuple[int, int] | None = None
        self._events: list[events.Event] = []

    def read(self) -> list[events.Event]:
        try:
            st = (self.folder / events.LOG).stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, -1)
        if stamp != self._stamp:
            self._events = events.read_log(self.folder)
            self._stamp = stamp
        return self._events
