"""Pilot test: the activity dialog shows the incident folder's git history (who committed what,
when) under the timeline; a real repository, the real app."""

from __future__ import annotations

import os

from conftest import make_incident
from gitfix import git
from textual.widgets import DataTable, Static

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.git.history import folder_log
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.history import ActivityWithHistory, history_table


def commit_as(repo, who: str, when: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": "x@example.invalid",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    import subprocess

    subprocess.run(["git", "commit", "-q", "-am" if "declare" not in message else "-m", message],
                   cwd=repo, env=env, check=True, capture_output=True)


async def test_activity_shows_the_folders_git_history(repo, clock):
    inc = make_incident(repo, clock)
    (repo / "service.py").write_text("x = 1\n")
    git(repo, "add", "specs", "service.py")
    commit_as(repo, "Alice Doe", "2026-11-25T14:01:00Z", "hotfix-001: declare")
    inc.set_done("T001")
    commit_as(repo, "Bob Roe", "2026-11-25T14:20:00Z", "hotfix-001: T001 done")
    (repo / "service.py").write_text("x = 2\n")
    commit_as(repo, "Carol Poe", "2026-11-25T14:30:00Z", "the fix (not the folder)")
    log = folder_log(repo, inc.folder)
    assert [(c.author, c.subject) for c in log] == [
        ("Bob Roe", "hotfix-001: T001 done"), ("Alice Doe", "hotfix-001: declare")]
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, ActivityWithHistory)
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if screen.commits is not None:
                break
        assert screen.commits == log
        table = history_table(screen.commits)
        cells = [[str(c) for c in col.cells] for col in table.columns]
        assert list(zip(*cells, strict=True)) == [
            ("2026-11-25 14:20", "Bob Roe", log[0].short, "hotfix-001: T001 done"),
            ("2026-11-25 14:01", "Alice Doe", log[1].short, "hotfix-001: declare"),
        ]
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Git history of the folder" in shown
        assert "Bob Roe" in shown and "hotfix-001: T001 done" in shown and log[1].short in shown
        # the timeline is still there, above it
        assert screen.query_one("#activity-table", DataTable).row_count >= 1
        await pilot.press("escape")


async def test_an_uncommitted_folder_says_so(repo, clock):
    inc = make_incident(repo, clock)
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        screen = app.screen
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if screen.commits is not None:
                break
        assert "not committed yet" in str(screen.query_one("#history", Static).render())
