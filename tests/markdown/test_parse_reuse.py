"""A projection that only changes checkboxes hands on its doc (`TasksDoc.with_checks`), so the
new text is not parsed again; what it hands on equals a fresh parse of that text."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.markdown.tasks_md import _parse as full_parse  # (not the tests' spy)
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow

TEXT = (
    "\ufeff- [ ] **T001** first, on line 0 after a BOM\n"
    "# Tasks: Hotfix - reuse\n\n"
    "## Phase 1: One\n\n"
    "- [ ] **T002** two\n"
    "  - a step\n"
    "- [x] **T003** three\n"
    "- [X] **T004** four\n"
    "- [ ] no id\n"
)


def same(a: tasks_md.TasksDoc, b: tasks_md.TasksDoc) -> None:
    assert a.text == b.text and a.lines == b.lines and a.line_starts == b.line_starts
    assert [asdict(t) for t in a.tasks] == [asdict(t) for t in b.tasks]
    assert [asdict(p) for p in a.phases] == [asdict(p) for p in b.phases]
    assert (a.fields, a.title, a.newline, a.bom) == (b.fields, b.title, b.newline, b.bom)
    assert (a.task("T003"), a.task("L10")) == (b.task("T003"), b.task("L10"))


def test_with_checks_equals_a_parse_of_its_text():
    doc = tasks_md.parse_tasks(TEXT)
    changed = doc.with_checks({"T001": True, "T003": False, "T004": True, "L10": True})
    assert changed.text.count("[x]") == 2 and "[X]" in changed.text  # T004 was done already
    same(changed, tasks_md._parse(changed.text, "auto"))
    assert doc.with_checks({"T002": False}) is doc
    assert tasks_md.parse_tasks(TEXT).task("T001").done is False  # the original is untouched


def test_a_remembered_doc_serves_only_its_own_text():
    doc = tasks_md.parse_tasks(TEXT).with_checks({"T002": True})
    tasks_md.remember(doc)
    assert tasks_md.parse_tasks(doc.text) is doc
    other = doc.text.replace("two", "deux")
    assert tasks_md.parse_tasks(other) is not doc
    assert tasks_md.parse_tasks(other).task("T002").title == "deux"


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors", "P1", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def test_a_toggle_does_not_parse_the_file_it_writes(inc, parsed_texts):
    inc.set_done("T003")
    written = inc.view.path("tasks.md").read_text()
    assert "- [x] **T003**" in written
    assert written not in parsed_texts
    same(inc.view.doc, full_parse(written, "auto"))
    inc.note("T003", "a note is new lines spliced in: that text is not parsed either")
    noted = inc.view.path("tasks.md").read_text()
    assert "a note is new lines spliced in" in noted
    assert noted not in parsed_texts
    same(inc.view.doc, full_parse(noted, "auto"))
