"""A task's `run:` in the workflow: read into the model, its placeholders checked by validate."""

from __future__ import annotations

from runbook_fix import workflow_with

from hotfix_tui.core.workflow.loader import load_workflow, validate_file


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_task_carries_its_run_command(tmp_path):
    path = tmp_path / "hotfix.yaml"
    path.write_text(workflow_with({"T010": "git revert --no-edit {fix_sha}"}))
    wf = load_workflow(path)
    assert wf.task("T010").run == "git revert --no-edit {fix_sha}"
    assert wf.task("T011").run == ""


def test_validate_rejects_a_placeholder_inside_quotes_naming_file_and_line(tmp_path, capsys):
    from hotfix_tui.cli import main

    path = tmp_path / "hotfix.yaml"
    text = workflow_with({"T010": """'echo "{branch}" ok'""", "T012": "echo '{fix_sha}'"})
    path.write_text(text)
    problems = [str(p) for p in validate_file(path)]
    assert len(problems) == 2
    line = _line_of(text, """run: 'echo "{branch}""")
    assert problems[0].startswith(f"{path}:{line}:")
    assert "{branch} is inside \"quotes\"" in problems[0]
    assert problems[1].startswith(f"{path}:{_line_of(text, 'run: echo')}:")
    assert main(["validate", str(path)]) == 2
    assert f"{path}:{line}:" in capsys.readouterr().err


def test_validate_rejects_an_unknown_placeholder_and_keeps_the_shells_own(tmp_path):
    path = tmp_path / "hotfix.yaml"
    path.write_text(workflow_with({"T010": "echo {fixsha} ${HOME} {a,b}"}))
    problems = [str(p) for p in validate_file(path)]
    assert len(problems) == 1
    assert "unknown placeholder {fixsha}; known: {fix_sha}, {branch}" in problems[0]


def test_validate_accepts_placeholders_outside_quotes(tmp_path):
    path = tmp_path / "hotfix.yaml"
    path.write_text(workflow_with({"T010": "./deploy.sh --ref {fix_sha} 'it''s' \"${x}\" {a,b}"}))
    assert validate_file(path) == []
