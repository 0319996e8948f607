"""One incident folder and every action on it, shared by the CLI, the TUI and the tests.

`Incident` holds its read view (`view.IncidentView`) and its write transaction
(`transaction.IncidentTransaction`, given that view); each action here appends an event to the
log through the transaction, which projects the markdown and loads the view again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from hotfix_tui.core.clocks import Clock, SlaReading, WindowReading, format_time, utc_now
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import BadInput as BadInput
from hotfix_tui.core.record.change import Change as Change
from hotfix_tui.core.record.change import IncidentError as IncidentError
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.projection import EVENT_ROWS, one_task, replay
from hotfix_tui.core.record.team import is_me
from hotfix_tui.core.record.transaction import Build as Build
from hotfix_tui.core.record.transaction import IncidentTransaction
from hotfix_tui.core.record.view import HOTFIX as HOTFIX
from hotfix_tui.core.record.view import POSTMORTEM as POSTMORTEM
from hotfix_tui.core.record.view import TASKS as TASKS
from hotfix_tui.core.record.view import IncidentView as IncidentView
from hotfix_tui.core.record.view import PhaseHead as PhaseHead
from hotfix_tui.core.record.view import PhaseView as PhaseView
from hotfix_tui.core.record.view import TaskView as TaskView
from hotfix_tui.core.workflow.model import Workflow, severity_ids

__all__ = ["EVENT_ROWS", "BadInput", "Change", "Incident", "IncidentError", "NotTheirs"]


class NotTheirs(BadInput):
    """A hand-over accepted by someone other than the person it names (say so, then ask)."""

# A time this far ahead of the clock is refused (clocks of two machines differ a little).
FUTURE_SLACK_SECONDS = 60


def folder_words(description: str, count: int = 3) -> str:
    """Lowercase, runs of non `a-z0-9` to `-`, first `count` words: the folder/branch slug."""
    import re

    words = [w for w in re.split(r"[^a-z0-9]+", description.lower()) if w]
    return "-".join(words[:count]) or "incident"


def option_named(group: tasks_md.Choice, value: str) -> str | None:
    """The option of `group` that `value` names (its label in any case, or its number from 1),
    "" for none or an empty value, else None."""
    v = value.strip()
    if not v or v.lower() == "none":
        return ""
    for opt in group.options:
        if opt.lower() == v.lower():
            return opt
    if v.isdigit() and 1 <= int(v) <= len(group.options):
        return group.options[int(v) - 1]
    starts = [o for o in group.options if o.lower().startswith(v.lower())]
    return starts[0] if len(starts) == 1 else None


class Incident:
    """An incident folder: the event log and the markdown projected from it, with actions.

    It holds its read view (`view`) and its write transaction (`tx`); every action appends an
    event (fsynced) through `tx`, then the markdown is projected and `view` loaded again.
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
        self.view = IncidentView(folder, workflow, clock=clock, who=who, repo_root=repo_root)
        self.tx = IncidentTransaction(self.view)
        self.history: list[Change] = []
        self.undone: list[Change] = []  # what undo took back, newest last: what redo does again
        self._redoing = False
        # Called as listener(incident, label) after every action (e.g. gitops auto-commit).
        self.listeners: list[Callable[[Incident, str], None]] = []
        self._muted = False

    # --- the read surface: the facts every front end, report, alert and commit reads of an
    # incident (what `gitops.Committed` and `lifecycle.Figures` ask); the rest is `self.view`

    @property
    def folder(self) -> Path:
        return self.view.folder

    @property
    def repo_root(self) -> Path | None:
        return self.view.repo_root

    @property
    def workflow(self) -> Workflow | None:
        return self.view.workflow

    @property
    def clock(self) -> Clock:
        return self.view.clock

    @property
    def who(self) -> str:
        return self.view.who

    @property
    def id(self) -> str:
        return self.view.id

    @property
    def title(self) -> str:
        return self.view.title

    @property
    def severity(self) -> str | None:
        return self.view.severity

    @property
    def status(self) -> str:
        return self.view.status

    @property
    def branch_field(self) -> str:
        return self.view.branch_field

    @property
    def started_at(self) -> datetime | None:
        return self.view.started_at

    def event_times(self) -> dict[str, datetime]:
        return self.view.event_times()

    def sla(self, now: datetime | None = None) -> SlaReading | None:
        return self.view.sla(now)

    def windows(self, now: datetime | None = None) -> list[WindowReading]:
        return self.view.windows(now)

    def progress(self) -> tuple[int, int]:
        return self.view.progress()

    def commit_words(self, committed: Callable[[str], str | None]) -> list[str]:
        return self.view.commit_words(committed)

    # --- actions ---------------------------------------------------------------------------

    def repair(self) -> list[Event]:
        """Bring the files in line with the log, recording hand edits (see `tx.repair`)."""
        return self.tx.repair()

    def _check_time(self, when: datetime | None, what: str) -> None:
        """Refuse a time in the future (the clocks would stop at 0 %)."""
        if when is None:
            return
        now = self.view.clock()
        if (when - now).total_seconds() > FUTURE_SLACK_SECONDS:
            raise BadInput(
                f"{what} {format_time(when)} is in the future (now is {format_time(now)}); "
                "give a time that has passed - nothing was written"
            )

    def _keep(self, change: Change) -> Change:
        """Add an applied action to the history; a new action (not a redo) ends what redo has."""
        change.made = change.made or [e.id for e in self.tx.made]
        self.history.append(change)
        if not self._redoing:
            self.undone.clear()
        self._notify(change.label)
        return change

    def _done_change(self, key: str, label: str, done: bool, messages: list[str]) -> Change:
        def undo() -> Change | None:
            if done:
                self.tx.emit(kinds.REOPEN, task=key, undo=label)
            else:  # undoing a reopen is a mis-toggle: the task keeps the time it had
                self.tx.transact(
                    lambda evs, make: [self._done_event(evs, make, key, None, True, undo=label)],
                    task=key,
                )
            return None

        name = label.rsplit(" ", 1)[0]
        return self._keep(Change(
            label, undo, {TASKS, HOTFIX, POSTMORTEM}, messages,
            redo=lambda: self.set_done(key, done, keep_first=done),
            undone=f"{name} open again" if done else f"{name} done again",
        ))

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
            ts = one_task(events, self.view.workflow, key)
            if ts.last_done_at is not None and not ts.done:
                return make(kinds.DONE, task=key, happened=ts.last_done_at, keep_first=True, **data)
        return make(kinds.DONE, task=key, happened=at, at_given=True if at else None, **data)

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
        task = self.view.find(ref)
        key = self.view.task_ref(task)
        self._check_time(at, f"the time given for {task.id or task.title}")
        if keep_first and at is not None:
            raise BadInput("give either --at or --keep-first, not both - nothing was written")
        was = task.done
        said: list[str] = []

        def build(events: list[Event], make: Callable[..., Event]) -> list[Event]:
            if not done:
                return [make(kinds.REOPEN, task=key, cleared=self._cleared(events, key) or None)]
            ts = one_task(events, self.view.workflow, key)
            labels = self.view.records_times(key)
            if labels and not ts.done and ts.last_done_at is not None:
                old = format_time(ts.last_done_at)
                for label in labels:
                    if keep_first and at is None:
                        said.append(f"{label} keeps {old}, the time before the reopen")
                    elif at is None:
                        said.append(
                            f"{label} is now {format_time(self.view.clock())} (it was {old} before "
                            f"{task.id or task.title} was reopened; give --keep-first to keep it)"
                        )
            clean = note if note and note.strip() else None
            return [self._done_event(events, make, key, at, keep_first, note=clean)]

        self.tx.transact(build, task=key)
        if was == done and not note and at is None:
            return None
        verb = "done" if done else "reopened"
        label = f"{task.id or task.title} {verb}"
        return self._done_change(key, label, done, [*said, *self.view.order_warnings()])

    def _cleared(self, events: list[Event], key: str) -> str:
        """What reopening a task takes back: the times only it recorded."""
        from hotfix_tui.core.record.projection import event_times

        wf = self.view.workflow
        if wf is None:
            return ""
        from dataclasses import replace

        def timed(e: Event) -> bool:  # what event_times reads: the incident, timed tasks
            d = wf.task(e.task) if e.task is not None else None
            return e.task is None or e.kind == kinds.REVERT or (d is not None and bool(d.events))

        st = replay([e for e in events if timed(e)], wf)
        before = event_times(st, wf)
        st.tasks[key] = replace(st.task(key), done=False)
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
        task = self.view.find(ref)
        key = self.view.task_ref(task)
        made = self.tx.emit(kinds.NOTE, task=key, text=text)
        note_id = made[0].id
        label = f"note on {task.id or task.title}"

        def undo() -> Change | None:
            self.tx.emit(kinds.UNNOTE, task=key, ref=note_id, text=text, undo=label)
            return None

        return self._keep(Change(
            label, undo, {TASKS, POSTMORTEM}, redo=lambda: self.note(key, text),
            undone=f"{label} removed",
        ))

    def skip(self, ref: str, reason: str) -> Change | None:
        """Mark a task skipped with a reason (a sub-item); a done task must be reopened first."""
        if not reason.strip():  # kept as typed
            raise IncidentError("a skip needs a reason; say why the task is skipped")
        task = self.view.find(ref)
        key = self.view.task_ref(task)
        if task.skip is not None:
            raise IncidentError(f"{task.id or task.title} is already skipped: {task.skip.text}")
        if task.done:
            raise IncidentError(
                f"{task.id or task.title} is done; reopen it first if it is really skipped"
            )
        self.tx.emit(kinds.SKIP, task=key, text=reason)
        label = f"skip {task.id or task.title}"

        def undo() -> Change | None:
            self.tx.emit(kinds.UNSKIP, task=key, undo=label)
            return None

        name = task.id or task.title
        return self._keep(Change(
            label, undo, {TASKS, POSTMORTEM}, redo=lambda: self.skip(key, reason),
            undone=f"{name} no longer skipped",
        ))

    def unskip(self, ref: str) -> Change | None:
        """Remove a task's skip mark; its undo skips it again with the same reason.

        None when the task is not skipped (nothing is written)."""
        task = self.view.find(ref)
        if task.skip is None:
            return None
        key, reason = self.view.task_ref(task), task.skip.text
        self.tx.emit(kinds.UNSKIP, task=key)
        label = f"unskip {task.id or task.title}"

        def undo() -> Change | None:
            self.tx.emit(kinds.SKIP, task=key, text=reason, undo=label)
            return None

        return self._keep(Change(
            label, undo, {TASKS, POSTMORTEM}, redo=lambda: self.unskip(key),
            undone=f"{task.id or task.title} skipped again: {reason}",
        ))

    def choose(self, ref: str, value: str) -> Change | None:
        """Set a single-choice group (or the choice inside a task's row) to one of its options
        ("" or "none": no option); None when it already is (the event is recorded all the same).
        """
        group = self.view.find_choice(ref)
        opt = option_named(group, value)
        if opt is None:
            names = ", ".join(group.options)
            raise BadInput(
                f"{group.label}: no option {value!r} (options: {names}, or none) - nothing was "
                "written"
            )
        was = group.value or ""
        self.tx.transact(lambda _evs, make: [make(kinds.CHOICE, group=group.key, value=opt)])
        if was == opt:
            return None
        label = f"{group.label}: {opt or 'none'}"

        def undo() -> Change | None:
            self.tx.transact(
                lambda _evs, make: [make(kinds.CHOICE, group=group.key, value=was, undo=label)]
            )
            return None

        return self._keep(Change(
            label, undo, {TASKS, POSTMORTEM}, redo=lambda: self.choose(group.key, opt),
            undone=f"{group.label} back to {was or 'none'}",
        ))

    def set_severity(self, severity: str) -> Change | None:
        """Change the severity; the clocks and applicable tasks follow."""
        wf = self.view.workflow
        keys = severity_ids(wf)
        severity = severity.upper()
        if severity not in keys:
            raise IncidentError(f"unknown severity {severity!r}; use one of {', '.join(keys)}")
        old = self.view.severity
        if old == severity:
            return None
        self.tx.emit(kinds.SEVERITY, value=severity, old=old)
        label = f"severity {old} -> {severity}"

        def undo() -> Change | None:
            if old:
                self.tx.emit(kinds.SEVERITY, value=old, undo=label)
            return None

        return self._keep(Change(
            label, undo, redo=lambda: self.set_severity(severity),
            undone=f"severity back to {old}" if old else f"severity still {severity}",
        ))

    def set_status(self, status: str) -> Change | None:
        """Move the incident to a status of the workflow."""
        wf = self.view.workflow
        statuses = list(wf.statuses) if wf else []
        match = next((s for s in statuses if s.lower() == status.lower()), None)
        if match is None:
            raise IncidentError(f"unknown status {status!r}; use one of {', '.join(statuses)}")
        old = self.view.status
        if old == match:
            return None
        if wf is not None:
            from hotfix_tui.core.workflow.lifecycle import contradiction

            done = [t.id for t in self.view.doc.tasks if t.done and t.id]
            why = contradiction(wf, match, done)
            if why:
                raise BadInput(f"cannot set the status to {match}: {why} - nothing was written")
        self.tx.emit(kinds.STATUS, value=match, old=old)
        label = f"status {old} -> {match}"

        def undo() -> Change | None:
            if old:
                self.tx.emit(kinds.STATUS, value=old, undo=label)
            return None

        return self._keep(Change(
            label, undo, redo=lambda: self.set_status(match),
            undone=f"status back to {old}" if old else f"status still {match}",
        ))

    def reminder_sent(self, reminder: str, label: str = "", text: str = "") -> Change:
        """Log that a reminder was done now (a stakeholder update sent, with its `text` when
        written): it starts again; its undo takes the mark back, so it is due as it was."""
        self.tx.emit(kinds.REMINDER_SENT, reminder=reminder or None, text=text or None)
        what = f"{label or reminder or 'status update'} sent"

        def undo() -> Change | None:
            self.tx.emit(kinds.REMINDER_SENT, reminder=reminder or None, undo=what)
            return None

        return self._keep(Change(
            what, undo, {POSTMORTEM}, redo=lambda: self.reminder_sent(reminder, label, text),
            undone=f"{label or reminder or 'status update'} not marked sent",
        ))

    # --- who does what (roles, assignees, the commander's hand-over; `record/team.py`) ------

    def _role_id(self, role: str) -> str:
        labels = self.view.team().labels
        want = role.strip().lower()
        found = next(
            (r for r, label in labels.items() if want in (r, label.lower())), None
        )
        if found is None:
            known = ", ".join(labels)
            raise BadInput(f"unknown role {role!r}; the roles are {known} - nothing was written")
        return found

    def set_role(self, role: str, name: str) -> Change | None:
        """Give a role (`commander`, `communications`, ...) to `name` ("": nobody holds it);
        giving the commander calls off a pending hand-over. None when it already is so."""
        rid, name = self._role_id(role), " ".join(name.split())
        team = self.view.team()
        old = team.roles.get(rid) or ""
        if old == name and not (rid == team.commander_role and team.handover is not None):
            return None
        self.tx.emit(kinds.ROLE, role=rid, name=name, old=old or None)
        label = f"{rid}: {name or 'nobody'}"

        def undo() -> Change | None:
            self.tx.emit(kinds.ROLE, role=rid, name=old, undo=label)
            return None

        return self._keep(Change(
            label, undo, redo=lambda: self.set_role(rid, name),
            undone=f"{rid} back to {old or 'nobody'}",
        ))

    def assign(self, ref: str, name: str) -> Change | None:
        """Assign a task to `name` ("": to nobody); None when it already is so."""
        task = self.view.find(ref)
        key = self.view.task_ref(task)
        name = " ".join(name.split())
        old = self.view.team().assignees.get(key) or ""
        if old == name:
            return None
        self.tx.emit(kinds.ASSIGN, task=key, name=name, old=old or None)
        tid = task.id or task.title
        label = f"{tid} assigned to {name}" if name else f"{tid} unassigned"

        def undo() -> Change | None:
            self.tx.emit(kinds.ASSIGN, task=key, name=old, undo=label)
            return None

        return self._keep(Change(
            label, undo, redo=lambda: self.assign(key, name),
            undone=f"{tid} assigned to {old}" if old else f"{tid} unassigned",
        ))

    def handover(self, to: str, report: str) -> Change:
        """Offer the commander role to `to` with the report as it is now; `to` becomes commander
        once they accept (`accept`)."""
        to = " ".join(to.split())
        if not to:
            raise BadInput("name the person taking over - nothing was written")
        team = self.view.team()
        if team.commander and team.commander.casefold() == to.casefold():
            raise BadInput(f"{to} is already the commander - nothing was written")
        was = team.handover
        self.tx.emit(kinds.HANDOVER, to=to, report=report)
        label = f"hand-over to {to}"

        def undo() -> Change | None:
            back = str(was.get("to")) if was is not None else ""
            report_was = str(was.get("report") or "") if was is not None else ""
            self.tx.emit(kinds.HANDOVER, to=back, report=report_was or None, undo=label)
            return None

        return self._keep(Change(
            label, undo, redo=lambda: self.handover(to, report),
            undone="hand-over called off",
        ))

    def accept(self, me: Sequence[str] = (), for_them: bool = False) -> Change:
        """Accept the pending hand-over: its `to` becomes the commander. Only that person accepts
        (`me`: git's user.name and user.email; unknown: anyone), unless `for_them`."""
        team = self.view.team()
        ev = team.handover
        if ev is None:
            raise IncidentError("no hand-over is waiting to be accepted - nothing was written")
        to, old = str(ev.get("to")), team.commander or ""
        if me and not for_them and not is_me(to, me):
            raise NotTheirs(
                f"the hand-over is to {to}, and you are {me[0]}: {to} accepts it, or you on "
                f"their behalf (`hotfix-tui accept --for-them`) - nothing was written"
            )
        self.tx.emit(kinds.ACCEPT, ref=ev.id, to=to)
        label = f"{to} took over as commander"

        def undo() -> Change | None:
            def build(_evs: list[Event], make: Callable[..., Event]) -> list[Event]:
                return [
                    make(kinds.ROLE, role=team.commander_role, name=old, undo=label),
                    make(kinds.HANDOVER, to=to, report=ev.get("report"), undo=label),
                ]

            self.tx.transact(build)
            return None

        return self._keep(Change(
            label, undo, redo=self.accept,
            undone=f"{old or 'nobody'} commands again, hand-over to {to} waiting",
        ))

    def undo_last(self) -> str | None:
        """Undo the most recent action of this session (one event); returns what the state is
        now (`Change.undone`, else the action's label). Redo can do it again."""
        if not self.history:
            return None
        change = self.history.pop()
        depth, undone = len(self.history), list(self.undone)
        self._muted = True
        self.tx.undoes = change.made[-1] if change.made else None
        try:
            change.undo()
        finally:
            self._muted = False
            self.tx.undoes = None
        del self.history[depth:]  # the inverse action is not itself undoable
        self.undone = [*undone, change] if change.redo is not None else undone
        self._notify(f"undo {change.label}")
        return change.undone or change.label

    def redo_last(self) -> str | None:
        """Do again the action the last undo took back (recorded anew, so it can be undone);
        returns its label, None when there is nothing to redo."""
        if not self.undone:
            return None
        change = self.undone.pop()
        assert change.redo is not None
        self._redoing = True
        try:
            again = change.redo()
        finally:
            self._redoing = False
        return again.label if again is not None else change.label

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

        self.tx.transact(None, edits={n: settler(n) for n in (TASKS, HOTFIX, POSTMORTEM)})
        return list(dict.fromkeys(settled))

    # --- hooks and record filling (see fill.py) ----------------------------------------------

    def _notify(self, label: str) -> None:
        """Tell the listeners an action was written; a listener's error never undoes it."""
        if self._muted:
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
