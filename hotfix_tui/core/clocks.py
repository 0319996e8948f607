"""SLA clocks and time windows computed from stored times and an injected `now`.

Nothing here keeps time in memory: every value derives from the timestamps in the markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.workflow.model import WindowDef, Workflow

Clock = Callable[[], datetime]

TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
_TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:UTC|Z|\+00:?00)?"
)


def utc_now() -> datetime:
    """The real clock: the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def precise_now() -> datetime:
    """The current time in UTC to the microsecond: the recorded order of events."""
    return datetime.now(UTC)


def format_time(t: datetime) -> str:
    """Format a time as `YYYY-MM-DD HH:MM:SS UTC`."""
    return t.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime | None:
    """Read the first `YYYY-MM-DD HH:MM[:SS] [UTC]` in a text; None for placeholders."""
    m = _TIME_RE.search(text or "")
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=UTC)
    except ValueError:
        return None


def format_duration(seconds: float, *, signed: bool = False) -> str:
    """Format seconds as `H:MM:SS` (days folded into hours); negative with `-` when signed."""
    neg = seconds < 0
    total = int(abs(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    text = f"{h}:{m:02d}:{s:02d}"
    return ("-" if neg and signed else "") + text


def human_duration(seconds: float) -> str:
    """Format seconds as words for the record, e.g. `2 hours 5 minutes`."""
    total = int(abs(seconds)) // 60
    d, rem = divmod(total, 24 * 60)
    h, m = divmod(rem, 60)
    parts = []
    if d:
        parts.append(f"{d} day{'s' if d != 1 else ''}")
    if h or d:
        parts.append(f"{h} hour{'s' if h != 1 else ''}")
    parts.append(f"{m} minute{'s' if m != 1 else ''}")
    return " ".join(parts)


@frozen
class SlaReading:
    """The resolution clock at one instant: target, elapsed, remaining and state."""

    target_seconds: int
    elapsed_seconds: int
    remaining_seconds: int  # negative once breached
    fraction: float
    state: str  # ok | warning | critical | breached | met | missed | not-started
    stopped: bool

    @property
    def running(self) -> bool:
        return not self.stopped and self.state != "not-started"


def sla_reading(
    start: datetime | None,
    stop: datetime | None,
    target_seconds: int,
    now: datetime,
    warnings: tuple[float, ...] = (0.5, 0.75, 0.9),
) -> SlaReading:
    """Read the clock: running from `start` until `stop` (or `now`), against the target."""
    if start is None or target_seconds <= 0:
        return SlaReading(target_seconds, 0, target_seconds, 0.0, "not-started", False)
    end = stop or now
    elapsed = max(0, int((end - start).total_seconds()))
    remaining = target_seconds - elapsed
    fraction = elapsed / target_seconds
    if stop is not None:
        state = "met" if remaining >= 0 else "missed"
    elif remaining < 0:
        state = "breached"
    else:
        state = _level(fraction, warnings)
    return SlaReading(target_seconds, elapsed, remaining, fraction, state, stop is not None)


def _level(fraction: float, warnings: tuple[float, ...]) -> str:
    """Map the fraction used to ok / warning / critical by the workflow's thresholds."""
    passed = sum(1 for w in warnings if fraction >= w)
    if passed == 0:
        return "ok"
    return "critical" if passed >= len(warnings) else "warning"


@frozen
class WindowReading:
    """A time window at one instant: when it ends and how much of it is left."""

    id: str
    label: str
    due: datetime
    remaining_seconds: int
    state: str  # ok | warning | critical | overdue
    fraction: float


def window_readings(
    windows: tuple[WindowDef, ...] | list[WindowDef],
    events: dict[str, datetime],
    closed: set[str],
    now: datetime,
) -> list[WindowReading]:
    """The open windows: anchored to an event that happened and not closed by a done task."""
    out: list[WindowReading] = []
    for w in windows:
        anchor = events.get(w.anchor)
        if anchor is None or (w.closed_by and any(t in closed for t in w.closed_by)):
            continue
        due = anchor.timestamp() + w.duration_seconds
        remaining = int(due - now.timestamp())
        fraction = (w.duration_seconds - remaining) / w.duration_seconds
        state = "overdue" if remaining < 0 else _level(fraction, w.warnings)
        out.append(
            WindowReading(
                w.id, w.label, datetime.fromtimestamp(due, UTC), remaining, state, fraction
            )
        )
    out.sort(key=lambda r: r.due)
    return out


def workflow_sla(
    wf: Workflow | None,
    severity: str | None,
    times: dict[str, datetime],
    now: datetime,
) -> SlaReading | None:
    """The resolution clock of a workflow for a severity, from its event times (None without)."""
    sev = wf.severity(severity) if wf else None
    if wf is None or sev is None:
        return None
    return sla_reading(
        times.get(wf.clock.starts_at),
        times.get(wf.clock.stops_at),
        sev.target_seconds,
        now,
        wf.clock.warnings,
    )
