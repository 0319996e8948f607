"""Fill the incident record from what people tell us: detection, a corrected start, the fix commit.

A value a person wrote is replaced only with `force` (else NeedsConfirmation); changes are logged.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from . import record, tasks_md
from .clocks import format_time, human_duration

if TYPE_CHECKING:
    from .incident import Change, Incident, IncidentError

DETECTION = "Detection"
START = "Incident Start"
COMMIT_SHA = "Commit SHA"
_REVERT_RE = re.compile(r"(git revert )(\[commit-sha\]|<hotfix-commit-sha>|[0-9a-f]{7,64})")


def _errors() -> tuple[type[Change], type[IncidentError]]:
    """Change and IncidentError, imported late (incident.py imports this module)."""
    from .incident import Change, IncidentError

    return Change, IncidentError


class NeedsConfirmation(Exception):
    """A different value is already there; the caller asks the user, then passes `force`."""

    def __init__(self, message: str, current: str, proposed: str) -> None:
        super().__init__(message)
        self.current = current
        self.proposed = proposed


def needs_detection(inc: Incident) -> bool:
    """True when hotfix.md has a `**Detection**` field with no time yet (ask the user once)."""
    text = inc.text("hotfix.md")
    return (
        record.get_field(text, DETECTION) is not None and record.field_time(text, DETECTION) is None
    )


def set_detection(inc: Incident, when: datetime | None, how: str, *, force: bool = False) -> Change:
    """Write `**Detection**: <time> - <how>`; `when` defaults to now.

    A detection time already written stays unless `force`; NeedsConfirmation says what is there.
    """
    Change, IncidentError = _errors()
    how = " ".join((how or "").split())
    text = inc.text("hotfix.md")
    current = record.get_field(text, DETECTION)
    if current is None:
        raise IncidentError(f"{inc.path('hotfix.md')}: no **Detection** field to fill")
    when = when or inc.clock()
    stamp = format_time(when)
    head, sep, rest = current.partition(" - ")
    old_time = record.field_time(text, DETECTION)
    if old_time is not None and old_time != when and not force:
        raise NeedsConfirmation(
            f"Detection already says {head.strip()}; confirm to replace it with {stamp}",
            head.strip(),
            stamp,
        )
    old_how = rest.strip() if sep else ""
    if not how:
        how = old_how if old_how and not record.is_placeholder(old_how) else ""
    new = stamp if not how and not sep else f"{stamp} - {how or rest}"
    before = text
    inc._write("hotfix.md", lambda t: record.set_field(t, DETECTION, new))
    inc._log("Detected", how, replaces="First detection")
    change = Change(f"detection {stamp}", lambda: _restore(inc, DETECTION, before))
    inc.history.append(change)
    inc._notify(change.label)
    return change


def _restore(inc: Incident, name: str, before: str) -> None:
    old = record.get_field(before, name)
    if old is not None:
        inc._write("hotfix.md", lambda t: record.set_field(t, name, old))
    return None


def set_started_at(inc: Incident, when: datetime, *, force: bool = False) -> Change | None:
    """Correct `**Incident Start**`; every clock follows since it reads the file.

    NeedsConfirmation when another time is there and `force` is not set.
    """
    # A Total Duration and SLA Breach computed from the old start are computed again; ones a
    # person wrote stay.
    Change, IncidentError = _errors()
    text = inc.text("hotfix.md")
    if record.get_field(text, START) is None:
        raise IncidentError(f"{inc.path('hotfix.md')}: no **Incident Start** field")
    old = record.field_time(text, START)
    stamp = format_time(when)
    if old == when:
        return None
    if old is not None and not force:
        raise NeedsConfirmation(
            f"Incident Start is {format_time(old)}; confirm to change it to {stamp}",
            format_time(old),
            stamp,
        )
    before = text
    wf = inc.workflow
    end_label = wf.events.get(wf.clock.stops_at, "Incident End") if wf else "Incident End"
    sev = wf.severity(inc.severity) if wf else None

    def edit(t: str) -> str:
        end = record.field_time(t, end_label)
        dur = record.get_field(t, "Total Duration")
        computed = (
            old is not None
            and end is not None
            and dur is not None
            and dur.strip() == human_duration((end - old).total_seconds())
        )
        t = record.set_field_time(t, START, stamp, overwrite=True)
        if end is not None and dur is not None and (computed or record.is_placeholder(dur)):
            secs = (end - when).total_seconds()
            t = record.set_field(t, "Total Duration", human_duration(secs))
            if sev is not None and record.get_field(t, "SLA Breach") is not None:
                t = record.set_checked(
                    t, "SLA Breach", "Yes" if secs > sev.target_seconds else "No", add=False
                )
        return t

    inc._write("hotfix.md", edit)
    was = format_time(old) if old else "empty"
    inc._log("Incident Start corrected", f"{was} -> {stamp}")
    change = Change(f"incident start {stamp}", lambda: _restore_all(inc, before))
    inc.history.append(change)
    inc._notify(change.label)
    return change


def _restore_all(inc: Incident, before: str) -> None:
    for name in (START, "Total Duration", "SLA Breach"):
        _restore(inc, name, before)


def set_fix_commit(
    inc: Incident, sha: str, subject: str = "", *, force: bool = False
) -> Change | None:
    """Write the fix's full SHA into `**Commit SHA**` and the rollback `git revert <sha>`.

    NeedsConfirmation when another SHA is already recorded and `force` is not set.
    """
    Change, IncidentError = _errors()
    text = inc.text("hotfix.md")
    current = record.get_field(text, COMMIT_SHA)
    if current is None:
        raise IncidentError(f"{inc.path('hotfix.md')}: no **Commit SHA** field to fill")
    cur = current.strip().strip("`")
    if cur == sha:
        return None
    if not record.is_placeholder(cur) and not force:
        raise NeedsConfirmation(
            f"Commit SHA already says {cur}; confirm to replace it with {sha}", cur, sha
        )
    before = text

    def edit(t: str) -> str:
        t = record.set_field(t, COMMIT_SHA, sha)
        return fill_rollback(t, sha, previous=cur)

    inc._write("hotfix.md", edit)
    inc._write("tasks.md", lambda t: fill_rollback(t, sha, previous=cur, section=""))
    inc.doc = tasks_md.parse_tasks(inc.text("tasks.md"))
    inc._log("Fix commit recorded", f"{sha[:12]} {subject}".strip())
    change = Change(f"fix commit {sha[:12]}", lambda: _restore(inc, COMMIT_SHA, before))
    inc.history.append(change)
    inc._notify(change.label)
    return change


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
