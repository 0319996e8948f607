"""The incident's lifecycle, read from the workflow: which statuses close it, which status the
done tasks reach, and which statuses the tasks contradict. Every view, command, alert and stat
asks here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from hotfix_tui.core.workflow.model import TaskDef, Workflow


class Figures(Protocol):
    """What the lifecycle reads of an incident: an `Incident` or its `IncidentSummary`."""

    @property
    def status(self) -> str: ...

    @property
    def workflow(self) -> Workflow | None: ...

    def progress(self) -> tuple[int, int]: ...


def final_statuses(workflow: Workflow) -> tuple[str, ...]:
    """The statuses in which the incident is closed (`final_statuses`, else the last status)."""
    return workflow.final_statuses or workflow.statuses[-1:]


def is_closed(
    status: str | None, workflow: Workflow | None, progress: tuple[int, int] | None = None
) -> bool:
    """True when `status` is one of the workflow's final statuses (an exact name, any case); a
    plain checklist (no workflow, or one without statuses) is closed when every task is settled
    (`progress`: done, total)."""
    if workflow is None or not workflow.statuses:
        return progress is not None and progress[1] > 0 and progress[0] >= progress[1]
    if not status:
        return False
    want = status.strip().casefold()
    return any(want == s.casefold() for s in final_statuses(workflow))


OPEN, DONE = "open", "done"  # a plain checklist's status (its record states none)


def checklist_status(workflow: Workflow | None, progress: Callable[[], tuple[int, int]]) -> str:
    """A plain checklist's status when its record states none: `done` once every task is
    settled (`progress()`: done, total), else `open`; '' for a workflow with statuses."""
    if workflow is not None and workflow.statuses:
        return ""
    return DONE if is_closed(None, None, progress()) else OPEN


def closed(incident: Figures) -> bool:
    """True when an incident (or its summary) is closed: `is_closed` of its figures."""
    return is_closed(incident.status, incident.workflow, incident.progress())


def carriers(workflow: Workflow, status: str) -> list[TaskDef]:
    """The tasks whose completion moves the incident to `status`."""
    return [t for t in workflow.all_tasks() if t.status == status]


def clock_stoppers(workflow: Workflow) -> list[TaskDef]:
    """The tasks whose completion stops the resolution clock."""
    return [t for t in workflow.all_tasks() if workflow.clock.stops_at in t.events]


def _rank(workflow: Workflow, status: str) -> int:
    try:
        return workflow.statuses.index(status)
    except ValueError:
        return -1


def reached(workflow: Workflow, done: Iterable[str]) -> str:
    """The furthest status the done tasks (by ID) reach, else the initial status."""
    best, rank = "", -1
    for ref in done:
        d = workflow.task(ref)
        if d is not None and d.status and (r := _rank(workflow, d.status)) > rank:
            best, rank = d.status, r
    return best or workflow.initial_status or (workflow.statuses[0] if workflow.statuses else "")


def contradiction(workflow: Workflow, status: str, done: Iterable[str]) -> str:
    """Why the done tasks (by ID) contradict `status` ('' when they do not): a status some
    task reaches needs one of those tasks done, and no done task may reach a later one."""
    done = set(done)
    tasks = carriers(workflow, status)
    if tasks and not any(t.id in done for t in tasks):
        ids = " or ".join(t.id for t in tasks)
        return f"{status} is reached by checking {ids} ({tasks[0].title}); check it instead"
    rank = _rank(workflow, status)
    later = [
        (t, d)
        for t in sorted(done)
        if (d := workflow.task(t)) is not None and d.status and _rank(workflow, d.status) > rank
    ]
    if later:
        t, d = later[0]
        return f"{t} is done, which means {d.status}; reopen {t} first"
    return ""
