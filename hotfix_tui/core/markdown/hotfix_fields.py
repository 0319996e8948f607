"""The fields of an incident's files, each named once, and the one reading and writing of each fact.

hotfix.md's header, timeline and resolution; the header fields tasks.md shares with it; the
post-mortem's. Timeline labels and severities come from the workflow (`workflow/model.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from hotfix_tui.core.clocks import format_time, human_duration, parse_time
from hotfix_tui.core.layouts import read_folder
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.workflow.model import BUILTIN_EVENTS, Workflow, severity_ids

# hotfix.md: the header (tasks.md's header holds Hotfix ID, Severity and Workflow too)
HOTFIX_ID = "Hotfix ID"
BRANCH = "Branch"
SEVERITY = "Severity"
STATUS = "Status"
WORKFLOW = "Workflow"  # tasks.md only
# hotfix.md: the timeline fields are the workflow's event labels; these are the built-in ones
START = BUILTIN_EVENTS["incident_start"]
DETECTION = BUILTIN_EVENTS["detection"]
TIMELINE: tuple[str, ...] = tuple(BUILTIN_EVENTS.values())
# hotfix.md: the resolution and the fix
TOTAL_DURATION = "Total Duration"
SLA_BREACH = "SLA Breach"
# rows of boxes the record fills itself (from the clock): fields, never a person's choice
FILLED_BOXES = frozenset({SLA_BREACH.lower()})
COMMIT_SHA = "Commit SHA"
# post-mortem.md: the header the record fills
INCIDENT_DATE = "Incident Date"
PARTICIPANTS = "Participants"
INCIDENT_COMMANDER = "Incident Commander"
DURATION_OF_IMPACT = "Duration of Impact"

NAMES: frozenset[str] = frozenset(
    {
        HOTFIX_ID, BRANCH, SEVERITY, STATUS, WORKFLOW, *TIMELINE, TOTAL_DURATION, SLA_BREACH,
        COMMIT_SHA, INCIDENT_DATE, PARTICIPANTS, INCIDENT_COMMANDER, DURATION_OF_IMPACT,
    }
)
DURATION_PLACEHOLDER = "[X hours Y minutes]"
COMMIT_PLACEHOLDER = "[git commit hash]"
_BRANCH_NAME = re.compile(r"[^\s#\[\]()~^:?*\\`-][^\s#\[\]()~^:?*\\`]*")
# the record's `## Input` section: `User description: "..."` (upstream's script leaves
# `$ARGUMENTS` there; the agent command that runs it fills it)
INPUT_HEADING = "## Input"
_DESCRIPTION = re.compile(r"User description:[ \t]*(?P<q>\"?)(?P<text>.*?)(?P=q)[ \t]*$")
# a template's placeholder inside a title: `[INCIDENT TITLE]`, `[BUG TITLE]`, `$ARGUMENTS`
_TITLE_PLACEHOLDER = re.compile(r"\[[A-Z]{2,}[A-Z0-9 _#/-]*\]|\$ARGUMENTS")


# --- the header -----------------------------------------------------------------------------


def incident_id(tasks_value: str | None, hotfix: str, folder: Path | None = None) -> str | None:
    """The Hotfix ID: tasks.md's field, else hotfix.md's, else the one the folder's name gives
    (`specs/hotfix/001-words` is `hotfix-001`); None while all are placeholders."""
    for value in (tasks_value, record.get_field(hotfix, HOTFIX_ID)):
        if not id_placeholder(value):
            return (value or "").strip()
    found = read_folder(folder) if folder is not None else None
    return found.id if found is not None and found.prefix else None


def title_placeholder(value: str | None) -> bool:
    """True when a title names nothing yet: empty, or holding a template's `[TITLE]`."""
    v = (value or "").strip()
    return not v or _TITLE_PLACEHOLDER.search(v) is not None


def _heading(hotfix: str) -> str:
    """The record's `# ` heading in its first lines ('' for none)."""
    for _, line in record.iter_lines(hotfix)[:5]:
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def description(hotfix: str) -> str:
    """The `User description` under the record's `## Input`; '' while unfilled (`$ARGUMENTS`)."""
    at = hotfix.find(INPUT_HEADING)
    if at < 0:
        return ""
    for _, line in record.iter_lines(hotfix[at:])[1:6]:
        m = _DESCRIPTION.match(line.strip())
        if m is not None:
            text = " ".join(m.group("text").split())
            return "" if title_placeholder(text) or record.is_placeholder(text) else text
        if line.startswith("#"):
            break
    return ""


def title(
    hotfix: str, tasks_title: str | None = None, folder: Path | None = None
) -> str | None:
    """The incident's title: tasks.md's own title, else the record's heading (`# Hotfix: words`),
    else (while those are placeholders) its User description, else the folder's words."""
    heading = _heading(hotfix)
    if tasks_title and tasks_title != heading and not title_placeholder(tasks_title):
        return tasks_title  # (a tasks.md linked to hotfix.md has hotfix.md's heading)
    named = heading.split(":", 1)[-1].strip()
    if not title_placeholder(named):
        return named
    said = description(hotfix)
    if said:
        return said
    found = read_folder(folder) if folder is not None else None
    words = " ".join(found.words.split("-")) if found is not None else ""
    return words[:1].upper() + words[1:] if words else None


def workflow_name(tasks: str) -> str | None:
    """The workflow tasks.md's `**Workflow**` field names, or None (absent or blank)."""
    if WORKFLOW not in tasks:  # most files name none: nothing to parse
        return None
    return (record.get_field(tasks, WORKFLOW) or "").strip() or None


def id_placeholder(value: str | None) -> bool:
    """True when a Hotfix ID value names no incident yet (empty, or a `###` template)."""
    return not (value or "").strip() or "#" in (value or "")


def branch(hotfix: str, folder: Path | None = None) -> str:
    """hotfix.md's `**Branch**` value without its code quotes; while it is absent or the
    template's `###` placeholder, the branch the folder's layout names (given `folder`). ''
    when it names no branch (another `[...]` placeholder, `(none)`, spaces)."""
    raw = record.get_field(hotfix, BRANCH)
    value = (raw or "").strip().strip("`").strip()
    if _BRANCH_NAME.fullmatch(value):
        return value
    if folder is None or (raw is not None and value and "###" not in value):
        return ""
    found = read_folder(folder)
    return found.branch if found is not None else ""


def checked_severity(hotfix: str, wf: Workflow | None) -> str | None:
    """The most severe of the workflow's severities checked in hotfix.md's Severity row."""
    return record.first_checked_key(hotfix, SEVERITY, severity_ids(wf))


def severity(hotfix: str, wf: Workflow | None, tasks_value: str | None = None) -> str | None:
    """The incident's severity: hotfix.md's checked box, else tasks.md's `**Severity**` value
    when it is one of the workflow's severities; without workflow severities, else the
    record's own Severity as written (`own_severity`)."""
    found = checked_severity(hotfix, wf)
    if found:
        return found
    value = (tasks_value or "").strip()
    if value in severity_ids(wf):
        return value
    return own_severity(hotfix) if wf is None or not wf.severities else None


def own_severity(text: str) -> str | None:
    """A record's Severity as written (a bug report's `High`): its checked boxes' labels, else
    a value that is not a placeholder; None for neither."""
    value = record.get_field(text, SEVERITY)
    if value is None:
        return None
    options = record.checkbox_options(value)
    if options:
        return " / ".join(label for label, checked, _ in options if checked) or None
    value = value.strip()
    return None if record.is_placeholder(value) or title_placeholder(value) else value


def severity_value(value: str, sev: str) -> str:
    """A Severity field's value with `sev` set in the field's own form: one box ticked and the
    others unticked in a checkbox row (one byte each), else the severity's id."""
    return record.set_row(value, sev) if record.checkbox_options(value) else sev


def checked_status(hotfix: str, wf: Workflow | None) -> str | None:
    """The furthest of the workflow's statuses checked in hotfix.md's Status row, else None."""
    statuses = wf.statuses if wf else ()
    return record.last_checked_key(hotfix, STATUS, statuses) if statuses else None


def status(hotfix: str, wf: Workflow | None) -> str:
    """The status hotfix.md says: its checked status, else the workflow's initial one; without
    workflow statuses, the record's own last checked Status box ('' for none)."""
    if wf is None or not wf.statuses:
        checked = record.checked_options(hotfix, STATUS)
        return checked[-1] if checked else ""
    return checked_status(hotfix, wf) or wf.initial_status or ""


def status_box(row: str, status: str, statuses: Sequence[str]) -> str:
    """The box of a Status row that shows `status`: its own, else (a status the row has no box
    for, as `Resolved` in upstream's `... | Monitoring | Post-Mortem Complete`) the box of the
    furthest status before it in the workflow's order; `status` itself when none is there."""
    labels = [label for label, _c, _o in record.checkbox_options(row)]
    has = [s for s in statuses if any(record.matches(label, s) for label in labels)]
    if status in has or status not in statuses or not labels:
        return status
    rank = statuses.index(status)
    before = [s for s in has if statuses.index(s) < rank]
    return before[-1] if before else status


def set_header(
    hotfix: str, severity: str | None, status: str | None, wf: Workflow | None = None
) -> str:
    """hotfix.md with the Severity and Status rows checked as given (None: left as it is), a
    status without a box of its own shown by `status_box`; a Status row with no box checked
    stays so for the initial status (which it says)."""
    flds = record.fields(hotfix)
    if severity and SEVERITY in flds:
        hotfix = record.set_checked(hotfix, SEVERITY, severity)
    if status and STATUS in flds:
        row = flds[STATUS].value
        if wf is not None and wf.statuses:
            boxes = record.checkbox_options(row)
            if boxes and status == wf.initial_status and not any(c for _l, c, _o in boxes):
                return hotfix
            status = status_box(row, status, wf.statuses)
        hotfix = record.set_checked(hotfix, STATUS, status)
    return hotfix


# --- the timeline -----------------------------------------------------------------------------


def timeline(wf: Workflow | None) -> dict[str, str]:
    """Each event's timeline field (event -> label); without a workflow, the start and detection."""
    if wf is not None:
        return dict(wf.events)
    return {e: BUILTIN_EVENTS[e] for e in ("incident_start", "detection")}


def start_label(wf: Workflow | None) -> str:
    """The field of the event the resolution clock starts at (`Incident Start` by default)."""
    return (wf.events.get(wf.clock.starts_at) if wf else None) or START


def detection_label(wf: Workflow | None) -> str:
    """The field of the detection event (`Detection` by default)."""
    return (wf.events.get("detection") if wf else None) or DETECTION


def start_time(hotfix: str, wf: Workflow | None) -> datetime | None:
    """The time in the start field (`start_label`), or None."""
    return record.field_time(hotfix, start_label(wf))


def field_times(hotfix: str, labels: Mapping[str, str]) -> dict[str, datetime]:
    """The times of the events whose fields (event -> label) hold one (a time, then optionally
    ` - ` and words)."""
    out: dict[str, datetime] = {}
    if labels:
        flds = record.fields(hotfix)
        for name, label in labels.items():
            f = flds.get(label) if label else None
            if f is not None:
                t = parse_time(f.value.split(" - ", 1)[0])
                if t is not None:
                    out[name] = t
    return out


def event_times(hotfix: str, wf: Workflow | None) -> dict[str, datetime]:
    """The times of the workflow's events that hotfix.md's timeline fields hold."""
    return field_times(hotfix, timeline(wf))


def detection(hotfix: str, wf: Workflow | None) -> tuple[datetime, str] | None:
    """The detection's time and how it was noticed ('' for a placeholder), or None."""
    label = detection_label(wf)
    when = record.field_time(hotfix, label)
    if when is None:
        return None
    rest = (record.get_field(hotfix, label) or "").partition(" - ")[2]
    return when, "" if record.is_placeholder(rest) else rest.strip()


def detection_text(hotfix: str, wf: Workflow | None) -> str:
    """The detection field as written (`time - how`), '' when absent."""
    return record.get_field(hotfix, detection_label(wf)) or ""


def set_time(hotfix: str, label: str, when: datetime | None) -> str:
    """A timeline field set to `when` (None: its placeholder again), keeping any ` - detail`."""
    if when is None:
        return record.clear_field_time(hotfix, label)[0]
    return record.set_field_time(hotfix, label, format_time(when), overwrite=True)


def set_detection(hotfix: str, label: str, when: datetime, how: str) -> str:
    """The detection field set to `when - how` (an empty `how` keeps the words written)."""
    value = record.get_field(hotfix, label) or ""
    _head, sep, rest = value.partition(" - ")
    how = how or (rest if sep and not record.is_placeholder(rest) else "")
    new = format_time(when) + (f" - {how}" if how else (sep + rest if sep else ""))
    return record.set_field(hotfix, label, new)


# --- the resolution and the fix ---------------------------------------------------------------


def set_resolution(hotfix: str, seconds: float | None, target_seconds: int | None) -> str:
    """Total Duration and SLA Breach: the duration and verdict once the clock stopped (None:
    the placeholders); no verdict without a target."""
    has_dur = record.get_field(hotfix, TOTAL_DURATION) is not None
    has_breach = record.get_field(hotfix, SLA_BREACH) is not None
    if seconds is None:
        if has_dur:
            hotfix = record.set_field(hotfix, TOTAL_DURATION, DURATION_PLACEHOLDER)
        return record.uncheck_all(hotfix, SLA_BREACH) if has_breach else hotfix
    if has_dur:
        hotfix = record.set_field(hotfix, TOTAL_DURATION, human_duration(seconds))
    if has_breach and target_seconds is not None:
        verdict = "Yes" if seconds > target_seconds else "No"
        hotfix = record.set_checked(hotfix, SLA_BREACH, verdict, add=False)
    return hotfix


def commit_value(hotfix: str) -> str | None:
    """The Commit SHA field as written, without code quotes (a placeholder too); None if absent."""
    value = record.get_field(hotfix, COMMIT_SHA)
    return None if value is None else value.strip().strip("`")


def commit_sha(hotfix: str) -> str:
    """The fix commit hotfix.md names; '' for none or a placeholder."""
    value = commit_value(hotfix) or ""
    return "" if record.is_placeholder(value) else value


def set_commit(hotfix: str, sha: str | None) -> str:
    """hotfix.md's Commit SHA set to `sha` (None: the placeholder again)."""
    want = sha or COMMIT_PLACEHOLDER
    cur = commit_value(hotfix)
    return hotfix if cur is None or cur == want else record.set_field(hotfix, COMMIT_SHA, want)


# --- a new folder's files from spec-kit-extensions' templates -----------------------------------

_HEADING_PLACEHOLDER = re.compile(r"\[[^\]\n]+\]")
DATE_PLACEHOLDERS = ("[DATE]", "[YYYY-MM-DD]")


def fill_template(
    text: str,
    *,
    title: str,
    file_id: str,
    branch: str,
    date: str,
    description: str,
    severity: str | None = None,
    status: str | None = None,
    start: tuple[str, str] | None = None,
) -> str:
    """A template of spec-kit-extensions filled for a new folder: the heading's placeholder,
    its `**… ID**` and Branch fields, the Severity and Status boxes, `start` (label, time), the
    dates and the User description; every other placeholder stays for a person."""
    first, nl, rest = text.partition("\n")
    if first.startswith("# "):
        first = _HEADING_PLACEHOLDER.sub(lambda _m: title, first, count=1)
    text = first + nl + rest
    for name, f in list(record.fields(text).items()):
        if name.upper().endswith(" ID") and "###" in f.value:
            text = record.set_field(text, name, file_id)
    value = record.get_field(text, BRANCH)
    if value is not None and ("###" in value or record.is_placeholder(value)):
        text = record.set_field(text, BRANCH, f"`{branch}`")
    text = set_header(text, severity, status)
    if start is not None:
        text = record.set_field_time(text, start[0], start[1])
    text = text.replace(DATE_PLACEHOLDERS[0], date).replace(DATE_PLACEHOLDERS[1], date, 1)
    return text.replace("$ARGUMENTS", description.replace('"', "'"))
