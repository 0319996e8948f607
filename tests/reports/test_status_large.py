"""`status` of a large checklist reads its tasks from the kept parse's columns: the same answer,
without making an object per task (the 100 000-task `status` stays within its memory target)."""

from __future__ import annotations

from gitfix import incident

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import parse_cache, tasks_md
from hotfix_tui.core.reports.status_data import status_data
from hotfix_tui.core.workflow.loader import resolve_workflow


def test_status_of_a_kept_parse_makes_no_task_objects_and_says_the_same(repo, clock, monkeypatch):
    monkeypatch.setattr(parse_cache, "MIN_CHARS", 1)  # every tasks.md counts as large here
    folder = create_incident(repo, "Checkout returns 500 errors", "P2",
                             resolve_workflow("hotfix", repo), clock=clock)
    rel = str(folder.relative_to(repo))
    inc = incident(repo, clock, rel)
    inc.set_done("T001")
    inc.note("T002", "paged the database on-call")
    inc.skip("T004", "no feature flag here")
    clock.advance(minutes=5)
    for _ in range(2):  # a new process (the first parses the last text written and keeps it)
        tasks_md._PARSED.clear()
        incident(repo, clock, rel)
    tasks_md._PARSED.clear()  # and the next one reads it back as columns

    again = incident(repo, clock, rel)
    assert not again.view.doc.tasks_made  # opening it made none
    from_columns = status_data(again)
    assert not again.view.doc.tasks_made
    assert again.view.doc.tasks  # now made: the answer from the task objects
    assert status_data(again) == from_columns
    rows = {t["id"]: t for t in from_columns["tasks"]}
    assert rows["T001"]["done"] is True and rows["T002"]["done"] is False
    assert rows["T004"]["skipped"] and rows["T004"]["skip_reason"] == "no feature flag here"
    assert from_columns["next"] == {"id": "T002", "title": rows["T002"]["title"]}
    assert from_columns["progress"]["done"] == 2
    views = again.view.tasks()
    assert [t["applicable"] for t in from_columns["tasks"]] == [v.applicable for v in views]
