"""One reading of each field of the incident's files: every reader asks `hotfix_fields`, and
every reader of the status asks the lifecycle.

Real incidents in real git repositories; the source walked with `ast` for the field names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hotfix_tui

PACKAGE = Path(hotfix_tui.__file__).parent
# Every name of a field the record reads or writes (hotfix.md, tasks.md's header, post-mortem.md).
FIELD_NAMES = {
    "Hotfix ID", "Branch", "Severity", "Status", "Workflow", "Incident Start", "Detection",
    "Investigation Start", "Root Cause Identified", "Fix Deployed", "Incident End",
    "Total Duration", "SLA Breach", "Commit SHA", "Incident Date", "Participants",
    "Incident Commander", "Duration of Impact",
}
# Where a field's name may be written out: the one module, the workflow's built-in event labels,
# and two words that only look like a field (an action's title, a commit trailer's name).
ALLOWED = {
    ("core/markdown/hotfix_fields.py", None),
    ("core/workflow/model.py", "Incident Start"),
    ("core/workflow/model.py", "Detection"),
    ("core/workflow/model.py", "Investigation Start"),
    ("core/workflow/model.py", "Root Cause Identified"),
    ("core/workflow/model.py", "Fix Deployed"),
    ("core/workflow/model.py", "Incident End"),
    ("tui/actions.py", "Severity"),
    ("core/git/gitops.py", "Severity"),
}


def field_literals(root: Path) -> list[str]:
    """`file:line: name` of each string constant that is exactly a field's name."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if (rel, None) in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in FIELD_NAMES
                and (rel, node.value) not in ALLOWED
            ):
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    return found


def test_no_module_but_hotfix_fields_names_a_field_of_the_record():
    assert field_literals(PACKAGE) == []


def test_the_field_check_finds_a_field_named_outside_the_one_module(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "reader.py").write_text('def f(t):\n    return get(t, "Commit SHA")\n')
    assert field_literals(tmp_path) == ["core/reader.py:2: 'Commit SHA'"]


def test_the_module_names_every_field_the_check_knows():
    from hotfix_tui.core.markdown import hotfix_fields

    assert hotfix_fields.NAMES == FIELD_NAMES


def test_the_default_severities_are_written_out_once():
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.List, ast.Tuple)):
                values = [getattr(e, "value", None) for e in node.elts]
                if values == ["P0", "P1", "P2"]:
                    hits.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert len(hits) == 1 and hits[0].startswith("core/workflow/model.py:"), hits


# --- the readers agree ------------------------------------------------------------------------


@pytest.fixture
def plain_copy(repo, clock):
    """An incident as the upstream extension leaves it: the three files, no event log."""
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    folder = create_incident(
        repo, "Pool exhausted", "P1", resolve_workflow("hotfix", repo), clock=clock, branch=False
    )
    (folder / "events.jsonl").unlink()
    return folder


def test_a_status_box_with_words_after_it_closes_the_incident_for_every_reader(
    plain_copy, repo, clock
):
    from hotfix_tui.core.discovery import is_closed
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow import lifecycle
    from hotfix_tui.core.workflow.loader import resolve_workflow

    hot = plain_copy / "hotfix.md"
    text = hot.read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("**Status**"))
    row = line.replace("[x]", "[ ]").replace("[ ] Resolved", "[x] Resolved (verified by Ana)")
    hot.write_text(text.replace(line, row))
    inc = Incident(plain_copy, resolve_workflow("hotfix", repo), clock=clock, repo_root=repo)
    assert inc.status == "Resolved"
    assert lifecycle.is_closed(inc.status, inc.workflow, inc.progress())
    assert is_closed(plain_copy, repo)  # the picker and the board ask here


CUSTOM_DETECTION = """\
schema_version: 1
id: ops
name: Ops incident
folder_prefix: hotfix
severities:
  P0: {label: Critical, target: 1h}
  P1: {label: Major, target: 4h}
statuses: [Open, Resolved]
events: {detection: Noticed}
clock: {starts_at: incident_start, stops_at: incident_end}
phases:
  - id: first
    name: First
    tasks:
      - id: T001
        title: Restore
        on_done: {events: [incident_end], status: Resolved}
"""


def test_a_workflow_that_renames_the_detection_field_is_asked_and_filled_there(repo, clock):
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.fill import detection_answer, needs_detection
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    (repo / ".hotfix" / "workflows" / "ops.yaml").write_text(CUSTOM_DETECTION)
    wf = resolve_workflow("ops", repo)
    folder = create_incident(repo, "Queue stuck", "P1", wf, clock=clock, branch=False)
    hot = folder / "hotfix.md"
    hot.write_text(hot.read_text().replace("**Detection**:", "**Noticed**:"))
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    assert needs_detection(inc)
    inc.set_detection(clock.now(), "pager")
    text = hot.read_text()
    assert "**Noticed**: 2026-11-25 14:00:00 UTC - pager" in text
    assert detection_answer(text, wf) == ("2026-11-25 14:00:00", "pager")
    assert inc.event_times()["detection"] == clock.now()


CHECKLIST = """# Tasks: Bugfix - Login crash

## Phase 1: Reproduce

- [x] **T001** Write a failing test
- [{mark}] **T002** Fix it
"""


def test_a_plain_checklist_is_closed_once_every_task_is_settled_for_every_reader(repo, clock):
    from hotfix_tui.core.discovery import is_closed
    from hotfix_tui.core.opening import load_incident
    from hotfix_tui.core.reports.summaries import summarize
    from hotfix_tui.core.workflow import lifecycle

    folder = repo / "specs" / "cleanup-001-login-crash"
    folder.mkdir(parents=True)
    for mark, want in ((" ", False), ("x", True)):
        (folder / "tasks.md").write_text(CHECKLIST.format(mark=mark))
        inc = load_incident(folder, repo, clock=clock)
        assert inc.workflow is None  # a prefix that names no workflow: a plain checklist
        summary = summarize(inc)
        assert summary is not None
        # the TUI's main screen, `watch`, the overview, the board and `join` ask the lifecycle
        assert lifecycle.closed(inc) is want
        assert lifecycle.closed(summary) is want
        assert is_closed(folder, repo) is want  # the picker and the board's work tree
