"""The read view of an incident folder: its files and event log loaded, and the facts they say.

Loading never writes; hand edits seen are shown as pending events (see `IncidentView.pending`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core.clocks import (
    Clock,
    SlaReading,
    WindowReading,
    format_time,
    precise_now,
    utc_now,
    window_readings,
    workflow_sla,
)
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import IncidentError
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.projection import project, replay
from hotfix_tui.core.record.team import Team, team_of
from hotfix_tui.core.store import Loaded, ensure_inside, read_text, unchanged, written_here
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.core.workflow.model import TaskDef, Workflow

TASKS = "tasks.md"
HOTFIX = "hotfix.md"
POSTMORTEM = "post-mortem.md"


@frozen
class ChoiceView:
    """A single-choice group as shown: its options and the one chosen (None: none)."""

    key: str
    label: str
    options: tuple[str, ...]
    value: str | None

    def step(self, by: int) -> str:
        """The value `by` steps along (none, first option, ..., last option, none, ...)."""
        values = ["", *self.options]
        i = values.index(self.value) if self.value in values else 0
        return values[(i + by) % len(values)]


@dataclass
class TaskView:
    """A task as shown: the file's state joined with the workflow's rules (a `group` row is a
    single choice that is no task: it counts in no progress)."""

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
    choice: ChoiceView | None = None
    group: bool = False
    run: str = ""  # the workflow's runbook command for it (placeholders unfilled), '' for none
    assignee: str | None = None  # who the task is assigned to (`record/team.py`)

    @property
    def state(self) -> str:
        if self.group:
            return "choice"
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
class Refreshed:
    """What a re-read found: the files whose view changed, and what came from elsewhere."""

    changed: set[str]
    edited: set[str]  # files written by another program (not this process's last write)
    arrived: list[Event]  # events appended by another process or clone

    def __bool__(self) -> bool:
        return bool(self.changed)


def outside_words(r: Refreshed, most: int = 3) -> str | None:
    """Who changed what from outside (`Ben: T005 done`), one line per person; None when the
    changes were this process's own."""
    if r.arrived:
        by: dict[str, list[str]] = {}
        for ev in r.arrived:
            by.setdefault(ev.who or "someone", []).append(kinds.describe(ev))
        lines = []
        for who, said in by.items():
            more = f" and {len(said) - most} more" if len(said) > most else ""
            lines.append(f"{who}: {', '.join(said[:most])}{more}")
        return "\n".join(lines)
    if r.edited:
        return f"{', '.join(sorted(r.edited))} edited outside hotfix-tui"
    return None


@dataclass
class PhaseView:
    """A phase with its tasks and progress."""

    index: int
    name: str
    note: str
    tasks: list[TaskView]

    @property
    def total(self) -> int:
        return sum(1 for t in self.tasks if (t.applicable or t.done) and not t.group)

    @property
    def done(self) -> int:
        return sum(
            1
            for t in self.tasks
            if (t.applicable or t.done) and (t.done or t.skipped) and not t.group
        )

    @property
    def finished(self) -> bool:
        return all(t.settled for t in self.tasks)


@frozen
class PhaseHead:
    """A phase's name and progress without its task views (what a collapsed phase shows)."""

    index: int
    name: str
    note: str
    done: int
    total: int
    finished: bool


def _choice_view(c: tasks_md.Choice) -> ChoiceView:
    return ChoiceView(c.key, c.label, c.options, c.value)


class IncidentView:
    """An incident folder as read: the projection of its event log, with its facts and tasks."""

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
        # the three files as the log projects them (hand edits seen merged in): what is shown
        self.texts: dict[str, str | None] = {TASKS: None, HOTFIX: None, POSTMORTEM: None}
        self.events: list[Event] = []
        self.pending: list[Event] = []  # hand edits seen but not recorded yet (read-only views)
        self.warnings: list[str] = []
        self._doc: tasks_md.TasksDoc | None = None
        self._log_sig: tuple[int, int, int] | None = None
        self._log_problems: list[str] = []
        self._log_text: str | None = None
        self._recorder: evlog.Recorder | None = None
        self.settled = False  # the files read are the projection of the log read (see repair)
        self.load()

    # --- loading ------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.folder / name

    def _read(self, name: str) -> Loaded | None:
        p = self.path(name)
        if not p.exists():
            return None
        self.inside(p)
        return read_text(p)

    @property
    def linked(self) -> bool:
        """Whether tasks.md is hotfix.md (upstream's layout links it): one file, one text."""
        t = self.folder / TASKS
        try:
            return t.is_symlink() and t.resolve() == (self.folder / HOTFIX).resolve()
        except OSError:
            return False

    def inside(self, p: Path) -> None:
        """Refuse a file that resolves outside the repository (or the folder, without a repo).

        A tasks.md symlinked to hotfix.md in the same folder is fine and is written through.
        """
        ensure_inside(self.repo_root or self.folder, p)

    def _read_kind_record(self) -> str | None:
        """The kind's own record when there is no hotfix.md (a bug report): read, never written."""
        from hotfix_tui.core.layouts import record_file

        name = record_file(self.folder)
        if name is None or name == HOTFIX or not self.path(name).is_file():
            return None
        try:
            self.inside(self.path(name))
            return read_text(self.path(name)).text
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    @property
    def record(self) -> str:
        """The incident's record as viewed: hotfix.md, else its kind's own (`bug-report.md`)."""
        return self.texts.get(HOTFIX) or getattr(self, "_kind_record", None) or ""

    def _log_signature(self) -> tuple[int, int, int] | None:
        try:
            st = (self.folder / evlog.LOG).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def load(self) -> None:
        """Read the files and the log; the view is the projection (nothing is written here)."""
        for name in self.files:
            self.files[name] = self._read(name)
        if self.files[TASKS] is None and self.files[HOTFIX] is None:
            raise IncidentError(f"{self.folder}: no tasks.md or hotfix.md here")
        self._kind_record = None if self.files[HOTFIX] is not None else self._read_kind_record()
        self._read_log()
        self._build_view()

    def _read_log(self) -> None:
        p = self.folder / evlog.LOG
        self._log_sig = self._log_signature()
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.events = []
            self._log_text = None
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise IncidentError(f"{p}: cannot read the event log: {exc}") from exc
        self.events, problems = evlog.parse_log(text, str(p))
        self._log_problems = problems
        # what the events were read from (the key of a kept projection): the one copy kept
        self._log_text = evlog.kept_copy(text)

    def _build_view(self) -> None:
        from hotfix_tui.core.git.mdmerge import has_markers, resolve_markers
        from hotfix_tui.core.record import journal

        texts = {n: (f.text if f else None) for n, f in self.files.items()}
        self.warnings = list(self._log_problems)
        self.settled = False
        markers = False
        for name, text in texts.items():
            if text is not None and has_markers(text):  # read as the next write will settle it
                markers = True
                texts[name], left = resolve_markers(text)
                self.warnings += [
                    f"{self.path(name)}:{n}: a conflict in text people wrote: both sides are "
                    "kept between conflict markers; settle it with `hotfix-tui resolve`"
                    for n in left
                ]
        self.pending = []
        kept = bool(self.events) and journal.keeps(self.repo_root, self.folder)
        if kept and self._log_text is not None:
            key = journal.view_key(self._log_text, self.workflow)
            if journal.is_view(self.repo_root, self.folder, key, texts):
                self.texts = texts  # what the last projection of this log wrote: nothing to do
                self.settled = not markers
                self._doc = None
                return
        if self.events:
            stored = journal.load_hashes(self.repo_root, self.folder) if kept else {}
            names = {
                n
                for n, t in texts.items()
                if t is not None and stored and journal.text_hash(t) != stored.get(n)
            }
            if names:
                order = (TASKS, HOTFIX, POSTMORTEM)
                last = journal.load_projection(self.repo_root, self.folder)
                self.pending, merged = self.hand_edits(
                    texts, self.events, sorted(names, key=order.index),
                    self.maker(self.events), last,
                )
                texts.update(merged)
            self.texts = project(texts, [*self.events, *self.pending], self.workflow, self.linked)
        else:
            self.texts = texts
        self._doc = None

    @property
    def doc(self) -> tasks_md.TasksDoc:
        """The parsed tasks.md of the view (parsed when first asked for: a CLI action never is)."""
        if self._doc is None:
            self._doc = tasks_md.parse_tasks(self.texts.get(TASKS) or "")
        return self._doc

    def merge_events(self, extra: list[Event]) -> None:
        """View the record with events from another copy merged in (read-only: nothing written)."""
        merged = {e.id: e for e in [*self.events, *extra]}
        if len(merged) != len(self.events):
            self.events = sorted(merged.values(), key=lambda e: e.order)
            self._log_text = None  # no longer the log's events alone
            self._build_view()

    def refresh(self) -> set[str]:
        """Re-read what changed on disk; returns the files whose view changed."""
        return self.reread().changed

    def reread(self) -> Refreshed:
        """Re-read what changed on disk: the files whose view changed, and which of the files
        and events another program wrote (this process's own writes are known by hash and id)."""
        disk: set[str] = set()
        edited: set[str] = set()
        for name, loaded in self.files.items():
            p = self.path(name)
            if loaded is not None and unchanged(p, loaded):
                continue
            if not p.exists():
                if loaded is not None:
                    self.files[name] = None
                    disk.add(name)
                    edited.add(name)
                continue
            new = read_text(p)
            if loaded is None or new.hash != loaded.hash:
                disk.add(name)
                if not written_here(p, new.hash):
                    edited.add(name)
            self.files[name] = new
        changed_files = bool(disk)
        log_changed = self._log_signature() != self._log_sig
        if not changed_files and not log_changed:
            return Refreshed(set(), set(), [])
        before = dict(self.texts)
        arrived: list[Event] = []
        if log_changed:
            seen = {e.id for e in self.events}
            self._read_log()
            arrived = [e for e in self.events
                       if e.id not in seen and not evlog.written_here(e)]
        self._build_view()
        changed = disk | {n for n in self.texts if self.texts.get(n) != before.get(n)}
        return Refreshed(changed, edited, arrived)

    def text(self, name: str) -> str:
        return self.texts.get(name) or ""

    # --- facts ----------------------------------------------------------------------------

    @property
    def who(self) -> str:
        if self._who is None:
            from hotfix_tui.core.git.repo import user_name

            self._who = user_name(self.repo_root)
        return self._who

    @property
    def id(self) -> str:
        f = self.doc.fields.get(hf.HOTFIX_ID)
        return hf.incident_id(f.value if f else None, self.record, self.folder) or self.folder.name

    @property
    def title(self) -> str:
        return hf.title(self.record, self.doc.title, self.folder) or self.folder.name

    def _cached(self, name: str, compute: Callable[[], object]) -> object:
        src = (self.texts.get(HOTFIX), self.doc, self.workflow)
        cached = getattr(self, name, None)
        if cached is not None and all(a is b for a, b in zip(cached[0], src, strict=True)):
            return cached[1]
        value = compute()
        setattr(self, name, (src, value))
        return value

    @property
    def severity(self) -> str | None:
        return self._cached("_severity_cache", self._read_severity)  # type: ignore[return-value]

    def _read_severity(self) -> str | None:
        f = self.doc.fields.get(hf.SEVERITY)
        return hf.severity(self.record, self.workflow, f.value if f else None)

    @property
    def status(self) -> str:
        said = hf.status(self.record, self.workflow)
        return said or lifecycle.checklist_status(self.workflow, self._row_progress)

    def _row_progress(self) -> tuple[int, int]:
        """`progress()` counted from the parse's rows (no view, no task object made)."""
        done = total = 0
        for (_k, _i, _t, is_done, phase, skip), ok in zip(
            self.doc.task_rows(), self.applicable(), strict=True
        ):
            if phase >= 0 and (ok or is_done):
                total += 1
                done += bool(is_done or skip)
        return done, total

    def status_set(self) -> Event | None:
        """The manual status in force (`set-status`, a box ticked by hand) when it is not what
        the done tasks reach; None when the tasks decide the status."""
        if not any(e.kind == kinds.STATUS for e in self.events):
            return None
        return replay(self.events, self.workflow).status_set

    @property
    def status_label(self) -> str:
        """The status as shown: a manual one says so (`Monitoring (set by Ana)`)."""
        ev = self.status_set()
        return f"{self.status} (set by {ev.who or 'hand'})" if ev is not None else self.status

    @property
    def kind(self) -> str:
        """What its folder is (`hotfix`, `bugfix`, `feature`...; '' outside every layout)."""
        from hotfix_tui.core.layouts import read_folder

        found = read_folder(self.folder)
        return found.kind if found is not None else ""

    @property
    def severities(self) -> bool:
        """Whether its workflow has severities to choose (a checklist kind's has none)."""
        return self.workflow is not None and bool(self.workflow.severities)

    @property
    def branch_field(self) -> str:
        return hf.branch(self.record, self.folder)

    def event_times(self) -> dict[str, datetime]:
        """Times of the workflow's events, read from the (projected) hotfix.md timeline fields."""
        times: dict[str, datetime] = self._cached("_events_cache", self._read_event_times)  # type: ignore[assignment]
        return dict(times)

    def _read_event_times(self) -> dict[str, datetime]:
        return hf.event_times(self.text(HOTFIX), self.workflow)

    @property
    def started_at(self) -> datetime | None:
        wf = self.workflow
        return self.event_times().get(wf.clock.starts_at if wf else "incident_start")

    def sla(self, now: datetime | None = None) -> SlaReading | None:
        """The resolution clock for the current severity, or None without a workflow."""
        return workflow_sla(self.workflow, self.severity, self.event_times(), now or self.clock())

    def windows(self, now: datetime | None = None) -> list[WindowReading]:
        if self.workflow is None:
            return []
        closed = {tid for _, tid, _, done, *_ in self.doc.task_rows() if done and tid}
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
        return TaskView(
            key=task.key,
            id=task.id,
            title=task.title,
            done=task.done,
            skipped=task.skip.text if task.skip else None,
            applicable=applicable,
            reason=reason,
            steps=[s.text for s in task.steps],
            notes=list(task.notes),
            phase_index=task.phase_index,
            level=task.level,
            markers=list(task.markers),
            line=task.line,
            choice=next(
                (_choice_view(c) for c in self.doc.choices if c.task_key == task.key), None
            ),
            run=d.run if d is not None else "",
            assignee=self.team().assignees.get(task.key),
        )

    def team(self) -> Team:
        """Who holds each role, a pending hand-over, the tasks' assignees (`record/team.py`),
        made again when the events change."""
        evs = self.events
        key = (id(evs), len(evs), evs[-1].id if evs else "", self.workflow)
        kept = getattr(self, "_team", None)
        if kept is not None and kept[0] == key:
            return kept[1]  # type: ignore[no-any-return]
        made = team_of(self.events, self.workflow)
        self._team = (key, made)
        return made

    def rows(self, index: int) -> list[TaskView]:
        """What the checklist shows of phase `index`: its tasks and its single-choice groups
        that are no task, in file order."""
        views = self.phase(index).tasks
        groups = [
            TaskView(
                key=c.key, id=None, title=c.label, done=False, skipped=None, applicable=True,
                reason="", steps=[], notes=[], phase_index=index, level=0, markers=[],
                line=c.line, choice=_choice_view(c), group=True,
            )
            for c in self.doc.choices
            if c.task_key is None and c.phase_index == index
        ]
        return sorted([*views, *groups], key=lambda v: v.line) if groups else views

    def phases(self) -> list[PhaseView]:
        """Phases with their task views, in file order."""
        return [self.phase(i) for i in range(len(self.doc.phases))]

    def phase(self, index: int) -> PhaseView:
        """One phase with its task views (cheaper than `phases()` for one row's change)."""
        ph, sev, doc = self.doc.phases[index], self.severity, self.doc
        views = [self.task_view(t, sev) for t in map(doc.task, ph.task_keys) if t is not None]
        return PhaseView(index, ph.name, ph.note, views)

    def phase_heads(self) -> list[PhaseHead]:
        """Every phase's progress as `phases()` counts it, without a view per task."""
        doc, applies = self.doc, self.applicable()
        n = len(doc.phases)
        done, total, open_ = [0] * n, [0] * n, [0] * n
        for t, ok in zip(doc.tasks, applies, strict=True):
            i = t.phase_index
            if not 0 <= i < n:
                continue
            if ok or t.done:
                total[i] += 1
                if t.done or t.skip is not None:
                    done[i] += 1
            if ok and not t.done and t.skip is None:
                open_[i] += 1
        return [PhaseHead(i, ph.name, ph.note, done[i], total[i], open_[i] == 0)
                for i, ph in enumerate(doc.phases)]

    def applicable(self) -> list[bool]:
        """Whether each task of the file applies at the incident's severity (as its view says)."""
        wf, sev = self.workflow, self.severity
        if wf is None:
            return [True] * self.doc.task_count
        out = []
        for _, tid, *_rest in self.doc.task_rows():  # (no task objects made for this)
            d = wf.task(tid) if tid else None
            out.append(d.applies_to(sev) if d else True)
        return out

    def progress(self) -> tuple[int, int]:
        """Settled (done or skipped) and total applicable tasks, as every view counts them."""
        phases = self.phases()
        return sum(p.done for p in phases), sum(p.total for p in phases)

    def tasks(self) -> list[TaskView]:
        sev = self.severity
        return [self.task_view(t, sev) for t in self.doc.tasks]

    def next_open(self, after_line: int | None = None, *, at: bool = False) -> TaskView | None:
        """The first open task after `after_line` (`at`: or on it), else from the top, viewing
        only that one."""
        sev, first = self.severity, None
        for t in self.doc.tasks:
            if t.done or t.skip is not None:
                continue
            d = self.task_def(t)
            if d is not None and not d.applies_to(sev):
                continue
            if after_line is None or t.line > after_line or (at and t.line == after_line):
                return self.task_view(t, sev)
            if first is None:
                first = t
        return self.task_view(first, sev) if first is not None else None

    def find_choice(self, ref: str) -> tasks_md.Choice:
        """A single-choice group by key (or short key), or the one a task's row holds."""
        group = self.doc.choice(ref)
        if group is None:
            known = ", ".join(tasks_md.short_key(c.key) for c in self.doc.choices) or "none"
            raise IncidentError(f"{self.path(TASKS)}: no choice {ref!r} (choices: {known})")
        return group

    def orphaned_tasks(self) -> list[str]:
        """The tasks the log's events name that tasks.md no longer has (another tool replaced
        it, e.g. spec-kit's /speckit.tasks): their events are kept, and decide nothing here."""
        doc, ids = self.doc, kinds.pinned(self.events)
        out = set()
        for ev in self.events:
            ref = ev.task if ev.kind != kinds.CHOICE else str(ev.get("group") or "")
            if not ref:
                continue
            ref = ids.get(ref, ref)
            found = doc.choice(ref) if ev.kind == kinds.CHOICE else doc.task(ref)
            if found is None:
                out.add(ref)
        return sorted(out)

    def orphan_warning(self) -> str | None:
        """What `status` and the TUI say of the events naming tasks tasks.md no longer has."""
        gone = self.orphaned_tasks()
        if not gone:
            return None
        ids = kinds.pinned(self.events)
        n = sum(
            1
            for e in self.events
            if ids.get(r := (e.task or str(e.get("group") or "")), r) in gone
        )
        shown = ", ".join(gone[:6]) + (", ..." if len(gone) > 6 else "")
        return (
            f"{self.path(TASKS)}: {n} recorded event{'s' if n != 1 else ''} "
            f"name{'' if n != 1 else 's'} tasks that tasks.md no longer has "
            f"({shown}); they stay in {evlog.LOG} (was tasks.md replaced by another tool?)"
        )

    def find(self, ref: str) -> tasks_md.Task:
        """A task by ID (case-insensitive), key, short id or `L<n>`; IncidentError names the
        file when unknown."""
        task = self.doc.find(ref)
        if task is None:
            known = ", ".join(t.id or t.key for t in self.doc.tasks[:8])
            more = ", ..." if len(self.doc.tasks) > 8 else ""
            raise IncidentError(f"{self.path(TASKS)}: no task {ref!r} (tasks: {known}{more})")
        return task

    # --- events this clone makes, hand edits seen -------------------------------------------

    def maker(self, seen: list[Event], who: str | None = None) -> Callable[..., Event]:
        """A factory of events by `who` (default: the git user) recorded now, after `seen`."""
        if self._recorder is None:
            from hotfix_tui.core.record.journal import clone_id

            self._recorder = evlog.Recorder(clone_id(self.repo_root, self.folder), self.who)
        rec = self._recorder
        rec.who = self.who
        now = precise_now() if self.clock is utc_now else self.clock()
        made: list[Event] = []

        def make(kind: str, happened: datetime | None = None, **data: Any) -> Event:
            kinds.stamp_saw(kind, data, [*seen, *made])
            ev = rec.make(kind, now, [*seen[-1:], *made[-1:]], happened=happened, **data)
            if who is not None and who != ev.who:
                ev = Event(ev.id, ev.kind, ev.recorded, ev.happened, who, ev.clone, ev.data)
            made.append(ev)
            return ev

        return make

    def hand_edits(
        self,
        texts: dict[str, str | None],
        events: list[Event],
        names: list[str],
        make: Callable[..., Event],
        last: dict[str, str],
    ) -> tuple[list[Event], dict[str, str]]:
        """Hand edits of the files `names`, each merged three-way: the base is the text kept
        here (a projection written, a file seen, HEAD's) it differs least from; only the edit's
        own changes become events, and its text is merged onto the last projection written."""
        from hotfix_tui.core.git.mdmerge import has_markers, merge3
        from hotfix_tui.core.record import journal
        from hotfix_tui.core.record.reconcile import closest, edit_events

        out: list[Event] = []
        merged: dict[str, str] = {}
        for name in names:
            edited = texts.get(name)
            if edited is None:
                continue
            cands = journal.candidates(self.repo_root, self.folder, name)
            cands += [t for t in self._git_texts(name) if t not in cands]
            base = closest(edited, cands)
            ours = last.get(name)
            if ours is not None and has_markers(ours) and not has_markers(edited):
                base = ours  # the person settled the conflict the last projection kept marked
            now = {**texts, **merged}
            out += edit_events(
                name, now, base, [*events, *out], self.workflow, make
            )
            if name == TASKS and base is not None:
                out += self._retitles(edited, base, [*events, *out], make)
            if base is not None and ours is not None and ours != base and edited != base:
                text, marked = merge3(base, ours, edited, ("hotfix-tui", "edited by hand"))
                if marked:
                    self.warnings.append(
                        f"{self.path(name)}: your edit and the record changed the same text; "
                        "both are kept between conflict markers (`hotfix-tui resolve`)"
                    )
                merged[name] = text
        return out, merged

    def _git_texts(self, name: str) -> list[str]:
        """The file as the last commits touching it have it, newest first (a buffer read after
        a pull or a sync holds one of them); [] outside git."""
        from hotfix_tui.core.record import journal

        if self.repo_root is None:
            return []
        try:
            return journal.committed_texts(self.repo_root, self.rel(name))
        except (OSError, ValueError):
            return []

    def _retitles(
        self, text: str, before: str, events: list[Event], make: Callable[..., Event]
    ) -> list[Event]:
        """Tasks retitled by hand since the last projection: the ID stays, the title is an event."""
        was = {t.id: t.title for t in tasks_md.parse_tasks(before).tasks if t.id}
        st = replay(events, self.workflow)
        out = []
        for t in tasks_md.parse_tasks(text).tasks:
            old = was.get(t.id) if t.id else None
            changed = t.id and old is not None and t.title and t.title != old
            if changed and st.task(t.id or "").title != t.title:
                out.append(make(kinds.RETITLE, task=t.id, text=t.title, hand=True))
        return out

    def rel(self, name: str) -> str:
        """A file of the folder as a path inside the repository (git's name for it)."""
        assert self.repo_root is not None
        return (self.folder / name).resolve().relative_to(self.repo_root.resolve()).as_posix()

    def task_ref(self, task: tasks_md.Task) -> str:
        """How events name a task: its ID, else its key."""
        return task.id or task.key

    def order_warnings(self) -> list[str]:
        """Timeline times out of order (Detection <= Investigation Start <= ... <= Incident End)."""
        wf = self.workflow
        if wf is None:
            return []
        times = self.event_times()
        chain = [
            "detection",
            "investigation_start",
            "root_cause_identified",
            "fix_deployed",
            wf.clock.stops_at,
        ]
        out = []
        prev: tuple[str, datetime] | None = None
        for ev in chain:
            t = times.get(ev)
            if t is None:
                continue
            if prev is not None and t < prev[1]:
                out.append(
                    f"{wf.events.get(ev, ev)} ({format_time(t)}) is before "
                    f"{wf.events.get(prev[0], prev[0])} ({format_time(prev[1])}); check the times"
                )
            prev = (ev, t)
        return out

    def reopened(self, ref: str) -> tuple[datetime, datetime, bool] | None:
        """For an open task that was done before: (its last done time, when it was reopened,
        whether anything else was recorded since); None otherwise."""
        task = self.find(ref)
        key = self.task_ref(task)
        ts = replay(self.events, self.workflow).task(key)
        last = ts.decided_by
        if ts.done or ts.last_done_at is None or last is None or last.kind != kinds.REOPEN:
            return None
        after = [e for e in self.events if e.order > last.order]
        return ts.last_done_at, last.recorded_at, bool(after)

    def commit_words(self, committed: Callable[[str], str | None]) -> list[str]:
        """What changed since the last commit, each in a few words (`kinds.commit_words`): the
        events of the log on disk (and hand edits seen) that the committed log lacks, then the
        timeline times first filled. `committed(name)`: a file of the folder at the last commit."""
        old = committed(evlog.LOG)
        have = evlog.ids(old) if old else set()
        new = [e for e in [*evlog.read_log(self.folder), *self.pending] if e.id not in have]
        try:  # as it is on disk: what is committed (another writer may have changed it)
            now = self.path(HOTFIX).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            now = ""
        before = hf.event_times(committed(HOTFIX) or "", self.workflow)
        filled = [ev for ev in hf.event_times(now, self.workflow) if ev not in before]
        return kinds.commit_words(new, filled)

    def records_times(self, ref: str) -> list[str]:
        """The timeline labels checking a task records (e.g. Incident End for T013)."""
        d = self.task_def(self.find(ref))
        wf = self.workflow
        if d is None or wf is None:
            return []
        return [label for ev in d.events if (label := wf.events.get(ev))]
