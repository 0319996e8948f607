"""One event of the incident's log: what happened, when, by whom (the log itself: `events.py`)."""

from __future__ import annotations

import json
import sys
from dataclasses import field
from datetime import UTC, datetime
from typing import Any

from hotfix_tui.core.frozen import frozen

FIXED = ("id", "kind", "recorded", "happened", "who", "clone")


def iso(t: datetime) -> str:
    """A UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (sorts as text in time order)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """The inverse of `iso` (also accepts times without fraction or with an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@frozen(slots=True)  # a day's log holds thousands: no per-event __dict__
class Event:
    """One action: `recorded` orders events, `happened` is when it took place (may differ)."""

    id: str
    kind: str
    recorded: str
    happened: str
    who: str
    clone: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> tuple[str, str]:
        """The sort key of the recorded order: recorded time, then id."""
        return (self.recorded, self.id)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def task(self) -> str | None:
        value = self.data.get("task")
        return str(value) if value is not None else None

    @property
    def happened_at(self) -> datetime:
        return parse_iso(self.happened)

    @property
    def recorded_at(self) -> datetime:
        return parse_iso(self.recorded)

    def line(self) -> str:
        """The event as one JSON line (keys sorted, so equal events are equal bytes)."""
        obj: dict[str, Any] = dict(self.data)
        obj.update(
            id=self.id,
            kind=self.kind,
            recorded=self.recorded,
            happened=self.happened,
            who=self.who,
            clone=self.clone,
        )
        return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Event:
        """The event of a parsed log line. Names, kinds, people, ids and the short values lines
        repeat are held once (interned); `happened` shares `recorded` when they are equal."""
        data = {_intern(k): _shared(v) for k, v in obj.items() if k not in FIXED}
        recorded = str(obj["recorded"])
        happened = str(obj.get("happened") or recorded)
        return cls(
            id=_intern(str(obj["id"])),  # the next event names it again (`saw`)
            kind=_intern(str(obj["kind"])),
            recorded=recorded,
            happened=recorded if happened == recorded else happened,
            who=_intern(str(obj.get("who") or "")),
            clone=_intern(str(obj.get("clone") or "")),
            data=data,
        )


_intern = sys.intern
_SHORT = 80  # a task key, a role, a status, an event id: repeated by many events of one log


def _shared(value: Any) -> Any:
    """A short text (or a list of them: the ids an event `saw`) held once however many events
    carry it; anything else as it is."""
    if type(value) is str:
        return _intern(value) if len(value) <= _SHORT else value
    if type(value) is list:
        return [_intern(x) if type(x) is str and len(x) <= _SHORT else x for x in value]
    return value
