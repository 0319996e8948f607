"""The app left open all day: after reloads from outside changes it gives freed memory
back to the system, at most once every two minutes of its clock."""

from __future__ import annotations

from datetime import timedelta

from conftest import WHO

from hotfix_tui.core.record.incident import Incident
from hotfix_tui.tui.screens.main import MainScreen


async def test_reloads_trim_the_heap_at_most_every_two_minutes(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=(100, 40)) as pilot:
        m = app.screen
        assert isinstance(m, MainScreen) and m._trimmer.last is None

        def outside(done: bool) -> None:  # another process checks a task
            other = Incident(incident.folder, incident.workflow, clock=clock, who=WHO,
                             repo_root=incident.repo_root)
            other.set_done("T005", done)
            m.check_files()

        outside(True)
        await pilot.pause()
        task = incident.view.doc.task("T005")
        assert task is not None and task.done  # the reload happened
        first = m._trimmer.last
        assert first == clock()
        clock.advance(minutes=1)
        outside(False)
        assert m._trimmer.last == first  # not again within two minutes
        clock.advance(minutes=2)
        outside(True)
        assert m._trimmer.last == first + timedelta(minutes=3)
        clock.advance(minutes=5)
        m.check_files()  # nothing changed: no reload, no trim
        assert m._trimmer.last == first + timedelta(minutes=3)
