"""`stats`: six incidents on several branches, one only on the remote, with
start, detection and end times set by hand; every figure checked against hand-computed ones."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitfix import FakeClock, clone, git, make_repo, run

from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.reports.stats import median, p90
from hotfix_tui.core.workflow.loader import resolve_workflow

# (description, severity, start, detection or None, end or None, later severity or None)
INCIDENTS = [
    ("Checkout down", "P0", "2026-10-05 10:00", "2026-10-05 10:10", "2026-10-05 10:50", None),
    ("Payments failing", "P0", "2026-10-20 08:00", "2026-10-20 07:55", "2026-10-20 09:30", None),
    ("Search slow", "P1", "2026-11-02 12:00", "2026-11-02 12:30", "2026-11-02 14:00", None),
    ("Emails delayed", "P2", "2026-11-10 00:00", None, "2026-11-10 06:00", "P1"),
    ("Reports stale", "P2", "2026-11-15 09:00", "2026-11-15 09:20", None, None),
    ("Login errors", "P1", "2026-11-20 10:00", "2026-11-20 10:05", "2026-11-20 11:00", None),
]


def t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def cli(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, (argv, err)
    return out


@pytest.fixture
def repo_with_history(tmp_path, capsys, monkeypatch) -> Path:
    """Alice's clone: 001 only on the remote (her branch deleted), 002 only local, the rest
    pushed; 003 merged into main."""
    cfg = Path(__import__("os").environ["HOTFIX_TUI_CONFIG_DIR"])
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.yaml").write_text("fetch_interval: 0\n")
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    monkeypatch.chdir(alice)
    for desc, sev, start, detected, end, later in INCIDENTS:
        folder = Path(cli(capsys, "new", desc, "-s", sev, "--no-open").strip())
        spec = str(folder)
        cli(capsys, "started-at", start, "--yes", "--spec", spec)
        if detected:
            cli(capsys, "detected", "alert", "--at", detected, "--force", "--spec", spec)
        if later:
            cli(capsys, "severity", later, "--spec", spec)
        if end:
            inc = Incident(folder, resolve_workflow("hotfix", alice), clock=FakeClock(t(end)),
                           repo_root=alice)
            inc.set_done("T013")
        cli(capsys, "commit", "--spec", spec)
        branch = git(alice, "branch", "--show-current").strip()
        if not desc.startswith("Payments"):
            git(alice, "push", "-q", "-u", "origin", branch)
        if desc.startswith("Search"):
            git(alice, "switch", "-q", "main")
            git(alice, "merge", "-q", "--no-ff", "-m", "merge 003", branch)
            git(alice, "push", "-q", "origin", "main")
    git(alice, "switch", "-q", "main")
    git(alice, "branch", "-q", "-D", "hotfix/001-checkout-down")
    return alice


def test_stats_json_matches_hand_computed_figures(repo_with_history, capsys):
    alice = repo_with_history
    assert "hotfix/001-checkout-down" not in git(alice, "branch")
    data = json.loads(cli(capsys, "stats", "--json"))
    sev = data["severities"]
    assert list(sev) == ["P0", "P1", "P2"]
    keys = {"incidents", "resolved", "met", "breached", "compliance", "ttr_median_seconds",
            "ttr_p90_seconds", "ttd_median_seconds"}
    assert keys <= set(sev["P0"])
    # P0: 001 met in 50 min, 002 missed in 90 min; 002's detection is before its start
    assert {k: sev["P0"][k] for k in keys} == {
        "incidents": 2, "resolved": 2, "met": 1, "breached": 1, "compliance": 0.5,
        "ttr_median_seconds": 4200, "ttr_p90_seconds": 5400, "ttd_median_seconds": 600}
    # P1: 003 (2 h, met), 004 (raised from P2 before its end; 6 h, missed), 006 (1 h, met)
    assert {k: sev["P1"][k] for k in keys} == {
        "incidents": 3, "resolved": 3, "met": 2, "breached": 1, "compliance": 0.6667,
        "ttr_median_seconds": 7200, "ttr_p90_seconds": 21600, "ttd_median_seconds": 1050}
    # P2: 005 still open, long past its 8 h target
    assert {k: sev["P2"][k] for k in keys} == {
        "incidents": 1, "resolved": 0, "met": 0, "breached": 1, "compliance": None,
        "ttr_median_seconds": None, "ttr_p90_seconds": None, "ttd_median_seconds": 1200}
    assert data["months"]["2026-10"] == {
        "incidents": 2, "resolved": 2, "met": 1, "breached": 1, "compliance": 0.5,
        "ttr_median_seconds": 4200, "ttr_p90_seconds": 5400, "ttd_median_seconds": 600}
    assert data["months"]["2026-11"] == {
        "incidents": 4, "resolved": 3, "met": 2, "breached": 2, "compliance": 0.6667,
        "ttr_median_seconds": 7200, "ttr_p90_seconds": 21600, "ttd_median_seconds": 1200}
    incs = {i["id"]: i for i in data["incidents"]}
    assert len(data["incidents"]) == 6  # 003 is on its branch, the remote's and main: once
    assert incs["hotfix-001"]["branch"] == "origin/hotfix/001-checkout-down"
    assert incs["hotfix-002"]["branches"] == ["hotfix/002-payments-failing"]
    assert "main" in incs["hotfix-003"]["branches"]
    assert incs["hotfix-004"]["severity"] == "P1" and incs["hotfix-004"]["ttr_seconds"] == 21600
    assert incs["hotfix-002"]["ttd_seconds"] is None
    assert incs["hotfix-001"]["started_at"] == "2026-10-05T10:00:00Z"
    assert incs["hotfix-001"]["ended_at"] == "2026-10-05T10:50:00Z"


def test_stats_since_and_text(repo_with_history, capsys):
    data = json.loads(cli(capsys, "stats", "--since", "2026-11-01", "--json"))
    assert data["severities"]["P0"]["incidents"] == 0
    assert data["severities"]["P1"]["incidents"] == 3
    assert list(data["months"]) == ["2026-11"] and data["since"] == "2026-11-01T00:00:00Z"
    out = cli(capsys, "stats")
    lines = out.splitlines()
    p1 = next(ln for ln in lines if ln.startswith("P1"))
    assert p1.split()[2:8] == ["3", "3", "2", "1", "67%", "2:00:00"]
    assert "6:00:00" in p1 and "0:17:30" in p1
    code, out, err = run(capsys, "stats", "--since", "last week")
    assert code == 2 and "YYYY-MM-DD" in err


def test_median_and_p90():
    assert median([]) is None and p90([]) is None
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9 and p90(list(range(1, 12))) == 10


def test_an_incident_counts_under_its_severity_at_resolution(tmp_path, capsys, monkeypatch):
    cfg = Path(__import__("os").environ["HOTFIX_TUI_CONFIG_DIR"])
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.yaml").write_text("fetch_interval: 0\n")
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    folder = Path(cli(capsys, "new", "Queue backlog", "-s", "P1", "--no-open").strip())
    cli(capsys, "started-at", "2026-11-03 10:00", "--yes", "--spec", str(folder))
    inc = Incident(folder, resolve_workflow("hotfix", repo), clock=FakeClock(t("2026-11-03 13:00")),
                   repo_root=repo)
    inc.set_done("T013")  # resolved in 3 h as a P1: met
    cli(capsys, "severity", "P0", "--spec", str(folder))  # raised afterwards, in the review
    data = json.loads(cli(capsys, "stats", "--json"))
    assert data["severities"]["P1"]["incidents"] == 1 and data["severities"]["P1"]["met"] == 1
    assert data["severities"]["P0"]["incidents"] == 0
