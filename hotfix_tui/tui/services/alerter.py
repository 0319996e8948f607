"""Alerts in the TUI: a toast that stays until seen, the bell, a desktop notification and the
configured command, for each alert `core.alerts` finds due (logged once in the event log)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from hotfix_tui.core.alerting import alerts
from hotfix_tui.core.alerting.terminal_alerts import desktop_notification, in_tmux
from hotfix_tui.tui.host import host
from hotfix_tui.tui.services.terminal_out import write_raw
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from hotfix_tui.core.alerting.alerts import Alert
    from hotfix_tui.core.alerting.reminders import ReminderReading
    from hotfix_tui.core.clocks import SlaReading, WindowReading

ALERT_TIMEOUT = 24 * 3600.0  # an alert's toast stays until seen: esc or a click dismisses it
TOAST_SEVERITY: dict[str, SeverityLevel] = {"breach": "error", "window": "warning",
                                           "reminder": "warning"}


class AlertCommandFailed(Message):
    """The configured alert command failed (its error, for a notification)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Alerter:
    """Fires the alerts due at each tick of the app's clock, once each (the app shows them)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.fired_here: set[str] = set()  # fired this session (also when the log is unwritable)

    def check_alerts(
        self,
        sla: SlaReading | None,
        windows: list[WindowReading],
        reminders: list[ReminderReading],
        log: list,
    ) -> list[Alert]:
        """Fire what is due now and not fired before (in the log or this session)."""
        inc = host(self.app).incident
        if inc is None:
            return []
        wf = inc.workflow
        warnings = wf.clock.warnings if wf else ()
        fired = alerts.fired_ids(log) | self.fired_here
        due = alerts.due_alerts(
            inc.id, inc.severity, sla, warnings, windows, reminders, fired, inc.clock()
        )
        for alert in due:
            self.fire_alert(alert)
        return due

    def fire_alert(self, alert: Alert) -> None:
        app = self.app
        inc = host(app).incident
        if inc is None:
            return
        self.fired_here.add(alert.id)
        try:
            alerts.record(inc.folder, alert, inc.who)
        except OSError as exc:
            app.notify(
                clean(f"could not log the alert in events.jsonl: {exc}"),
                severity="error",
                title="Alert",
                markup=False,
            )
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
        if s.alert_command:
            app.run_worker(partial(self._run_command, s.alert_command, alert), thread=True,
                           group="alerts", exit_on_error=False)

    def _run_command(self, command: str, alert: Alert) -> None:
        from hotfix_tui.core.alerting.alert_command import run_alert_command

        error = run_alert_command(command, alert)
        if error:
            self.app.post_message(AlertCommandFailed(error))
