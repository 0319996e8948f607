"""The incident screen's git and record flows: commit, sync, fix commit, detection, start
correction, activity, hand-over report, post-mortem and copy-ready commands.

`MainScreen` composes one `IncidentFlows`: it owns the screen's `GitJobs`, shows what their
messages say (the screen hands them on), and runs the dialogs whose answers become changes
through `act`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual.message import Message
from textual.screen import Screen

from hotfix_tui.core.clocks import format_time
from hotfix_tui.core.markdown import hotfix_fields, record_md
from hotfix_tui.core.record.fill import NeedsConfirmation, detection_answer
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.store import StoreError
from hotfix_tui.tui.host import host
from hotfix_tui.tui.services.git_jobs import (
    CommitFailed,
    Committed,
    FixCommitsListed,
    FixCommitsListFailed,
    GitJobs,
    Request,
    Synced,
    SyncFailed,
)
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from hotfix_tui.core.alerting.reminders import ReminderReading
    from hotfix_tui.core.reports.commands import CopyCommand
    from hotfix_tui.tui.screens.record_dialogs import ActivityRow, CommitChoice

NOT_A_REPO = "not a git repository: git features are off"
ACTION_ERRORS: tuple[type[BaseException], ...] = (IncidentError, StoreError, OSError)
ACTIVITY_ROWS = 50
ERROR_TIMEOUT = 6  # seconds an error notification stays (the next one may matter more)
T = TypeVar("T")


class CommandsFound(Message):
    """The copy-ready commands the record fills in were found."""

    def __init__(self, commands: list[CopyCommand]) -> None:
        super().__init__()
        self.commands = commands


class Shown(Protocol):
    """What the flows ask of the screen that shows the incident."""

    def sync_all(self) -> None:
        """Re-render everything from the incident."""

    def check_files(self, force: bool = False) -> None:
        """Reload the files when they changed on disk."""

    def reminders_now(self) -> list[ReminderReading]:
        """The reminders running now."""
        ...

    def mark_reminder_sent(self) -> None:
        """Log that the next reminder was done."""


class IncidentFlows:
    """The git jobs and record dialogs of one incident's screen (`MainScreen.flows`).

    `screen` runs the workers, notifications and dialogs; `shown` re-renders what changed."""

    def __init__(self, screen: Screen[Any], shown: Shown, incident: Incident) -> None:
        self.screen = screen
        self.shown = shown
        self.incident = incident
        self.git = GitJobs(screen, incident)
        self._waiting: list[Callable[[], object]] = []  # changes made while a sync ran
        self._auto_scheduled = False

    def notify(self, message: str, **kwargs: Any) -> None:
        """A notification on the screen (Textual's `notify` arguments)."""
        self.screen.notify(message, **kwargs)

    def push(self, dialog: Screen[Any], then: Callable[[Any], None] | None = None) -> None:
        """Show a dialog over the screen; `then` gets its answer."""
        self.screen.app.push_screen(dialog, then)

    # --- changes, and changes that wait for a sync --------------------------------------------

    def act(self, fn: Callable[[], T]) -> T | None:
        """Run a change of the incident; its errors become a notification (None).

        While a sync merges the files the change waits and runs when the sync ends."""
        if self.git.syncing:
            self._waiting.append(fn)
            self.notify("a sync is running: your change waits and is saved when it finishes",
                        severity="warning", title="Sync in progress")
            return None
        return self._attempt(fn)[1]

    def _attempt(self, fn: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a change now: (True, its result), or (False, None) once its error is shown."""
        try:
            result = fn()
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Not done", markup=False)
            return False, None
        except NeedsConfirmation as exc:  # a confirmed change that waited for a sync
            self.notify(clean(f"not saved: {exc}; make the change again"), severity="warning",
                        title="Not done", markup=False)
            return False, None
        for message in getattr(result, "messages", None) or []:
            self.notify(clean(message), severity="warning", title="Times", markup=False)
        for notice in self.incident.tx.notices:  # a torn log line set aside, vanished lines back
            self.notify(clean(notice), severity="warning", title="Event log", markup=False)
        self.incident.tx.notices = []
        return True, result

    def refuse_while_syncing(self) -> bool:
        """True (and says so) when a sync runs: a dialog would show what is about to change."""
        if self.git.syncing:
            self.notify("a sync is running: try again when it finishes",
                        severity="warning", title="Sync in progress")
            return True
        return False

    def _run_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        saved = sum(1 for fn in waiting if self._attempt(fn)[0])
        failed = len(waiting) - saved
        if failed:
            self.notify(f"{saved} change(s) made during the sync saved; {failed} not saved "
                        "(the errors above say why)", severity="warning", title="Sync")
        elif waiting:
            self.notify(f"{saved} change(s) made during the sync saved", title="Sync")

    # --- auto-commit -------------------------------------------------------------------------

    def attach(self) -> None:
        """Listen to the incident's actions (when the screen is mounted)."""
        if self._incident_changed not in self.incident.listeners:
            self.incident.listeners.append(self._incident_changed)

    def detach(self) -> None:
        """Stop listening (when the screen is unmounted)."""
        if self._incident_changed in self.incident.listeners:
            self.incident.listeners.remove(self._incident_changed)

    def _incident_changed(self, inc: Incident, label: str) -> None:
        app = host(self.screen.app)
        if not app.settings.auto_commit or inc.repo_root is None or app.main is not self.screen:
            return  # (a screen covered by another one for the same incident leaves it to that)
        if threading.current_thread() is not threading.main_thread():  # a sync's worker
            self.screen.app.call_from_thread(self._schedule_auto_commit)
        else:
            self._schedule_auto_commit()

    def _schedule_auto_commit(self) -> None:
        # after the action's handler has finished writing; a burst becomes one request
        if not self._auto_scheduled:
            self._auto_scheduled = True
            self.screen.call_later(self._auto_commit_now)

    def _auto_commit_now(self) -> None:
        self._auto_scheduled = False
        self.git.request_commit(auto=True)

    # --- commit and sync ---------------------------------------------------------------------

    def action_commit(self) -> None:
        said = self.git.request_commit()
        if said is Request.NO_REPO:
            self.notify(NOT_A_REPO, severity="warning", title="Git")
        elif said is Request.QUEUED:
            self.notify("a sync is running; it commits your changes too" if self.git.syncing
                        else "a commit is running; yours follows it", title="Commit")

    def action_sync(self) -> None:
        said = self.git.request_sync()
        if said is Request.NO_REPO:
            self.notify(NOT_A_REPO, severity="warning", title="Git")
        elif said is Request.ALREADY:
            self.notify("a sync is already running", title="Sync")
        elif said is Request.QUEUED:
            self.notify("sync starts when the running commit finishes", title="Sync")
        else:
            self.notify("syncing with the remote… (changes wait until it finishes)",
                        title="Sync", timeout=3)

    def on_committed(self, message: Committed) -> None:
        self.git.finished(message)
        if not message.auto:
            self.notify(clean(f"{message.sha[:8]} {message.subject}"), title="Committed",
                        markup=False)
        for w in message.notices:
            self.notify(clean(w), severity="warning", title="Commit", markup=False, timeout=12)

    def on_commit_failed(self, message: CommitFailed) -> None:
        self.git.finished(message)
        if message.nothing:
            if not message.auto:
                self.notify(clean(message.error), title="Commit", markup=False)
        elif message.auto:
            self.notify(clean(f"auto-commit: {message.error}"), severity="warning",
                        title="Auto-commit", markup=False)
        else:
            self.notify(clean(message.error), severity="error", title="Commit failed",
                        markup=False)

    def on_synced(self, message: Synced) -> None:
        r = message.result
        self.git.finished(message)  # the files are merged: changes may be made again
        self._reload_after_sync()
        if r.ok:
            self.notify(clean(r.message), title="Synced", markup=False)
        else:
            title = ("Offline: sync again later" if r.offline
                     else "Sync: push refused" if r.rejected else "Sync incomplete")
            self.notify(clean(r.message), severity="warning", title=title, markup=False,
                        timeout=12)
        for w in r.warnings:
            self.notify(clean(w), severity="warning", title="Sync", markup=False, timeout=12)
        if r.arrived:
            lines = [clean(str(a)) for a in r.arrived[:6]]
            if len(r.arrived) > 6:
                lines.append(f"… and {len(r.arrived) - 6} more")
            lines.append("(a shows the activity)")
            self.notify("\n".join(lines), title=f"From others: {len(r.arrived)} change(s)",
                        markup=False, timeout=15)

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.git.finished(message)
        self.notify(clean(message.error), severity="error", title="Sync failed", markup=False,
                    timeout=ERROR_TIMEOUT)
        self.shown.check_files()
        self._run_waiting()

    def _reload_after_sync(self) -> None:
        try:
            self.incident.view.load()
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Reload failed", markup=False)
        else:
            if self.screen.is_attached:
                self.shown.sync_all()
        self._run_waiting()

    # --- fix commit --------------------------------------------------------------------------

    def action_fix_commit(self) -> None:
        said = self.git.list_fix_commits()
        if said is Request.NO_REPO:
            self.notify(NOT_A_REPO, severity="warning", title="Git")
        elif said is Request.BUSY:
            self.refuse_while_syncing()

    def on_fix_commits_listed(self, message: FixCommitsListed) -> None:
        from hotfix_tui.tui.screens.record_dialogs import CommitChoice, CommitPickerScreen

        self.git.finished(message)
        if not message.commits:
            self.notify("no commits on this branch beyond its base yet: commit the fix, "
                        "then pick it", severity="warning", title="Fix commit")
            return
        choices = [CommitChoice(c.sha, c.short, c.subject, c.author,
                                c.date.strftime("%Y-%m-%d %H:%M"))
                   for c in message.commits]
        hotfix = self.incident.view.text("hotfix.md")
        current = hotfix_fields.commit_sha(hotfix)

        def picked(choice: CommitChoice | None) -> None:
            if choice is not None:
                self.record_fix_commit(choice)

        self.push(CommitPickerScreen(choices, current or None), picked)

    def on_fix_commits_list_failed(self, message: FixCommitsListFailed) -> None:
        self.git.finished(message)
        self.notify(clean(message.error), severity="error", title="Fix commit", markup=False)

    def record_fix_commit(self, c: CommitChoice, force: bool = False) -> None:
        try:
            change = self._confirmed(lambda: self.incident.set_fix_commit(c.sha, c.subject,
                                                                           force=force))
        except NeedsConfirmation as exc:
            self._confirm(f"{exc}?", lambda: self.record_fix_commit(c, force=True))
            return
        if change is None:
            if not self._waiting:
                self.notify(f"{c.short} is already the recorded fix commit", title="Fix commit")
            return
        self.notify(clean(f"{c.short} {c.subject}: Commit SHA and rollback command filled; "
                          "y shows the rollback commands to copy (git revert, git reset --hard)"),
                    title="Fix commit recorded", markup=False)
        self.shown.sync_all()

    # --- detection, start correction ---------------------------------------------------------

    def action_detection(self) -> None:
        """The detection dialog, filled in with what hotfix.md says now."""
        from hotfix_tui.tui.screens.record_dialogs import DetectionScreen

        if self.refuse_while_syncing():
            return
        inc = self.incident
        when, how = detection_answer(inc.view.text("hotfix.md"), inc.workflow)

        def answered(result: tuple[datetime | None, str] | None) -> None:
            if result is not None:
                self.save_detection(result[0], result[1])

        self.push(DetectionScreen(inc.id, inc.clock(), how=how, when=when), answered)

    def save_detection(self, when: datetime | None, how: str, force: bool = False) -> None:
        inc = self.incident
        try:
            done = self._confirmed(lambda: inc.set_detection(when, how, force=force) or True)
        except NeedsConfirmation as exc:
            self._confirm(f"{exc}?", lambda: self.save_detection(when, how, force=True))
            return
        if done is None:
            return
        value = hotfix_fields.detection_text(inc.view.text("hotfix.md"), inc.workflow)
        self.notify(clean(f"Detection: {value}"), title="Recorded", markup=False)
        self.shown.sync_all()

    def action_correct_start(self) -> None:
        from hotfix_tui.tui.screens.record_dialogs import TimeScreen

        if self.refuse_while_syncing():
            return
        cur = self.incident.started_at
        value = cur.strftime("%Y-%m-%d %H:%M") if cur else ""
        hint = (f"Incident Start is {format_time(cur)}; every clock follows the new time"
                if cur else "Incident Start is empty; every clock starts from it")

        def answered(when: datetime | None) -> None:
            if when is not None:
                self.save_start(when)

        self.push(TimeScreen("Correct the incident start (UTC)", value, hint), answered)

    def save_start(self, when: datetime, force: bool = False) -> None:
        try:
            change = self._confirmed(lambda: self.incident.set_started_at(when, force=force))
        except NeedsConfirmation as exc:
            self._confirm(f"Incident Start is {exc.current}; change it to {exc.proposed}?",
                          lambda: self.save_start(when, force=True))
            return
        if change is None:
            if not self._waiting:
                self.notify(f"Incident Start is already {format_time(when)}",
                            title="Incident start")
            return
        self.notify(f"Incident Start: {format_time(when)} (clocks follow)", title="Corrected")
        self.shown.sync_all()

    # --- activity, report, post-mortem ------------------------------------------------------

    def activity_rows(self, limit: int = ACTIVITY_ROWS) -> list[ActivityRow]:
        """The latest rows of the post-mortem timeline, newest first."""
        from hotfix_tui.tui.screens.record_dialogs import ActivityRow

        table = record_md.log_table(self.incident.view.text("post-mortem.md"))
        rows = [r for r in (table[0] if table else []) if not r.placeholder]
        came = {(a.time, a.who, a.event) for a in self.git.arrivals}
        return [ActivityRow(r.time, r.who, r.event, r.notes, (r.time, r.who, r.event) in came)
                for r in reversed(rows[-limit:])]

    def action_activity(self) -> None:
        from hotfix_tui.tui.screens.record_dialogs import ActivityScreen

        inc, git = self.incident, self.git
        bits = []
        if inc.repo_root is None:
            bits.append(NOT_A_REPO)
        if git.arrivals:
            whos = sorted({a.who for a in git.arrivals if a.who})
            bits.append(f"{len(git.arrivals)} change(s) arrived from {', '.join(whos)} "
                        "this session")
        if git.last_sync is not None:
            bits.append(f"last sync: {git.last_sync.message}")
        title = f"Activity: {inc.id} (post-mortem timeline, newest first)"
        if inc.repo_root is not None:  # with the folder's git history below the timeline
            from hotfix_tui.tui.screens.history import ActivityWithHistory

            self.push(ActivityWithHistory(title, self.activity_rows(), "\n".join(bits),
                                          Path(inc.repo_root), inc.folder))
            return
        self.push(ActivityScreen(title, self.activity_rows(), "\n".join(bits)))

    def action_report(self) -> None:
        from hotfix_tui.core.alerting.reminders import LogReader, incident_reminders
        from hotfix_tui.core.reports import report
        from hotfix_tui.tui.screens.record_dialogs import ReportScreen

        inc = self.incident
        try:
            now = inc.clock()
            running = incident_reminders(inc, now, LogReader(inc.folder).read())
            text = report.render_markdown(report.build_report(inc, now, reminders=running))
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Report", markup=False)
            return
        running = self.shown.reminders_now()

        def closed(result: str | None) -> None:
            if result == "sent":
                self.shown.mark_reminder_sent()

        self.push(ReportScreen(text, running[0].label if running else ""), closed)

    def action_fill_postmortem(self) -> None:
        from hotfix_tui.core.reports import report

        filled = self.act(lambda: report.fill_postmortem(self.incident))
        if filled is None:
            return
        if not filled:
            self.notify("nothing to fill: post-mortem.md has these fields written already, "
                        "or the record does not know them yet", title="Post-mortem")
            return
        lines = [clean(f"{k}: {v}") for k, v in filled.items()]
        self.notify("\n".join(lines), title="Post-mortem filled", markup=False, timeout=10)

    # --- copy-ready commands -----------------------------------------------------------------

    def show_commands(self, steps: list[str]) -> None:
        """The commands the record can fill in (the current task's, each open follow-up's
        `gh issue create`), to copy one."""
        from hotfix_tui.core.reports import commands, followups

        inc = self.incident
        root, hotfix_text, branch = inc.repo_root, inc.view.text("hotfix.md"), inc.branch_field
        folder = inc.folder.relative_to(root).as_posix() if root is not None else inc.folder.name
        items = followups.of_text(inc.view.text("post-mortem.md"), inc.id, folder)
        filed = [commands.CopyCommand(f"File {i.ref} as a GitHub issue ({i.title[:40]})",
                                      i.gh_command()) for i in items if not i.done]
        self.screen.run_worker(
            lambda: self._find_commands(root, hotfix_text, branch, steps, filed),
            thread=True, exclusive=True, group="commands", exit_on_error=False)

    def _find_commands(self, root: Path | None, hotfix_text: str, branch: str,
                       steps: list[str], filed: list[CopyCommand] | None = None) -> None:
        from hotfix_tui.core.reports import commands

        values = commands.record_values(hotfix_text, branch)
        if root is not None and "fix" in values:
            from hotfix_tui.core.git.fix_commits import parent

            values = commands.record_values(hotfix_text, branch, parent(root, values["fix"]) or "")
        found = commands.step_commands(steps, values) + commands.record_commands(values)
        self.screen.post_message(CommandsFound(found + (filed or [])))

    def on_commands_found(self, message: CommandsFound) -> None:
        from hotfix_tui.tui.screens.record_dialogs import CommandsScreen

        if not message.commands:
            self.notify("no commands to copy yet: record the fix commit (f) or the branch",
                        title="Commands")
            return
        self.push(CommandsScreen(message.commands))

    # --- helpers ----------------------------------------------------------------------------

    def _confirmed(self, fn: Callable[[], T]) -> T | None:
        """`act`, letting NeedsConfirmation through to ask the user (and not waiting then)."""
        if self.git.syncing:
            return self.act(fn)
        try:
            return fn()
        except NeedsConfirmation:
            raise
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Not done", markup=False)
            return None

    def _confirm(self, question: str, then: Callable[[], Any]) -> None:
        from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push(ConfirmScreen(question), answered)
