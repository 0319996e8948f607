"""What an action on an incident gives back (`Change`, to undo it) and how it fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class IncidentError(Exception):
    """An action could not be done; the message names the file and what to do."""


class BadInput(IncidentError):
    """What the user gave cannot be taken (a time in the future); nothing was written."""


@dataclass
class Change:
    """One applied action, kept so that it can be undone (`undo`) and, once undone, done again
    (`redo`: the action itself, recorded anew); `undone` says the state an undo leaves."""

    label: str
    undo: Callable[[], Change | None]
    files: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)  # what the user should know, e.g. kept times
    redo: Callable[[], Change | None] | None = None
    undone: str = ""  # what the state is after the undo, e.g. "severity back to P0"
    made: list[str] = field(default_factory=list)  # the ids of the events the action appended
