"""Phase progress and the next open task without a view per task, checked against the views."""

from __future__ import annotations

import pytest

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "checkout returns 500", "P1", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def heads_from_views(inc: Incident) -> list[tuple]:
    return [(p.index, p.name, p.note, p.done, p.total, p.finished) for p in inc.view.phases()]


def heads(inc: Incident) -> list[tuple]:
    return [(h.index, h.name, h.note, h.done, h.total, h.finished) for h in inc.view.phase_heads()]


def first_open_from_views(inc: Incident, after: int | None = None) -> str | None:
    open_ = [v for v in inc.view.tasks() if v.state == "open"]
    if not open_:
        return None
    return next((v for v in open_ if after is None or v.line > after), open_[0]).key


def test_phase_heads_count_as_the_views_do_through_done_skips_and_severity(inc):
    assert heads(inc) == heads_from_views(inc)
    inc.set_done("T001")
    inc.skip("T002", "IC already paged")
    for tid in ("T003", "T004", "T005"):
        inc.set_done(tid)
    assert heads(inc) == heads_from_views(inc)
    assert inc.view.phase_heads()[0].finished and inc.view.phase_heads()[0].done == 5
    # tasks that do not apply to P0 are neither counted nor open
    inc.set_severity("P0")
    assert heads(inc) == heads_from_views(inc)
    inc.set_severity("P2")
    assert heads(inc) == heads_from_views(inc)


def test_next_open_is_the_first_open_task_after_a_line_wrapping_to_the_top(inc):
    assert inc.view.next_open().key == first_open_from_views(inc) == "T001"
    inc.set_done("T001")
    inc.skip("T002", "paged")
    assert inc.view.next_open().key == first_open_from_views(inc) == "T003"
    last = max(t.line for t in inc.view.doc.tasks)
    assert inc.view.next_open(last).key == first_open_from_views(inc, last) == "T003"  # wraps
    t5 = inc.view.doc.task("T005").line
    assert inc.view.next_open(t5).key == first_open_from_views(inc, t5)
    inc.set_severity("P0")
    for v in inc.view.tasks():
        nxt = inc.view.next_open(v.line)
        assert (nxt or v).key == (first_open_from_views(inc, v.line) or v.key)


def test_nothing_open_gives_none(inc):
    for v in inc.view.tasks():
        if v.state == "open":
            inc.set_done(v.key)
    assert inc.view.next_open() is None and first_open_from_views(inc) is None
    assert all(h.finished for h in inc.view.phase_heads())
