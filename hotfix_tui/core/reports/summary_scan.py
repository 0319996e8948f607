"""The summary of a branch copy read straight from its blobs, without loading it as an Incident.

Only a plain copy qualifies (no event log, no link but to a sibling file, no conflict marker,
a plain tasks.md); for any other, None: the copy is then loaded in full.
"""

# Without an event log an incident's view is its files as they are, so its summary is what
# `summaries.summarize` reads of them; the reads below are `Incident.id`, `title`, `severity`,
# `status`, `event_times` and `progress` on those texts, and tasks_tally gives what the parse of
# tasks.md would. tests/reports/test_summary_scan.py checks the result equals the full path's.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotfix_tui.core.layouts import record_file
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown.tasks_tally import Tally, progress, tally
from hotfix_tui.core.reports.summaries import IncidentSummary, stamp
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.core.workflow.model import Workflow

TASKS, HOTFIX, POSTMORTEM, LOG = "tasks.md", "hotfix.md", "post-mortem.md", "events.jsonl"
FILE_MODES = ("100644", "100755")
LINK_MODE = "120000"
MARKER = "<<<<<<<"


def scan_summary(
    path: str,
    files: dict[str, tuple[str, str]],
    blobs: dict[str, bytes],
    max_bytes: int,
    workflow_of: Callable[[str], Workflow | None],
) -> dict[str, Any] | None:
    """`IncidentSummary.data()` of the copy of `path` (its files: name -> mode, blob id); None
    when it needs the full load. `workflow_of(head of tasks.md)` is the catalog's workflow_for.
    A file that is a link to a sibling file (upstream's `tasks.md -> hotfix.md`) is read as it."""
    if LOG in files:
        return None
    record = record_file(Path(path))
    names = [TASKS, HOTFIX, POSTMORTEM]
    if record is not None and record not in names and HOTFIX not in files:
        names.append(record)
    texts: dict[str, str | None] = {}
    for name in names:
        if name not in files:
            texts[name] = None
            continue
        mode, sha = _followed(files, blobs, files[name])
        data = blobs.get(sha)
        if mode not in FILE_MODES or data is None or len(data) > max_bytes or b"\0" in data:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if MARKER in text:
            return None
        texts[name] = text
    tasks, hot = texts[TASKS], texts[HOTFIX] or ""
    if tasks is None and texts[HOTFIX] is None:
        return None
    counted = tally(tasks or "")
    if counted is None:
        return None
    try:
        wf = workflow_of((tasks or "")[:4000])
    except Exception:  # noqa: BLE001 - the full load says what is wrong with it
        return None
    if wf is not None and not wf.source:
        return None
    own = hot or (texts.get(record) or "" if record is not None else "")
    return _summary(Path(path), counted, own, wf).data()


def _followed(
    files: dict[str, tuple[str, str]], blobs: dict[str, bytes], entry: tuple[str, str]
) -> tuple[str, str]:
    """A file's (mode, blob id), a link to a sibling file (`tasks.md -> hotfix.md`, mode 120000:
    its blob is the target's name) replaced by that file's; other links stay links."""
    mode, sha = entry
    if mode != LINK_MODE:
        return entry
    target = (blobs.get(sha) or b"").decode("utf-8", "replace")
    found = files.get(target) if "/" not in target else None
    return found if found is not None and found[0] in FILE_MODES else entry


def _summary(folder: Path, doc: Tally, hot: str, wf: Workflow | None) -> IncidentSummary:
    severity = hf.severity(hot, wf, doc.fields.get(hf.SEVERITY))
    done, total = progress(doc, wf, severity)
    made = IncidentSummary(
        id=hf.incident_id(doc.fields.get(hf.HOTFIX_ID), hot, folder) or folder.name,
        title=hf.title(hot, doc.title, folder) or folder.name,
        severity=severity,
        status=hf.status(hot, wf),
        done=done,
        total=total,
        times=_times(hot, wf),
        workflow_source=wf.source if wf else None,
        workflow_stamp=stamp(wf.source if wf else None),
        resolved_severity=None,  # the severity when the clock stopped: none without a log
        branch=hf.branch(hot, folder),
        workflow=wf,
    )
    made.status = made.status or lifecycle.checklist_status(wf, made.progress)
    return made


def _times(hot: str, wf: Workflow | None) -> dict[str, str]:
    times = hf.event_times(hot, wf)
    return {name: t.isoformat() for name, t in times.items()}
