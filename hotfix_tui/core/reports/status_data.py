"""The status of an incident as plain data: what `status --json` prints and the web board serves.

One builder for the CLI, the web API and any other reader, so their keys never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.markdown.tasks_md import TasksDoc
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.record.team import mine_words

if TYPE_CHECKING:
    from hotfix_tui.core.reports.summaries import IncidentSummary


def iso_z(t: datetime) -> str:
    """A UTC time as ISO 8601 with a `Z`."""
    return t.isoformat().replace("+00:00", "Z")


def sla_json(inc: Incident | IncidentSummary, now: datetime) -> dict[str, Any] | None:
    """The resolution clock at `now`, or None without a workflow or severity."""
    sla = inc.sla(now)
    if sla is None:
        return None
    return {
        "target_seconds": sla.target_seconds,
        "elapsed_seconds": sla.elapsed_seconds,
        "remaining_seconds": sla.remaining_seconds,
        "fraction": round(sla.fraction, 4),
        "state": sla.state,
    }


def commander_of(inc: Incident | IncidentSummary) -> str:
    """Who commands the incident (`Ana`, `Ana -> Ben (handing over)`, '' for nobody)."""
    if isinstance(inc, Incident):
        return inc.view.team().commander_words()
    return inc.commander


def mine_of(inc: Incident | IncidentSummary, me: Sequence[str]) -> str:
    """What of the incident is mine (`IC`, `2 tasks`, '' for nothing; `team.mine_words`)."""
    if isinstance(inc, Incident):
        team = inc.view.team()
        return mine_words(team.leads, team.assignees, me)
    return mine_words(inc.leads, inc.assignees, me)


def row_json(inc: Incident | IncidentSummary, now: datetime) -> dict[str, Any]:
    """What a `list --json` row and the board's list say of an incident at `now`."""
    done, total = inc.progress()
    return {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "progress": {"done": done, "total": total},
        "sla": sla_json(inc, now),
        "commander": commander_of(inc) or None,
    }


def status_data(inc: Incident, *, stream: bool = False) -> dict[str, Any]:
    """Everything `status --json` prints about an incident; `stream=True` gives `tasks` as an
    iterator of the same dicts, made as they are read (a writer then never holds them all)."""
    now = inc.clock()
    started = inc.started_at
    doc = inc.view.doc
    applicable = inc.view.applicable()
    done_by_phase = [0] * len(doc.phases)
    total_by_phase = [0] * len(doc.phases)
    nxt = None
    for (key, tid, title, done, phase, skip), ok in zip(doc.task_rows(), applicable, strict=True):
        if nxt is None and ok and not done and skip is None:
            nxt = {"id": tid or key, "title": title}
        if phase >= 0 and (ok or done):
            total_by_phase[phase] += 1
            if done or skip:
                done_by_phase[phase] += 1
    team = inc.view.team()
    tasks = _task_dicts(doc, applicable, team.assignees)
    return {
        "id": inc.id,
        "title": inc.title,
        "folder": str(inc.folder),
        "workflow": inc.workflow.id if inc.workflow else None,
        "kind": inc.view.kind,
        "severity": inc.severity,
        "status": inc.status,
        "status_set_by": _status_set(inc),
        "branch": inc.branch_field or None,
        "started_at": iso_z(started) if started else None,
        "now": iso_z(now),
        "sla": sla_json(inc, now),
        "windows": [
            {
                "id": w.id,
                "label": w.label,
                "due": iso_z(w.due),
                "remaining_seconds": w.remaining_seconds,
                "state": w.state,
            }
            for w in inc.windows(now)
        ],
        "progress": {"done": sum(done_by_phase), "total": sum(total_by_phase)},
        "phases": [
            {"name": ph.name, "done": d, "total": n}
            for ph, d, n in zip(doc.phases, done_by_phase, total_by_phase, strict=True)
        ],
        "tasks": tasks if stream else list(tasks),
        "next": nxt,
        "duplicate_ids": list(doc.duplicate_ids),
        "choices": [
            {
                "id": c.key,
                "label": c.label,
                "options": list(c.options),
                "value": c.value,
                "task": c.task_key,
            }
            for c in doc.choices
        ],
        "orphaned_tasks": inc.view.orphaned_tasks(),
        "roles": dict(team.roles),
        "handover": team.handover_json(),
    }


def _status_set(inc: Incident) -> dict[str, str] | None:
    """Who set a manual status in force, and when (None: the done tasks decide the status)."""
    ev = inc.view.status_set()
    return {"who": ev.who, "at": ev.recorded} if ev is not None else None


def _task_dicts(
    doc: TasksDoc, applicable: list[bool], assignees: dict[str, str]
) -> Iterator[dict[str, Any]]:
    for (key, tid, title, done, phase, skip), ok in zip(doc.task_rows(), applicable, strict=True):
        yield {
            "id": tid or key,
            "title": title,
            "done": done,
            "applicable": ok,
            "skipped": skip is not None,
            "skip_reason": skip,
            "phase": phase,
            "assignee": assignees.get(key),
        }
