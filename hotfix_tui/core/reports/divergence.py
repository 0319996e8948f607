"""Copies of one incident whose event logs differ (branches, the work tree): the view of their
union, as a merge would make it, and what each copy lacks of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.frozen import frozen

if TYPE_CHECKING:
    from hotfix_tui.core.record.events import Event
    from hotfix_tui.core.record.incident import Incident

SHOWN_IN_TEXT = 3  # events named in a one-line note; the rest are counted


@frozen
class Missing:
    """An event of the merged log that a copy lacks, and how it reads (`T005 done (by Ben)`)."""

    id: str
    kind: str
    task: str | None
    who: str
    text: str

    def data(self) -> dict[str, Any]:
        """As `list --json` and the summary cache keep it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "task": self.task,
            "who": self.who,
            "text": self.text,
        }

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Missing:
        """The inverse of `data`."""
        task = d.get("task")
        return cls(
            id=str(d["id"]),
            kind=str(d["kind"]),
            task=None if task is None else str(task),
            who=str(d.get("who") or ""),
            text=str(d["text"]),
        )


@frozen
class Lack:
    """A branch (or the work tree) whose copy lacks events that another copy holds."""

    branch: str
    missing: tuple[Missing, ...]

    def text(self) -> str:
        """`origin/hotfix/001-x lacks: T005 done (by Ben)` (long lists end with a count)."""
        named = ", ".join(m.text for m in self.missing[:SHOWN_IN_TEXT])
        more = len(self.missing) - SHOWN_IN_TEXT
        return f"{self.branch} lacks: {named}" + (f" and {more} more" if more > 0 else "")

    def data(self) -> dict[str, Any]:
        return {"branch": self.branch, "missing": [m.data() for m in self.missing]}


def describe(ev: Event) -> Missing:
    """An event in a few words (its kind's, `kinds.describe`) and by whom."""
    from hotfix_tui.core.record import kinds

    by = f" (by {ev.who})" if ev.who else ""
    return Missing(ev.id, ev.kind, ev.task, ev.who, kinds.describe(ev) + by)


def merge_copies(
    inc: Incident, own: str, others: dict[str, list[Event]]
) -> dict[str, list[Missing]]:
    """Show `inc` with the events of the other logs merged in (`Incident.merge_events`: their
    union by id, then projection); what each log lacks of the union, by key (`own` for inc's)."""
    logs: dict[str, set[str]] = {own: {e.id for e in inc.view.events}}
    for key, evs in others.items():
        logs.setdefault(key, set()).update(e.id for e in evs)
    inc.view.merge_events([e for evs in others.values() for e in evs])
    return {key: lacking(inc.view.events, ids) for key, ids in logs.items()}


def lacking(union: Iterable[Event], ids: set[str]) -> list[Missing]:
    """The events of `union` (in its order) whose ids are not in `ids`; seeds say nothing new."""
    return [describe(e) for e in union if e.id not in ids and not e.get("seed")]
