"""Git work of an incident screen: commit, sync and the fix-commit listing in thread workers.

All run in one worker group of the owner; one commit or sync at a time, a request made meanwhile
coalesced into one follow-up; the owner gets past-tense messages (`Committed`, `Synced`, ...).
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from textual.message import Message
from textual.widget import Widget

from hotfix_tui.core.git.repo import GitError
from hotfix_tui.core.record.incident import IncidentError
from hotfix_tui.core.store import StoreError

if TYPE_CHECKING:
    from hotfix_tui.core.git.gitops import CommitInfo
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.sync import Arrival, SyncResult

JobKind = Literal["commit", "sync"]
GROUP = "git"  # every git job of the screen, in its worker group (core locks the writes)


class Request(Enum):
    """What became of a request for git work."""

    STARTED = "started"
    QUEUED = "queued"  # runs when the running job ends
    ALREADY = "already"  # the same job is running (a sync asked for during a sync)
    NO_REPO = "no-repo"  # the incident is not in a git repository
    BUSY = "busy"  # refused while a sync runs (the commit list)


# --- messages to the owner (past events) -------------------------------------------------------


class Committed(Message):
    """A commit of the incident folder was made."""

    def __init__(self, sha: str, subject: str, auto: bool, notices: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.sha, self.subject, self.auto = sha, subject, auto
        self.notices = notices  # stale git locks removed before the commit


class CommitFailed(Message):
    """A commit was not made: nothing to commit, or git's error."""

    def __init__(self, error: str, *, nothing: bool, auto: bool) -> None:
        super().__init__()
        self.error, self.nothing, self.auto = error, nothing, auto


class Synced(Message):
    """A sync ran (its result says whether it pushed, was offline or refused)."""

    def __init__(self, result: SyncResult) -> None:
        super().__init__()
        self.result = result


class SyncFailed(Message):
    """A sync could not run."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class FixCommitsListed(Message):
    """The commits that can be the fix were read (newest first)."""

    def __init__(self, commits: list[CommitInfo]) -> None:
        super().__init__()
        self.commits = commits


class FixCommitsListFailed(Message):
    """The commits could not be read."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


# --- the service -------------------------------------------------------------------------------


class GitJobs:
    """The git jobs of one incident, run in the owner's thread workers, one at a time."""

    def __init__(self, owner: Widget, incident: Incident) -> None:
        self.owner = owner
        self.incident = incident
        self.running: JobKind | None = None
        self.listing = False  # the fix-commit candidates are being read
        self.last_sync: SyncResult | None = None
        self.last_commit: tuple[str, str] | None = None
        self.arrivals: list[Arrival] = []  # what others' changes brought in this session
        self._commit_next: bool | None = None  # a commit asked for meanwhile (True: auto)
        self._sync_next = False
        self._quiet_nothing = False

    @property
    def root(self) -> Path | None:
        """The repository of the incident (None outside one)."""
        root = self.incident.repo_root
        return Path(root) if root is not None else None

    @property
    def syncing(self) -> bool:
        """A sync runs (the files are being merged)."""
        return self.running == "sync"

    def request_commit(self, auto: bool = False) -> Request:
        """Commit the folder now, or once the running job ends (requests meanwhile become one)."""
        if self.root is None:
            return Request.NO_REPO
        if self.running is not None:
            # a commit after a sync may find everything committed by it: quiet about nothing then
            self._quiet_nothing = self._quiet_nothing or self.running == "sync"
            self._commit_next = auto if self._commit_next is None else self._commit_next and auto
            return Request.QUEUED
        self._start("commit", auto)
        return Request.STARTED

    def request_sync(self) -> Request:
        """Sync now, or once the running commit ends."""
        if self.root is None:
            return Request.NO_REPO
        if self.running == "sync":
            return Request.ALREADY
        if self.running == "commit":
            self._sync_next = True
            return Request.QUEUED
        self._start("sync", False)
        return Request.STARTED

    def list_fix_commits(self) -> Request:
        """Read the fix-commit candidates (a message says what was found)."""
        root = self.root
        if root is None:
            return Request.NO_REPO
        if self.syncing:
            return Request.BUSY
        if self.listing:
            return Request.ALREADY
        self.listing = True
        job = partial(self._list_job, root, self.incident.folder)
        self.owner.run_worker(job, name="fix-commits", group=GROUP, thread=True,
                              exit_on_error=False)
        return Request.STARTED

    def finished(self, message: Message) -> JobKind | None:
        """The owner got a job's message: record it and start what waits; the next job's kind."""
        if isinstance(message, Committed):
            self.last_commit = (message.sha, message.subject)
        elif isinstance(message, Synced):
            self.last_sync = message.result
            self.arrivals.extend(message.result.arrived)
        elif isinstance(message, FixCommitsListed | FixCommitsListFailed):
            self.listing = False
            return self.running
        self.running = None
        if self._sync_next:
            self._sync_next = False
            self._commit_next = None  # the sync commits pending changes itself
            self._quiet_nothing = False
            self._start("sync", False)
        elif self._commit_next is not None:
            auto, self._commit_next = self._commit_next, None
            self._start("commit", auto, quiet_nothing=self._quiet_nothing)
            self._quiet_nothing = False
        return self.running

    # --- workers (threads: they never touch widgets, they post one message) -----------------

    def _start(self, kind: JobKind, auto: bool, *, quiet_nothing: bool = False) -> None:
        root, inc = self.root, self.incident
        assert root is not None
        self.running = kind
        job = (partial(self._sync_job, root, inc) if kind == "sync"
               else partial(self._commit_job, root, inc, auto, quiet_nothing))
        self.owner.run_worker(job, name=kind, group=GROUP, thread=True, exit_on_error=False)

    def _commit_job(self, root: Path, inc: Incident, auto: bool, quiet_nothing: bool) -> None:
        from hotfix_tui.core.git import gitops  # git tooling loads on first use, not at start

        msg: Message
        notices: list[str] = []
        try:
            sha = gitops.commit_incident(root, inc.folder, None, inc, notices=notices)
            msg = Committed(sha, gitops.commit_subject(root, sha), auto, tuple(notices))
        except gitops.NothingToCommit as exc:
            msg = CommitFailed(str(exc), nothing=True, auto=auto or quiet_nothing)
        except (GitError, OSError) as exc:  # DetachedHead, HookFailed are GitErrors
            msg = CommitFailed("; ".join([str(exc), *notices]), nothing=False, auto=auto)
        except Exception as exc:  # noqa: BLE001 - always report, so the jobs never stall
            msg = CommitFailed(f"commit failed: {exc!r}", nothing=False, auto=auto)
        self.owner.post_message(msg)

    def _sync_job(self, root: Path, inc: Incident) -> None:
        msg: Message
        try:
            from hotfix_tui.core import sync

            msg = Synced(sync.sync(root, inc.folder, inc))
        except (GitError, OSError, IncidentError, StoreError) as exc:
            msg = SyncFailed(str(exc))
        except Exception as exc:  # noqa: BLE001 - always report, so the jobs never stall
            msg = SyncFailed(f"sync failed: {exc!r}")
        self.owner.post_message(msg)

    def _list_job(self, root: Path, folder: Path) -> None:
        msg: Message
        try:
            from hotfix_tui.core.git.fix_commits import fix_candidates  # never the record's commits

            msg = FixCommitsListed(fix_candidates(root, folder, limit=20))
        except (GitError, OSError) as exc:
            msg = FixCommitsListFailed(str(exc))
        except Exception as exc:  # noqa: BLE001 - always report
            msg = FixCommitsListFailed(f"cannot list commits: {exc!r}")
        self.owner.post_message(msg)
