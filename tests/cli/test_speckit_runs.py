"""spec-kit workflow runs through the CLI: `runs` lists them from their files, `gate` answers a
paused gate through the real `specify workflow resume` (specify-cli, a test dependency)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gitfix import run
from upstream import (
    GATE_WORKFLOW,
    _run,
    create,
    make_upstream_repo,
    run_gate_workflow,
    specify_bin,
    workflow_status,
)


@pytest.fixture
def up(tmp_path, monkeypatch) -> Path:
    """A repository as a spec-kit team has it, the current directory."""
    repo = make_upstream_repo(tmp_path / "shop")
    monkeypatch.chdir(repo)
    return repo


def run_workflow(repo: Path, workflow: Path, *inputs: str) -> str:
    """`specify workflow run FILE` (stdin not a terminal: it pauses at its first gate)."""
    cmd = [specify_bin(), "workflow", "run", str(workflow)]
    for i in inputs:
        cmd += ["--input", i]
    out = _run(cmd, repo, stdin=-3).stdout  # subprocess.DEVNULL
    line = next(x for x in out.splitlines() if x.strip().startswith("Run ID:"))
    return line.split(":", 1)[1].strip()


def without_verdict_input(tmp: Path) -> Path:
    """The vendored gate example with its `verdict_input` line taken out."""
    text = GATE_WORKFLOW.read_text(encoding="utf-8")
    assert "    verdict_input: verdict\n" in text
    path = tmp / "gate-prompt-only.yml"
    path.write_text(text.replace("    verdict_input: verdict\n", ""), encoding="utf-8")
    return path


def test_a_run_paused_at_its_gate_is_listed_by_runs_json(up, capsys):
    run_id = run_gate_workflow(up)
    code, out, err = run(capsys, "runs", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["run_id"] for r in rows] == [run_id]
    row = rows[0]
    assert row["workflow_id"] == "gate-demo" and row["workflow_name"] == "Gate demo"
    assert row["status"] == "paused" and row["current_step_id"] == "review"
    assert row["gate"]["message"] == "Approve the rollback?"
    assert row["gate"]["options"] == ["approve", "reject"]
    assert row["gate"]["verdict_input"] == "verdict" and row["gate"]["waiting"] is True
    assert row["gate"]["answer"][0] == f"hotfix-tui gate {run_id} approve"
    assert row["folder"] == f".specify/workflows/runs/{run_id}"

    code, out, _ = run(capsys, "runs")
    assert code == 0
    assert f"{run_id}  gate-demo  paused at review: Approve the rollback? [approve/reject]" in out
    assert f"hotfix-tui gate {run_id} approve" in out


def test_gate_approve_resumes_the_run_to_completed(up, capsys):
    run_id = run_gate_workflow(up)
    code, out, err = run(capsys, "gate", run_id, "approve")
    assert code == 0, err
    assert f"gate 'review' of run {run_id}" in err
    assert "the run is completed" in out
    assert workflow_status(up, run_id)["status"] == "completed"
    steps = workflow_status(up, run_id)["steps"]
    assert steps == {"hello": "completed", "review": "completed", "after": "completed"}
    code, out, _ = run(capsys, "runs", "--json")
    assert json.loads(out)[0]["status"] == "completed"


def test_gate_reject_aborts_the_run(up, capsys):
    run_id = run_gate_workflow(up)
    code, out, err = run(capsys, "gate", run_id, "reject", "--json")
    assert code == 1  # spec-kit's exit status for an aborted run
    assert json.loads(out)["status"] == "aborted"
    status = workflow_status(up, run_id)
    assert status["status"] == "aborted"
    assert "after" not in status["steps"]


def test_a_gate_without_verdict_input_shows_the_resume_command(up, capsys, tmp_path):
    run_id = run_workflow(up, without_verdict_input(tmp_path))
    before = (up / ".specify/workflows/runs" / run_id / "state.json").read_bytes()
    code, out, _ = run(capsys, "runs", "--json")
    gate = json.loads(out)[0]["gate"]
    assert gate["verdict_input"] is None and gate["answer"] == []
    assert gate["command"] == f"cd {up} && specify workflow resume {run_id}"

    code, out, err = run(capsys, "gate", run_id, "approve")
    assert code == 1
    assert "declares no verdict_input" in err
    assert f"cd {up} && specify workflow resume {run_id}" in err
    assert (up / ".specify/workflows/runs" / run_id / "state.json").read_bytes() == before
    assert workflow_status(up, run_id)["status"] == "paused"


def test_without_specify_the_gate_says_what_to_install(up, capsys, tmp_path, monkeypatch):
    run_id = run_gate_workflow(up)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python3"))
    code, out, err = run(capsys, "gate", run_id, "approve")
    assert code == 1
    assert "the `specify` command (spec-kit) was not found" in err
    assert "pip install specify-cli" in err and "Traceback" not in err
    monkeypatch.undo()
    assert workflow_status(up, run_id)["status"] == "paused"


def test_a_choice_the_gate_does_not_offer_is_refused(up, capsys):
    run_id = run_gate_workflow(up)
    code, _out, err = run(capsys, "gate", run_id, "maybe")
    assert code == 2
    assert "'maybe' is not an option of gate 'review' (options: approve, reject)" in err
    assert workflow_status(up, run_id)["status"] == "paused"


def test_an_unknown_run_is_a_clear_message(up, capsys):
    code, _out, err = run(capsys, "gate", "nope", "approve")
    assert code == 3
    assert "no workflow run 'nope' in .specify/workflows/runs" in err


def test_a_corrupt_or_half_written_run_is_one_clear_line(up, capsys):
    run_id = run_gate_workflow(up)
    runs = up / ".specify/workflows/runs"
    (runs / "deadbeef").mkdir()
    (runs / "deadbeef" / "state.json").write_text('{"run_id": "deadbeef", "status": ', "utf-8")
    (runs / "cafe0001").mkdir()  # being created: no state.json yet
    code, out, err = run(capsys, "runs")
    assert code == 0, err
    assert "Traceback" not in out + err
    assert out.splitlines()[0].startswith(f"⏸ {run_id}")
    assert (
        "deadbeef  unreadable: .specify/workflows/runs/deadbeef/state.json:1:34: "
        "not valid JSON (Expecting value)" in out
    )
    assert "cafe0001  unreadable: .specify/workflows/runs/cafe0001/state.json: missing" in out
    code, out, _ = run(capsys, "runs", "--json")
    errors = {r["run_id"]: r["error"] for r in json.loads(out)}
    assert errors[run_id] is None and "not valid JSON" in errors["deadbeef"]


def test_the_oldest_waiting_gate_comes_first_then_the_rest_newest_first(up, capsys):
    first, second, done = (run_gate_workflow(up) for _ in range(3))
    assert run(capsys, "gate", done, "approve")[0] == 0
    # when each began waiting, set apart so that the order is not the ids' order
    runs = up / ".specify/workflows/runs"
    a, b = sorted([first, second], reverse=True)  # a sorts after b by id: make it the older
    for rid, when in ((a, "2026-01-01T08:00:00+00:00"), (b, "2026-01-01T09:00:00+00:00")):
        state = json.loads((runs / rid / "state.json").read_text())
        state["updated_at"] = when
        (runs / rid / "state.json").write_text(json.dumps(state))
    code, out, _ = run(capsys, "runs", "--json")
    assert [r["run_id"] for r in json.loads(out)] == [a, b, done]


def test_a_run_is_linked_to_the_incident_folder_its_output_names(up, capsys, tmp_path):
    made = create(up, "hotfix", "Checkout returns 500 for EU cards")
    folder = Path(made["HOTFIX_FILE"]).parent.relative_to(up).as_posix()
    workflow = tmp_path / "announce.yml"
    workflow.write_text(
        GATE_WORKFLOW.read_text(encoding="utf-8")
        .replace('run: "echo hello"', 'run: "echo created {{ inputs.where }}"')
        .replace("inputs:\n", 'inputs:\n  where:\n    type: string\n    default: ""\n', 1),
        encoding="utf-8",
    )
    linked = run_workflow(up, workflow, f"where={made['BRANCH_NAME']}")
    other = run_gate_workflow(up)
    code, out, err = run(capsys, "runs", "--json")
    assert code == 0, err
    rows = {r["run_id"]: r for r in json.loads(out)}
    assert rows[linked]["incidents"] == [folder]
    assert rows[other]["incidents"] == []
    code, out, _ = run(capsys, "runs")
    assert f"-> {folder}" in out
