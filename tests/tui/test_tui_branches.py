"""Pilot test: `c` and `S` on another incident's branch refuse with a message naming both
branches; a real repository, the real app."""

from __future__ import annotations

from conftest import make_incident
from gitfix import git

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.tui.app import HotfixApp


async def test_commit_and_sync_keys_refuse_on_another_incidents_branch(repo, clock):
    inc = make_incident(repo, clock)
    own = git(repo, "branch", "--show-current").strip()
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "declare")
    git(repo, "switch", "-q", "-c", "hotfix/002-db-replica-lag")
    head = git(repo, "rev-parse", "HEAD").strip()
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "c")
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.main.git.running is None:
                break
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any(own in m and "hotfix/002-db-replica-lag" in m and "git switch" in m
                   for m in errors), errors
        await pilot.press("S")
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.main.git.running is None:
                break
        sync_errors = [str(n.message) for n in app._notifications
                       if n.severity == "error" and n.title == "Sync failed"]
        assert sync_errors and own in sync_errors[-1] and "sync again" in sync_errors[-1]
    assert git(repo, "rev-parse", "HEAD").strip() == head


async def test_new_incident_from_another_incidents_branch_says_where_it_starts(repo, clock):
    from hotfix_tui.tui.screens.dialogs import NewIncidentScreen, PickerScreen
    from hotfix_tui.tui.screens.main import MainScreen

    make_incident(repo, clock)
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "declare")
    own = git(repo, "branch", "--show-current").strip()
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewIncidentScreen)
        await pilot.press(*"Payments timing out", "enter", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        notes = [str(n.message) for n in app._notifications]
        assert any("branched from main" in m and own in m for m in notes), notes
    assert git(repo, "branch", "--show-current").strip() == "hotfix/002-payments-timing-out"
    assert git(repo, "rev-parse", "HEAD").strip() == git(repo, "rev-parse", "main").strip()
