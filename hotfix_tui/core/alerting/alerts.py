"""Alerts: which crossings of the clocks are due, and the record that one has fired.

Pure detection (`due_alerts`) is used by `dispatch.py` (the rules the TUI and `hotfix-tui watch`
share); each alert is logged once in the incident's event log under a fixed id, and an
`alert_posted` event says that `alerts.command` was run for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core.alerting.reminders import ReminderReading
from hotfix_tui.core.clocks import SlaReading, WindowReading, format_duration
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.record import events, kinds

KINDS = ("warning", "breach", "window", "reminder")


def alert_id(incident: str, kind: str, key: str) -> str:
    """The fixed event id of an alert: `alert:<incident>:<kind>:<threshold or window id>`."""
    return f"alert:{incident}:{kind}:{key}"


@frozen
class Alert:
    """One alert: what crossed (kind and threshold, window or reminder id), when, and a message."""

    id: str
    incident: str
    kind: str  # warning | breach | window | reminder
    threshold: float | str  # a fraction (warning, breach: 1.0), a window id or a reminder id
    severity: str | None
    remaining_seconds: int | None
    message: str
    title: str
    at: datetime

    def payload(self) -> dict[str, Any]:
        """The alert as the JSON object given to `alerts.command` and printed by `watch --json`."""
        return {
            "id": self.id,
            "incident": self.incident,
            "kind": self.kind,
            "threshold": self.threshold,
            "severity": self.severity,
            "remaining_seconds": self.remaining_seconds,
            "message": self.message,
            "at": events.iso(self.at).replace(".000000Z", "Z"),
        }

    def env(self) -> dict[str, str]:
        """`HOTFIX_*` environment variables for the alert command."""
        p = self.payload()
        return {
            f"HOTFIX_{k.upper()}": "" if v is None else str(v) for k, v in p.items() if k != "id"
        } | {"HOTFIX_ALERT_ID": self.id}


def _key(fraction: float) -> str:
    return f"{fraction:g}"


def due_alerts(
    incident: str,
    severity: str | None,
    sla: SlaReading | None,
    warnings: Sequence[float],
    windows: Sequence[WindowReading],
    reminders: Sequence[ReminderReading],
    fired: set[str],
    now: datetime,
) -> list[Alert]:
    """The alerts due now and not in `fired`, in the order they should be shown.

    Of the resolution clock's crossings only the furthest one is due (a breach supersedes the
    warnings, 90 % supersedes 75 %): opening a late incident rings once, not four times.
    """
    out: list[Alert] = []
    sev = severity or "?"
    if sla is not None and sla.running:
        target = format_duration(sla.target_seconds)
        if sla.remaining_seconds < 0:
            aid = alert_id(incident, "breach", _key(1.0))
            if aid not in fired:
                over = format_duration(-sla.remaining_seconds)
                out.append(
                    Alert(
                        aid,
                        incident,
                        "breach",
                        1.0,
                        severity,
                        sla.remaining_seconds,
                        f"{incident} {sev}: SLA BREACHED by {over} (target {target})",
                        "SLA BREACHED",
                        now,
                    )
                )
        else:
            crossed = [w for w in sorted(warnings) if sla.fraction >= w]
            if crossed:
                w = crossed[-1]
                aid = alert_id(incident, "warning", _key(w))
                if aid not in fired:
                    left = format_duration(sla.remaining_seconds)
                    out.append(
                        Alert(
                            aid,
                            incident,
                            "warning",
                            w,
                            severity,
                            sla.remaining_seconds,
                            f"{incident} {sev}: {w:.0%} of the {target} target used, {left} left",
                            f"SLA {w:.0%}",
                            now,
                        )
                    )
    for win in windows:
        if win.remaining_seconds < 0:
            aid = alert_id(incident, "window", win.id)
            if aid not in fired:
                out.append(
                    Alert(
                        aid,
                        incident,
                        "window",
                        win.id,
                        severity,
                        win.remaining_seconds,
                        f"{incident}: {win.label}: the window has ended",
                        "Window ended",
                        now,
                    )
                )
    for rem in reminders:
        if rem.remaining_seconds <= 0:
            aid = alert_id(incident, "reminder", rem.key)
            if aid not in fired:
                every = format_duration(rem.interval_seconds)
                out.append(
                    Alert(
                        aid,
                        incident,
                        "reminder",
                        rem.id,
                        severity,
                        rem.remaining_seconds,
                        f"{incident}: {rem.label} due (every {every})",
                        "Reminder",
                        now,
                    )
                )
    return out


def fired_ids(log: Iterable[events.Event]) -> set[str]:
    """The ids of the alerts already logged."""
    return {e.id for e in log if e.kind == kinds.ALERT}


def posted_ids(log: Iterable[events.Event]) -> set[str]:
    """The ids of the alerts whose command ran on some clone (`alert_posted` events)."""
    return {str(e.get("alert")) for e in log if e.kind == kinds.ALERT_POSTED and e.get("alert")}


def alert_event(
    recorder: events.Recorder, alert: Alert, after: Iterable[events.Event]
) -> events.Event:
    """The log event of an alert, under its fixed id."""
    return recorder.make(
        kinds.ALERT,
        alert.at,
        after,
        event_id=alert.id,
        alert=alert.kind,
        threshold=alert.threshold,
        message=alert.message,
    )


def posted_event(
    recorder: events.Recorder, alert: Alert, after: Iterable[events.Event]
) -> events.Event:
    """The log event saying `alerts.command` ran for an alert (fixed id: one per alert)."""
    return recorder.make(
        kinds.ALERT_POSTED, alert.at, after, event_id=f"{alert.id}:posted", alert=alert.id
    )


def record(folder: Path, alert: Alert, who: str, clone: str = "") -> events.Event:
    """Log an alert in the incident's event log under its fixed id (a no-op if it is there)."""
    existing = events.read_log(folder)
    for e in existing:
        if e.id == alert.id:
            return e
    ev = alert_event(events.Recorder(clone, who), alert, existing)
    events.append(folder, [ev])
    return ev
