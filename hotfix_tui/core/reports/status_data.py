"""The status of an incident as plain data: what `status --json` prints and the web board serves.

One builder for the CLI, the web API and any other reader, so their keys never drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotfix_tui.core.record.incident import Incident, PhaseView


def iso_z(t: datetime) -> str:
    """A UTC time as ISO 8601 with a `Z`."""
    return t.isoformat().replace("+00:00", "Z")


def sla_json(inc: Incident, now: datetime) -> dict[str, Any] | None:
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


def status_data(inc: Incident) -> dict[str, Any]:
    """Everything `status --json` prints about an incident."""
    now = inc.clock()
    started = inc.started_at
    sev = inc.severity
    views = [inc.task_view(t, sev) for t in inc.doc.tasks]  # each task viewed once
    by_key = {v.key: v for v in views}
    phases = [
        PhaseView(i, ph.name, ph.note, [by_key[k] for k in ph.task_keys if k in by_key])
        for i, ph in enumerate(inc.doc.phases)
    ]
    nxt = next((v for v in views if v.state == "open"), None)
    return {
        "id": inc.id,
        "title": inc.title,
        "folder": str(inc.folder),
        "workflow": inc.workflow.id if inc.workflow else None,
        "severity": inc.severity,
        "status": inc.status,
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
        "progress": {
            "done": sum(p.done for p in phases),
            "total": sum(p.total for p in phases),
        },
        "phases": [{"name": p.name, "done": p.done, "total": p.total} for p in phases],
        "tasks": [
            {
                "id": t.id or t.key,
                "title": t.title,
                "done": t.done,
                "applicable": t.applicable,
                "skipped": t.skipped is not None,
                "skip_reason": t.skipped,
                "phase": t.phase_index,
            }
            for t in views
        ],
        "next": {"id": nxt.id or nxt.key, "title": nxt.title} if nxt else None,
        "duplicate_ids": list(inc.doc.duplicate_ids),
    }
