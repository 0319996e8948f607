"""Pilot tests: the picker of a fresh clone offers the incidents open on other branches and
joins one after a confirmation."""

from __future__ import annotations

import subprocess

from gitfix import BRANCH, FOLDER, clone, git, make_repo

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git.repo import current_branch
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.dialogs import PickerScreen
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen

SIZE = (120, 40)


def fresh_clone(tmp_path, clock):
    """A teammate's clone on main; Alice declared hotfix-001 on its branch and pushed it."""
    seed = make_repo(tmp_path / "seed", "Seed Er")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True,
                   capture_output=True, timeout=60)
    alice = clone(bare, tmp_path / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    create_incident(alice, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(alice, "add", FOLDER)
    git(alice, "commit", "-q", "-m", "declare")
    git(alice, "push", "-q", "-u", "origin", BRANCH)
    return clone(bare, tmp_path / "carol", "Carol Ng")


async def settle(app, pilot, rounds: int = 50) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def test_picker_offers_the_incident_of_another_branch_and_joins_it(tmp_path, clock):
    carol = fresh_clone(tmp_path, clock)
    app = HotfixApp(None, root=carol, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        first = app.screen.items[0].label.plain
        assert "hotfix-001" in first and f"origin/{BRANCH}" in first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert BRANCH in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert current_branch(carol) == BRANCH
        assert isinstance(app.screen, MainScreen)
        assert app.main is not None and app.main.incident.id == "hotfix-001"


async def test_declining_the_switch_stays_on_the_picker(tmp_path, clock):
    carol = fresh_clone(tmp_path, clock)
    app = HotfixApp(None, root=carol, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert current_branch(carol) == "main"
