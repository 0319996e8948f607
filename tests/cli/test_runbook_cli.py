"""`hotfix-tui run` and `hotfix-tui trust` from the shell, on real repositories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gitfix import FOLDER, run
from runbook_fix import runbook_repo

from hotfix_tui.core.record import events

MARK = "ran-marker"


def test_dry_run_prints_the_filled_command_for_an_untrusted_workflow(tmp_path, clock, capsys,
                                                                     monkeypatch):
    root, _ = runbook_repo(tmp_path, clock, {"T010": f"touch {MARK}-{{incident}}"})
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "run", "T010", "--dry-run")
    assert code == 0 and out == f"touch {MARK}-hotfix-001\n"
    assert "is not trusted" in err and "hotfix-tui trust" in err
    assert not list(root.glob(f"{MARK}*"))


def test_run_refuses_an_untrusted_workflow_even_with_yes(tmp_path, clock, capsys, monkeypatch):
    root, _ = runbook_repo(tmp_path, clock, {"T010": f"touch {MARK}"})
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "run", "T010", "--yes")
    assert code == 1 and "not trusted" in err
    assert not (root / MARK).exists()
    assert not [e for e in events.read_log(root / FOLDER) if e.kind == "run"]


def test_run_never_runs_without_confirmation(tmp_path, clock, capsys, monkeypatch):
    root, _ = runbook_repo(tmp_path, clock, {"T010": f"touch {MARK}"})
    monkeypatch.chdir(root)
    assert run(capsys, "trust", "--yes")[0] == 0
    code, out, err = run(capsys, "run", "T010")  # stdin is no terminal: nobody confirmed
    assert code == 1 and "confirm" in err and f"touch {MARK}" in out
    assert not (root / MARK).exists()


def test_trust_lists_the_commands_then_a_changed_file_shows_its_diff(tmp_path, clock, capsys,
                                                                     monkeypatch):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo one"})
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "trust")
    assert code == 1 and "T010: echo one" in out and "not trusted" in err
    assert run(capsys, "trust", "--yes")[0] == 0
    assert "trusted (unchanged since)" in run(capsys, "trust")[1]
    wf_file.write_text(wf_file.read_text().replace("echo one", "echo two"))
    code, out, err = run(capsys, "trust")
    assert code == 1
    assert "-        run: echo one\n+        run: echo two" in out
    assert run(capsys, "run", "T010", "--yes")[0] == 1  # changed: not run until trusted again
    assert run(capsys, "trust", "--yes")[0] == 0
    code, out, err = run(capsys, "run", "T010", "--yes")
    assert code == 0 and "two\n" in out and "T010: exit 0" in out


def test_run_records_the_exit_code_and_attaches_output_when_asked(tmp_path, clock, capsys,
                                                                  monkeypatch):
    root, _ = runbook_repo(tmp_path, clock, {"T010": "echo failing; exit 4"})
    monkeypatch.chdir(root)
    run(capsys, "trust", "--yes")
    code, out, err = run(capsys, "run", "T010", "--yes", "--attach")
    assert code == 1 and "T010: exit 4" in out
    ev = [e for e in events.read_log(root / FOLDER) if e.kind == "run"][-1]
    assert ev.get("exit") == 4
    attached = list((root / FOLDER / "runs").iterdir())
    assert len(attached) == 1 and attached[0].read_text() == "failing\n"
    tasks = (root / FOLDER / "tasks.md").read_text()
    assert f"Run output: runs/{attached[0].name}" in tasks and "- [ ] **T010**" in tasks


def test_run_times_out_at_the_configured_limit(tmp_path, clock, capsys, monkeypatch):
    root, _ = runbook_repo(tmp_path, clock, {"T010": "sleep 30"})
    cfg = tmp_path / "home-config"
    cfg.mkdir()
    (cfg / "config.yaml").write_text("run_timeout: 0.5\n")
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(cfg))
    monkeypatch.chdir(root)
    run(capsys, "trust", "--yes")
    code, out, err = run(capsys, "run", "T010", "--yes")
    assert code == 1 and "timed out" in out
    ev = [e for e in events.read_log(root / FOLDER) if e.kind == "run"][-1]
    assert ev.get("timed_out") is True and ev.get("seconds") < 5


def test_the_installed_command_refuses_shell_code_in_the_recorded_branch(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {"T010": "echo {branch}"})
    hot = root / FOLDER / "hotfix.md"
    hot.write_text(hot.read_text().replace(
        "hotfix/001-database-connection-pool", "x';touch${IFS}" + MARK + ";'", 1))
    exe = str(Path(sys.executable).with_name("hotfix-tui"))
    env = {**os.environ}
    subprocess.run([exe, "trust", "--yes"], cwd=root, env=env, capture_output=True, check=True)
    out = subprocess.run([exe, "run", "T010", "--yes"], cwd=root, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 2 and "refused" in out.stderr and "branch" in out.stderr
    assert not list(root.rglob(f"*{MARK}*"))
