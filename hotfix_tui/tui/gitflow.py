"""Git and record actions of the TUI: commit, sync, auto-commit, fix-commit picker, detection,
start correction, activity and hand-over report.

Blocking git work runs in thread workers (`@work(thread=True, exclusive=True, group=...)`) that
never touch widgets: they post messages named as past events (`CommitDone`, `SyncDone`, ...)
and the handlers on the app own every state change. One git job runs at a time: a commit
asked for while another runs is coalesced into one follow-up commit, a sync asked for during
a commit starts when it ends, and no change to the incident is made while a sync runs.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.worker import WorkerCancelled, WorkerFailed

from hotfix_tui.core.clocks import format_time, parse_time
from hotfix_tui.core.git.repo import GitError
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown.store import StoreError
from hotfix_tui.core.record.fill import DETECTION, NeedsConfirmation
from hotfix_tui.core.record.incident import IncidentError

from .widgets import clean

# the dialogs (.record_screens, with DataTable and TextArea) are imported when first opened

if TYPE_CHECKING:
    from hotfix_tui.core.git.gitops import CommitInfo
    from hotfix_tui.core.git.sync import Arrival, SyncResult
    from hotfix_tui.core.record.incident import Incident

    from .record_screens import ActivityRow, CommitChoice

NOT_A_REPO = "not a git repository: git features are off"
WRITE_ERRORS: tuple[type[BaseException], ...] = (IncidentError, StoreError, OSError)
ACTIVITY_ROWS = 50
ERROR_TIMEOUT = 6  # seconds an error notification stays
# git commands of the commit and sync workers never overlap, whatever the worker manager does
GIT_LOCK = threading.Lock()


def is_resolved(inc: Incident) -> bool:
    """The incident's status is the last of its workflow's lifecycle (e.g. Resolved)."""
    from hotfix_tui.core.alerting.alerts import is_resolved as resolved

    return resolved(inc.status, inc.workflow)


def detection_answer(hotfix_text: str) -> tuple[str, str]:
    """The recorded detection as the dialog's (time, how) texts; '' for a placeholder."""
    value = record.get_field(hotfix_text, DETECTION) or ""
    head, sep, rest = value.partition(" - ")
    when = parse_time(head)
    how = rest.strip() if sep else ""
    if record.is_placeholder(how):
        how = ""
    return (when.strftime("%Y-%m-%d %H:%M:%S") if when else ""), how


# --- messages from the workers (past events) -------------------------------------------------


class CommitDone(Message):
    def __init__(self, sha: str, subject: str, auto: bool = False) -> None:
        super().__init__()
        self.sha, self.subject, self.auto = sha, subject, auto


class CommitFailed(Message):
    def __init__(self, error: str, *, nothing: bool = False, auto: bool = False) -> None:
        super().__init__()
        self.error, self.nothing, self.auto = error, nothing, auto


class SyncDone(Message):
    def __init__(self, result: SyncResult) -> None:
        super().__init__()
        self.result = result


class SyncFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class CommitsListed(Message):
    def __init__(self, commits: list[CommitInfo]) -> None:
        super().__init__()
        self.commits = commits


class CommitsListFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


# --- the app side ----------------------------------------------------------------------------


class GitFlow:
    """Mixin for HotfixApp: git workers, their handlers and the record dialogs."""

    incident: Incident | None
    main: Any
    settings: Any
    notify: Any
    push_screen: Any
    post_message: Any
    call_later: Any
    call_from_thread: Any
    workers: Any
    _thread_id: int

    def git_setup(self) -> None:
        self.git_busy: str | None = None  # "commit" or "sync" while a worker runs
        self._commit_again: bool | None = None  # a commit asked for meanwhile (True: auto)
        self._sync_queued = False
        self._auto_scheduled = False
        self.arrivals: list[Arrival] = []  # what others' syncs brought in this session
        self.last_sync: SyncResult | None = None
        self.last_commit: tuple[str, str] | None = None
        self._listing = False  # the fix-commit picker's commits are being read

    # --- guards -------------------------------------------------------------------------------

    def git_root(self, *, quiet: bool = False) -> Path | None:
        inc = self.incident
        if inc is None:
            return None
        if inc.repo_root is None:
            if not quiet:
                self.notify(NOT_A_REPO, severity="warning", title="Git")
            return None
        return Path(inc.repo_root)

    def refuse_while_syncing(self) -> bool:
        """True (and says so) when a sync runs: the files are being merged, so no change now."""
        if self.git_busy == "sync":
            self.notify("a sync is running: nothing changed; try again when it finishes",
                        severity="warning", title="Sync in progress")
            return True
        return False

    def _start_job(self, kind: str, *args: Any) -> None:
        """Run a git worker once the previous one has returned (its message can come first)."""
        self.git_busy = kind
        running = [w for w in self.workers if w.group == "git" and w.is_running]
        if running:
            self.call_later(self._start_job_after, running, kind, args)
        else:
            self._run_job(kind, args)

    async def _start_job_after(self, running: list[Any], kind: str, args: tuple) -> None:
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await self.workers.wait_for_complete(running)
        self._run_job(kind, args)

    def _run_job(self, kind: str, args: tuple) -> None:
        if kind == "sync":
            self._sync_worker(*args)
        else:
            self._commit_worker(*args)

    def _git_idle(self) -> None:
        self.git_busy = None
        if self._sync_queued:
            self._sync_queued = False
            self._commit_again = None  # the sync commits pending changes itself
            self.start_sync()
        elif self._commit_again is not None:
            auto, self._commit_again = self._commit_again, None
            self.request_commit(auto=auto)

    # --- auto-commit -------------------------------------------------------------------------

    def attach_incident(self, incident: Incident) -> None:
        """Listen to the incident's actions (every change, undo included) for auto-commit."""
        if self._incident_changed not in incident.listeners:
            incident.listeners.append(self._incident_changed)

    def _incident_changed(self, inc: Incident, label: str) -> None:
        if not self.settings.auto_commit or inc.repo_root is None:
            return
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self._schedule_auto_commit)
        else:
            self._schedule_auto_commit()

    def _schedule_auto_commit(self) -> None:
        # after the action's handler has finished writing; a burst becomes one request
        if not self._auto_scheduled:
            self._auto_scheduled = True
            self.call_later(self._auto_commit_now)

    def _auto_commit_now(self) -> None:
        self._auto_scheduled = False
        self.request_commit(auto=True)

    # --- commit ------------------------------------------------------------------------------

    def request_commit(self, auto: bool = False) -> None:
        root = self.git_root(quiet=auto)
        inc = self.incident
        if root is None or inc is None:
            return
        if self.git_busy == "sync":
            if not auto:
                self.notify("a sync is running; it commits your changes too", title="Commit")
            return
        if self.git_busy == "commit":
            self._commit_again = auto if self._commit_again is None else self._commit_again and auto
            if not auto:
                self.notify("a commit is running; yours follows it", title="Commit")
            return
        self._start_job("commit", root, inc.folder, inc, auto)

    @work(thread=True, exclusive=True, group="git", exit_on_error=False)
    def _commit_worker(self, root: Path, folder: Path, inc: Incident, auto: bool) -> None:
        msg: Message
        from hotfix_tui.core.git import gitops  # git tooling loads on first use, not at start

        with GIT_LOCK:
            try:
                sha = gitops.commit_incident(root, folder, None, inc)
                subject = gitops.run_git(root, "log", "-1", "--format=%s", sha).stdout.strip()
                msg = CommitDone(sha, subject, auto)
            except gitops.NothingToCommit as exc:
                msg = CommitFailed(str(exc), nothing=True, auto=auto)
            except (GitError, OSError) as exc:  # DetachedHead, HookFailed are GitErrors
                msg = CommitFailed(str(exc), auto=auto)
            except Exception as exc:  # noqa: BLE001 - always report, so the app is not stuck
                msg = CommitFailed(f"commit failed: {exc!r}", auto=auto)
        self.post_message(msg)

    def on_commit_done(self, message: CommitDone) -> None:
        self.last_commit = (message.sha, message.subject)
        if not message.auto:
            self.notify(clean(f"{message.sha[:8]} {message.subject}"), title="Committed",
                        markup=False)
        self._git_idle()

    def on_commit_failed(self, message: CommitFailed) -> None:
        if message.nothing:
            if not message.auto:
                self.notify(clean(message.error), title="Commit", markup=False)
        elif message.auto:
            self.notify(clean(f"auto-commit: {message.error}"), severity="warning",
                        title="Auto-commit", markup=False)
        else:
            self.notify(clean(message.error), severity="error", title="Commit failed",
                        markup=False)
        self._git_idle()

    # --- sync --------------------------------------------------------------------------------

    def start_sync(self) -> None:
        root = self.git_root()
        inc = self.incident
        if root is None or inc is None:
            return
        if self.git_busy == "sync":
            self.notify("a sync is already running", title="Sync")
            return
        if self.git_busy == "commit":
            self._sync_queued = True
            self.notify("sync starts when the running commit finishes", title="Sync")
            return
        self.notify("syncing with the remote… (changes wait until it finishes)", title="Sync",
                    timeout=3)
        self._start_job("sync", root, inc.folder, inc)

    @work(thread=True, exclusive=True, group="git", exit_on_error=False)
    def _sync_worker(self, root: Path, folder: Path, inc: Incident) -> None:
        msg: Message
        with GIT_LOCK:
            try:
                from hotfix_tui.core.git import sync as sync_mod
                msg = SyncDone(sync_mod.sync(root, folder, inc))
            except (GitError, OSError, IncidentError, StoreError) as exc:
                msg = SyncFailed(str(exc))
            except Exception as exc:  # noqa: BLE001 - always report, so the app is not stuck
                msg = SyncFailed(f"sync failed: {exc!r}")
        self.post_message(msg)

    def _reload_after_git(self) -> None:
        inc, main = self.incident, self.main
        if inc is None:
            return
        try:
            inc.load()
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Reload failed", markup=False)
            return
        if main is not None and main.is_attached:
            main.sync_all()

    def on_sync_done(self, message: SyncDone) -> None:
        r = message.result
        self.last_sync = r
        self.git_busy = None
        self._reload_after_git()
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
            self.arrivals.extend(r.arrived)
            lines = [clean(str(a)) for a in r.arrived[:6]]
            if len(r.arrived) > 6:
                lines.append(f"… and {len(r.arrived) - 6} more")
            lines.append("(a shows the activity)")
            self.notify("\n".join(lines), title=f"From others: {len(r.arrived)} change(s)",
                        markup=False, timeout=15)
        self._git_idle()

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.git_busy = None
        self.notify(clean(message.error), severity="error", title="Sync failed", markup=False,
                    timeout=ERROR_TIMEOUT)
        main = self.main
        if main is not None and main.is_attached:
            main.check_files()
        self._git_idle()

    # --- fix commit --------------------------------------------------------------------------

    def pick_fix_commit(self) -> None:
        root = self.git_root()
        if root is None or self.refuse_while_syncing() or self._listing:
            return
        inc = self.incident
        if inc is None:
            return
        self._listing = True
        self._list_commits_worker(root, inc.folder)

    @work(thread=True, exclusive=True, group="git-log", exit_on_error=False)
    def _list_commits_worker(self, root: Path, folder: Path) -> None:
        msg: Message
        try:
            from hotfix_tui.core.git.fix_commits import fix_candidates  # never the record's commits
            msg = CommitsListed(fix_candidates(root, folder, limit=20))
        except (GitError, OSError) as exc:
            msg = CommitsListFailed(str(exc))
        except Exception as exc:  # noqa: BLE001 - always report
            msg = CommitsListFailed(f"cannot list commits: {exc!r}")
        self.post_message(msg)

    def on_commits_listed(self, message: CommitsListed) -> None:
        from .record_screens import CommitChoice, CommitPickerScreen

        self._listing = False
        inc = self.incident
        if inc is None:
            return
        if not message.commits:
            self.notify("no commits on this branch beyond its base yet: commit the fix, "
                        "then pick it", severity="warning", title="Fix commit")
            return
        choices = [CommitChoice(c.sha, c.short, c.subject, c.author,
                                c.date.strftime("%Y-%m-%d %H:%M"))
                   for c in message.commits]
        current = (record.get_field(inc.text("hotfix.md"), "Commit SHA") or "").strip(" `")

        def picked(choice: CommitChoice | None) -> None:
            if choice is not None:
                self.record_fix_commit(choice)

        self.push_screen(CommitPickerScreen(choices, current or None), picked)

    def on_commits_list_failed(self, message: CommitsListFailed) -> None:
        self._listing = False
        self.notify(clean(message.error), severity="error", title="Fix commit", markup=False)

    def record_fix_commit(self, c: CommitChoice, force: bool = False) -> None:
        inc = self.incident
        if inc is None or self.refuse_while_syncing():
            return
        try:
            change = inc.set_fix_commit(c.sha, c.subject, force=force)
        except NeedsConfirmation as exc:
            self._confirm(f"{exc}?", lambda: self.record_fix_commit(c, force=True))
            return
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Not done", markup=False)
            return
        if change is None:
            self.notify(f"{c.short} is already the recorded fix commit", title="Fix commit")
            return
        self.notify(clean(f"{c.short} {c.subject}: Commit SHA and rollback command filled; "
                          "y shows the rollback commands to copy (git revert, git reset --hard)"),
                    title="Fix commit recorded", markup=False)
        self._rerender()

    # --- detection, start correction ---------------------------------------------------------

    def prompt_detection(self) -> None:
        """The detection dialog (`d` / the palette), filled in with what hotfix.md says now."""
        from .record_screens import DetectionScreen

        inc = self.incident
        if inc is None:
            return
        when, how = detection_answer(inc.text("hotfix.md"))

        def answered(result: tuple[Any, str] | None) -> None:
            if result is not None:
                self.save_detection(result[0], result[1])

        self.push_screen(DetectionScreen(inc.id, inc.clock(), how=how, when=when), answered)

    def save_detection(self, when: Any, how: str, force: bool = False) -> None:
        inc = self.incident
        if inc is None or self.refuse_while_syncing():
            return
        try:
            inc.set_detection(when, how, force=force)
        except NeedsConfirmation as exc:
            self._confirm(f"{exc}?", lambda: self.save_detection(when, how, force=True))
            return
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Not done", markup=False)
            return
        value = record.get_field(inc.text("hotfix.md"), "Detection") or ""
        self.notify(clean(f"Detection: {value}"), title="Recorded", markup=False)
        self._rerender()

    def correct_start(self) -> None:
        from .record_screens import TimeScreen

        inc = self.incident
        if inc is None or self.refuse_while_syncing():
            return
        cur = inc.started_at
        value = cur.strftime("%Y-%m-%d %H:%M") if cur else ""
        hint = (f"Incident Start is {format_time(cur)}; every clock follows the new time"
                if cur else "Incident Start is empty; every clock starts from it")

        def answered(when: Any) -> None:
            if when is not None:
                self.save_start(when)

        self.push_screen(TimeScreen("Correct the incident start (UTC)", value, hint), answered)

    def save_start(self, when: Any, force: bool = False) -> None:
        inc = self.incident
        if inc is None or self.refuse_while_syncing():
            return
        try:
            change = inc.set_started_at(when, force=force)
        except NeedsConfirmation as exc:
            self._confirm(f"Incident Start is {exc.current}; change it to {exc.proposed}?",
                          lambda: self.save_start(when, force=True))
            return
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Not done", markup=False)
            return
        if change is None:
            self.notify(f"Incident Start is already {format_time(when)}", title="Incident start")
            return
        self.notify(f"Incident Start: {format_time(when)} (clocks follow)", title="Corrected")
        self._rerender()

    # --- activity, report, post-mortem ------------------------------------------------------

    def activity_rows(self, limit: int = ACTIVITY_ROWS) -> list[ActivityRow]:
        """The latest rows of the post-mortem timeline, newest first."""
        from .record_screens import ActivityRow

        inc = self.incident
        if inc is None:
            return []
        table = record.log_table(inc.text("post-mortem.md"))
        rows = [r for r in (table[0] if table else []) if not r.placeholder]
        came = {(a.time, a.who, a.event) for a in self.arrivals}
        return [ActivityRow(r.time, r.who, r.event, r.notes, (r.time, r.who, r.event) in came)
                for r in reversed(rows[-limit:])]

    def show_activity(self) -> None:
        from .record_screens import ActivityScreen

        inc = self.incident
        if inc is None:
            return
        bits = []
        if inc.repo_root is None:
            bits.append(NOT_A_REPO)
        if self.arrivals:
            whos = sorted({a.who for a in self.arrivals if a.who})
            bits.append(f"{len(self.arrivals)} change(s) arrived from {', '.join(whos)} "
                        "this session")
        if self.last_sync is not None:
            bits.append(f"last sync: {self.last_sync.message}")
        title = f"Activity: {inc.id} (post-mortem timeline, newest first)"
        if inc.repo_root is not None:  # with the folder's git history below the timeline
            from .history import ActivityWithHistory

            self.push_screen(ActivityWithHistory(title, self.activity_rows(), "\n".join(bits),
                                                 Path(inc.repo_root), inc.folder))
            return
        self.push_screen(ActivityScreen(title, self.activity_rows(), "\n".join(bits)))

    def show_report(self) -> None:
        from .record_screens import ReportScreen

        inc = self.incident
        if inc is None:
            return
        try:
            from hotfix_tui.core.reports import report as report_mod
            text = report_mod.render_markdown(report_mod.build_report(inc))
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Report", markup=False)
            return
        main = self.main
        running = main.clock_state().reminders if main is not None else []

        def closed(result: str | None) -> None:
            if result == "sent" and main is not None:
                main.action_reminder_sent()

        self.push_screen(ReportScreen(text, running[0].label if running else ""), closed)

    def fill_postmortem(self) -> None:
        inc = self.incident
        if inc is None or self.refuse_while_syncing():
            return
        try:
            from hotfix_tui.core.reports import report as report_mod
            filled = report_mod.fill_postmortem(inc)
        except WRITE_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Post-mortem", markup=False)
            return
        if not filled:
            self.notify("nothing to fill: post-mortem.md has these fields written already, "
                        "or the record does not know them yet", title="Post-mortem")
            return
        lines = [clean(f"{k}: {v}") for k, v in filled.items()]
        self.notify("\n".join(lines), title="Post-mortem filled", markup=False, timeout=10)

    # --- helpers ----------------------------------------------------------------------------

    def _confirm(self, question: str, then: Any) -> None:
        from .record_screens import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(ConfirmScreen(question), answered)

    def _rerender(self) -> None:
        main = self.main
        if main is not None and main.is_attached:
            main.sync_all()


# --- copy-ready commands -----------------------------------------------------------------------


class CommandsReady(Message):
    def __init__(self, commands: list[Any]) -> None:
        super().__init__()
        self.commands = commands


class CopyCommands:
    """Mixin for HotfixApp: `y` lists the commands the record can fill in, to copy one."""

    incident: Incident | None
    main: Any
    notify: Any
    push_screen: Any
    post_message: Any

    def show_commands(self, steps: list[str]) -> None:
        inc = self.incident
        if inc is None:
            return
        self._commands_worker(inc.repo_root, inc.text("hotfix.md"), inc.branch_field, steps)

    @work(thread=True, exclusive=True, group="commands", exit_on_error=False)
    def _commands_worker(self, root: Path | None, hotfix_text: str, branch: str,
                         steps: list[str]) -> None:
        from hotfix_tui.core.reports import commands

        values = commands.record_values(hotfix_text, branch)
        if root is not None and "fix" in values:
            from hotfix_tui.core.git.fix_commits import parent

            values = commands.record_values(hotfix_text, branch, parent(root, values["fix"]) or "")
        found = commands.step_commands(steps, values) + commands.record_commands(values)
        self.post_message(CommandsReady(found))

    def on_commands_ready(self, message: CommandsReady) -> None:
        from .record_screens import CommandsScreen

        if not message.commands:
            self.notify("no commands to copy yet: record the fix commit (f) or the branch",
                        title="Commands")
            return
        self.push_screen(CommandsScreen(message.commands))


# --- the main screen side --------------------------------------------------------------------


class RecordActions:
    """Mixin for MainScreen: the key/palette actions, handed to the app's GitFlow."""

    app: Any

    def _blocked(self) -> bool:
        """A change is refused (with a notification) while a sync runs."""
        return bool(getattr(self.app, "refuse_while_syncing", lambda: False)())

    def action_commit(self) -> None:
        self.app.request_commit()

    def action_sync(self) -> None:
        self.app.start_sync()

    def action_activity(self) -> None:
        self.app.show_activity()

    def action_fix_commit(self) -> None:
        self.app.pick_fix_commit()

    def action_report(self) -> None:
        self.app.show_report()

    def action_fill_postmortem(self) -> None:
        self.app.fill_postmortem()

    def action_correct_start(self) -> None:
        self.app.correct_start()

    def action_detection(self) -> None:
        if not self._blocked():
            self.app.prompt_detection()

    def action_copy(self) -> None:
        row = self.current_task()  # type: ignore[attr-defined]
        self.app.show_commands(list(row.view.steps) if row is not None else [])

