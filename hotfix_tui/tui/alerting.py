"""Alerts in the TUI: a toast that stays until seen, the bell, a desktop notification and the
configured command, for each alert `core.alerts` finds due (logged once in the event log)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from hotfix_tui.core.alerting import alerts
from hotfix_tui.core.alerting.terminal_alerts import desktop_notification, in_tmux

from .terminal_out import write_raw
from .widgets import clean

if TYPE_CHECKING:
    from hotfix_tui.core.alerting.alerts import Alert
    from hotfix_tui.core.alerting.reminders import ReminderReading
    from hotfix_tui.core.clocks import SlaReading, WindowReading

ALERT_TIMEOUT = 24 * 3600.0  # an alert's toast stays until seen: esc or a click dismisses it
TOAST_SEVERITY = {"breach": "error", "window": "warning", "reminder": "warning"}


class AlertCommandFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Alerting:
    """Mixin for HotfixApp: fires the alerts due at each tick of the clock."""

    incident: Any
    settings: Any
    notify: Any
    bell: Any
    post_message: Any

    def alerts_setup(self) -> None:
        self.fired_here: set[str] = set()  # fired this session (also when the log is unwritable)

    def check_alerts(
        self,
        sla: SlaReading | None,
        windows: list[WindowReading],
        reminders: list[ReminderReading],
        log: list,
    ) -> list[Alert]:
        """Fire what is due now and not fired before (in the log or this session)."""
        inc = self.incident
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
        inc = self.incident
        self.fired_here.add(alert.id)
        try:
            alerts.record(inc.folder, alert, inc.who)
        except OSError as exc:
            self.notify(
                clean(f"could not log the alert in events.jsonl: {exc}"),
                severity="error",
                title="Alert",
                markup=False,
            )
        kind = alert.kind
        severity = TOAST_SEVERITY.get(kind, "warning")
        if kind == "warning" and isinstance(alert.threshold, float) and alert.threshold >= 0.9:
            severity = "error"
        self.notify(
            clean(alert.message),
            title=alert.title,
            severity=severity,
            timeout=ALERT_TIMEOUT,
            markup=False,
        )
        s = self.settings
        if s.alert_bell:
            self.bell()
        if s.alert_desktop:
            write_raw(self, desktop_notification(alert.title, alert.message, in_tmux()))  # type: ignore[arg-type]
        if s.alert_command:
            self._alert_command_worker(s.alert_command, alert)

    @work(thread=True, group="alerts", exit_on_error=False)
    def _alert_command_worker(self, command: str, alert: Alert) -> None:
        from hotfix_tui.core.alerting.alert_command import run_alert_command

        error = run_alert_command(command, alert)
        if error:
            self.post_message(AlertCommandFailed(error))

    def on_alert_command_failed(self, message: AlertCommandFailed) -> None:
        self.notify(
            clean(message.error), severity="error", title="Alert command", markup=False, timeout=12
        )
