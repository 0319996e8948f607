"""`hotfix-tui demo`: a scratch repo with one incident part-way through Phase 1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hotfix_tui.cli import main


def test_demo_makes_a_committed_incident_that_status_reads(tmp_path, capsys, monkeypatch):
    assert main(["demo", "--no-open", "--dir", str(tmp_path)]) == 0
    folder = Path(capsys.readouterr().out.strip())
    root = folder.parents[2]  # specs/hotfix/001-…: today's layout
    assert folder.is_dir() and root.parent == tmp_path
    log = subprocess.run(["git", "log", "--oneline"], cwd=root, capture_output=True, text=True)
    assert "hotfix-001: declare incident" in log.stdout
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True)
    assert status.stdout == ""
    monkeypatch.chdir(root)
    assert main(["status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["severity"] == "P1" and data["next"]["id"] == "T004"
    assert [t["id"] for t in data["tasks"] if t["done"]] == ["T001", "T002", "T003"]
    assert data["sla"]["state"] == "ok" and 24 * 60 <= data["sla"]["elapsed_seconds"] < 40 * 60
    hotfix = (folder / "hotfix.md").read_text()
    assert "**Detection**: 20" in hotfix and "**Investigation Start**: 20" in hotfix


def test_demo_makes_the_folder_it_is_given(tmp_path, capsys):
    from gitfix import run

    where = tmp_path / "not" / "yet"
    code, out, err = run(capsys, "demo", "--dir", str(where), "--no-open")
    assert code == 0, err
    assert Path(out.strip()).is_relative_to(where) and (Path(out.strip()) / "tasks.md").exists()
