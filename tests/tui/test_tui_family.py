"""Pilot test: the picker lists every folder of the spec-kit-extensions family with its kind,
and a bugfix folder opens as a checklist."""

from __future__ import annotations

from family import lay_out

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.dialogs import PickerScreen
from hotfix_tui.tui.screens.main import MainScreen


async def test_picker_shows_each_kind_and_opens_a_checklist(repo, clock):
    lay_out(repo)
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        lines = [it.label.plain for it in app.screen.items]
        assert len(lines) == 6, lines
        assert "bugfix: Bugfix - Login crash" in lines[0]
        assert "refactor:" in lines[1] and "deprecate:" in lines[2]
        assert "modification:" in lines[3]
        assert "feature: Checkout" in lines[4] and "feature: Search" in lines[5]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        inc = app.main.incident
        # its workflow is the shipped bugfix checklist: no severities, no SLA
        assert inc.workflow is not None and inc.workflow.id == "bugfix" and inc.sla() is None
        assert inc.folder == repo / "specs/bugfix-001-login-crash"
