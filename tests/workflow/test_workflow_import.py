"""`workflow import` and `new --workflow NAME`: templates of our own in the
spec-kit-extensions format under `.specify/extensions/workflows/`; the round trip is exact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitfix import git, run

from hotfix_tui.core.workflow.loader import load_workflow
from hotfix_tui.core.workflow.render import render_tasks_md
from hotfix_tui.core.workflow.template_import import TemplateError, import_template

FIXTURES = Path(__file__).parents[1] / "fixtures" / "specify"


def install(repo: Path, *names: str) -> Path:
    """Copy our template sets where spec-kit-extensions installs them."""
    dest = repo / ".specify" / "extensions" / "workflows"
    for name in names:
        shutil.copytree(FIXTURES / name, dest / name)
    return dest


@pytest.mark.parametrize("name", ["bugfix", "refactor", "feature"])
def test_import_round_trip_is_byte_for_byte(repo, capsys, monkeypatch, name):
    install(repo, name)
    monkeypatch.chdir(repo)
    template = repo / f".specify/extensions/workflows/{name}/tasks-template.md"
    code, out, err = run(capsys, "workflow", "import", str(template))
    assert code == 0, err
    path = repo / ".hotfix" / "workflows" / f"{name}.yaml"
    assert out.startswith(f"{path}: workflow '{name}'")
    assert run(capsys, "validate", str(path))[0] == 0
    wf = load_workflow(path)
    r = import_template(template.read_text(), name, str(template))
    back = render_tasks_md(wf, title=r.title, hotfix_id=r.hotfix_id, severity=r.severity,
                           input_path="", folder=r.folder)
    assert back.encode() == template.read_bytes()
    assert wf.id == name and wf.folder_prefix == name and wf.branch_prefix == name
    assert not wf.severities  # the team adds them


def test_import_finds_phases_tasks_steps_preamble_and_epilogue(repo):
    text = (FIXTURES / "refactor/tasks-template.md").read_text()
    r = import_template(text, "refactor")
    wf = r.workflow
    assert [p.name for p in wf.phases] == ["Baseline", "Change in Small Steps", "Prove It"]
    assert wf.phases[0].note == "BEFORE touching code"
    assert [t.id for p in wf.phases for t in p.tasks] == [f"T00{i}" for i in range(1, 8)]
    t2 = wf.phases[0].tasks[1]
    assert t2.title == "Run every test and note the pass rate"
    assert [s.text for s in t2.steps] == ["Fix failures first"]
    assert wf.phases[1].tasks[1].before == "### Step 2: Move\n"  # a sub-heading stays
    assert wf.preamble.startswith("## Format:") and wf.epilogue.startswith("---\n\n## Rollback")
    assert r.title == "[IMPROVEMENT]" and r.hotfix_id == "refactor-###"
    assert r.folder == "specs/refactor-###-description"
    feature = import_template((FIXTURES / "feature/tasks-template.md").read_text(), "feature")
    assert feature.workflow.task_style == "plain"
    assert feature.workflow.phases[1].tasks[0].markers == ("P", "US1")


def test_import_refuses_what_it_cannot_give_back(repo, capsys, monkeypatch, tmp_path):
    bad = tmp_path / "tasks-template.md"
    bad.write_bytes(b"# Tasks: X\r\n\r\n## Phase 1: A\r\n\r\n- [ ] **T001** Do\r\n")
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "workflow", "import", str(bad), "--id", "x")
    assert code == 2 and f"{bad}:1:" in err and "CRLF" in err
    bad.write_text("# Tasks: X\n\nJust text.\n")
    code, out, err = run(capsys, "workflow", "import", str(bad), "--id", "x")
    assert code == 2 and "Phase" in err
    bad.write_text("# Tasks: X\n\n## Phase 1: A\n\n- [ ] **T001** One\n- [ ] **T001** Two\n")
    code, out, err = run(capsys, "workflow", "import", str(bad), "--id", "x")
    assert code == 2 and f"{bad}:6:" in err and "T001" in err
    assert not (repo / ".hotfix").exists()
    with pytest.raises(TemplateError, match="--id"):
        import_template("# T\n", "Bad Name")
    good = FIXTURES / "bugfix/tasks-template.md"
    assert run(capsys, "workflow", "import", str(good), "--id", "bugfix")[0] == 0
    code, out, err = run(capsys, "workflow", "import", str(good), "--id", "bugfix")
    assert code == 1 and "--force" in err
    assert run(capsys, "workflow", "import", str(good), "--id", "bugfix", "--force")[0] == 0
    code, out, err = run(capsys, "workflow", "import", str(good), "-o", "-")
    assert code == 0 and out.startswith("# Imported by") and "id: bugfix\n" in out


def test_new_with_a_workflow_derived_from_the_installed_template(repo, capsys, monkeypatch):
    install(repo, "bugfix")
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Login crash on Safari", "--workflow", "bugfix",
                         "--no-open")
    assert code == 0, err
    folder = repo / "specs/bugfix/001-login-crash-safari"
    assert Path(out.strip()) == folder
    assert git(repo, "branch", "--show-current").strip() == "bugfix/001-login-crash-safari"
    # a checklist keeps the same record as an incident: its event log and merge rules; spec.md
    # links to the bug report as the extension's script links it
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitattributes", "bug-report.md", "events.jsonl", "spec.md", "tasks.md"
    ]
    tasks = (folder / "tasks.md").read_text()
    template = (repo / ".specify/extensions/workflows/bugfix/tasks-template.md").read_text()
    expected = (template.replace("[BUG TITLE]", "Login crash on Safari")
                .replace("specs/bugfix-###-description", "specs/bugfix/001-login-crash-safari")
                .replace("bugfix-###", "bugfix-001"))
    assert tasks == expected
    report = (folder / "bug-report.md").read_text()
    assert report.startswith("# Bug Report: Login crash on Safari\n")
    assert "**Bug ID**: bugfix-001\n" in report
    assert "**Branch**: `bugfix/001-login-crash-safari`" in report
    assert 'User description: "Login crash on Safari"' in report
    assert "[DATE]" not in report and "[What happens]" in report  # unknown values stay
    # no severities: --severity is refused, the folder opens as a checklist
    code, out, err = run(capsys, "new", "Other", "--workflow", "bugfix", "-s", "P1", "--no-open")
    assert code == 2 and "no severities" in err
    code, out, err = run(capsys, "status", "--spec", str(folder), "--json")
    assert code == 0 and '"sla": null' in out and '"total": 7' in out
    # numbers of the workflow are unique across branches too
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "declare bugfix-001")
    git(repo, "switch", "-q", "main")
    code, out, err = run(capsys, "new", "Cart empty", "--workflow", "bugfix", "--no-open")
    assert code == 0 and out.strip().endswith("specs/bugfix/002-cart-empty")
    code, out, err = run(capsys, "new", "Nothing", "--workflow", "nope", "--no-open")
    assert code == 2 and "unknown workflow 'nope'" in err


def test_a_team_extends_an_imported_workflow_with_severities(repo, capsys, monkeypatch):
    install(repo, "bugfix")
    monkeypatch.chdir(repo)
    template = repo / ".specify/extensions/workflows/bugfix/tasks-template.md"
    assert run(capsys, "workflow", "import", str(template))[0] == 0
    path = repo / ".hotfix/workflows/bugfix.yaml"
    path.write_text(path.read_text().replace(
        "phases:\n",
        "severities:\n  S1: {label: Blocker, target: 1d}\n  S2: {label: Normal, target: 5d}\n"
        "statuses: [Open, Fixed]\nphases:\n", 1))
    code, out, err = run(capsys, "new", "Login crash", "--workflow", "bugfix", "--no-open")
    assert code == 2 and "--severity is required" in err and "S1, S2" in err
    code, out, err = run(capsys, "new", "Login crash", "--workflow", "bugfix", "-s", "S1",
                         "--no-open")
    assert code == 0, err
    folder = Path(out.strip())
    assert {p.name for p in folder.iterdir()} >= {"tasks.md", "hotfix.md", "bug-report.md"}
    code, out, err = run(capsys, "status", str(folder), "--json")
    assert code == 0 and '"target_seconds": 86400' in out
