"""One incident folder and every action on it, shared by the CLI, the TUI and the tests.

Each action appends an event to the log, then projects the markdown from the log (see transact).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core import store
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
from hotfix_tui.core.locking import FileLock, LockTimeout
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import causal
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record.change import BadInput as BadInput
from hotfix_tui.core.record.change import Change as Change
from hotfix_tui.core.record.change import IncidentError as IncidentError
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.projection import EVENT_ROWS, project, replay
from hotfix_tui.core.store import (
    ChangedUnderneath,
    Loaded,
    StoreError,
    ensure_inside,
    read_text,
    unchanged,
)
from hotfix_tui.core.workflow.model import TaskDef, Workflow

TASKS = "tasks.md"
HOTFIX = "hotfix.md"
POSTMORTEM = "post-mortem.md"

__all__ = ["EVENT_ROWS", "BadInput", "Change", "Incident", "IncidentError"]

# A time this far ahead of the clock is refused (clocks of two machines differ a little).
FUTURE_SLACK_SECONDS = 60


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


@dataclass(frozen=True)
class PhaseHead:
    """A phase's name and progress without its task views (what a collapsed phase shows)."""

    index: int
    name: str
    note: str
    done: int
    total: int
    finished: bool


def folder_words(description: str, count: int = 3) -> str:
    """Lowercase, runs of non `a-z0-9` to `-`, first `count` words: the folder/branch slug."""
    import re

    words = [w for w in re.split(r"[^a-z0-9]+", description.lower()) if w]
    return "-".join(words[:count]) or "incident"


Build = Callable[[list[Event], Callable[..., Event]], list[Event]]


class Incident:
    """An incident folder: the event log and the markdown projected from it, with actions.

    Every action appends an event (fsynced) before the markdown is projected and written.
    """

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
        self.view: dict[str, str | None] = {TASKS: None, HOTFIX: None, POSTMORTEM: None}
        self.events: list[Event] = []
        self.pending: list[Event] = []  # hand edits seen but not recorded yet (read-only views)
        self.warnings: list[str] = []
        self.notices: list[str] = []  # what the last write did besides the action (log kept)
        self._doc: tasks_md.TasksDoc | None = None
        self.history: list[Change] = []
        self._log_sig: tuple[int, int, int] | None = None
        self._log_problems: list[str] = []
        self._log_text: str | None = None
        self._recorder: evlog.Recorder | None = None
        self._prepared = False
        self._settled = False  # the files read are the projection of the log read (see repair)
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
        self._log_text = text  # what the events were read from (the key of a kept projection)

    def _build_view(self) -> None:
        from hotfix_tui.core.git.mdmerge import has_markers, resolve_markers
        from hotfix_tui.core.record import journal

        texts = {n: (f.text if f else None) for n, f in self.files.items()}
        self.warnings = list(self._log_problems)
        self._settled = False
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
        if self.events and self._log_text is not None:
            key = journal.view_key(self._log_text, self.workflow)
            if journal.is_view(self.repo_root, self.folder, key, texts):
                self.view = texts  # what the last projection of this log wrote: nothing to do
                self._settled = not markers
                self._doc = None
                return
        if self.events:
            stored = journal.load_hashes(self.repo_root, self.folder)
            names = {
                n
                for n, t in texts.items()
                if t is not None and stored and journal.text_hash(t) != stored.get(n)
            }
            if names:
                order = (TASKS, HOTFIX, POSTMORTEM)
                last = journal.load_projection(self.repo_root, self.folder)
                self.pending, merged = self._hand_edits(
                    texts, self.events, sorted(names, key=order.index),
                    self._maker(self.events), last,
                )
                texts.update(merged)
            self.view = project(texts, [*self.events, *self.pending], self.workflow)
        else:
            self.view = texts
        self._doc = None

    @property
    def doc(self) -> tasks_md.TasksDoc:
        """The parsed tasks.md of the view (parsed when first asked for: a CLI action never is)."""
        if self._doc is None:
            self._doc = tasks_md.parse_tasks(self.view.get(TASKS) or "")
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
        disk: set[str] = set()
        for name, loaded in self.files.items():
            p = self.path(name)
            if loaded is not None and unchanged(p, loaded):
                continue
            if not p.exists():
                if loaded is not None:
                    self.files[name] = None
                    disk.add(name)
                continue
            new = read_text(p)
            if loaded is None or new.hash != loaded.hash:
                disk.add(name)
            self.files[name] = new
        changed_files = bool(disk)
        log_changed = self._log_signature() != self._log_sig
        if not changed_files and not log_changed:
            return set()
        before = dict(self.view)
        if log_changed:
            self._read_log()
        self._build_view()
        return disk | {n for n in self.view if self.view.get(n) != before.get(n)}

    def text(self, name: str) -> str:
        return self.view.get(name) or ""

    # --- facts ----------------------------------------------------------------------------

    @property
    def who(self) -> str:
        if self._who is None:
            from hotfix_tui.core.git.repo import user_name

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

    def _cached(self, name: str, compute: Callable[[], object]) -> object:
        src = (self.view.get(HOTFIX), self.doc, self.workflow)
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

    def status_set(self) -> Event | None:
        """The manual status in force (`set-status`, a box ticked by hand) when it is not what
        the done tasks reach; None when the tasks decide the status."""
        if not any(e.kind == "status" for e in self.events):
            return None
        return replay(self.events, self.workflow).status_set

    @property
    def status_label(self) -> str:
        """The status as shown: a manual one says so (`Monitoring (set by Ana)`)."""
        ev = self.status_set()
        return f"{self.status} (set by {ev.who or 'hand'})" if ev is not None else self.status

    @property
    def branch_field(self) -> str:
        return record.branch_field(self.text(HOTFIX))

    def event_times(self) -> dict[str, datetime]:
        """Times of the workflow's events, read from the (projected) hotfix.md timeline fields."""
        times: dict[str, datetime] = self._cached("_events_cache", self._read_event_times)  # type: ignore[assignment]
        return dict(times)

    def _read_event_times(self) -> dict[str, datetime]:
        return record.event_times(self.text(HOTFIX), self.workflow.events if self.workflow else {})

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
        )

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

    def next_open(self, after_line: int | None = None) -> TaskView | None:
        """The first open task (after `after_line`, else from the top), viewing only that one."""
        sev, first = self.severity, None
        for t in self.doc.tasks:
            if t.done or t.skip is not None:
                continue
            d = self.task_def(t)
            if d is not None and not d.applies_to(sev):
                continue
            if after_line is None or t.line > after_line:
                return self.task_view(t, sev)
            if first is None:
                first = t
        return self.task_view(first, sev) if first is not None else None

    def find(self, ref: str) -> tasks_md.Task:
        """A task by ID (case-insensitive) or key; IncidentError names the file when unknown."""
        task = self.doc.task(ref) or self.doc.task(ref.upper())
        if task is None:
            known = ", ".join(t.id or t.key for t in self.doc.tasks[:8])
            more = ", ..." if len(self.doc.tasks) > 8 else ""
            raise IncidentError(f"{self.path(TASKS)}: no task {ref!r} (tasks: {known}{more})")
        return task

    # --- the write path -------------------------------------------------------------------

    def _maker(self, seen: list[Event], who: str | None = None) -> Callable[..., Event]:
        """A factory of events by `who` (default: the git user) recorded now, after `seen`."""
        if self._recorder is None:
            from hotfix_tui.core.record.journal import clone_id

            self._recorder = evlog.Recorder(clone_id(self.repo_root, self.folder), self.who)
        rec = self._recorder
        rec.who = self.who
        now = precise_now() if self.clock is utc_now else self.clock()
        made: list[Event] = []

        def make(kind: str, happened: datetime | None = None, **data: Any) -> Event:
            fact = causal.fact_named(kind, data.get("task"))
            if fact is not None and causal.SAW not in data:
                data[causal.SAW] = causal.saw_of([*seen, *made], fact)
            ev = rec.make(kind, now, [*seen[-1:], *made[-1:]], happened=happened, **data)
            if who is not None and who != ev.who:
                ev = Event(ev.id, ev.kind, ev.recorded, ev.happened, who, ev.clone, ev.data)
            made.append(ev)
            return ev

        return make

    def _prepare_repo(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        from hotfix_tui.core.git.repo import ensure_excluded, git_dir

        if self.repo_root is None:
            return
        ensure_excluded(self.repo_root)
        g = git_dir(self.repo_root)
        if g is not None:
            from hotfix_tui.core.git.mdmerge import register

            register(g)

    def _lock(self) -> FileLock:
        from hotfix_tui.core.record.journal import incident_lock

        lock = incident_lock(self.repo_root, self.folder)
        try:
            lock.acquire()
        except LockTimeout as exc:
            raise IncidentError(
                f"another hotfix-tui is changing {self.folder} (a sync or another window; "
                f"lock {lock.lock_file} held for more than {lock.timeout:g}s); try again"
            ) from exc
        except OSError as exc:
            raise IncidentError(f"cannot take the incident's lock: {exc}") from exc
        return lock

    def transact(
        self,
        build: Build | None = None,
        edit: tuple[str, Callable[[str], str]] | None = None,
        task: str | None = None,
        edits: dict[str, Callable[[str], str]] | None = None,
    ) -> list[Event]:
        """Under the incident's lock: record hand edits, append the action's events (fsynced),
        then project and write the markdown; returns the action's events."""
        from hotfix_tui.core.record import journal

        lock = self._lock()
        try:
            self.notices = []
            self._prepare_repo()
            self._sweep_temps()
            torn = evlog.set_aside_torn(self.folder, evlog.torn_file(self.folder, self.repo_root))
            self.notices += [torn] if torn else []
            made: list[Event] | None = None
            appended: list[Event] = []
            for _attempt in range(8):
                texts = self._read_current()
                if task is not None and made is None:
                    self._require_task(texts, task)
                events = self._keep_log(self._current_log(), appended)
                pre = self._reconcile(texts, events)
                base = [*events, *pre]
                new = list(pre)
                if made is None:
                    made = build(base, self._maker(base)) if build else []
                    new += made
                if new:
                    try:
                        evlog.append(self.folder, new)
                    except OSError as exc:
                        raise IncidentError(
                            str(store._write_error(str(self.folder / evlog.LOG), exc))
                        ) from exc
                    appended += new
                all_events = list({e.id: e for e in [*events, *new]}.values())
                for name, fn in ([edit] if edit else []) + list((edits or {}).items()):
                    if texts.get(name) is not None:
                        texts = {**texts, name: fn(texts[name] or "")}
                proj = project(texts, all_events, self.workflow)
                if self._write_all(proj):
                    journal.save_hashes(self.repo_root, self.folder, proj)
                    self._keep_view(proj)
                    break
            else:
                raise IncidentError(
                    f"{self.folder}: the files kept changing while being written (an editor "
                    "saving continuously?); nothing of yours is lost, run the command again"
                )
            self.load()
            from hotfix_tui.core.record import logkeep

            logkeep.remember(self.repo_root, self.folder, self.events, appended, len(all_events))
            return made
        finally:
            lock.release()

    def _keep_log(self, events: list[Event], appended: list[Event]) -> list[Event]:
        """The log's events with the lines that vanished from it appended again, and the revert
        events of the commits that removed them (see `logkeep`)."""
        from hotfix_tui.core.record import logkeep

        back = logkeep.check(self.repo_root, self.folder, events)
        if not back.events:
            return events
        try:
            evlog.append_text(self.folder, back.text)
        except OSError as exc:
            raise IncidentError(
                str(store._write_error(str(self.folder / evlog.LOG), exc))
            ) from exc
        appended += back.events
        self.notices += back.messages
        return sorted({e.id: e for e in [*events, *back.events]}.values(), key=lambda e: e.order)

    def _keep_view(self, proj: dict[str, str | None]) -> None:
        """Remember that the files just written are the projection of the log as it is now
        (read again under the lock: the events projected are exactly the ones it holds)."""
        from hotfix_tui.core.record import journal

        try:
            log = (self.folder / evlog.LOG).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        journal.save_view(self.repo_root, self.folder, journal.view_key(log, self.workflow), proj)

    def _sweep_temps(self) -> None:
        """Remove the temp files of a writer killed mid-write (writers hold the lock we hold)."""
        from contextlib import suppress

        for name in (TASKS, HOTFIX, POSTMORTEM, evlog.LOG):
            for p in self.folder.glob(f".{name}.*.tmp"):
                with suppress(OSError):
                    p.unlink()

    def _require_task(self, texts: dict[str, str | None], ref: str) -> None:
        doc = tasks_md.parse_tasks(texts.get(TASKS) or "")
        if doc.task(ref) is None:
            raise IncidentError(
                f"{self.path(TASKS)}: task {ref} is gone from the file on disk "
                "(someone else changed it); nothing was written"
            )

    def repair(self) -> list[Event]:
        """Bring the files in line with the log (and record hand edits); writes only if needed.

        Files that are, as read now, what the last projection of the log wrote need no lock."""
        from hotfix_tui.core.record import logkeep

        self.refresh()
        if (
            self._settled
            and not self._stale_temps()
            and logkeep.settled(self.repo_root, self.folder)
        ):
            self._prepare_repo()
            return []
        return self.transact(None)

    def _stale_temps(self) -> bool:
        return any(True for n in (TASKS, HOTFIX, POSTMORTEM, evlog.LOG)
                   for _ in self.folder.glob(f".{n}.*.tmp"))

    def _read_current(self) -> dict[str, str | None]:
        from hotfix_tui.core.git.mdmerge import has_markers, resolve_markers
        from hotfix_tui.core.record import journal

        texts: dict[str, str | None] = {}
        self._disk: dict[str, str | None] = {}
        for name in (TASKS, HOTFIX, POSTMORTEM):
            p = self.path(name)
            try:
                if p.exists():
                    self._inside(p)
                text = journal.read_stable(p)
            except StoreError as exc:
                raise IncidentError(str(exc)) from exc
            self._disk[name] = text
            if text is not None and has_markers(text):
                # projected lines are settled (the projection rebuilds them from the log); a
                # block of text people wrote stays marked for `resolve` and never blocks a write
                text, _left = resolve_markers(text)
            texts[name] = text
        if texts[TASKS] is None and texts[HOTFIX] is None:
            raise IncidentError(f"{self.folder}: no tasks.md or hotfix.md here")
        return texts

    def _current_log(self) -> list[Event]:
        p = self.folder / evlog.LOG
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise IncidentError(f"{p}: cannot read the event log: {exc}") from exc
        events, problems = evlog.parse_log(text, str(p))
        from hotfix_tui.core.git.mdmerge import has_markers

        if has_markers(text):  # merged without the union rule: keep every event, drop the marks
            store.atomic_write(p, "".join(e.line() for e in events))
        self._log_problems = problems
        return events

    def _reconcile(self, texts: dict[str, str | None], events: list[Event]) -> list[Event]:
        """Seed a first log from the files, or turn hand edits into events."""
        from hotfix_tui.core.record import journal
        from hotfix_tui.core.record.reconcile import seed

        if not events:
            return seed(texts, self.workflow, self._maker([]))
        last = journal.load_projection(self.repo_root, self.folder)
        names = {n for n, t in texts.items() if t is not None and t != last.get(n)}
        if not names:
            return []
        arrived = self._arrived_by_git(names) if self.repo_root is not None else {}
        out: list[Event] = []
        make = self._maker(events)
        order = (TASKS, HOTFIX, POSTMORTEM)
        local = sorted(names - set(arrived), key=order.index)
        found, merged = self._hand_edits(texts, [*events, *out], local, make, last)
        if local:
            journal.remember(self.repo_root, self.folder, {n: texts[n] for n in local})
        texts.update(merged)
        out += found
        for name, commit in arrived.items():
            out += self._git_edits(texts, [*events, *out], name, commit)
        return out

    def _hand_edits(
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
            return journal.committed_texts(self.repo_root, self._rel(name))
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
                out.append(make("retitle", task=t.id, text=t.title, hand=True))
        return out

    def _rel(self, name: str) -> str:
        assert self.repo_root is not None
        return (self.folder / name).resolve().relative_to(self.repo_root.resolve()).as_posix()

    def _arrived_by_git(self, names: set[str]) -> dict[str, tuple[str, int, str, int]]:
        """The files that are as git left them (checkout, pull, merge), with their last commit."""
        from hotfix_tui.core.record import journal

        assert self.repo_root is not None
        rels = {n: self._rel(n) for n in names}
        try:
            blobs = journal.index_blobs(self.repo_root, list(rels.values()))
        except OSError:
            return {}
        out = {}
        for name, rel in rels.items():
            text = self._disk.get(name)
            if text is None or blobs.get(rel) != journal.git_blob_id(text):
                continue
            commit = journal.last_commit(self.repo_root, rel)
            if commit is not None:
                out[name] = commit
        return out

    def _git_edits(
        self,
        texts: dict[str, str | None],
        events: list[Event],
        name: str,
        commit: tuple[str, int, str, int],
    ) -> list[Event]:
        """Edits a commit carried without events, credited to its author and time (the same
        events, ids included, as `sync` makes of that commit: `credit.commit_edits`)."""
        from hotfix_tui.core.record.credit import commit_edits, range_edits

        assert self.repo_root is not None
        rel = self._rel(name).rpartition("/")[0]
        have = {e.id for e in events}
        found = commit_edits(self.repo_root, rel, name, commit, self.workflow)
        found += range_edits(self.repo_root, rel, name, commit[0], None, self.workflow)
        return list({e.id: e for e in found if e.id not in have}.values())

    def _write_all(self, proj: dict[str, str | None]) -> bool:
        """Write each projected file that differs; False when one changed under us (redo)."""
        for name, text in proj.items():
            disk = self._disk.get(name)
            if text is None or disk is None or text == disk:
                continue
            try:
                store.atomic_write(self.path(name), text, expect=disk)
            except ChangedUnderneath:
                return False
            except StoreError as exc:
                raise IncidentError(str(exc)) from exc
        return True

    # --- actions --------------------------------------------------------------------------

    def _ref(self, task: tasks_md.Task) -> str:
        return task.id or task.key

    def _check_time(self, when: datetime | None, what: str) -> None:
        """Refuse a time in the future (the clocks would stop at 0 %)."""
        if when is None:
            return
        now = self.clock()
        if (when - now).total_seconds() > FUTURE_SLACK_SECONDS:
            raise BadInput(
                f"{what} {format_time(when)} is in the future (now is {format_time(now)}); "
                "give a time that has passed - nothing was written"
            )

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

    def _emit(self, kind: str, happened: datetime | None = None, **data: object) -> list[Event]:
        ref = data.get("task")
        return self.transact(
            lambda _evs, make: [make(kind, happened=happened, **data)],
            task=str(ref) if ref is not None else None,
        )

    def _done_change(self, key: str, label: str, done: bool, messages: list[str]) -> Change:
        def undo() -> Change | None:
            if done:
                self._emit("reopen", task=key, undo=label)
            else:  # undoing a reopen is a mis-toggle: the task keeps the time it had
                self.transact(
                    lambda evs, make: [self._done_event(evs, make, key, None, True, undo=label)],
                    task=key,
                )
            return None

        change = Change(label, undo, {TASKS, HOTFIX, POSTMORTEM}, messages)
        self.history.append(change)
        self._notify(label)
        return change

    def reopened(self, ref: str) -> tuple[datetime, datetime, bool] | None:
        """For an open task that was done before: (its last done time, when it was reopened,
        whether anything else was recorded since); None otherwise."""
        task = self.find(ref)
        key = self._ref(task)
        ts = replay(self.events, self.workflow).task(key)
        last = ts.decided_by
        if ts.done or ts.last_done_at is None or last is None or last.kind != "reopen":
            return None
        after = [e for e in self.events if e.order > last.order]
        return ts.last_done_at, last.recorded_at, bool(after)

    def records_times(self, ref: str) -> list[str]:
        """The timeline labels checking a task records (e.g. Incident End for T013)."""
        d = self.task_def(self.find(ref))
        wf = self.workflow
        if d is None or wf is None:
            return []
        return [label for ev in d.events if (label := wf.events.get(ev))]

    def _done_event(
        self,
        events: list[Event],
        make: Callable[..., Event],
        key: str,
        at: datetime | None,
        keep_first: bool,
        **data: object,
    ) -> Event:
        """The done event of `set_done`: at `at`, or keeping the task's last done time."""
        if keep_first and at is None:
            ts = replay(events, self.workflow).task(key)
            if ts.last_done_at is not None and not ts.done:
                return make("done", task=key, happened=ts.last_done_at, keep_first=True, **data)
        return make("done", task=key, happened=at, at_given=True if at else None, **data)

    def set_done(
        self,
        ref: str,
        done: bool = True,
        note: str | None = None,
        at: datetime | None = None,
        *,
        keep_first: bool = False,
    ) -> Change | None:
        """Check or uncheck a task; the event is recorded even when the task already is so
        (a later intent must win a merge), but then no Change is returned. Checking a reopened
        task records a new time unless `keep_first` (or `at`) says otherwise."""
        task = self.find(ref)
        key = self._ref(task)
        self._check_time(at, f"the time given for {task.id or task.title}")
        if keep_first and at is not None:
            raise BadInput("give either --at or --keep-first, not both - nothing was written")
        was = task.done
        said: list[str] = []

        def build(events: list[Event], make: Callable[..., Event]) -> list[Event]:
            if not done:
                return [make("reopen", task=key, cleared=self._cleared(events, key) or None)]
            ts = replay(events, self.workflow).task(key)
            labels = self.records_times(key)
            if labels and not ts.done and ts.last_done_at is not None:
                old = format_time(ts.last_done_at)
                for label in labels:
                    if keep_first and at is None:
                        said.append(f"{label} keeps {old}, the time before the reopen")
                    elif at is None:
                        said.append(
                            f"{label} is now {format_time(self.clock())} (it was {old} before "
                            f"{task.id or task.title} was reopened; give --keep-first to keep it)"
                        )
            clean = note if note and note.strip() else None
            return [self._done_event(events, make, key, at, keep_first, note=clean)]

        self.transact(build, task=key)
        if was == done and not note and at is None:
            return None
        verb = "done" if done else "reopened"
        label = f"{task.id or task.title} {verb}"
        return self._done_change(key, label, done, [*said, *self.order_warnings()])

    def _cleared(self, events: list[Event], key: str) -> str:
        """What reopening a task takes back: the times only it recorded."""
        from hotfix_tui.core.record.projection import event_times

        wf = self.workflow
        if wf is None:
            return ""
        before = event_times(replay(events, wf), wf)
        st = replay(events, wf)
        st.tasks.setdefault(key, st.task(key)).done = False
        after = event_times(st, wf)
        return "; ".join(
            f"{wf.events.get(ev, ev)} {format_time(t)} cleared"
            for ev, t in before.items()
            if ev not in after
        )

    def note(self, ref: str, text: str) -> Change:
        """Add a timestamped note as a sub-item of a task."""
        if not text.strip():  # kept as typed: every space, tab and line break
            raise IncidentError("the note is empty; type some text")
        task = self.find(ref)
        key = self._ref(task)
        made = self._emit("note", task=key, text=text)
        note_id = made[0].id
        label = f"note on {task.id or task.title}"

        def undo() -> Change | None:
            self._emit("unnote", task=key, ref=note_id, text=text, undo=label)
            return None

        change = Change(label, undo, {TASKS, POSTMORTEM})
        self.history.append(change)
        self._notify(change.label)
        return change

    def skip(self, ref: str, reason: str) -> Change | None:
        """Mark a task skipped with a reason (a sub-item); a done task must be reopened first."""
        if not reason.strip():  # kept as typed
            raise IncidentError("a skip needs a reason; say why the task is skipped")
        task = self.find(ref)
        key = self._ref(task)
        if task.skip is not None:
            raise IncidentError(f"{task.id or task.title} is already skipped: {task.skip.text}")
        if task.done:
            raise IncidentError(
                f"{task.id or task.title} is done; reopen it first if it is really skipped"
            )
        self._emit("skip", task=key, text=reason)
        label = f"skip {task.id or task.title}"

        def undo() -> Change | None:
            self._emit("unskip", task=key, undo=label)
            return None

        change = Change(label, undo, {TASKS, POSTMORTEM})
        self.history.append(change)
        self._notify(change.label)
        return change

    def unskip(self, ref: str) -> Change | None:
        """Remove a task's skip mark; its undo skips it again with the same reason.

        None when the task is not skipped (nothing is written)."""
        task = self.find(ref)
        if task.skip is None:
            return None
        key, reason = self._ref(task), task.skip.text
        self._emit("unskip", task=key)
        label = f"unskip {task.id or task.title}"

        def undo() -> Change | None:
            self._emit("skip", task=key, text=reason, undo=label)
            return None

        change = Change(label, undo, {TASKS, POSTMORTEM})
        self.history.append(change)
        self._notify(label)
        return change

    def set_severity(self, severity: str) -> Change | None:
        """Change the severity; the clocks and applicable tasks follow."""
        wf = self.workflow
        keys = [s.id for s in wf.severities] if wf else ["P0", "P1", "P2"]
        severity = severity.upper()
        if severity not in keys:
            raise IncidentError(f"unknown severity {severity!r}; use one of {', '.join(keys)}")
        old = self.severity
        if old == severity:
            return None
        self._emit("severity", value=severity, old=old)
        label = f"severity {old} -> {severity}"

        def undo() -> Change | None:
            if old:
                self._emit("severity", value=old, undo=label)
            return None

        change = Change(label, undo)
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
        if wf is not None:
            from hotfix_tui.core.workflow.lifecycle import contradiction

            done = [t.id for t in self.doc.tasks if t.done and t.id]
            why = contradiction(wf, match, done)
            if why:
                raise BadInput(f"cannot set the status to {match}: {why} - nothing was written")
        self._emit("status", value=match, old=old)
        label = f"status {old} -> {match}"

        def undo() -> Change | None:
            if old:
                self._emit("status", value=old, undo=label)
            return None

        change = Change(label, undo)
        self.history.append(change)
        self._notify(change.label)
        return change

    def undo_last(self) -> str | None:
        """Undo the most recent action of this session (one event); returns its label."""
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
        self._notify(f"undo {change.label}")
        return change.label

    def resolve_conflicts(self, keep: str) -> list[str]:
        """Settle the blocks of text people wrote that a merge left marked, keeping `keep`
        (ours, theirs or both); projected lines come from the log, so no side of them is taken
        for an edit (a stale box never becomes a reopen). Returns the files settled."""
        from hotfix_tui.core.git.mdmerge import has_markers, resolve_markers

        settled: list[str] = []

        def settler(name: str) -> Callable[[str], str]:
            def settle(text: str) -> str:
                if not has_markers(text):
                    return text
                settled.append(name)
                return resolve_markers(text, everything=True, keep=keep)[0]

            return settle

        self.transact(None, edits={n: settler(n) for n in (TASKS, HOTFIX, POSTMORTEM)})
        return list(dict.fromkeys(settled))

    # --- hooks and record filling (see fill.py) ----------------------------------------------

    def _notify(self, label: str) -> None:
        """Tell the listeners an action was written; a listener's error never undoes it."""
        if getattr(self, "_muted", False):
            return
        for listener in list(self.listeners):
            listener(self, label)

    def set_detection(self, when: datetime | None, how: str, *, force: bool = False) -> Change:
        """Fill `**Detection**` (time, then ` - how`); see fill.set_detection."""
        from hotfix_tui.core.record.fill import set_detection

        return set_detection(self, when, how, force=force)

    def set_started_at(self, when: datetime, *, force: bool = False) -> Change | None:
        """Correct `**Incident Start**`; NeedsConfirmation when a different time is there."""
        from hotfix_tui.core.record.fill import set_started_at

        return set_started_at(self, when, force=force)

    def set_fix_commit(self, sha: str, subject: str = "", *, force: bool = False) -> Change | None:
        """Record the fix's `**Commit SHA**` and fill the rollback command."""
        from hotfix_tui.core.record.fill import set_fix_commit

        return set_fix_commit(self, sha, subject, force=force)
