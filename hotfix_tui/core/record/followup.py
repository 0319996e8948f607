"""Adding a post-mortem follow-up (an action item with an owner and a due date) through the
record: a `followup` event that the projection writes under `## Action Items`."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from hotfix_tui.core.markdown import action_items
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import BadInput, Change, IncidentError
from hotfix_tui.core.record.view import POSTMORTEM

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident

_ONE_LINE = re.compile(r"[^\r\n\x00-\x1f\x7f]+")


def _line(value: str, what: str) -> str:
    value = value.strip()
    if not value or not _ONE_LINE.fullmatch(value):
        raise BadInput(f"the follow-up's {what} must be one line of text")
    return value


def due_date(text: str) -> str:
    """A due date as YYYY-MM-DD; BadInput when it is not one."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError as exc:
        raise BadInput(f"due date {text!r} is not a date; write it as YYYY-MM-DD") from exc


def add_followup(inc: Incident, title: str, owner: str, due: str, ref: str = "") -> Change:
    """Record an action item AI-NNN (the next free number, or `ref` when free: a redo) and
    write it into post-mortem.md."""
    title, owner, due = _line(title, "title"), _line(owner, "owner"), due_date(due)
    if not inc.view.path(POSTMORTEM).exists():
        raise IncidentError(f"{inc.folder}: no post-mortem.md to write the follow-up into")
    text = inc.view.text(POSTMORTEM)
    refs = [it.ref for it in action_items.parse(text) if not it.placeholder]
    if not ref or ref in refs:
        refs += [str(e.get("ref")) for e in inc.view.events if e.kind == kinds.FOLLOWUP]
        ref = action_items.next_ref(refs)
    holder = action_items.placeholder_lines(text)  # what the first item replaces, kept for undo
    extra: dict[str, object] = {"holder": holder} if holder else {}
    inc.tx.emit(kinds.FOLLOWUP, None, ref=ref, title=title, owner=owner, due=due, **extra)
    label = f"follow-up {ref}"

    def undo() -> Change | None:
        inc.tx.emit(kinds.FOLLOWUP, None, ref=ref, title=title, owner=owner, due=due, drop=True,
                    undo=label, **extra)
        return None

    return inc._keep(Change(label, undo, {POSTMORTEM},
                            redo=lambda: add_followup(inc, title, owner, due, ref),
                            undone=f"{label} removed"))
