"""Smoke run of the performance benchmark: every figure is reported and numeric.

The figures are not compared with their targets here (CI machines are noisy); full runs of
`python tests/benchmarks/run.py` do that, see docs/performance.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent / "benchmarks" / "run.py"
KEYS = (
    "startup_s",
    "floor_startup_s",
    "status_s",
    "toggle_to_disk_s",
    "toggle_to_disk_p99_s",
    "large_1000_open_s",
    "large_1000_toggle_s",
    "large_10000_open_s",
    "large_10000_toggle_s",
    "idle_cpu_percent",
    "idle_cpu_dialog_percent",
    "rss_mib",
    "web_update_s",
    "list_1000_s",
    "stats_1000_s",
    "status_10000_s",
    "status_100000_s",
    "status_100000_rss_mib",
    "note_s",
    "note_100000_s",
    "done_s",
    "done_100000_s",
    "large_100000_open_s",
    "list_1000_incidents_s",
    "list_1000_incidents_cold_s",
    "stats_1000_incidents_s",
    "web_list_1000_incidents_s",
    "status_10000_events_s",
    "rss_growth_24h_mib",
)


@pytest.mark.timeout(600)
def test_benchmark_quick_run_reports_every_figure() -> None:
    r = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(r.stdout)
    for key in KEYS:
        assert key in data, f"{key} missing from {sorted(data)}"
        value = data[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value) and value >= 0, (key, value)
    assert data["startup_s"] > 0 and data["floor_startup_s"] > 0
