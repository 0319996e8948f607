"""Pilot tests: the TUI says what really happened (an unskip that failed, changes that waited
for a sync and could not be saved)."""

from __future__ import annotations

import threading

import gitfix

from hotfix_tui.core import sync as core_sync
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.tui.app import HotfixApp

SIZE = (120, 40)


def notes(app: HotfixApp) -> list[tuple[str, str, str]]:
    return [(n.title or "", str(n.message), n.severity) for n in app._notifications]


def said(app: HotfixApp, text: str, severity: str | None = None) -> bool:
    return any(text in f"{t} {m}" and (severity is None or s == severity)
               for t, m, s in notes(app))


def drop_task_line(inc: Incident, tid: str) -> None:
    """A teammate's editor removes a task's line from tasks.md."""
    path = inc.view.path("tasks.md")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if f"**{tid}**" not in ln), encoding="utf-8")


async def test_unskip_says_no_longer_skipped_and_undo_skips_again(incident, make_app):
    incident.skip("T004", "nobody awake")
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.main.reveal("T004")
        await pilot.press("s")
        await pilot.pause()
        assert said(app, "T004 is no longer skipped")
        assert incident.view.find("T004").skip is None
        await pilot.press("u")
        await pilot.pause()
        skip = incident.view.find("T004").skip
        assert skip is not None and skip.text == "nobody awake"


async def test_an_unskip_that_failed_is_not_reported_as_done(incident, make_app):
    incident.skip("T004", "nobody awake")
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.main.reveal("T004")
        drop_task_line(incident, "T004")  # the screen has not re-read the file yet
        await pilot.press("s")
        await pilot.pause()
        assert said(app, "Not done", "error")
        assert not said(app, "no longer skipped")


async def test_changes_that_waited_for_a_sync_and_failed_are_counted_apart(tmp_path, clock,
                                                                          monkeypatch):
    _remote, alice, _bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    release = threading.Event()
    real = core_sync.sync

    def slow_sync(root, folder, incident=None, **kw):
        assert release.wait(30), "the test never released the sync"
        return real(root, folder, incident, **kw)

    monkeypatch.setattr("hotfix_tui.core.sync.sync", slow_sync)
    app = HotfixApp(inc, root=alice, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert app.main.git.running == "sync"
        app.main.reveal("T001")
        await pilot.press("space")
        app.main.reveal("T004")
        await pilot.press("space")
        await pilot.pause()
        assert said(app, "your change waits", "warning")
        drop_task_line(inc, "T004")  # T004 goes away while the changes wait
        release.set()
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.main.git.running is None:
                break
        await pilot.pause()
        assert "- [x] **T001**" in inc.view.path("tasks.md").read_text(encoding="utf-8")
        assert said(app, "T004", "error")
        assert said(app, "1 change(s) made during the sync saved")
        assert said(app, "1 not saved")
        assert not said(app, "2 change(s) made during the sync saved")
