"""What an open incident holds per event and per reload: a day of outside changes read by a
running app grows its memory by the events, not by copies of what it read before."""

from __future__ import annotations

import gc
from pathlib import Path

from gitfix import FakeClock, make_repo

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import events as ev
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow


def _copies(text: str) -> int:
    """Distinct string objects equal to `text` that some live object holds."""
    gc.collect()
    found = {
        id(r)
        for o in gc.get_objects()
        for r in gc.get_referents(o)
        if type(r) is str and len(r) == len(text) and r == text
    }
    return len(found)


def test_events_read_from_a_log_share_the_texts_every_line_repeats() -> None:
    rec = ev.Recorder("c1", "Ann Lyst")
    first = rec.make("done", FakeClock()(), task="T005")
    second = rec.make("done", FakeClock()(), task="T005", saw=[first.id])
    got, problems = ev.parse_log(first.line() + second.line(), "shared.log")
    assert problems == [] and got == [first, second]
    a, b = got
    assert a.who is b.who and a.kind is b.kind and a.clone is b.clone
    assert a.task is b.task
    assert next(k for k in a.data if k == "task") is next(k for k in b.data if k == "task")
    assert b.data["saw"][0] is a.id  # the id the next event names is not held twice
    assert a.happened is a.recorded  # equal times are one text
    assert not hasattr(a, "__dict__")  # no dictionary per event


def test_a_log_read_again_by_another_incident_is_held_once(tmp_path: Path) -> None:
    clock = FakeClock()
    root = make_repo(tmp_path / "repo")
    wf = resolve_workflow("hotfix", root)
    folder = create_incident(root, "checkout API returns 500 errors", "P1", wf, branch=False)
    app = Incident(folder, wf, clock=clock, repo_root=root)  # the running app's incident
    for i in range(6):  # another process changes the incident; the app reads the change
        clock.advance(minutes=2)
        other = Incident(app.folder, app.workflow, clock=clock, repo_root=root)
        other.set_done("T005", i % 2 == 0)
        del other
        app.view.reread()
        ev.read_log(app.folder)  # what the alerts read every second
    log = (app.folder / ev.LOG).read_text(encoding="utf-8")
    held = _copies(log) - 1  # `log` itself is one
    assert held == 1
