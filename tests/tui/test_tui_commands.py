"""Copy-ready commands (`y`) and the fix-commit picker without the incident's record commits."""

from __future__ import annotations

from conftest import drawn
from gitfix import git

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.git.fix_commits import fix_candidates, parent
from hotfix_tui.core.reports import commands
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.screens.record_dialogs import CommandsScreen, CommitPickerScreen

SIZE = (120, 40)


def app_for(inc, clock) -> HotfixApp:
    return HotfixApp(inc, root=inc.repo_root, clock=clock, settings=Settings(), watch=False)


async def settle(app: HotfixApp, pilot) -> None:
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            return
    raise AssertionError("workers still running")


def commit_fix(root, name: str = "pool.py", subject: str = "Raise the pool size") -> str:
    (root / name).write_text("x = 1\n")
    git(root, "add", name)
    git(root, "commit", "-q", "-m", subject)
    return git(root, "rev-parse", "HEAD").strip()


def commit_record_by_hand(inc) -> str:
    """A commit of the incident folder only, without the tool's trailer (e.g. `git commit -a`)."""
    root = inc.repo_root
    inc.set_done("T001")
    git(root, "add", inc.folder.relative_to(root).as_posix())
    git(root, "commit", "-q", "-m", "update incident notes")
    return git(root, "rev-parse", "HEAD").strip()


def test_fill_and_record_commands():
    values = commands.record_values("**Commit SHA**: abc1234def\n", "hotfix/001-x", "0011223")
    assert values == {"fix": "abc1234def", "previous": "0011223", "branch": "hotfix/001-x"}
    cmds = commands.record_commands(values)
    assert [c.command for c in cmds] == [
        "git revert abc1234def",
        "git reset --hard 0011223",
        "git switch hotfix/001-x",
        "git push -u origin hotfix/001-x",
    ]
    assert "force-push" in cmds[1].warning and not cmds[0].warning
    assert commands.record_values("**Commit SHA**: [git commit hash]\n") == {}
    steps = ["Undo with `git revert <hotfix-commit-sha>` then deploy", "Check `the dashboards`"]
    (c,) = commands.step_commands(steps, values)
    assert c.command == "git revert abc1234def"


def test_fix_candidates_leave_out_the_incidents_own_commits(incident):
    root = incident.repo_root
    fix = commit_fix(root)
    mine = commit_record_by_hand(incident)
    shas = [c.sha for c in fix_candidates(root, incident.folder)]
    assert fix in shas and mine not in shas
    assert parent(root, fix) == git(root, "rev-parse", f"{fix}^").strip()
    assert parent(root, "0" * 40) is None


async def test_f_never_offers_record_commits(incident, clock):
    fix = commit_fix(incident.repo_root)
    mine = commit_record_by_hand(incident)
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitPickerScreen)
        shas = [c.sha for c in app.screen.commits]
        assert fix in shas and mine not in shas


async def test_y_copies_the_rollback_commands_filled_in(incident, clock):
    root = incident.repo_root
    before = git(root, "rev-parse", "HEAD").strip()
    fix = commit_fix(root)
    incident.set_fix_commit(fix, "Raise the pool size")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandsScreen)
        cmds = [c.command for c in app.screen.commands]
        assert cmds[:2] == [f"git revert {fix}", f"git reset --hard {before}"]
        reset = app.screen.commands[1]
        assert "drops every commit after it" in reset.warning and "force-push" in reset.warning
        shown = str(app.screen.query_one("#commands-list").get_option_at_index(1).prompt)
        assert f"git reset --hard {before}" in shown and "force-push" in shown
        await pilot.press("enter")  # the first: git revert
        await pilot.pause()
        assert app.clipboard == f"git revert {fix}"
        assert isinstance(app.screen, MainScreen)
        await pilot.press("y")
        await settle(app, pilot)
        await pilot.press("down", "y")
        await pilot.pause()
        assert app.clipboard == f"git reset --hard {before}"


async def test_y_before_a_fix_offers_the_branch(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandsScreen)
        assert [c.command for c in app.screen.commands] == [
            "git switch hotfix/001-checkout-returns-500-errors",
            "git push -u origin hotfix/001-checkout-returns-500-errors",
        ]


async def test_commands_in_steps_are_shown_filled_in(incident, clock):
    path = incident.folder / "tasks.md"
    path.write_text(
        path.read_text().replace(
            "  - Have rollback commands ready\n",
            "  - Have rollback commands ready\n  - Publish with `git push origin <branch>`\n",
        )
    )
    incident.view.refresh()
    branch = "hotfix/001-checkout-returns-500-errors"
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = app.main
        m.reveal("T010")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        row = m.current_task()
        assert row is not None and row.view.id == "T010"
        assert f"Publish with `git push origin {branch}`" in drawn(app, "t:" + row.key)
        assert "`git push origin <branch>`" in path.read_text()  # the file keeps the template
        await pilot.press("y")
        await settle(app, pilot)
        first = app.screen.commands[0]
        assert first.command == f"git push origin {branch}"
        assert first.label.startswith("Publish with")
