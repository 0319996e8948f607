"""The family's workflows ship with hotfix-tui: bugfix, modify, refactor and deprecate, imported
byte for byte from spec-kit-extensions' last tasks templates; `new --workflow KIND` in a current
install (no tasks template left) makes the folder as the extension's script does, filled.
Real upstream repositories (`tests/upstream.py`); the CLI runs in-process."""

from __future__ import annotations

import json
import shutil
from fnmatch import fnmatch
from pathlib import Path

import pytest
from gitfix import run
from upstream import TASKS_TEMPLATES, create, git, make_upstream_repo

from hotfix_tui.core.workflow.files import builtin_workflow_dir
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.core.workflow.render import render_tasks_md
from hotfix_tui.core.workflow.template_import import import_template

INSTALLED = Path(".specify/extensions/workflows")
COUNTS = {"bugfix": 21, "modify": 34, "refactor": 36, "deprecate": 58}


@pytest.mark.parametrize("kind", sorted(COUNTS))
def test_a_shipped_workflow_renders_the_last_upstream_tasks_template(kind):
    template = (TASKS_TEMPLATES / f"{kind}-tasks.md").read_bytes().decode()
    wf = resolve_workflow(kind, None)
    assert Path(wf.source).parent == builtin_workflow_dir()
    assert sum(len(p.tasks) for p in wf.phases) == COUNTS[kind]
    # the template's own placeholders give the template back, byte for byte
    values = import_template(template, kind)
    back = render_tasks_md(wf, title=values.title, hotfix_id=values.hotfix_id,
                           severity=values.severity, input_path="", folder=values.folder)
    assert back == template
    assert not wf.severities  # a checklist: no SLA


def test_markers_inside_the_bold_and_a_phase_zero_come_back():
    modify = resolve_workflow("modify", None)
    t20 = next(t for p in modify.phases for t in p.tasks if t.id == "T020")
    assert (t20.markers, t20.title) == (("P",), "Update [file2.tsx] per modification spec")
    assert modify.task_style == "bold-markers"
    assert resolve_workflow("deprecate", None).first_phase == 0


@pytest.fixture
def shop(tmp_path: Path, monkeypatch) -> Path:
    repo = make_upstream_repo(tmp_path / "shop", features=("002-search",))
    monkeypatch.chdir(repo)
    return repo


def test_new_bugfix_in_a_current_install(shop, capsys):
    assert not list((shop / INSTALLED).rglob("tasks-template.md"))  # upstream deleted them
    code, out, err = run(capsys, "new", "Login broken on Safari", "--workflow", "bugfix",
                         "--no-open")
    assert code == 0, err
    folder = shop / "specs/bugfix/003-login-broken-safari"  # numbered after 002-search
    assert Path(out.strip()) == folder
    assert git(shop, "branch", "--show-current").strip() == "bugfix/003-login-broken-safari"
    assert str((folder / "spec.md").readlink()) == "bug-report.md"
    report = (folder / "bug-report.md").read_text()
    installed = (shop / INSTALLED / "templates/bugfix/bug-report-template.md").read_text()
    lines = report.splitlines()
    assert lines[0] == "# Bug Report: Login broken on Safari"
    assert lines[2] == "**Bug ID**: bugfix-003"
    assert lines[3] == "**Branch**: `bugfix/003-login-broken-safari`"
    assert lines[4].startswith("**Created**: 20") and "[DATE]" not in report
    assert lines[5] == "**Severity**: [ ] Critical | [ ] High | [ ] Medium | [ ] Low"
    assert 'User description: "Login broken on Safari"' in report
    assert report.endswith(installed[installed.index("## Current Behavior"):])
    tasks = (folder / "tasks.md").read_text()
    template = (TASKS_TEMPLATES / "bugfix-tasks.md").read_text()
    folder_rel = "specs/bugfix/003-login-broken-safari"
    assert tasks == (template.replace("[BUG TITLE]", "Login broken on Safari")
                     .replace("specs/bugfix-###-description", folder_rel)
                     .replace("bugfix-###", "bugfix-003"))
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["workflow"], data["progress"]["total"], data["sla"]) == ("bugfix", 21, None)
    # the extension's own script, next, takes the next number
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "bugfix-003")
    assert create(shop, "bugfix", "Cart is empty")["BUG_ID"] == "bugfix-004"


@pytest.mark.parametrize("where", ["templates/bugfix", "bugfix", None])
def test_new_bugfix_takes_the_installed_template_then_the_old_place_then_ours(shop, capsys,
                                                                            where):
    today = shop / INSTALLED / "templates/bugfix"
    text = (today / "bug-report-template.md").read_text()
    shutil.rmtree(today)
    if where is not None:
        (shop / INSTALLED / where).mkdir(parents=True, exist_ok=True)
        (shop / INSTALLED / where / "bug-report-template.md").write_text(
            text.replace("## Current Behavior", "## Team\nLabel it in the tracker.\n\n"
                         "## Current Behavior"))
    code, out, err = run(capsys, "new", "Cart empty", "--workflow", "bugfix", "--no-open")
    assert code == 0, err
    report = (Path(out.strip()) / "bug-report.md").read_text()
    assert ("Label it in the tracker." in report) is (where is not None)
    assert report.startswith("# Bug Report: Cart empty\n\n**Bug ID**: bugfix-003\n")


def test_new_refactor_makes_its_spec_and_testing_gaps(shop, capsys):
    code, out, err = run(capsys, "new", "Split the billing module", "--workflow", "refactor",
                         "--no-open")
    assert code == 0, err
    folder = Path(out.strip())
    assert folder == shop / "specs/refactor/003-split-billing-module"
    assert str((folder / "spec.md").readlink()) == "refactor-spec.md"
    spec = (folder / "refactor-spec.md").read_text()
    assert spec.startswith("# Refactor Spec: Split the billing module\n\n"
                           "**Refactor ID**: refactor-003\n"
                           "**Branch**: `refactor/003-split-billing-module`\n")
    assert (folder / "testing-gaps.md").read_text().startswith("# Testing Gaps Assessment\n")
    assert sum(ln.startswith("- [ ] **T") for ln in (folder / "tasks.md").read_text()
               .splitlines()) == 36


def test_new_modify_says_where_a_modification_lives(shop, capsys):
    code, out, err = run(capsys, "new", "Add coupons", "--workflow", "modify", "--no-open")
    assert code == 1 and "create-modification.sh" in err and "modifications/" in err
    assert not (shop / "specs/modify").exists()


def test_the_shipped_workflows_and_templates_are_package_data():
    """Every file of `workflows/` matches a package-data pattern of pyproject (it is in the
    wheel): the family's YAML, the templates and their LICENSE."""
    import tomllib

    source = Path(__file__).resolve().parents[2]  # the checkout: pyproject and workflows/
    root = source / "workflows"
    pyproject = tomllib.loads((source / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["hotfix_tui.workflows"]
    files = [p.relative_to(root).parts for p in root.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    assert {"bugfix.yaml", "modify.yaml", "refactor.yaml", "deprecate.yaml"} <= {
        f[-1] for f in files}
    assert ("templates", "LICENSE") in files and ("templates", "bugfix",
                                                 "bug-report-template.md") in files

    def packaged(parts: tuple[str, ...]) -> bool:
        return any(len(pat.split("/")) == len(parts)
                   and all(fnmatch(p, s) for p, s in zip(parts, pat.split("/"), strict=True))
                   for pat in patterns)

    assert [f for f in files if not packaged(f)] == []
    installed = builtin_workflow_dir()  # the package as installed (a wheel in CI) holds them
    assert [f for f in files if not installed.joinpath(*f).is_file()] == []
