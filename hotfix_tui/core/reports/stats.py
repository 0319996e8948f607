"""How the team did against the SLA: per severity and per month, over every incident.

Pure functions of the incidents' recorded times; the catalog supplies the incidents.
"""

# Definitions (README "stats"): resolved = Incident End recorded (the SLA clock stopped); time to
# resolution (TTR) = Incident End - Incident Start; met = resolved within the severity's target;
# breached = resolved after it, or still open past it; compliance = met / resolved; time to
# detect (TTD) = Detection - Incident Start where both are recorded and it is not negative.
# Median: the middle value (mean of the two middle ones); p90: nearest rank (ceil(0.9 n)).

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.frozen import frozen

if TYPE_CHECKING:
    from hotfix_tui.core.reports.catalog import Entry


@frozen
class Figures:
    """One incident's figures (times in UTC, durations in seconds)."""

    id: str
    folder: str
    title: str
    severity: str
    status: str
    target_seconds: int
    started_at: datetime | None
    detected_at: datetime | None
    ended_at: datetime | None
    resolved: bool
    met: bool
    breached: bool
    ttr_seconds: int | None
    ttd_seconds: int | None
    branch: str = ""
    branches: tuple[str, ...] = field(default_factory=tuple)

    def json(self) -> dict[str, Any]:
        """The incident as `stats --json` prints it."""
        out = asdict(self)
        for k in ("started_at", "detected_at", "ended_at"):
            out[k] = _iso(out[k])
        out["branches"] = list(self.branches)
        return out


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def figures(entry: Entry, now: datetime) -> Figures | None:
    """The figures of a catalog entry; None when it is no incident (no severities, unreadable)."""
    inc = entry.figures
    wf = inc.workflow if inc is not None else None
    if inc is None or wf is None or not wf.severities:
        return None
    events = inc.event_times()
    from hotfix_tui.core.reports.summaries import IncidentSummary, severity_at_resolution

    if isinstance(inc, IncidentSummary):
        resolved = inc.resolved_severity
    else:
        resolved = severity_at_resolution(inc, wf)
    sev = wf.severity(resolved or inc.severity)
    start, end = events.get(wf.clock.starts_at), events.get(wf.clock.stops_at)
    detected = events.get("detection")
    sla = inc.sla(now)
    ttr = int((end - start).total_seconds()) if start and end else None
    ttd = int((detected - start).total_seconds()) if start and detected else None
    return Figures(
        id=inc.id,
        folder=entry.path,
        title=inc.title,
        severity=sev.id if sev else (inc.severity or "?"),
        status=inc.status,
        target_seconds=sev.target_seconds if sev else 0,
        started_at=start,
        detected_at=detected,
        ended_at=end,
        resolved=end is not None and start is not None,
        met=ttr is not None and sev is not None and 0 <= ttr <= sev.target_seconds,
        breached=(
            ttr > sev.target_seconds
            if ttr is not None and sev is not None
            else sla is not None and sla.state in ("missed", "breached")
        ),
        ttr_seconds=ttr if ttr is not None and ttr >= 0 else None,
        ttd_seconds=ttd if ttd is not None and ttd >= 0 else None,
        branch=entry.source,
        branches=tuple(entry.branches),
    )


def median(values: Sequence[float]) -> float | int | None:
    """The middle value (the mean of the two middle ones), None for no values."""
    if not values:
        return None
    m = statistics.median(values)
    return int(m) if float(m).is_integer() else m


def p90(values: Sequence[float]) -> float | int | None:
    """The 90th percentile by nearest rank: the value at rank ceil(0.9 n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def summary(items: Iterable[Figures]) -> dict[str, Any]:
    """incidents, resolved, met, breached, compliance, TTR median and p90, TTD median."""
    items = list(items)
    resolved = [f for f in items if f.resolved]
    met = sum(1 for f in items if f.met)
    ttr = [f.ttr_seconds for f in resolved if f.ttr_seconds is not None]
    ttd = [f.ttd_seconds for f in items if f.ttd_seconds is not None]
    return {
        "incidents": len(items),
        "resolved": len(resolved),
        "met": met,
        "breached": sum(1 for f in items if f.breached),
        "compliance": round(met / len(resolved), 4) if resolved else None,
        "ttr_median_seconds": median(ttr),
        "ttr_p90_seconds": p90(ttr),
        "ttd_median_seconds": median(ttd),
    }


def compute(
    entries: Iterable[Entry],
    now: datetime,
    *,
    since: datetime | None = None,
    severities: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    """The whole `stats --json` document (without `as_of`): per severity, per month, each."""
    figs = [f for e in entries if (f := figures(e, now)) is not None]
    if since is not None:
        figs = [f for f in figs if f.started_at is not None and f.started_at >= since]
    keys = list(dict.fromkeys([*(k for k, _t in severities), *sorted({f.severity for f in figs})]))
    months = sorted({f.started_at.strftime("%Y-%m") for f in figs if f.started_at})
    targets = {**dict(severities), **{f.severity: f.target_seconds for f in figs}}
    return {
        "now": _iso(now),
        "since": _iso(since),
        "severities": {
            k: {**summary(f for f in figs if f.severity == k), "target_seconds": targets.get(k)}
            for k in keys
        },
        "months": {
            m: summary(f for f in figs if f.started_at and f.started_at.strftime("%Y-%m") == m)
            for m in months
        },
        "total": summary(figs),
        "incidents": [f.json() for f in sorted(figs, key=_order)],
    }


def _order(f: Figures) -> tuple[Any, ...]:
    return (f.started_at is None, f.started_at or datetime.min, f.folder)
