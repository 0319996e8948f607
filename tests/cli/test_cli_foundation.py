"""The foundation's promise, end to end through the CLI on a real git repo."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from gitfix import git, run


def changed_lines(a: str, b: str) -> list[tuple[str, str]]:
    la, lb = a.splitlines(), b.splitlines()
    assert len(la) == len(lb)
    return [(x, y) for x, y in zip(la, lb, strict=True) if x != y]


def test_new_done_status(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, err = run(
        capsys, "new", "Checkout returns 500 errors", "--severity", "P1", "--no-open"
    )
    assert code == 0, err
    folder = repo / "specs" / "hotfix" / "001-checkout-returns-500-errors"
    assert Path(out.strip()) == folder
    assert git(repo, "branch", "--show-current").strip() == "hotfix/001-checkout-returns-500-errors"
    tasks = (folder / "tasks.md").read_text()
    assert tasks.count("\n## Phase ") == 6
    assert len([ln for ln in tasks.splitlines() if ln.startswith("- [ ] **T0")]) == 28
    assert "**Hotfix ID**: hotfix-001" in tasks and "**Severity**: P1" in tasks
    hotfix = (folder / "hotfix.md").read_text()
    assert "[x] P1 (Major - Key Feature Broken)" in hotfix
    assert "**Incident Start**: 20" in hotfix

    before = (folder / "tasks.md").read_text()
    code, out, err = run(capsys, "done", "T001")
    assert code == 0, err
    after = (folder / "tasks.md").read_text()
    assert changed_lines(before, after) == [
        ("- [ ] **T001** Assess severity and impact", "- [x] **T001** Assess severity and impact")
    ]
    assert len(before) == len(after)

    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["id"] == "hotfix-001"
    assert data["severity"] == "P1"
    assert sum(t["done"] for t in data["tasks"]) == 1 and len(data["tasks"]) == 28
    assert data["sla"]["target_seconds"] == 4 * 3600
    assert data["sla"]["state"] in ("ok", "warning")
    assert data["started_at"].endswith("Z")
    assert [p["total"] for p in data["phases"]] == [5, 4, 5, 3, 8, 3]


def test_second_incident_numbers_up_and_status_needs_a_choice(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert run(capsys, "new", "Database pool exhausted causing 503s", "-s", "P0",
               "--no-branch", "--no-open")[0] == 0
    code, out, _ = run(capsys, "new", "Login page slow", "-s", "P2", "--no-branch", "--no-open")
    assert code == 0 and out.strip().endswith("specs/hotfix/002-login-page-slow")
    code, _, err = run(capsys, "status")
    assert code == 3 and "hotfix/001-database-pool-exhausted" in err and "--spec" in err
    code, out, _ = run(capsys, "list", "--json")
    assert [r["id"] for r in json.loads(out)] == ["hotfix-001", "hotfix-002"]


def test_a_branchs_number_is_never_taken_again(repo, capsys, monkeypatch):
    """A branch named as `new` would name it cannot be made: its number is counted first."""
    monkeypatch.chdir(repo)
    git(repo, "branch", "hotfix/001-checkout-returns-500-errors")
    code, out, err = run(capsys, "new", "Checkout returns 500 errors", "-s", "P1", "--no-open")
    assert code == 0, err
    assert out.strip().endswith("specs/hotfix/002-checkout-returns-500-errors")
    assert git(repo, "branch", "--show-current").strip() == "hotfix/002-checkout-returns-500-errors"


def test_actions_skip_note_severity(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Checkout returns 500 errors", "-s", "P1", "--no-open")
    folder = repo / "specs" / "hotfix" / "001-checkout-returns-500-errors"
    assert run(capsys, "skip", "t009", "--reason", "no reviewer awake")[0] == 0
    assert run(capsys, "note", "T004", "pool", "size", "is", "10")[0] == 0
    assert run(capsys, "severity", "p0")[0] == 0
    tasks = (folder / "tasks.md").read_text()
    assert "**Severity**: P0" in tasks
    t9 = tasks.split("**T009**")[1].split("\n\n")[0]
    assert "- **Skipped** (" in t9 and "Ana Lyst): no reviewer awake" in t9
    t4 = tasks.split("**T004**")[1].split("\n\n")[0]
    assert "- **Note** (" in t4 and ": pool size is 10" in t4
    hotfix = (folder / "hotfix.md").read_text()
    assert "[x] P0 (Critical - Service Down) | [ ] P1" in hotfix
    data = json.loads(run(capsys, "status", "--json")[1])
    assert data["sla"]["target_seconds"] == 3600
    t11 = next(t for t in data["tasks"] if t["id"] == "T011")
    assert t11["applicable"] is False
    code, _, err = run(capsys, "done", "T999")
    assert code == 1 and "no task 'T999'" in err and "tasks.md" in err
    pm = (folder / "post-mortem.md").read_text()
    assert "Severity changed P1 -> P0" in pm and "T009 skipped" in pm


def test_completion_rules_fill_the_record(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Checkout returns 500 errors", "-s", "P1", "--no-open")
    folder = repo / "specs" / "hotfix" / "001-checkout-returns-500-errors"
    for t in ("T001", "T005", "T012", "T013", "T014"):
        assert run(capsys, "done", t)[0] == 0
    hotfix = (folder / "hotfix.md").read_text()
    for field in ("Investigation Start", "Root Cause Identified", "Fix Deployed", "Incident End"):
        line = next(ln for ln in hotfix.splitlines() if ln.startswith(f"**{field}**"))
        assert "UTC" in line and "YYYY" not in line, line
    assert "**Total Duration**: 0 minutes" in hotfix
    assert "**SLA Breach**: [ ] Yes | [x] No" in hotfix
    assert "[x] Monitoring" in hotfix and "[ ] Investigating" in hotfix
    data = json.loads(run(capsys, "status", "--json")[1])
    assert data["status"] == "Monitoring" and data["sla"]["state"] == "met"
    assert {w["id"] for w in data["windows"]} >= {"rollback-checkpoint", "post-incident"}


def test_broken_workflow_gives_positions_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: x\nname: X\nphasez: []\n")
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 2
    assert f"{bad}:4:1:" in err and "phases" in err


def test_status_and_list_do_not_import_textual(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Checkout returns 500 errors", "-s", "P1", "--no-open")
    import subprocess

    code = (
        "import sys, json\n"
        "from hotfix_tui.cli import main\n"
        "for argv in (['status','--json'], ['list'], ['validate']):\n"
        "    main(argv)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'git'))\n"
        "print(json.dumps(bad), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True,
                         env={**os.environ}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []


def test_not_a_repo_is_a_clear_message(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "status")
    assert code == 3 and "not inside a git repository" in err
    code, _, err = run(capsys, "new", "x y", "-s", "P1", "--no-open")
    assert code == 2 and "--no-branch" in err


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_both_layouts_are_found(repo, capsys, monkeypatch, layout):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Cache stampede", "-s", "P2", "--no-branch", "--no-open")
    src = repo / "specs" / "hotfix" / "001-cache-stampede"  # `new` makes today's layout
    if layout == "flat":
        src.rename(repo / "specs" / "hotfix-001-cache-stampede")
    data = json.loads(run(capsys, "list", "--json")[1])
    assert len(data) == 1 and data[0]["severity"] == "P2"


def test_done_tells_about_na_tasks_and_kept_times(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Checkout returns 500 errors", "-s", "P0", "--no-open")
    code, out, _ = run(capsys, "done", "T009")
    assert code == 0 and "note: T009 does not apply to P0" in out
    hotfix = repo / "specs" / "hotfix" / "001-checkout-returns-500-errors" / "hotfix.md"
    hotfix.write_text(hotfix.read_text().replace(
        "**Fix Deployed**: [YYYY-MM-DD HH:MM:SS UTC]", "**Fix Deployed**: 2026-01-02 03:04:05 UTC"))
    # a time typed into the field records its task as done then, by the git user
    code, out, _ = run(capsys, "done", "T012")
    assert code == 0 and "T012 is already done" in out
    folder = hotfix.parent
    assert "- [x] **T012**" in (folder / "tasks.md").read_text()
    assert "T012 done:" in (folder / "post-mortem.md").read_text()
    run(capsys, "undo", "T012")
    assert "**Fix Deployed**: [YYYY-MM-DD HH:MM:SS UTC]" in hotfix.read_text()
    code, out, _ = run(capsys, "done", "T012", "--keep-first")  # kept on purpose
    assert code == 0
    assert "note: Fix Deployed keeps 2026-01-02 03:04:05 UTC, the time before the reopen" in out
    assert "**Fix Deployed**: 2026-01-02 03:04:05 UTC" in hotfix.read_text()
    run(capsys, "undo", "T012")
    code, out, _ = run(capsys, "done", "T012")  # a reopen is a fact: a new time, said
    assert code == 0
    assert "(it was 2026-01-02 03:04:05 UTC before T012 was reopened; give --keep-first" in out
    assert "**Fix Deployed**: 2026-01-02 03:04:05 UTC" not in hotfix.read_text()


def test_skip_on_a_done_task_is_refused_and_progress_agrees(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    run(capsys, "new", "Checkout returns 500 errors", "-s", "P0", "--no-open")
    run(capsys, "done", "T001")
    code, _, err = run(capsys, "skip", "T001", "--reason", "x")
    assert code == 1 and "T001 is done" in err
    assert run(capsys, "skip", "T003", "--reason", "cannot reproduce")[0] == 0
    status = json.loads(run(capsys, "status", "--json")[1])["progress"]
    report = json.loads(run(capsys, "report", "--format", "json")[1])["progress"]
    assert status == report == {"done": 2, "total": 26}
