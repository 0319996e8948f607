"""Alerts in the TUI: the terminal's channels (a toast that stays until seen, the bell, a desktop
notification) and the configured command, registered with `core.alerting.dispatch`, which decides
what is due, logged, shown and posted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from hotfix_tui.core.alerting.dispatch import CommandChannel, Dispatcher, Reading
from hotfix_tui.core.alerting.terminal_alerts import desktop_notification, in_tmux
from hotfix_tui.tui.host import host
from hotfix_tui.tui.services.terminal_out import write_raw
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from pathlib import Path

    from hotfix_tui.core.alerting.alerts import Alert
    from hotfix_tui.core.alerting.reminders import ReminderReading
    from hotfix_tui.core.clocks import SlaReading, WindowReading
    from hotfix_tui.core.record.events import Event

ALERT_TIMEOUT = 24 * 3600.0  # an alert's toast stays until seen: esc or a click dismisses it
TOAST_SEVERITY: dict[str, SeverityLevel] = {"breach": "error", "window": "warning",
                                           "reminder": "warning"}


class AlertCommandFailed(Message):
    """The configured alert command failed (its error, for a notification)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Alerter:
    """The app's alerts: one dispatcher per incident opened in this process, fed each tick."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._dispatchers: dict[Path, Dispatcher] = {}

    def check_alerts(
        self,
        sla: SlaReading | None,
        windows: list[WindowReading],
        reminders: list[ReminderReading],
        log: list[Event],
    ) -> list[Alert]:
        """Show (and log, and post) what is due now and not shown by this app yet."""
        inc = host(self.app).incident
        if inc is None:
            return []
        d = self._dispatchers.get(inc.folder)
        if d is None:
            d = Dispatcher.for_incident(inc, log, self._problem)
            d.add(self.show)
            self._dispatchers[inc.folder] = d
        command = host(self.app).settings.alert_command
        d.command = (CommandChannel(command, self._start, self._failed) if command else None)
        wf = inc.workflow
        warnings = wf.clock.warnings if wf else ()
        return d.dispatch(
            Reading(inc.id, inc.severity, warnings, sla, windows, reminders, inc.clock())
        )

    def show(self, alert: Alert) -> None:
        """The terminal's channels: a toast, the bell and a desktop notification (settings)."""
        app = self.app
        kind = alert.kind
        severity = TOAST_SEVERITY.get(kind, "warning")
        if kind == "warning" and isinstance(alert.threshold, float) and alert.threshold >= 0.9:
            severity = "error"
        app.notify(
            clean(alert.message),
            title=alert.title,
            severity=severity,
            timeout=ALERT_TIMEOUT,
            markup=False,
        )
        s = host(app).settings
        if s.alert_bell:
            app.bell()
        if s.alert_desktop:
            write_raw(app, desktop_notification(alert.title, alert.message, in_tmux()))

    def _problem(self, text: str) -> None:
        self.app.notify(clean(text), severity="error", title="Alert", markup=False)

    def _start(self, job: Any) -> None:
        self.app.run_worker(job, thread=True, group="alerts", exit_on_error=False)

    def _failed(self, error: str) -> None:  # from the command's worker thread
        self.app.post_message(AlertCommandFailed(error))
