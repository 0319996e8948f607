"""Status updates and the commander's hand-over as messages: an update sent is a
`reminder_sent` event with its `text` (the running reminder starts again), and both are posted
through `alerts.command` (kind `update` or `handover`, the text as the message)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hotfix_tui.core.alerting.alerts import Alert
from hotfix_tui.core.alerting.reminders import ReminderReading, incident_reminders
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.record.event import Event

if TYPE_CHECKING:
    from hotfix_tui.core.record.change import Change
    from hotfix_tui.core.record.incident import Incident


@frozen
class Sent:
    """An update recorded: its event, the reminder it restarted (None: no reminder runs)."""

    event: Event
    reminder: ReminderReading | None
    alert: Alert | None  # what to post (None: the update was sent without text)


def running(inc: Incident, now: datetime) -> list[ReminderReading]:
    """The reminders of the incident running at `now`."""
    return incident_reminders(inc, now, inc.view.events)


def send_update(inc: Incident, text: str, now: datetime | None = None) -> Sent:
    """Record a status update (`text` '' : sent without text) and restart the reminder due
    first; the alert to post is returned, not posted (the caller runs it: `post`)."""
    now = now or inc.clock()
    reading = next(iter(running(inc, now)), None)
    rid = reading.id if reading is not None else ""
    clean = text.strip("\n") if text.strip() else ""
    change = inc.reminder_sent(rid, "status update", clean)  # undone with `u` like any action
    ev = next(e for e in reversed(inc.view.events) if e.id in change.made)
    alert = message_alert(inc, "update", ev, clean) if clean else None
    return Sent(ev, reading, alert)


def hand_over(inc: Incident, to: str, now: datetime | None = None) -> tuple[Change, Alert | None]:
    """Offer the commander role to `to` with the report as it is now; the change, and the alert
    that posts the report (kind `handover`; the caller runs it: `post`)."""
    from hotfix_tui.core.reports.report import build_report, render_markdown

    now = now or inc.clock()
    report = render_markdown(build_report(inc, now, reminders=running(inc, now)))
    change = inc.handover(to, report)
    ev = inc.view.team().handover
    return change, (message_alert(inc, "handover", ev, report) if ev is not None else None)


def message_alert(inc: Incident, kind: str, ev: Event, text: str) -> Alert:
    """An update or a hand-over as the alert `alerts.command` is given (JSON on stdin)."""
    title = "Status update" if kind == "update" else "Hand-over"
    return Alert(
        f"{kind}:{inc.id}:{ev.id}", inc.id, kind, ev.id, inc.severity, None, text, title,
        ev.happened_at,
    )


def post(command: str | None, alert: Alert | None) -> str | None:
    """Run `alerts.command` for the alert (blocking); None when done or nothing to do, else
    what went wrong."""
    if not command or alert is None:
        return None
    from hotfix_tui.core.alerting.alert_command import run_alert_command

    return run_alert_command(command, alert)
