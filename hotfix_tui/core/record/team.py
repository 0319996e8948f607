"""Who does what: the roles of an incident, the hand-over of its commander, the task assignees,
and the status updates sent, as the `role`, `assign`, `handover`, `accept` and `reminder_sent`
events of the log say (replayed from those events alone)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import datetime

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.event import Event, iso
from hotfix_tui.core.record.projection import replay
from hotfix_tui.core.workflow.model import COMMANDER, Workflow, role_labels

TEAM_KINDS = frozenset({kinds.ROLE, kinds.ASSIGN, kinds.HANDOVER, kinds.ACCEPT})


@frozen
class Team:
    """Every declared role and who holds it (None: nobody), a pending hand-over, the assignee
    of each task (by its key) and the latest status update's text."""

    labels: dict[str, str]
    roles: dict[str, str | None]
    handover: Event | None = None
    assignees: dict[str, str] = field(default_factory=dict)

    commander_role = COMMANDER

    @property
    def commander(self) -> str | None:
        return self.roles.get(COMMANDER)

    @property
    def handover_to(self) -> str | None:
        return str(self.handover.get("to")) if self.handover is not None else None

    @property
    def leads(self) -> list[str]:
        """Who commands and who is taking over (the names "mine" matches)."""
        return [w for w in (self.commander, self.handover_to) if w]

    def handover_json(self) -> dict[str, str] | None:
        """`{"to", "since"}` of a pending hand-over (`status --json`), None without one."""
        ev = self.handover
        if ev is None:
            return None
        return {"to": str(ev.get("to")), "since": iso(since(ev)).replace(".000000Z", "Z")}

    def commander_words(self) -> str:
        """`Ana`, `Ana -> Ben (handing over)`, '' when nobody commands."""
        who, to = self.commander, self.handover_to
        if to:
            return f"{who or 'nobody'} -> {to} (handing over)"
        return who or ""


def team_of(events: Iterable[Event], wf: Workflow | None) -> Team:
    """The team the log says (only its team events and reverts replayed)."""
    mine = [e for e in events if e.kind in TEAM_KINDS or e.kind in (kinds.REVERT, kinds.IDS)]
    labels = role_labels(wf)
    if not any(e.kind in TEAM_KINDS for e in mine):
        return Team(labels, dict.fromkeys(labels))
    st = replay(mine, wf)
    roles: dict[str, str | None] = dict.fromkeys(labels)
    roles.update(st.roles)
    assignees = {k: ts.assignee for k, ts in st.tasks.items() if ts.assignee}
    return Team(labels, roles, st.handover, assignees)


def latest_update(events: Sequence[Event]) -> Event | None:
    """The latest status update sent with its text (the board's status line), None if none."""
    best: Event | None = None
    undone = {str(e.get("undoes")) for e in events if e.kind == kinds.REMINDER_SENT
              and e.get("undo")}
    for e in events:
        fresh = best is None or e.order > best.order
        if e.kind == kinds.REMINDER_SENT and e.get("text") and not e.get("undo") and fresh \
                and e.id not in undone:
            best = e
    return best


def is_me(name: str | None, me: Iterable[str]) -> bool:
    """True when `name` is one of `me` (git's user.name and user.email), in any case."""
    if not name:
        return False
    wanted = name.strip().casefold()
    return any(wanted == m.strip().casefold() for m in me if m and m.strip())


def since(ev: Event) -> datetime:
    """When a team event was recorded (to the second)."""
    return ev.recorded_at.replace(microsecond=0)


def mine_words(leads: Iterable[str | None], assignees: Mapping[str, str],
               me: Sequence[str]) -> str:
    """What of an incident is mine ('' : nothing): `IC` when I command it (or it is being
    handed over to me), `2 tasks` assigned to me, or both."""
    if not me:
        return ""
    parts = ["IC"] if any(is_me(who, me) for who in leads) else []
    n = sum(1 for who in assignees.values() if is_me(who, me))
    if n:
        parts.append(f"{n} task" + ("s" if n > 1 else ""))
    return ", ".join(parts)
