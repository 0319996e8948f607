"""Fill the incident record from what people tell us: detection, a corrected start, the fix commit.

A value a person wrote is replaced only with `force` (else NeedsConfirmation); changes are logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from hotfix_tui.core.clocks import Clock, format_time, parse_time
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import Change, IncidentError
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.workflow.model import Workflow


class Viewed(Protocol):
    """What filling reads of the incident's view (`IncidentView` is one)."""

    @property
    def workflow(self) -> Workflow | None: ...
    @property
    def clock(self) -> Clock: ...
    def path(self, name: str) -> Path: ...
    def text(self, name: str) -> str: ...
    def order_warnings(self) -> list[str]: ...


class Emits(Protocol):
    """How filling records an event (`IncidentTransaction` is one)."""

    def emit(self, kind: str, happened: datetime | None = None, **data: object) -> list[Event]: ...
    def transact(
        self,
        build: Callable[[list[Event], Callable[..., Event]], list[Event]] | None = None,
        edit: tuple[str, Callable[[str], str]] | None = None,
        task: str | None = None,
        edits: dict[str, Callable[[str], str]] | None = None,
    ) -> list[Event]: ...


class Filled(Protocol):
    """What filling the record needs of its incident (`Incident` is one): its read view, its
    write transaction, the time check, the undo history and the listeners."""

    @property
    def view(self) -> Viewed: ...
    @property
    def tx(self) -> Emits: ...
    @property
    def history(self) -> list[Change]: ...
    def _check_time(self, when: datetime | None, what: str) -> None: ...
    def _notify(self, label: str) -> None: ...
    def _keep(self, change: Change) -> Change: ...


_REVERT_RE = re.compile(r"(git revert )(\[commit-sha\]|<hotfix-commit-sha>|[0-9a-f]{7,64})")


def detection_answer(hotfix_text: str, wf: Workflow | None = None) -> tuple[str, str]:
    """The recorded detection as (time, how) texts to edit; '' for a placeholder."""
    value = record.get_field(hotfix_text, hf.detection_label(wf)) or ""
    head, sep, rest = value.partition(" - ")
    when = parse_time(head)
    how = rest.strip() if sep else ""
    if record.is_placeholder(how):
        how = ""
    return (when.strftime("%Y-%m-%d %H:%M:%S") if when else ""), how


class NeedsConfirmation(Exception):
    """A different value is already there; the caller asks the user, then passes `force`."""

    def __init__(self, message: str, current: str, proposed: str) -> None:
        super().__init__(message)
        self.current = current
        self.proposed = proposed


def needs_detection(inc: Filled) -> bool:
    """True when hotfix.md has a `**Detection**` field with no time yet (ask the user once)."""
    text, label = inc.view.text("hotfix.md"), hf.detection_label(inc.view.workflow)
    return record.get_field(text, label) is not None and record.field_time(text, label) is None


def set_detection(
    inc: Filled, when: datetime | None, how: str, *, force: bool = False
) -> Change:
    """Record the detection (time, then how); `when` defaults to now.

    A detection time already recorded stays unless `force`; NeedsConfirmation says what is there.
    """
    how = " ".join((how or "").split())
    text, label = inc.view.text("hotfix.md"), hf.detection_label(inc.view.workflow)
    current = record.get_field(text, label)
    if current is None:
        raise IncidentError(f"{inc.view.path('hotfix.md')}: no **{label}** field to fill")
    when = when or inc.view.clock()
    inc._check_time(when, "the detection time")
    stamp = format_time(when)
    head, sep, rest = current.partition(" - ")
    old_time = record.field_time(text, label)
    if old_time is not None and old_time != when and not force:
        raise NeedsConfirmation(
            f"{label} already says {head.strip()}; confirm to replace it with {stamp}",
            head.strip(),
            stamp,
        )
    old_how = rest.strip() if sep and not record.is_placeholder(rest) else ""
    inc.tx.emit(kinds.DETECTION, happened=when, how=how or old_how or None)
    field, label = label, f"detection {stamp}"

    def undo() -> Change | None:
        if old_time is None:  # the field as it was, its "how" placeholder included
            inc.tx.transact(
                lambda _evs, make: [make(kinds.DETECTION, clear=True, undo=label)],
                edit=("hotfix.md", lambda t: record.set_field(t, field, current)),
            )
        else:
            inc.tx.emit(kinds.DETECTION, happened=old_time, how=old_how or None, undo=label)
        return None

    return inc._keep(Change(
        label, undo, messages=inc.view.order_warnings(),
        redo=lambda: set_detection(inc, when, how or old_how, force=True),
        undone=f"detection back to {format_time(old_time)}" if old_time else "detection cleared",
    ))


def set_started_at(inc: Filled, when: datetime, *, force: bool = False) -> Change | None:
    """Correct the incident start; every clock, Total Duration and SLA Breach follow.

    NeedsConfirmation when another time is there and `force` is not set.
    """
    text, label = inc.view.text("hotfix.md"), hf.start_label(inc.view.workflow)
    if record.get_field(text, label) is None:
        raise IncidentError(f"{inc.view.path('hotfix.md')}: no **{label}** field")
    inc._check_time(when, "the incident start")
    old = record.field_time(text, label)
    stamp = format_time(when)
    if old == when:
        return None
    if old is not None and not force:
        raise NeedsConfirmation(
            f"{label} is {format_time(old)}; confirm to change it to {stamp}",
            format_time(old),
            stamp,
        )
    inc.tx.emit(kinds.START, happened=when)
    label = f"incident start {stamp}"

    def undo() -> Change | None:
        if old is not None:
            inc.tx.emit(kinds.START, happened=old, undo=label)
        return None

    return inc._keep(Change(
        label, undo, messages=inc.view.order_warnings(),
        redo=lambda: set_started_at(inc, when, force=True),
        undone=f"incident start back to {format_time(old)}" if old else "",
    ))


def set_fix_commit(
    inc: Filled, sha: str, subject: str = "", *, force: bool = False
) -> Change | None:
    """Record the fix's full SHA in `**Commit SHA**` and the rollback `git revert <sha>`.

    NeedsConfirmation when another SHA is already recorded and `force` is not set.
    """
    cur = hf.commit_value(inc.view.text("hotfix.md"))
    if cur is None:
        raise IncidentError(f"{inc.view.path('hotfix.md')}: no **{hf.COMMIT_SHA}** field to fill")
    if cur == sha:
        return None
    if not record.is_placeholder(cur) and not force:
        raise NeedsConfirmation(
            f"Commit SHA already says {cur}; confirm to replace it with {sha}", cur, sha
        )
    previous = "" if record.is_placeholder(cur) else cur
    names = ("tasks.md", "hotfix.md")
    before = {n: [m.group(2) for m in _REVERT_RE.finditer(inc.view.text(n))
                  if m.group(2).startswith(("[", "<"))] for n in names}
    inc.tx.emit(kinds.FIX_COMMIT, sha=sha, subject=subject or None, previous=previous or None)
    label = f"fix commit {sha[:12]}"

    def unfill(name: str) -> Callable[[str], str]:
        def fn(text: str) -> str:  # each `git revert <sha>` back to what it said before
            olds = iter(before[name])
            return _REVERT_RE.sub(
                lambda m: m.group(1) + next(olds, m.group(2)) if m.group(2) == sha
                else m.group(0), text,
            )

        return fn

    def undo() -> Change | None:
        if previous:
            inc.tx.emit(kinds.FIX_COMMIT, sha=previous, undo=label)
        else:  # no fix commit any more: the rollback lines say their placeholders again
            inc.tx.transact(
                lambda _evs, make: [make(kinds.FIX_COMMIT, sha="", undo=label)],
                edits={n: unfill(n) for n in names},
            )
        return None

    return inc._keep(Change(
        label, undo, redo=lambda: set_fix_commit(inc, sha, subject, force=True),
        undone=f"fix commit back to {previous[:12]}" if previous else "fix commit cleared",
    ))


def fill_rollback(text: str, sha: str, *, previous: str = "", section: str = "## Rollback") -> str:
    """Put `sha` into the `git revert` line of the rollback section (placeholder or our old SHA)."""
    lines = record.iter_lines(text)
    in_section = not section
    for off, line in lines:
        if section and line.startswith("## "):
            in_section = line.startswith(section)
            continue
        if not in_section:
            continue
        m = _REVERT_RE.search(line)
        if not m:
            continue
        target = m.group(2)
        if target.startswith(("[", "<")) or (previous and previous.startswith(target)):
            start = off + m.start(2)
            return text[:start] + sha + text[off + m.end(2) :]
    return text
