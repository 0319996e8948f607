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


def _bugfix(tmp_path):
    """A bug fix as spec-kit-extensions' real `create-bugfix.sh` declares it, its severity box
    ticked, its branch checked out, with the family's bugfix checklist as tasks.md."""
    import shutil
    from pathlib import Path

    from upstream import TASKS_TEMPLATES, create, git, make_upstream_repo

    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "bugfix", "Login broke after password reset")
    report = Path(out["BUG_REPORT_FILE"])
    report.write_text(report.read_text().replace("[ ] High", "[x] High", 1))
    shutil.copy(TASKS_TEMPLATES / "bugfix-tasks.md", report.parent / "tasks.md")
    git(repo, "switch", "-q", "-c", out["BRANCH_NAME"])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bug declared")
    return repo, report.parent, out["BRANCH_NAME"]


async def test_a_bugfix_header_shows_its_kind_status_and_branch_and_e_says_why(tmp_path, clock):
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.tui.widgets.footer import KeyFooter
    from hotfix_tui.tui.widgets.header import HeaderLine

    repo, folder, branch = _bugfix(tmp_path)
    inc = Incident(folder, None, clock=clock, who="Ana", repo_root=repo)
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        head = str(app.screen.query_one(HeaderLine).render())
        assert "?" not in head, head
        assert "bugfix-001" in head and "bugfix · High" in head and f"⎇ {branch}" in head
        assert " open" in head
        shown = {k.action for k in app.screen.query_one(KeyFooter).shown}
        assert "severity" not in shown and "toggle_done" in shown
        await pilot.press("e")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any("a bugfix has no severities to choose" in m and "High" in m for m in said), said
        assert app.screen is app.main  # no severity dialog was opened
        # the palette runs actions through the screen too: one that cannot act says why
        await app.main.run_action("fill_postmortem")
        await app.main.run_action("set_status")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any("a bugfix has no post-mortem.md to fill" in m for m in said), said
        assert any("a bugfix has no statuses to set" in m and "open" in m for m in said), said
