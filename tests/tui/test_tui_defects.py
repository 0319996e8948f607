"""The small defects seen in use, each reproduced by a test first."""

from __future__ import annotations

from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.widgets.checklist import TaskTree
from hotfix_tui.tui.widgets.footer import KeyFooter
from hotfix_tui.tui.widgets.header import HeaderLine
from hotfix_tui.tui.widgets.sla_panel import SlaPanel

SIZE = (100, 40)


def cursors(app: HotfixApp) -> list[str]:
    """The listed lines the checklist draws as the cursor."""
    m = app.main
    assert m is not None
    return [r for r in m.checklist.refs() if r == m.checklist.cursor]


async def test_esc_after_a_filter_with_no_match_leaves_one_row_selected(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "slash", *"zzzz")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(cursors(app)) == 1
        assert app.main.cursor == "t:T002"  # where it was before the filter


async def test_a_filter_with_no_match_says_so(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"zzzz")
        await pilot.pause()
        tree = app.main.query_one(TaskTree)
        assert tree.refs() == [] and "no task matches 'zzzz'" in str(tree.empty)
        assert "no task matches 'zzzz'" in tree.render_line(0).text
        await pilot.press("escape")
        await pilot.pause()
        assert tree.empty is None and tree.refs()


async def test_activity_summary_lines_and_long_notes_are_whole(incident, make_app):
    long_note = "the pool limit was 10; " * 20
    incident.note("T001", long_note.strip())
    app = make_app(incident)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.git.last_sync = type("R", (), {"message": "nothing to push"})()
        app.main.git.arrivals = [type("A", (), {"who": "Bob", "time": "", "event": ""})()]
        await pilot.press("a")
        await pilot.pause()
        summary = str(app.screen.query_one("#activity-summary").render())
        assert "\ufffd" not in summary and "\n" in summary
        await pilot.pause()
        detail = str(app.screen.query_one("#activity-detail").render())
        assert long_note.strip().replace(" ", "") in detail.replace(" ", "").replace("\n", "")


async def test_declare_enter_then_down_picks_the_second_severity(repo, clock):
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"search is slow", "enter", "down", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.main.incident.severity == "P1"


async def test_the_editor_note_file_says_which_task(incident, make_app, tmp_path, monkeypatch):
    seen = tmp_path / "seen.md"
    script = tmp_path / "editor.sh"
    script.write_text(f'#!/bin/sh\ncp "$1" {seen}\nprintf "found it\\n" >> "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        await pilot.pause()
    head = seen.read_text()
    assert "T001" in head and "Assess severity and impact" in head
    tasks = (incident.folder / "tasks.md").read_text()
    assert "found it" in tasks and "Assess severity and impact (lines" not in tasks


async def _palette(app, pilot, query: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    for _ in range(40):
        await pilot.pause(0.02)
        found = app.screen.query(CommandList)
        if found and found.first().option_count:
            break
    ol = app.screen.query_one(CommandList)
    return [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]


async def test_palette_finds_help_and_sets_the_status(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        found = await _palette(app, pilot, "help")
        assert any("Help" in f for f in found), found
        await pilot.press("escape")
        await pilot.pause()
        found = await _palette(app, pilot, "set status")
        assert any("Set status" in f for f in found), found
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        ol = app.screen.query_one(OptionList)
        assert [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)][1] == (
            "Fix Deployed"
        )
        await pilot.press("down", "enter")
        await pilot.pause()
        # a status a task reaches is set by checking that task: the app asks to check T012
        assert "T012" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert app.main.incident.status == "Fix Deployed"
        assert app.main.incident.view.find("T012").done
        assert "[x] Fix Deployed" in (incident.folder / "hotfix.md").read_text()


async def test_quit_remapped_to_ctrl_q_is_in_the_footer(incident, make_app):
    app = make_app(incident, Settings(keymap={"hotfix.quit": "ctrl+q"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = {k.action: k.key for k in app.main.query_one(KeyFooter).shown}
        assert keys.get("app.quit") == "ctrl+q", keys


async def test_80x24_title_shares_the_line_with_the_branch(repo, clock, make_app):
    from hotfix_tui.core.record.incident import Incident

    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(
        repo, "Payments API returns 502 for card payments in EU", "P0", wf, clock=clock
    )
    inc = Incident(folder, wf, clock=clock, who="Ana", repo_root=repo)
    app = make_app(inc)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.main.query_one(HeaderLine).render())
        assert "Payments API returns" in header, header


async def test_80x24_windows_line_is_not_cut(incident, make_app, clock):
    for tid in ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012"):
        incident.set_done(tid)
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        w = app.main.query_one(SlaPanel).query_one("#sla-windows")
        text = str(w.render())
        assert "…" not in text and len(text) <= w.size.width, text
        assert "+" in text and "more" in text  # what did not fit is counted


async def test_a_huge_task_title_does_not_fill_the_screen(incident, make_app):
    path = incident.folder / "tasks.md"
    path.write_text(path.read_text().replace("Reproduce the issue", "x" * 1_000_000))
    incident.view.refresh()
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.main.checklist
        row = next(r for b in tree.boxes for r in b.rows.values() if r.view.id == "T003")
        span = tree.span("t:" + row.key)
        assert span is not None and span[1] <= 3
        assert row.view.title == "x" * 1_000_000  # only the display is cut


async def test_declare_down_in_the_description_moves_the_severity(repo, clock):
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"search is slow", "down")  # down at once, before any enter
        assert app.screen.query_one(OptionList).has_focus
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.main.incident.severity == "P1"


def test_quit_with_changes_not_committed_says_so_in_one_line(incident, monkeypatch, capsys):
    from hotfix_tui.tui import launch

    def fake_run(self, **kw):  # the session: one task checked, then quit
        self.incident.set_done("T001")
        return 0

    monkeypatch.setattr(HotfixApp, "run", fake_run)
    monkeypatch.setattr(launch, "has_terminal", lambda: True)  # as in a terminal
    monkeypatch.chdir(incident.repo_root)
    rel = incident.folder.relative_to(incident.repo_root).as_posix()
    from gitfix import git

    git(incident.repo_root, "add", rel)
    git(incident.repo_root, "commit", "-q", "-m", "declare")
    assert launch.run_app(str(incident.folder)) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"hotfix-tui: hotfix-001: 4 files in {rel} not committed; commit them with: "
        f"hotfix-tui commit --spec {rel}"
    ]
    git(incident.repo_root, "add", rel)
    git(incident.repo_root, "commit", "-q", "-m", "work")
    monkeypatch.setattr(HotfixApp, "run", lambda self, **kw: 0)
    assert launch.run_app(str(incident.folder)) == 0
    assert capsys.readouterr().err == ""  # all committed: nothing said


async def test_toasts_do_not_cover_the_filter_input(incident, make_app):
    from textual.widgets._toast import Toast

    app = make_app(incident)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"root")
        app.notify("a toast\nof three\nlines", timeout=30)
        for _ in range(20):
            await pilot.pause(0.02)
            if app.main.query(Toast):
                break
        await pilot.pause()
        inp = app.main.query_one("#filter")
        toasts = list(app.main.query(Toast))
        assert toasts
        for t in toasts:
            assert not t.region.overlaps(inp.region), (t.region, inp.region)


async def test_a_wide_terminal_shows_the_task_and_recent_activity_beside_the_list(
    incident, make_app
):
    from hotfix_tui.tui.widgets.side_panel import SidePanel

    app = make_app(incident)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        side = app.main.query_one(SidePanel)
        assert side.display and side.region.width >= 80
        text = str(side.render())
        assert "T001 Assess severity and impact" in text and "How many users affected?" in text
        assert "Recent activity" in text and "Incident began" in text
        await pilot.press("j")
        await pilot.pause()
        assert "Alert on-call engineer" in str(side.render())  # T002's steps
        await pilot.press("k", "space")
        await pilot.pause()
        assert "(done)" in str(side.render())
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        assert not side.display
    app = make_app(incident)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert not app.main.query(SidePanel)  # not made on a normal terminal


async def test_toasts_do_not_cover_dialogs(incident, make_app):
    """Dialogs sit right under the clock dock with a strip below them where toasts go (room for
    one toast of three lines under the tallest dialogs, more under the small ones). Under 30 rows
    the dialogs take that strip for their content (tests/tui/test_tui_dialog_layout.py)."""
    from textual.widgets._toast import Toast

    app = make_app(incident)
    for keys, size, count in (
        (["s"], SIZE, 2),
        (["e"], (100, 30), 1),
        (["question_mark"], SIZE, 1),
        (["a"], (100, 30), 1),
        (["r"], SIZE, 1),
    ):
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            app.notify("a toast\nof three\nlines", timeout=30)
            if count == 2:
                app.notify("and another one", timeout=30)
            for _ in range(20):
                await pilot.pause(0.02)
                if len(app.screen.query(Toast)) == count:
                    break
            dialog = app.screen.query_one(".dialog, .record-dialog")
            toasts = list(app.screen.query(Toast))
            assert len(toasts) == count
            for t in toasts:
                assert not t.region.overlaps(dialog.region), (keys, t.region, dialog.region)
        app = make_app(incident)


async def test_keys_typed_right_after_slash_or_n_land_in_the_input_in_order(incident, make_app):
    # keys typed faster than the screen handles them (one burst, as over a slow SSH link):
    # those after / or n belong in the input they open, never act as keys (o is the overview)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = app.main

        async def burst(keys: str) -> None:
            names = {"/": "slash"}
            for ch in keys:
                app.post_message(events.Key(names.get(ch, ch), ch))
            for _ in range(5):
                await pilot.pause()

        await burst("/notify")
        assert app.screen is m  # the overview did not open
        assert m.query_one("#filter", Input).value == "notify"
        assert [r for r in m.rows() if r.startswith("t:")] == ["t:T002"]
        await pilot.press("escape")
        assert m.cursor == "p:0"  # (the filter hid T001: the cursor went to its phase)
        await burst("jnabc")  # j moves onto T001 first, then n opens the note on it
        assert m.query_one("#note-input", Input).value == "abc"
        assert m._note_key == "T001" and m.cursor == "t:T001"


async def test_a_clock_tick_after_the_screens_are_gone_does_nothing(incident, make_app):
    """The 1 s timer can fire while the app exits, after its last screen was popped."""
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    app.tick()  # no ScreenStackError
