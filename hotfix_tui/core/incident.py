"""One incident folder and every action on it, shared by the CLI, the TUI and the tests.

Each action writes its change to the markdown at once through `store.update_file`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import record, tasks_md
from .clocks import (
    Clock,
    SlaReading,
    WindowReading,
    format_time,
    human_duration,
    parse_time,
    sla_reading,
    utc_now,
    window_readings,
)
from .model import TaskDef, Workflow
from .repo import ensure_excluded
from .store import (
    ConflictError,
    Loaded,
    StoreError,
    ensure_inside,
    read_text,
    unchanged,
    update_file,
)

TASKS = "tasks.md"
HOTFIX = "hotfix.md"
POSTMORTEM = "post-mortem.md"

# Placeholder rows of the post-mortem timeline that an event replaces.
EVENT_ROWS: dict[str, str] = {
    "incident_start": "Incident began",
    "detection": "First detection",
    "investigation_start": "Investigation started",
    "root_cause_identified": "Root cause identified",
    "fix_deployed": "Fix deployed",
    "incident_end": "Verification complete",
}
STATUS_ROWS: dict[str, str] = {"Resolved": "Incident closed"}


class IncidentError(Exception):
    """An action could not be done; the message names the file and what to do."""


@dataclass
class TaskView:
    """A task as shown: the file's state joined with the workflow's rules."""

    key: str
    id: str | None
    title: str
    done: bool
    skipped: str | None
    applicable: bool
    reason: str
    steps: list[str]
    notes: list[tasks_md.Note]
    phase_index: int
    level: int
    markers: list[str]
    line: int

    @property
    def state(self) -> str:
        if self.done:
            return "done"
        if self.skipped is not None:
            return "skipped"
        return "open" if self.applicable else "n/a"

    @property
    def settled(self) -> bool:
        """Done, skipped or not applicable: nothing left to do."""
        return self.state != "open"


@dataclass
class PhaseView:
    """A phase with its tasks and progress."""

    index: int
    name: str
    note: str
    tasks: list[TaskView]

    @property
    def total(self) -> int:
        return sum(1 for t in self.tasks if t.applicable or t.done)

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if (t.applicable or t.done) and (t.done or t.skipped))

    @property
    def finished(self) -> bool:
        return all(t.settled for t in self.tasks)


@dataclass
class Change:
    """One applied action, kept so that it can be undone."""

    label: str
    undo: Callable[[], Change | None]
    files: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)  # what the user should know, e.g. kept times


def folder_words(description: str, count: int = 3) -> str:
    """Lowercase, runs of non `a-z0-9` to `-`, first `count` words: the folder/branch slug."""
    import re

    words = [w for w in re.split(r"[^a-z0-9]+", description.lower()) if w]
    return "-".join(words[:count]) or "incident"


class Incident:
    """An incident folder loaded into memory, with actions that write through to disk."""

    def __init__(
        self,
        folder: Path,
        workflow: Workflow | None,
        *,
        clock: Clock = utc_now,
        who: str | None = None,
        repo_root: Path | None = None,
    ) -> None:
        self.folder = folder
        self.workflow = workflow
        self.clock = clock
        self.repo_root = repo_root
        self._who = who
        self.files: dict[str, Loaded | None] = {TASKS: None, HOTFIX: None, POSTMORTEM: None}
        self.doc: tasks_md.TasksDoc = tasks_md.parse_tasks("")
        self.history: list[Change] = []
        self._excluded = False
        self._kept: list[str] = []  # timeline times a done task found already filled
        # Called as listener(incident, label) after every action (e.g. gitops auto-commit).
        self.listeners: list[Callable[[Incident, str], None]] = []
        self.load()

    # --- loading ------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.folder / name

    def _read(self, name: str) -> Loaded | None:
        p = self.path(name)
        if not p.exists():
            return None
        self._inside(p)
        return read_text(p)

    def _inside(self, p: Path) -> None:
        """Refuse a file that resolves outside the repository (or the folder, without a repo).

        A tasks.md symlinked to hotfix.md in the same folder is fine and is written through.
        """
        ensure_inside(self.repo_root or self.folder, p)

    def load(self) -> None:
        """Read all three files; a missing file is allowed, a broken one raises StoreError."""
        for name in self.files:
            self.files[name] = self._read(name)
        tasks = self.files[TASKS]
        if tasks is None and self.files[HOTFIX] is None:
            raise IncidentError(f"{self.folder}: no tasks.md or hotfix.md here")
        self.doc = tasks_md.parse_tasks(tasks.text if tasks else "")

    def refresh(self) -> set[str]:
        """Re-read the files changed on disk since we last read them; returns their names."""
        changed: set[str] = set()
        for name, loaded in self.files.items():
            p = self.path(name)
            if loaded is not None and unchanged(p, loaded):
                continue
            if not p.exists():
                if loaded is not None:
                    self.files[name] = None
                    changed.add(name)
                continue
            new = read_text(p)
            if loaded is None or new.hash != loaded.hash:
                changed.add(name)
            self.files[name] = new
        if TASKS in changed:
            t = self.files[TASKS]
            self.doc = tasks_md.parse_tasks(t.text if t else "")
        return changed

    def text(self, name: str) -> str:
        loaded = self.files.get(name)
        return loaded.text if loaded else ""

    # --- facts ----------------------------------------------------------------------------

    @property
    def who(self) -> str:
        if self._who is None:
            from .repo import user_name

            self._who = user_name(self.repo_root)
        return self._who

    @property
    def id(self) -> str:
        for src in (self.doc.fields, record.fields(self.text(HOTFIX))):
            f = src.get("Hotfix ID")
            if f and f.value.strip() and "#" not in f.value:
                return f.value.strip()
        return self.folder.name

    @property
    def title(self) -> str:
        if self.doc.title:
            return self.doc.title
        for _, line in record.iter_lines(self.text(HOTFIX))[:5]:
            if line.startswith("# "):
                return line[2:].split(":", 1)[-1].strip()
        return self.folder.name

    @property
    def severity(self) -> str | None:
        # read for every task view: cached until hotfix.md, tasks.md or the workflow change
        src = (self.files.get(HOTFIX), self.doc, self.workflow)
        cached = getattr(self, "_severity_cache", None)
        if cached is not None and all(a is b for a, b in zip(cached[0], src, strict=True)):
            return cached[1]
        value = self._read_severity()
        self._severity_cache = (src, value)
        return value

    def _read_severity(self) -> str | None:
        keys = [s.id for s in self.workflow.severities] if self.workflow else ["P0", "P1", "P2"]
        found = record.first_checked_key(self.text(HOTFIX), "Severity", keys)
        if found:
            return found
        f = self.doc.fields.get("Severity")
        value = f.value.strip() if f else ""
        return value if value in keys else None

    @property
    def status(self) -> str:
        wf = self.workflow
        statuses = list(wf.statuses) if wf else []
        found = record.last_checked_key(self.text(HOTFIX), "Status", statuses) if statuses else None
        return found or (wf.initial_status if wf else "") or ""

    @property
    def branch_field(self) -> str:
        value = record.get_field(self.text(HOTFIX), "Branch") or ""
        return value.strip().strip("`")

    def event_times(self) -> dict[str, datetime]:
        """Times of the workflow's events, read from the hotfix.md timeline fields."""
        # read by the clocks every second: cached until hotfix.md or the workflow change
        src = (self.files.get(HOTFIX), self.workflow)
        cached = getattr(self, "_events_cache", None)
        if cached is not None and all(a is b for a, b in zip(cached[0], src, strict=True)):
            return dict(cached[1])
        text = self.text(HOTFIX)
        events = self.workflow.events if self.workflow else {}
        out: dict[str, datetime] = {}
        if events:
            flds = record.fields(text)
            for name, label in events.items():
                f = flds.get(label) if label else None
                if f is not None:
                    t = parse_time(f.value.split(" - ", 1)[0])
                    if t is not None:
                        out[name] = t
        self._events_cache = (src, out)
        return dict(out)

    @property
    def started_at(self) -> datetime | None:
        wf = self.workflow
        return self.event_times().get(wf.clock.starts_at if wf else "incident_start")

    def sla(self, now: datetime | None = None) -> SlaReading | None:
        """The resolution clock for the current severity, or None without a workflow."""
        wf = self.workflow
        sev = wf.severity(self.severity) if wf else None
        if wf is None or sev is None:
            return None
        events = self.event_times()
        return sla_reading(
            events.get(wf.clock.starts_at),
            events.get(wf.clock.stops_at),
            sev.target_seconds,
            now or self.clock(),
            wf.clock.warnings,
        )

    def windows(self, now: datetime | None = None) -> list[WindowReading]:
        if self.workflow is None:
            return []
        closed = {t.id for t in self.doc.tasks if t.done and t.id}
        return window_readings(
            self.workflow.windows, self.event_times(), closed, now or self.clock()
        )

    def task_def(self, task: tasks_md.Task) -> TaskDef | None:
        return self.workflow.task(task.id) if (self.workflow and task.id) else None

    def task_view(self, task: tasks_md.Task, severity: str | None = "") -> TaskView:
        """Join a parsed task with its workflow rules (pass `severity` when viewing many)."""
        d = self.task_def(task)
        sev = self.severity if severity == "" else severity
        applicable = d.applies_to(sev) if d else True
        reason = ""
        if not applicable and d is not None:
            reason = d.not_applicable_reason or f"does not apply to {sev}"
        steps = [s.text for s in task.steps]
        return TaskView(
            key=task.key,
            id=task.id,
            title=task.title,
            done=task.done,
            skipped=task.skip.text if task.skip else None,
            applicable=applicable,
            reason=reason,
            steps=steps,
            notes=list(task.notes),
            phase_index=task.phase_index,
            level=task.level,
            markers=list(task.markers),
            line=task.line,
        )

    def phases(self) -> list[PhaseView]:
        """Phases with their task views, in file order."""
        by_key = {t.key: t for t in self.doc.tasks}
        sev = self.severity
        out = []
        for i, ph in enumerate(self.doc.phases):
            views = [self.task_view(by_key[k], sev) for k in ph.task_keys if k in by_key]
            out.append(PhaseView(i, ph.name, ph.note, views))
        return out

    def progress(self) -> tuple[int, int]:
        """Settled (done or skipped) and total applicable tasks, as every view counts them."""
        phases = self.phases()
        return sum(p.done for p in phases), sum(p.total for p in phases)

    def tasks(self) -> list[TaskView]:
        sev = self.severity
        return [self.task_view(t, sev) for t in self.doc.tasks]

    def next_open(self) -> TaskView | None:
        return next((v for v in self.tasks() if v.state == "open"), None)

    def find(self, ref: str) -> tasks_md.Task:
        """A task by ID (case-insensitive) or key; IncidentError names the file when unknown."""
        task = self.doc.task(ref) or self.doc.task(ref.upper())
        if task is None:
            known = ", ".join(t.id or t.key for t in self.doc.tasks[:8])
            more = ", ..." if len(self.doc.tasks) > 8 else ""
            raise IncidentError(f"{self.path(TASKS)}: no task {ref!r} (tasks: {known}{more})")
        return task

    # --- writing --------------------------------------------------------------------------

    def _now_stamp(self) -> tuple[datetime, str]:
        now = self.clock()
        return now, format_time(now)

    def _write(self, name: str, apply: Callable[[str], str]) -> bool:
        """Apply a text change to one file through the store; True when the file changed."""
        p = self.path(name)
        if not p.exists():
            return False
        last = self.files[name]
        if not self._excluded:
            ensure_excluded(self.repo_root)  # our lock files never show in `git status`
            self._excluded = True
        try:
            self._inside(p)
            loaded, _merged = update_file(p, last, apply)
        except ConflictError as exc:
            raise IncidentError(str(exc)) from exc
        except StoreError as exc:
            raise IncidentError(str(exc)) from exc
        changed = last is None or loaded.hash != last.hash
        self.files[name] = loaded
        return changed

    def _tasks_edit(self, ref: str, edit: Callable[[tasks_md.TasksDoc, str], str]) -> None:
        """Apply an edit addressed by task ref to tasks.md, re-resolving on fresh content."""
        current = self.doc

        def apply(text: str) -> str:
            doc = current if text == current.text else tasks_md.parse_tasks(text)
            task = doc.task(ref)
            if task is None:
                raise ConflictError(
                    f"{self.path(TASKS)}: task {ref} is gone from the file on disk "
                    "(someone else changed it); nothing was written"
                )
            return edit(doc, task.key)

        self._write(TASKS, apply)
        self.doc = tasks_md.parse_tasks(self.text(TASKS))

    def _log(self, event: str, notes: str = "", replaces: str = "") -> None:
        now, _ = self._now_stamp()
        when = record.log_time(now, self.started_at)
        who = self.who
        self._write(
            POSTMORTEM, lambda t: record.add_log_row(t, when, event, who, notes, replaces=replaces)
        )

    def _ref(self, task: tasks_md.Task) -> str:
        return task.id or task.key

    def _label(self, task: tasks_md.Task) -> str:
        return f"{task.id} " if task.id else ""

    def set_done(self, ref: str, done: bool = True, note: str | None = None) -> Change | None:
        """Check or uncheck a task; its workflow rules stamp timeline fields and move the status."""
        task = self.find(ref)
        key = self._ref(task)
        if task.done == done and not note:
            return None
        before = self.text(HOTFIX)
        if task.done != done and task.check_offset >= 0 and self.files[TASKS] is not None:
            self._fast_toggle(key, done)
        if note:
            self._add_note(key, note)
        if done:
            replaces, cleared = self._apply_rules(task), ""
        else:
            replaces, cleared = "", self._reopen_rules(task)
        verb = "done" if done else "reopened"
        notes = "; ".join(n for n in (note or "", cleared) if n)
        self._log(f"{self._label(task)}{verb}: {task.title}", notes, replaces)
        label = f"{task.id or task.title} {verb}"
        after = self.text(HOTFIX)

        def undo() -> Change | None:
            mid = self.text(HOTFIX)
            change = self.set_done(key, not done)
            self._restore_record(before, after, mid)
            return change

        change = Change(label, undo, {TASKS, HOTFIX, POSTMORTEM}, list(self._kept) if done else [])
        self.history.append(change)
        self._notify(label)
        return change

    def _fast_toggle(self, key: str, done: bool) -> None:
        """Flip one checkbox without reparsing when nobody else changed the file."""
        current = self.doc
        merged_doc: list[tasks_md.TasksDoc] = []

        def apply(text: str) -> str:
            if text == current.text:
                return tasks_md.set_done(current, key, done)
            doc = tasks_md.parse_tasks(text)
            if doc.task(key) is None:
                raise ConflictError(
                    f"{self.path(TASKS)}: task {key} is gone from the file on disk "
                    "(someone else changed it); nothing was written"
                )
            merged_doc.append(doc)
            return tasks_md.set_done(doc, key, done)

        self._write(TASKS, apply)
        if merged_doc:
            self.doc = tasks_md.parse_tasks(self.text(TASKS))
        else:
            self.doc = current.with_done(key, done)

    def _apply_rules(self, task: tasks_md.Task) -> str:
        """Stamp the events and status a completed task triggers; returns the row it replaces."""
        d = self.task_def(task)
        if d is None or not self.files[HOTFIX]:
            return ""
        now, stamp = self._now_stamp()
        wf = self.workflow
        assert wf is not None
        replaces = ""

        kept = self._kept
        kept.clear()

        def edit(text: str) -> str:
            kept.clear()
            for ev in d.events:
                label = wf.events.get(ev)
                if label:
                    held = record.field_time(text, label)
                    if held is not None:
                        kept.append(
                            f"{label} already holds {format_time(held)}; kept it "
                            "(edit hotfix.md to change it)"
                        )
                    text = record.set_field_time(text, label, stamp)
                if ev == wf.clock.stops_at:
                    text = self._stamp_resolution(text)
            if d.status:
                text = record.set_checked(text, "Status", d.status)
            return text

        self._write(HOTFIX, edit)
        for ev in d.events:
            replaces = replaces or EVENT_ROWS.get(ev, "")
        if d.status and not replaces:
            replaces = STATUS_ROWS.get(d.status, "")
        return replaces

    def _reopen_rules(self, task: tasks_md.Task) -> str:
        """Take back what a reopened task had recorded; returns a note of the times removed.

        An event stays while another done task also records it; the status falls back to the
        furthest one still reached by done tasks.
        """
        d = self.task_def(task)
        wf = self.workflow
        if d is None or wf is None or not self.files[HOTFIX]:
            return ""
        done_defs = [
            td
            for t in self.doc.tasks
            if t.done and t.id and t.id != task.id and (td := self.task_def(t)) is not None
        ]
        still = {ev for td in done_defs for ev in td.events}
        reached = {td.status for td in done_defs if td.status}
        fallback = next((s for s in reversed(wf.statuses) if s in reached), wf.initial_status)
        removed: list[str] = []

        def edit(text: str) -> str:
            removed.clear()
            for ev in d.events:
                label = wf.events.get(ev)
                if not label or ev in still:
                    continue
                text, old = record.clear_field_time(text, label)
                if old:
                    removed.append(f"{label} {old} cleared")
                if ev == wf.clock.stops_at:
                    text = self._unstamp_resolution(text)
            current = record.last_checked_key(text, "Status", wf.statuses)
            if d.status and fallback and current == d.status:
                text = record.set_checked(text, "Status", fallback)
            return text

        self._write(HOTFIX, edit)
        return "; ".join(removed)

    def _unstamp_resolution(self, text: str) -> str:
        """Undo Total Duration (when the tool computed it) and SLA Breach for a reopened clock."""
        wf = self.workflow
        assert wf is not None
        start = record.field_time(text, wf.events.get(wf.clock.starts_at, "Incident Start"))
        end = record.field_time(self.text(HOTFIX), wf.events.get(wf.clock.stops_at, "Incident End"))
        dur = record.get_field(text, "Total Duration")
        if start and end and dur == human_duration((end - start).total_seconds()):
            text = record.set_field(text, "Total Duration", "[X hours Y minutes]")
        return record.uncheck_all(text, "SLA Breach")

    def _stamp_resolution(self, text: str) -> str:
        """Fill Total Duration and SLA Breach once the resolution clock has stopped."""
        wf = self.workflow
        assert wf is not None
        start = record.field_time(text, wf.events.get(wf.clock.starts_at, "Incident Start"))
        end = record.field_time(text, wf.events.get(wf.clock.stops_at, "Incident End"))
        sev = wf.severity(self.severity)
        if start is None or end is None:
            return text
        secs = (end - start).total_seconds()
        dur = record.get_field(text, "Total Duration")
        if dur is not None and record.is_placeholder(dur):
            text = record.set_field(text, "Total Duration", human_duration(secs))
        if sev is not None and record.get_field(text, "SLA Breach") is not None:
            text = record.set_checked(
                text, "SLA Breach", "Yes" if secs > sev.target_seconds else "No", add=False
            )
        return text

    def _restore_record(self, before: str, after: str, mid: str) -> None:
        """Put back hotfix.md fields an undone action filled, unless someone changed them since.

        `after` is the text right after the action, `mid` the text before its inverse ran.
        """
        old = record.fields(before)
        then = record.fields(after)
        changed = {n: old[n].value for n in old if n in then and then[n].value != old[n].value}
        if not changed or not self.text(HOTFIX):
            return
        pre = record.fields(mid)

        def edit(text: str) -> str:
            cur = record.fields(text)
            for name, value in changed.items():
                if name not in cur:
                    continue
                untouched = cur[name].value == then[name].value
                by_inverse = name in pre and cur[name].value != pre[name].value
                if untouched or by_inverse:
                    text = record.set_field(text, name, value)
            return text

        self._write(HOTFIX, edit)

    def _add_note(self, key: str, text: str, skip: bool = False) -> None:
        _, stamp = self._now_stamp()
        make = tasks_md.skip_line if skip else tasks_md.note_line
        line = make(stamp, self.who, text)
        self._tasks_edit(key, lambda doc, k: tasks_md.add_subitem(doc, k, line))

    def note(self, ref: str, text: str) -> Change:
        """Add a timestamped note as a sub-item of a task."""
        text = " ".join(text.split())
        if not text:
            raise IncidentError("the note is empty; type some text")
        task = self.find(ref)
        key = self._ref(task)
        self._add_note(key, text)
        self._log(f"Note on {self._label(task)}{task.title}".strip(), text)
        change = Change(
            f"note on {task.id or task.title}", lambda: self._remove_subitem(key, text, False)
        )
        self.history.append(change)
        self._notify(change.label)
        return change

    def skip(self, ref: str, reason: str) -> Change | None:
        """Mark a task skipped with a reason (a sub-item); its checkbox stays as it is."""
        reason = " ".join(reason.split())
        if not reason:
            raise IncidentError("a skip needs a reason; say why the task is skipped")
        task = self.find(ref)
        key = self._ref(task)
        if task.skip is not None:
            raise IncidentError(f"{task.id or task.title} is already skipped: {task.skip.text}")
        if task.done:
            raise IncidentError(
                f"{task.id or task.title} is done; reopen it first if it is really skipped"
            )
        self._add_note(key, reason, skip=True)
        self._log(f"{self._label(task)}skipped: {task.title}", reason)
        change = Change(f"skip {task.id or task.title}", lambda: self.unskip(key))
        self.history.append(change)
        self._notify(change.label)
        return change

    def unskip(self, ref: str) -> Change | None:
        """Remove a task's skip mark."""
        task = self.find(ref)
        if task.skip is None:
            return None
        reason = task.skip.text
        self._remove_subitem(self._ref(task), reason, True)
        self._log(f"{self._label(task)}unskipped: {task.title}")
        self._notify(f"unskip {task.id or task.title}")
        return None

    def _remove_subitem(self, key: str, text: str, skip: bool) -> None:
        def edit(doc: tasks_md.TasksDoc, k: str) -> str:
            task = doc.task(k)
            assert task is not None
            items = [task.skip] if skip and task.skip else ([] if skip else task.notes)
            hit = next((n for n in reversed(items) if n.text == text), None)
            if hit is None:
                raise ConflictError(f"{self.path(TASKS)}: the note on {k} is gone; nothing to undo")
            return tasks_md.remove_line(doc, hit.line)

        self._tasks_edit(key, edit)

    def set_severity(self, severity: str) -> Change | None:
        """Change the severity in tasks.md and hotfix.md; the clocks and applicable tasks follow."""
        wf = self.workflow
        keys = [s.id for s in wf.severities] if wf else ["P0", "P1", "P2"]
        severity = severity.upper()
        if severity not in keys:
            raise IncidentError(f"unknown severity {severity!r}; use one of {', '.join(keys)}")
        old = self.severity
        if old == severity:
            return None
        if "Severity" in self.doc.fields:
            self._write(
                TASKS, lambda t: tasks_md.set_field(tasks_md.parse_tasks(t), "Severity", severity)
            )
            self.doc = tasks_md.parse_tasks(self.text(TASKS))
        self._write(HOTFIX, lambda t: record.set_checked(t, "Severity", severity))
        self._log(f"Severity changed {old or '?'} -> {severity}")
        change = Change(
            f"severity {old} -> {severity}", lambda: self.set_severity(old) if old else None
        )
        self.history.append(change)
        self._notify(change.label)
        return change

    def set_status(self, status: str) -> Change | None:
        """Move the incident to a status of the workflow."""
        wf = self.workflow
        statuses = list(wf.statuses) if wf else []
        match = next((s for s in statuses if s.lower() == status.lower()), None)
        if match is None:
            raise IncidentError(f"unknown status {status!r}; use one of {', '.join(statuses)}")
        old = self.status
        if old == match:
            return None
        self._write(HOTFIX, lambda t: record.set_checked(t, "Status", match))
        self._log(f"Status changed {old} -> {match}", replaces=STATUS_ROWS.get(match, ""))
        change = Change(f"status {old} -> {match}", lambda: self.set_status(old) if old else None)
        self.history.append(change)
        self._notify(change.label)
        return change

    def undo_last(self) -> str | None:
        """Undo the most recent action of this session; returns its label, None if none."""
        if not self.history:
            return None
        change = self.history.pop()
        depth = len(self.history)
        self._muted = True
        try:
            change.undo()
        finally:
            self._muted = False
        del self.history[depth:]  # the inverse action is not itself undoable
        self._log(f"Undo: {change.label}")
        self._notify(f"undo {change.label}")
        return change.label

    # --- hooks and record filling (see fill.py) ----------------------------------------------

    def _notify(self, label: str) -> None:
        """Tell the listeners an action was written; a listener's error never undoes it."""
        if getattr(self, "_muted", False):
            return
        for listener in list(self.listeners):
            listener(self, label)

    def set_detection(self, when: datetime | None, how: str, *, force: bool = False) -> Change:
        """Fill `**Detection**` (time, then ` - how`); see fill.set_detection."""
        from .fill import set_detection

        return set_detection(self, when, how, force=force)

    def set_started_at(self, when: datetime, *, force: bool = False) -> Change | None:
        """Correct `**Incident Start**`; NeedsConfirmation when a different time is there."""
        from .fill import set_started_at

        return set_started_at(self, when, force=force)

    def set_fix_commit(self, sha: str, subject: str = "", *, force: bool = False) -> Change | None:
        """Record the fix's `**Commit SHA**` and fill the rollback command."""
        from .fill import set_fix_commit

        return set_fix_commit(self, sha, subject, force=force)
