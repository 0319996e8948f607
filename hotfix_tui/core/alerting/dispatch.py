"""Alert dispatch, the rules every front end shares: which alerts are due, logged once, shown
once by each running process on its channels, and `alerts.command` run once per alert per clone.

A front end (the TUI, `hotfix-tui watch`) makes one `Dispatcher` per incident, registers its
channels (a toast and the bell, a printed line, the command) and calls `dispatch` every tick:

- **Due**: `alerts.due_alerts` on this process's reading of the clocks, minus what this process
  has shown itself (`shown`, in memory). Whoever logged an alert first, every running process
  shows it once. At start `shown` holds the alerts logged more than `GRACE` before the process
  started, so a restart does not show old alerts again, while an alert another process logged
  just before this one started is still shown.
- **Logged once**: an alert not in the event log yet is appended under its fixed id.
- **Posted once**: the command runs for an alert only if no `alert_posted` event of it is in the
  log (another clone posted it: their logs met) and this process wins the claim, a file created
  with O_CREAT|O_EXCL under `.git/hotfix-tui/alerts/` (one per alert id and clone, never removed);
  the winner logs `alert_posted`, so clones that sync later do not post it again.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.alerting import alerts
from hotfix_tui.core.alerting.alerts import Alert
from hotfix_tui.core.alerting.reminders import ReminderReading, incident_reminders
from hotfix_tui.core.clocks import SlaReading, WindowReading
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.record import events, kinds

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident

GRACE = timedelta(seconds=60)  # an alert logged this long before a process started is still shown
LOCK_WAIT_S = 0.25  # a busy log (a sync holds the lock) is written on a later tick
CLAIMS = "alerts"

Show = Callable[[Alert], None]
Report = Callable[[str], None]


@frozen
class Reading:
    """The clocks of an incident at one instant: what the alerts due are judged on."""

    incident: str
    severity: str | None
    warnings: Sequence[float]
    sla: SlaReading | None
    windows: Sequence[WindowReading]
    reminders: Sequence[ReminderReading]
    now: datetime


def read_clocks(inc: Incident, now: datetime, log: Iterable[events.Event]) -> Reading:
    """An incident's clocks at `now` (`log`: its events, for the reminders)."""
    wf = inc.workflow
    return Reading(
        inc.id,
        inc.severity,
        wf.clock.warnings if wf else (),
        inc.sla(now),
        inc.windows(now),
        incident_reminders(inc, now, log),
        now,
    )


@frozen
class CommandChannel:
    """`alerts.command`, how the front end runs a blocking job in the background, and how it
    reports the command's failure (called from that job)."""

    command: str
    start: Callable[[Callable[[], None]], None]
    failed: Report


def claims_dir(root: Path | None, folder: Path) -> Path:
    """Where the clone's claims live: `.git/hotfix-tui/alerts` (the main `.git` of a worktree)."""
    from hotfix_tui.core.git.repo import git_dir
    from hotfix_tui.core.record.journal import home

    g = git_dir(root) if root is not None else None
    if g is not None:
        try:
            common = (g / "commondir").read_text(encoding="utf-8").strip()
        except OSError:
            common = ""
        if common:
            g = (g / common).resolve()
        return g / "hotfix-tui" / CLAIMS
    return home(root, folder) / CLAIMS


def claim_name(alert_id: str) -> str:
    """A file name for an alert id: `alert:hotfix-001:warning:0.5` -> `alert_hotfix-001_...`."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", alert_id)[:200]


def claim(directory: Path, alert: Alert) -> bool:
    """Take the clone's one claim on posting `alert`: True for the one caller that created it.

    OSError (other than the claim existing) propagates: the caller decides."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / claim_name(alert.id)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        note = {"id": alert.id, "pid": os.getpid(), "at": events.iso(alert.at)}
        os.write(fd, (json.dumps(note) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return True


class Dispatcher:
    """One process's alerts for one incident: the rules above, the front end's channels."""

    def __init__(
        self,
        folder: Path,
        who: str | Callable[[], str],
        *,
        started: datetime,
        log: Iterable[events.Event],
        report: Report,
        claims: Path,
        root: Path | None = None,
        clone: str | Callable[[], str] = "",
        grace: timedelta = GRACE,
    ) -> None:
        """`who` and `clone` may be functions, asked when the first alert is logged."""
        self.folder = folder
        self.root = root
        self.claims = claims
        self.report = report
        self._who, self._clone = who, clone
        self._recorder: events.Recorder | None = None
        self.channels: list[Show] = []
        self.command: CommandChannel | None = None
        self.shown: set[str] = shown_before(log, started - grace)
        self._unlogged: list[events.Event] = []
        self._claim_failed = False

    @classmethod
    def for_incident(
        cls, inc: Incident, log: Iterable[events.Event], report: Report, grace: timedelta = GRACE
    ) -> Dispatcher:
        """A dispatcher for `inc`, started now by its clock, seeded from `log`."""
        from hotfix_tui.core.record.journal import clone_id

        root = inc.repo_root
        return cls(
            inc.folder,
            lambda: inc.who,  # the git user: asked only when an alert is logged
            started=inc.clock(),
            log=log,
            report=report,
            claims=claims_dir(root, inc.folder),
            root=root,
            clone=partial(clone_id, root, inc.folder),
            grace=grace,
        )

    @property
    def recorder(self) -> events.Recorder:
        """Makes this process's alert events (who and clone asked on first use)."""
        if self._recorder is None:
            who, clone = self._who, self._clone
            self._recorder = events.Recorder(
                clone if isinstance(clone, str) else clone(), who if isinstance(who, str) else who()
            )
        return self._recorder

    def add(self, show: Show) -> None:
        """Register a channel: called once for each alert this process shows."""
        self.channels.append(show)

    def dispatch(self, reading: Reading) -> list[Alert]:
        """Show, log and post what is due now and not shown by this process yet."""
        due = alerts.due_alerts(
            reading.incident,
            reading.severity,
            reading.sla,
            reading.warnings,
            reading.windows,
            reading.reminders,
            set(self.shown),
            reading.now,
        )
        if not due and not self._unlogged:
            return []
        log = events.read_log(self.folder) if due else []
        logged, posted = alerts.fired_ids(log), alerts.posted_ids(log)
        to_post: list[Alert] = []
        rec, waiting = self.recorder, self._unlogged
        for a in due:
            self.shown.add(a.id)
            if a.id not in logged:
                waiting.append(alerts.alert_event(rec, a, [*log, *waiting]))
            if self.command is not None and a.id not in posted and self._claim(a):
                waiting.append(alerts.posted_event(rec, a, [*log, *waiting]))
                to_post.append(a)
        self._write()
        for a in due:
            for show in self.channels:
                show(a)
        command = self.command
        if command is not None:
            for a in to_post:
                command.start(partial(_post, command, a))
        return due

    def _claim(self, a: Alert) -> bool:
        try:
            return claim(self.claims, a)
        except OSError as exc:  # no claim can be made: post rather than stay silent
            if not self._claim_failed:
                self._claim_failed = True
                self.report(f"cannot claim alerts in {self.claims} ({exc}); other hotfix-tui "
                            "processes of this clone may post them too")
            return True

    def _write(self) -> None:
        """Append what is waiting to the log under the incident's lock (later if it is busy)."""
        if not self._unlogged:
            return
        from hotfix_tui.core.locking import LockTimeout
        from hotfix_tui.core.record.journal import incident_lock

        try:
            lock = incident_lock(self.root, self.folder)
            lock.acquire(timeout=LOCK_WAIT_S)
        except LockTimeout:
            return
        except OSError as exc:
            self.report(f"could not log the alert in {events.LOG}: {exc}")
            self._unlogged.clear()
            return
        try:
            events.append(self.folder, self._unlogged)
        except OSError as exc:
            self.report(f"could not log the alert in {events.LOG}: {exc}")
        finally:
            self._unlogged.clear()
            lock.release()


def shown_before(log: Iterable[events.Event], cutoff: datetime) -> set[str]:
    """The alerts of `log` that happened before `cutoff` (an unreadable time counts as old)."""
    out = set()
    for e in log:
        if e.kind != kinds.ALERT:
            continue
        try:
            old = e.happened_at < cutoff
        except ValueError:
            old = True
        if old:
            out.add(e.id)
    return out


def _post(command: CommandChannel, a: Alert) -> None:
    from hotfix_tui.core.alerting.alert_command import run_alert_command

    error = run_alert_command(command.command, a)
    if error:
        command.failed(error)
