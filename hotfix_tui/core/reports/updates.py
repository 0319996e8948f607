"""The status update composer's first text: the workflow's `update_template` with the record's
facts filled in (state of service, what we know, next steps, next update at)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.clocks import format_time
from hotfix_tui.core.reports.report import build_report
from hotfix_tui.core.workflow.model import DEFAULT_UPDATE_TEMPLATE

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident


class _Facts(dict[str, str]):
    """The facts by name; a placeholder the record has no fact for stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def update_facts(
    inc: Incident, now: datetime, reminders: Sequence[Any] = ()
) -> dict[str, str]:
    """The facts a template may name: id, title, severity, status, commander, progress, known,
    next, next_update (the running reminder's interval from now, else '')."""
    data = build_report(inc, now, reminders=reminders)
    done, total = inc.progress()
    known = [*data["impact"], *data["root_cause"]]
    if data["detection"] is not None and data["detection"]["how"]:
        known.insert(0, f"detected: {data['detection']['how']}")
    nxt = "; ".join(f"{t['id']} {t['title']}" for t in data["next"]) or "none open"
    every = reminders[0].interval_seconds if reminders else None
    team = inc.view.team()
    return {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity or "?",
        "status": inc.status or "open",
        "commander": team.commander_words() or "nobody yet",
        "progress": f"{done}/{total}",
        "known": "; ".join(k.lstrip("- ") for k in known) or "investigating",
        "next": nxt,
        "next_update": format_time(now + timedelta(seconds=every)) if every else "",
    }


def compose(inc: Incident, now: datetime, reminders: Sequence[Any] = ()) -> str:
    """The template of the incident's workflow (the built-in one without) filled in."""
    wf = inc.workflow
    template = wf.update_template if wf is not None else DEFAULT_UPDATE_TEMPLATE
    try:
        return template.format_map(_Facts(update_facts(inc, now, reminders)))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template  # a brace the template means as text: given as written
