"""Pilot tests of runbook steps (`!`) and follow-ups (`A`) on the incident screen."""

from __future__ import annotations

from conftest import settle_until as settle
from conftest import static_texts as texts
from gitfix import FOLDER
from runbook_fix import open_inc, runbook_repo

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.markdown import action_items
from hotfix_tui.core.record import events
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.record_dialogs import CommandsScreen
from hotfix_tui.tui.screens.runbook import (
    FollowupScreen,
    RunConfirmScreen,
    RunResultScreen,
    TrustScreen,
)

MARK = "step-ran"
SIZE = (120, 40)


def app_for(root, clock, **settings) -> HotfixApp:
    inc = open_inc(root, clock)
    return HotfixApp(inc, root=root, clock=clock, watch=False,
                     settings=Settings(advance_after_check=False, fetch_interval=0, **settings))




def runs(root):
    return [e for e in events.read_log(root / FOLDER) if e.kind == "run"]


async def test_bang_asks_trust_then_confirmation_and_runs_only_after_both(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {"T001": f"touch {MARK}-{{incident}}"})
    app = app_for(root, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.set_cursor("t:T001")
        await pilot.press("exclamation_mark")
        await settle(pilot, app, lambda: isinstance(app.screen, TrustScreen))
        assert f"T001: touch {MARK}-{{incident}}" in texts(app.screen)
        await pilot.press("n")  # not trusted: nothing runs
        await pilot.press("exclamation_mark")
        await settle(pilot, app, lambda: isinstance(app.screen, TrustScreen))
        await pilot.press("t")
        await settle(pilot, app, lambda: isinstance(app.screen, RunConfirmScreen))
        assert f"touch {MARK}-hotfix-001" in texts(app.screen)  # the exact command, filled
        await pilot.press("n")  # not confirmed: nothing runs
        await pilot.pause()
        assert not (root / f"{MARK}-hotfix-001").exists() and not runs(root)
        await pilot.press("exclamation_mark")
        await settle(pilot, app, lambda: isinstance(app.screen, RunConfirmScreen))
        await pilot.press("y")
        await settle(pilot, app, lambda: isinstance(app.screen, RunResultScreen))
        assert "T001: exit 0" in texts(app.screen)
        assert (root / f"{MARK}-hotfix-001").exists()
        assert [e.get("exit") for e in runs(root)] == [0]
        assert "- [ ] **T001**" in (root / FOLDER / "tasks.md").read_text()  # a run never checks
        await pilot.press("x")  # offered after a success
        await settle(pilot, app, lambda: "- [x] **T001**" in
                     (root / FOLDER / "tasks.md").read_text())


async def test_a_changed_workflow_shows_its_diff_and_runs_nothing_until_trusted(tmp_path, clock):
    from hotfix_tui.core.runbook import trust

    root, wf_file = runbook_repo(tmp_path, clock, {"T001": "echo first"})
    trust.trust(trust.read(wf_file))
    wf_file.write_text(wf_file.read_text().replace("echo first", f"touch {MARK}"))
    app = app_for(root, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.set_cursor("t:T001")
        await pilot.press("exclamation_mark")
        await settle(pilot, app, lambda: isinstance(app.screen, TrustScreen))
        shown = texts(app.screen)
        assert "changed since you trusted it" in shown
        assert "-        run: echo first" in shown and f"+        run: touch {MARK}" in shown
        await pilot.press("escape")
        await pilot.pause()
    assert not (root / MARK).exists() and not runs(root)


async def test_a_step_over_its_time_limit_is_killed_and_its_output_attached(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {"T001": "echo started; sleep 30"})
    from hotfix_tui.core.runbook import trust

    trust.trust(trust.read(root / ".hotfix" / "workflows" / "hotfix.yaml"))
    app = app_for(root, clock, run_timeout=0.5)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.set_cursor("t:T001")
        await pilot.press("exclamation_mark")
        await settle(pilot, app, lambda: isinstance(app.screen, RunConfirmScreen))
        await pilot.press("y")
        await settle(pilot, app, lambda: isinstance(app.screen, RunResultScreen))
        assert "timed out" in texts(app.screen) and "started" in texts(app.screen)
        await pilot.press("a")
        await settle(pilot, app, lambda: (root / FOLDER / "runs").is_dir())
    assert runs(root)[-1].get("timed_out") is True
    attached = list((root / FOLDER / "runs").iterdir())
    assert [p.read_text() for p in attached] == ["started\n"]
    assert f"Run output: runs/{attached[0].name}" in (root / FOLDER / "tasks.md").read_text()


async def test_a_task_without_a_command_says_so(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {"T002": "echo other"})
    app = app_for(root, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.set_cursor("t:T001")
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert not isinstance(app.screen, (TrustScreen, RunConfirmScreen))
        assert any("T001 has no command" in str(n.message) for n in app._notifications)


async def test_capital_f_adds_a_followup_to_the_post_mortem(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {})
    app = app_for(root, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await settle(pilot, app, lambda: isinstance(app.screen, FollowupScreen))
        await pilot.press(*"Alert on pool", "enter", "enter")
        await pilot.press("ctrl+a", "ctrl+k", *"2026-12-14", "enter")
        await settle(pilot, app, lambda: not isinstance(app.screen, FollowupScreen))
        await pilot.press("y")  # the copy-ready gh command of each open follow-up
        await settle(pilot, app, lambda: isinstance(app.screen, CommandsScreen))
        filed = [c for c in app.screen.commands if c.label.startswith("File AI-001")]
        assert [c.command.split(" --body ")[0] for c in filed] == [
            "gh issue create --title 'AI-001: Alert on pool'"]
    items = action_items.parse((root / FOLDER / "post-mortem.md").read_text())
    assert [(i.ref, i.title, i.due) for i in items] == [("AI-001", "Alert on pool", "2026-12-14")]
    assert items[0].owner  # the git user, prefilled
