"""Causal order per fact: each event names the events of its fact its clone had seen (`saw`).

An event that saw another comes after it; events that saw nothing of each other are concurrent
and settled by the rules of their kinds (`kinds.settle_task`, `settle_severity`; ARCHITECTURE.md,
"Causal order"). Which fact an event decides is its kind's declaration (`kinds.fact_of`).
"""

from __future__ import annotations

from collections.abc import Sequence

from hotfix_tui.core.record.event import Event

SAW = "saw"


class Frontier:
    """The heads of each fact (events no other seen event saw), grown event by event in
    recorded order (causal successors are always recorded later)."""

    def __init__(self) -> None:
        self.heads: dict[str, list[Event]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._all: dict[str, list[str]] = {}

    def add(self, ev: Event, fact: str) -> list[Event]:
        """Grow the frontier of `fact` by one event; returns the heads it saw (no longer heads)."""
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


def settle_severity(heads: Sequence[Event], order: Sequence[str]) -> Event | None:
    """Concurrent severity changes: the most severe wins (order: most severe first)."""
    if not heads:
        return None
    rank = {s: i for i, s in enumerate(order)}
    return min(heads, key=lambda e: (rank.get(str(e.get("value")), len(rank)), e.order))
