"""Causal order per fact: each event names the events of its fact its clone had seen (`saw`).

An event that saw another comes after it; events that saw nothing of each other are concurrent
and settled by `settle_task` by the table in TASK_RANK (ARCHITECTURE.md, "Causal order").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hotfix_tui.core.record.events import Event

TASK_STATE = ("done", "reopen", "skip", "unskip")
INCIDENT_FACTS = ("severity", "status")
SAW = "saw"
# Concurrent task events (neither saw the other): a done beats a skip, whose reason stays as a
# note; every other pair (done/reopen, skip/reopen, skip/unskip, ...) goes to the latest
# recorded, the fixed fallback. Concurrent dones keep the earliest time (see projection.replay).


def fact_of(ev: Event) -> str | None:
    """The fact an event decides, for causal order (a task's state, the severity, the status)."""
    if ev.kind in TASK_STATE:
        ref = ev.task
        return f"task:{ref}" if ref is not None else None
    if ev.kind in INCIDENT_FACTS:
        return ev.kind
    return None


class Frontier:
    """The heads of each fact (events no other seen event saw), grown event by event in
    recorded order (causal successors are always recorded later)."""

    def __init__(self) -> None:
        self.heads: dict[str, list[Event]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._all: dict[str, list[str]] = {}

    def add(self, ev: Event) -> list[Event]:
        """Grow the frontier by one event; returns the heads it saw (no longer heads)."""
        fact = fact_of(ev)
        if fact is None:
            return []
        before = self._all.setdefault(fact, [])
        saw = ev.get(SAW)
        if isinstance(saw, list):
            anc: set[str] = set()
            for sid in saw:
                sid = str(sid)
                if sid in self._ancestors:
                    anc.add(sid)
                    anc |= self._ancestors[sid]
            ancestors = frozenset(anc)
        else:  # an event from before causal order: it saw everything recorded before it
            ancestors = frozenset(before)
        self._ancestors[ev.id] = ancestors
        before.append(ev.id)
        old = self.heads.get(fact, [])
        heads = [h for h in old if h.id not in ancestors]
        gone = [h for h in old if h.id in ancestors]
        heads.append(ev)
        self.heads[fact] = heads
        return gone

    def saw(self, fact: str) -> list[str]:
        """What a new event of `fact` made now has seen: the ids of the fact's heads."""
        return sorted(h.id for h in self.heads.get(fact, []))


def frontier(events: Iterable[Event]) -> Frontier:
    """The frontier of a log (events in recorded order)."""
    f = Frontier()
    for ev in sorted(events, key=lambda e: e.order):
        f.add(ev)
    return f


def settle_task(heads: Sequence[Event]) -> tuple[Event | None, list[Event]]:
    """The winning head of a task's concurrent events, and the skips it overruled (their reasons
    are kept as notes)."""
    if not heads:
        return None, []
    pool = list(heads)
    if any(e.kind == "done" for e in pool):
        pool = [e for e in pool if e.kind != "skip"]
    best = max(pool, key=lambda e: e.order)
    return best, [e for e in heads if e.kind == "skip" and e is not best]


def settle_severity(heads: Sequence[Event], order: Sequence[str]) -> Event | None:
    """Concurrent severity changes: the most severe wins (order: most severe first)."""
    if not heads:
        return None
    rank = {s: i for i, s in enumerate(order)}
    return min(heads, key=lambda e: (rank.get(str(e.get("value")), len(rank)), e.order))


def saw_of(events: Iterable[Event], fact: str) -> list[str]:
    """What a new event of `fact` made after `events` has seen: that fact's heads."""
    f = Frontier()
    for ev in sorted((e for e in events if fact_of(e) == fact), key=lambda e: e.order):
        f.add(ev)
    return f.saw(fact)


def fact_named(kind: str, task: object) -> str | None:
    """The fact an event of `kind` about `task` would decide (None: not causally ordered)."""
    if kind in TASK_STATE:
        return f"task:{task}" if task is not None else None
    return kind if kind in INCIDENT_FACTS else None
