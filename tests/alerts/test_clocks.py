"""SLA clock and window readings from stored times and an injected now."""

from datetime import UTC, datetime, timedelta

from hotfix_tui.core.clocks import (
    format_duration,
    human_duration,
    parse_time,
    sla_reading,
    window_readings,
)
from hotfix_tui.core.workflow.model import WindowDef

T0 = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


def test_parse_time_accepts_record_format_and_rejects_placeholders():
    assert parse_time("2026-11-25 14:32:18 UTC") == datetime(2026, 11, 25, 14, 32, 18, tzinfo=UTC)
    assert parse_time("2026-11-25 14:32") == datetime(2026, 11, 25, 14, 32, tzinfo=UTC)
    assert parse_time("[YYYY-MM-DD HH:MM:SS UTC]") is None
    assert parse_time("2026-13-45 99:00:00 UTC") is None


def test_running_clock_moves_through_warning_states():
    states = []
    for minutes in (10, 31, 46, 55, 61):
        r = sla_reading(T0, None, 3600, T0 + timedelta(minutes=minutes))
        states.append(r.state)
    assert states == ["ok", "warning", "warning", "critical", "breached"]
    late = sla_reading(T0, None, 3600, T0 + timedelta(minutes=61))
    assert late.remaining_seconds == -60
    assert format_duration(late.remaining_seconds, signed=True) == "-0:01:00"


def test_stopped_clock_is_met_or_missed_and_ignores_now():
    stop = T0 + timedelta(minutes=50)
    met = sla_reading(T0, stop, 3600, T0 + timedelta(days=3))
    assert (met.state, met.elapsed_seconds, met.stopped) == ("met", 3000, True)
    missed = sla_reading(T0, T0 + timedelta(minutes=70), 3600, T0 + timedelta(days=3))
    assert missed.state == "missed" and missed.remaining_seconds == -600


def test_clock_without_start_has_not_started():
    assert sla_reading(None, None, 3600, T0).state == "not-started"


def test_windows_open_after_their_anchor_and_close_with_their_task():
    w = WindowDef("rollback", "Rollback checkpoint", "fix_deployed", 7200, ("T017",))
    assert window_readings([w], {}, set(), T0) == []
    events = {"fix_deployed": T0}
    (r,) = window_readings([w], events, set(), T0 + timedelta(minutes=30))
    assert r.remaining_seconds == 5400 and r.state == "ok"
    (r,) = window_readings([w], events, set(), T0 + timedelta(hours=3))
    assert r.state == "overdue"
    assert window_readings([w], events, {"T017"}, T0) == []


def test_durations_format():
    assert format_duration(3723) == "1:02:03"
    assert format_duration(90000) == "25:00:00"
    assert human_duration(3 * 3600 + 5 * 60) == "3 hours 5 minutes"
    assert human_duration(60) == "1 minute"
