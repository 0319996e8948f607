"""Pilot tests of the main screen: every binding, asserting on the files on disk and app state."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest
from conftest import click_line, drawn
from textual.command import CommandList, CommandPalette
from textual.widgets import Digits, Input

from hotfix_tui.core.config.settings import load_settings
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.tui.actions import MAIN_BINDINGS
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.dialogs import HelpScreen, SeverityScreen, SkipScreen
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.services import file_watch
from hotfix_tui.tui.widgets.checklist import TaskRow, TaskTree
from hotfix_tui.tui.widgets.footer import FooterKey, KeyFooter
from hotfix_tui.tui.widgets.header import HeaderLine
from hotfix_tui.tui.widgets.sla_panel import SlaPanel

SIZE = (100, 40)


def tasks_md(inc: Incident) -> str:
    return (inc.folder / "tasks.md").read_text(encoding="utf-8")


def hotfix_md(inc: Incident) -> str:
    return (inc.folder / "hotfix.md").read_text(encoding="utf-8")


def is_checked(inc: Incident, tid: str) -> bool:
    m = re.search(rf"^- \[([ xX])\] \*\*{tid}\*\*", tasks_md(inc), re.M)
    assert m, f"{tid} not in tasks.md"
    return m.group(1) != " "


def subitems(inc: Incident, tid: str) -> list[str]:
    """The `**Note**`/`**Skipped**` sub-items written under a task in tasks.md."""
    lines = tasks_md(inc).splitlines()
    start = next(i for i, line in enumerate(lines) if f"**{tid}**" in line)
    out = []
    for line in lines[start + 1:]:
        if line.startswith("- [") or line.startswith("#"):
            break
        if "**Note**" in line or "**Skipped**" in line:
            out.append(line.strip())
    return out


def main(app: HotfixApp) -> MainScreen:
    assert app.main is not None
    return app.main


def messages(app: HotfixApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def row(app: HotfixApp, key: str) -> TaskRow:
    for box in main(app).boxes:
        if key in box.rows:
            return box.rows[key]
    raise AssertionError(f"no row built for {key}")


# --- start and layout ---------------------------------------------------------------------


async def test_start_shows_header_sla_and_current_phase(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = main(app)
        header = str(m.query_one(HeaderLine).render())
        assert "hotfix-001" in header and "P0" in header and "Investigating" in header
        assert "hotfix/001-checkout-returns-500" in header
        assert m.cursor == "t:T001"
        assert not m.boxes[0].collapsed and m.boxes[0].built
        assert all(b.collapsed and not b.built for b in m.boxes[1:])
        assert "0/5" in str(m.boxes[0].content())
        assert m.query_one("#sla-digits", Digits).value == "1:00:00"


async def test_finished_phase_collapsed_and_next_phase_open(incident, make_app):
    for tid in ("T001", "T002", "T003", "T004", "T005"):
        incident.set_done(tid)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = main(app)
        assert m.boxes[0].collapsed and m.boxes[0].finished
        assert not m.boxes[1].collapsed
        assert m.cursor == "t:T006"


# --- movement -------------------------------------------------------------------------------


async def test_move_with_arrows_and_jk(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("j")
        assert m.cursor == "t:T002"
        await pilot.press("down")
        assert m.cursor == "t:T003"
        await pilot.press("k")
        assert m.cursor == "t:T002"
        await pilot.press("up", "up")
        assert m.cursor == "p:0"
        await pilot.press("up")
        assert m.cursor == "p:0"
        assert m.cursor == "p:0" and m.checklist.cursor == "p:0"
        await pilot.press("end")
        assert m.cursor == f"p:{len(m.boxes) - 1}"
        await pilot.press("home")
        assert m.cursor == "p:0"


async def test_phase_jumps_tab_and_brackets(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("tab")
        assert m.cursor == "p:1"
        await pilot.press("right_square_bracket")
        assert m.cursor == "p:2"
        await pilot.press("shift+tab")
        assert m.cursor == "p:1"
        await pilot.press("left_square_bracket")
        assert m.cursor == "p:0"
        # from inside a phase, [ goes to its own title first
        await pilot.press("j", "j")
        assert m.cursor == "t:T002"
        await pilot.press("left_square_bracket")
        assert m.cursor == "p:0"


async def test_enter_expands_task_and_phase(incident, make_app):
    incident.note("T001", "first <b>note</b>")
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        r = row(app, "T001")
        assert "How many users affected?" not in drawn(app, "t:T001")
        await pilot.press("enter")
        text = drawn(app, "t:T001")
        assert r.expanded and "How many users affected?" in text and "first <b>note</b>" in text
        await pilot.press("enter")
        assert not r.expanded
        # enter on a collapsed phase builds and opens it (lazy body)
        await pilot.press("tab")
        box = m.boxes[1]
        assert box.collapsed and not box.built
        await pilot.press("enter")
        await pilot.pause()
        assert not box.collapsed and box.built and "T006" in box.rows
        await pilot.press("j")
        assert m.cursor == "t:T006"
        await pilot.press("left_square_bracket", "enter")
        await pilot.pause()
        assert box.collapsed


async def test_g_jumps_to_next_open_task_opening_its_phase(incident, make_app):
    for tid in ("T002", "T003", "T004", "T005"):
        incident.set_done(tid)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        assert m.cursor == "t:T001"
        await pilot.press("g")  # T001 is open: g stays on it
        await pilot.pause()
        assert m.cursor == "t:T001"
        await pilot.press("j", "g")  # from the done T002 on
        await pilot.pause()
        assert m.cursor == "t:T006"
        assert not m.boxes[1].collapsed
        await pilot.press("j", "g")
        await pilot.pause()
        assert m.cursor == "t:T007"


# --- changes written to disk ----------------------------------------------------------------


async def test_space_and_x_toggle_done_on_disk(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("space")
        assert is_checked(incident, "T001")
        # T001 records the investigation start in hotfix.md, stamped with the clock
        assert "**Investigation Start**: 2026-11-25 14:00:00 UTC" in hotfix_md(incident)
        assert "1/5" in str(m.boxes[0].content())
        assert row(app, "T001").state == "done"
        await pilot.press("x")
        assert not is_checked(incident, "T001")
        await pilot.press("j", "x")
        assert is_checked(incident, "T002")


async def test_toggle_updates_only_the_row(incident, make_app, monkeypatch):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        calls: list[str] = []
        orig = TaskRow.set_view

        def spy(self, view):
            calls.append(self.key)
            return orig(self, view)

        monkeypatch.setattr(TaskRow, "set_view", spy)
        await pilot.press("space")
        assert calls == ["T001"]


async def test_status_and_timeline_written_by_rules(incident, make_app, clock):
    for tid in ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010"):
        incident.set_done(tid)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        clock.advance(minutes=30)
        m.reveal("T012")
        await pilot.pause()
        await pilot.press("space")  # deploy to production: Fix Deployed + status
        text = hotfix_md(incident)
        assert "**Fix Deployed**: 2026-11-25 14:30:00 UTC" in text
        assert "[x] Fix Deployed" in text
        assert "Fix Deployed" in str(m.query_one(HeaderLine).render())
        assert "Rollback checkpoint" in str(m.query_one("#sla-windows").render())


async def test_skip_with_reason_modal(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s")
        await pilot.pause()
        assert isinstance(app.screen, SkipScreen)
        await pilot.press(*"IC already paged")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        items = subitems(incident, "T002")
        assert items == ["- **Skipped** (2026-11-25 14:00:00 UTC, Ana Lyst): IC already paged"]
        assert row(app, "T002").view.state == "skipped"
        assert "IC already paged" in drawn(app, "t:T002")
        # escape cancels without writing
        await pilot.press("j", "s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert subitems(incident, "T003") == []
        # s on a skipped task removes the skip
        await pilot.press("k", "s")
        await pilot.pause()
        assert subitems(incident, "T002") == []


async def test_note_inline_input(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("n")
        inp = m.query_one("#note-input", Input)
        assert inp.display and inp.has_focus
        await pilot.press(*"rollback ready [v2]")
        await pilot.press("enter")
        await pilot.pause()
        assert not inp.display
        assert subitems(incident, "T001") == [
            "- **Note** (2026-11-25 14:00:00 UTC, Ana Lyst): rollback ready [v2]"
        ]
        assert "✎1" in drawn(app, "t:T001")
        # escape cancels
        await pilot.press("n", "a", "b", "escape")
        await pilot.pause()
        assert not inp.display
        assert len(subitems(incident, "T001")) == 1
        await pilot.press("j")  # the tree has the keys again
        assert m.cursor == "t:T002"


async def test_a_note_typed_in_the_input_keeps_its_runs_of_spaces(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"pool  at   20 ", "enter")
        await pilot.pause()
        again = Incident(incident.folder, incident.workflow, clock=incident.clock,
                         repo_root=incident.repo_root)
        assert [n.text for n in again.view.find("T001").notes] == ["pool  at   20 "]


async def test_note_input_sits_above_the_footer_which_shows_its_keys(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        m = main(app)
        await pilot.press("n")
        await settle_footer(pilot)
        inp = m.query_one("#note-input", Input)
        footer = m.query_one(KeyFooter)
        tree = m.query_one(TaskTree)
        # in the layout between the tasks and the footer: it covers neither
        assert inp.region.height == 3 and inp.region.bottom == footer.region.y
        assert tree.region.bottom <= inp.region.y
        assert footer.region.bottom == 24
        # while typing only the input's keys are offered (space, s, q... would type)
        keys = footer_keys(app)
        assert set(keys) == {"submit", "screen.clear_filter"}
        assert "⏎ Save note" in footer_line(app) or "enter Save note" in footer_line(app)
        assert "Cancel" in footer_line(app)
        await pilot.press("escape")
        await settle_footer(pilot)
        assert not inp.display and {"toggle_done", "help", "app.quit"} <= set(footer_keys(app))


@pytest.mark.parametrize("key", ["N", "ctrl+e"])
async def test_note_via_editor(incident, make_app, tmp_path, monkeypatch, key):
    script = tmp_path / "fake-editor.sh"
    script.write_text('#!/bin/sh\nprintf "written in the editor\\nsecond line\\n" >> "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert subitems(incident, "T001") == [
            "- **Note** (2026-11-25 14:00:00 UTC, Ana Lyst): written in the editor"
        ]
        assert "Lyst): written in the editor\n    second line\n" in tasks_md(incident)
        again = Incident(incident.folder, incident.workflow, clock=incident.clock,
                         repo_root=incident.repo_root)
        notes = again.view.find("T001").notes
        assert [n.text for n in notes] == ["written in the editor\nsecond line"]


async def test_editor_failure_is_a_notification(incident, make_app, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        await pilot.pause()
        assert subitems(incident, "T001") == []
        assert any("exited with status" in t for t in messages(app))


async def test_change_severity_with_confirmation(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        m.reveal("T009")
        await pilot.pause()
        assert row(app, "T009").view.state == "n/a"  # code review is not for P0
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SeverityScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.has_class("-confirming")
        assert "**Severity**: P0" in tasks_md(incident)  # nothing written before yes
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "**Severity**: P1" in tasks_md(incident)
        assert "[x] P1" in hotfix_md(incident) and "[ ] P0" in hotfix_md(incident)
        assert incident.severity == "P1"
        assert m.query_one("#sla-digits", Digits).value == "4:00:00"
        assert row(app, "T009").view.state == "open"
        assert "P1" in str(m.query_one(HeaderLine).render())
        post = (incident.folder / "post-mortem.md").read_text()
        assert "Severity changed P0 -> P1" in post


async def test_severity_cancel_writes_nothing(incident, make_app):
    app = make_app(incident)
    before = hotfix_md(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "down", "enter")
        await pilot.pause()
        await pilot.press("n")  # no: back to the list
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert hotfix_md(incident) == before


async def test_severity_confirm_with_enter_and_cancel_with_escape(incident, make_app):
    app = make_app(incident)
    before = hotfix_md(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SeverityScreen) and screen.has_class("-confirming")
        await pilot.press("escape")  # like n: back to the list, nothing written
        await pilot.pause()
        assert app.screen is screen and not screen.has_class("-confirming")
        assert hotfix_md(incident) == before
        await pilot.press("enter")  # P1 asked again
        await pilot.pause()
        assert screen.has_class("-confirming")
        await pilot.press("enter")  # like y
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "**Severity**: P1" in tasks_md(incident) and incident.severity == "P1"


async def test_undo_last_change(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert is_checked(incident, "T001")
        await pilot.press("u")
        await pilot.pause()
        assert not is_checked(incident, "T001")
        after = hotfix_md(incident).split("**Investigation Start**")[1]
        assert after.startswith(": [YYYY-MM-DD HH:MM:SS UTC]")
        assert row(app, "T001").view.state == "open"
        await pilot.press("u")
        await pilot.pause()
        assert any("nothing to undo" in t for t in messages(app))


async def test_filter_and_escape_clears(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("slash")
        inp = m.query_one("#filter", Input)
        assert inp.display and inp.has_focus
        await pilot.press(*"deploy")
        await pilot.pause()
        visible = [r for r in m.rows() if r.startswith("t:")]
        assert visible == ["t:T011", "t:T012", "t:T017"]  # staging, production, checkpoint
        assert not m.boxes[0].display
        await pilot.press("enter")
        assert m.cursor == "t:T011"
        await pilot.press("escape")
        await pilot.pause()
        assert not inp.display and m.filter_text == ""
        assert all(b.display for b in m.boxes)
        # the phases are as before the filter, but the one holding the cursor stays open
        assert m.cursor == "t:T011"
        box = m._box_of("T011")
        assert box is not None and not box.collapsed
        assert [b.collapsed for b in m.boxes if b is not box] == [
            i != 0 for i, b in enumerate(m.boxes) if b is not box]


async def test_clearing_the_filter_restores_open_and_closed_phases(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("tab", "tab", "enter")  # open Deployment too; others as at start
        await pilot.pause()
        before = [b.collapsed for b in m.boxes]
        assert before[:3] == [False, True, False]
        await pilot.press("slash", *"monitor")
        await pilot.pause()
        assert any(not b.collapsed for b, was in zip(m.boxes, before, strict=True) if was)
        await pilot.press("escape")
        await pilot.pause()
        assert [b.collapsed for b in m.boxes] == before
        assert all(b.display for b in m.boxes)
        # a filter typed away to nothing restores them too; the next filter saves afresh
        await pilot.press("slash", *"rollback")
        await pilot.pause()
        await pilot.press(*["backspace"] * len("rollback"))
        await pilot.pause()
        assert [b.collapsed for b in m.boxes] == before
        await pilot.press("escape")
        await pilot.pause()
        assert [b.collapsed for b in m.boxes] == before


async def test_help_screen_lists_every_binding(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for bid, _keys, _a, desc, _s in MAIN_BINDINGS:
            assert bid in text and desc in text
        assert "ctrl+p" in text and "space / x" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


# Bindings that need no palette entry: moving the cursor (the palette itself moves a cursor).
NOT_IN_PALETTE = {"cursor_down", "cursor_up", "cursor_top", "cursor_bottom", "page_down",
                  "page_up"}


async def test_command_palette_lists_and_runs_actions(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        from hotfix_tui.tui.commands import HotfixCommands

        provider = HotfixCommands(app.screen)
        commands = provider._commands()
        in_palette = {cb.args[0] for _label, _h, cb in commands}
        # every action bound on the main screen is in the palette (not compared with PALETTE,
        # the list the palette is built from, but with the key bindings)
        bound = {action for _bid, _keys, action, _desc, _show in MAIN_BINDINGS}
        assert bound - NOT_IN_PALETTE - in_palette == set()
        assert bound >= NOT_IN_PALETTE  # the exemptions are real bindings
        # each entry names its keys as remapped, e.g. "Toggle done  (space / x)"
        labels = [label for label, _h, _cb in commands]
        assert "Toggle done  (space / x)" in labels and "Record detection…  (d)" in labels
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Toggle done")
        options = app.screen.query_one(CommandList)
        for _ in range(50):  # the search runs in a worker: bounded short waits, no sleep
            await pilot.pause()
            if options.option_count and "Toggle done" in str(options.get_option_at_index(0).prompt):
                break
        assert "Toggle done" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert is_checked(incident, "T001")


async def test_q_quits(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


async def test_footer_shows_main_bindings(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"hotfix.toggle", "hotfix.skip", "hotfix.note", "hotfix.severity", "hotfix.undo",
                "hotfix.filter", "hotfix.help", "hotfix.quit"} <= shown


# --- SLA clock on an injected clock -------------------------------------------------------


async def test_sla_clock_states_follow_the_injected_clock(incident, make_app, clock):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        panel = m.query_one(SlaPanel)
        digits = m.query_one("#sla-digits", Digits)
        assert digits.value == "1:00:00" and panel.has_class("-ok")
        for minutes, state, shown in [(31, "warning", "0:29:00"), (24, "critical", "0:05:00"),
                                      (5, "ok", "0:00:00"), (5, "breached", "-0:05:00")]:
            clock.advance(minutes=minutes)
            app.tick()
            await pilot.pause()
            if state != "ok":
                assert panel.has_class(f"-{state}"), state
            assert digits.value == shown
        assert "BREACHED" in str(m.query_one("#sla-stats").render())


async def test_sla_met_shows_final_duration(incident, make_app, clock):
    for tid in ("T001", "T002", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012"):
        incident.set_done(tid)
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        clock.advance(minutes=42)
        m.reveal("T013")
        await pilot.pause()
        await pilot.press("space")  # verified in production: stops the clock
        assert "**Incident End**: 2026-11-25 14:42:00 UTC" in hotfix_md(incident)
        clock.advance(hours=3)
        app.tick()
        await pilot.pause()
        assert m.query_one(SlaPanel).has_class("-met")
        assert m.query_one("#sla-digits", Digits).value == "0:42:00"
        assert "SLA met" in str(m.query_one("#sla-stats").render())
        # five windows and the detection note: the windows past four lines are counted
        assert "Post-mortem due" in {w.label for w in incident.windows(clock.now())}
        assert str(m.query_one("#sla-windows").render()).endswith("left  +2 more")


# --- external edits -------------------------------------------------------------------------


async def test_external_edit_reloads_and_keeps_cursor(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("j", "j")
        assert m.cursor == "t:T003"
        path = incident.folder / "tasks.md"
        text = path.read_text().replace("- [ ] **T002**", "- [x] **T002**")
        text = text.replace("## Phase 1:", "Intro added by a teammate.\n\n## Phase 1:")
        path.write_text(text)
        os.utime(path, ns=(1, 1))
        m.check_files()
        await pilot.pause()
        assert row(app, "T002").view.done
        assert m.cursor == "t:T003" and m.checklist.cursor == "t:T003"
        assert any("tasks.md edited outside hotfix-tui" in t for t in messages(app))
        # our own next write keeps the teammate's change
        await pilot.press("space")
        assert is_checked(incident, "T003") and is_checked(incident, "T002")
        assert "Intro added by a teammate." in tasks_md(incident)


def file_watchers(app) -> list:
    return [w for w in app.workers if w.group == "file-watch" and w.is_running]


async def wait_until(pilot, cond, what: str, timeout: float = 15.0) -> None:
    """Wait for `cond()` (events from the OS take a moment), failing after a generous timeout."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        assert loop.time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
        await pilot.pause()


async def test_the_folder_is_watched_only_when_asked(incident, make_app):
    app = make_app(incident, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: file_watchers(app), "the file watcher to start")
        assert all(w.node is main(app) for w in file_watchers(app))  # the screen's worker
    assert not file_watchers(app)  # it ends with the app
    quiet = make_app(incident, watch=False)
    async with quiet.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not file_watchers(quiet) and not main(quiet).watcher.polling


async def test_watcher_picks_up_changes(incident, make_app):
    app = make_app(incident, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: file_watchers(app), "the file watcher to start")
        path = incident.folder / "tasks.md"
        path.write_text(path.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
        # no call to check the files: the OS tells the watcher
        await wait_until(pilot, lambda: row(app, "T004").view.done, "the edit to show")
        assert any("tasks.md edited outside hotfix-tui" in t for t in messages(app))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
async def test_the_idle_watch_sleeps_until_a_change_or_its_stop(incident, make_app, monkeypatch):
    from types import SimpleNamespace

    waits: list[float | None] = []
    real = file_watch.select.select

    def spy(r, w, x, timeout=None):
        waits.append(timeout)
        return real(r, w, x, timeout)

    monkeypatch.setattr(file_watch, "select", SimpleNamespace(select=spy))
    app = make_app(incident, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: file_watchers(app) and waits, "the watch to wait")
        path = incident.folder / "tasks.md"
        path.write_text(path.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
        await wait_until(pilot, lambda: row(app, "T004").view.done, "the edit to show")
    assert not file_watchers(app)  # its stop woke it at once
    # no timer: asleep until the OS tells of a change (then a short wait for the burst to end)
    assert None in waits and set(waits) <= {None, file_watch.DEBOUNCE_MS / 1000}


async def test_a_folder_the_os_will_not_watch_is_polled(incident, make_app, monkeypatch):
    import watchfiles

    def refuse(*_a, **_kw):
        raise OSError("OS file watch limit reached")

    monkeypatch.setattr(watchfiles, "watch", refuse)
    monkeypatch.setattr(file_watch.FolderWatcher, "_inotify", lambda _self: refuse())
    app = make_app(incident, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).watcher.polling, "the poll to take over")
        assert any("OS file watch limit reached" in t for t in messages(app))
        path = incident.folder / "tasks.md"
        path.write_text(path.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
        os.utime(path, ns=(1, 1))
        await wait_until(pilot, lambda: row(app, "T004").view.done, "the poll to see the edit")


async def test_removed_task_becomes_an_error_notification(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        path = incident.folder / "tasks.md"
        path.write_text(re.sub(r"- \[ \] \*\*T001\*\*.*\n", "", path.read_text()))
        await pilot.press("space")  # the app has not reloaded yet: the store refuses
        await pilot.pause()
        assert any("T001" in t for t in messages(app))
        assert app.is_running


# --- settings -------------------------------------------------------------------------------


async def test_keymap_remap_from_config(incident, make_app, tmp_path, monkeypatch):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "config.yaml").write_text('keymap:\n  hotfix.toggle: "t"\n  hotfix.help: "f1"\n')
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(cfg))
    settings = load_settings()
    assert settings.keymap == {"hotfix.toggle": "t", "hotfix.help": "f1"}
    app = make_app(incident, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert not is_checked(incident, "T001")
        await pilot.press("t")
        assert is_checked(incident, "T001")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        line = next(ln for ln in text.splitlines() if "hotfix.toggle" in ln)
        assert line.split()[0] == "t"


async def test_theme_from_config(incident, make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.yaml").write_text("theme: nord\n")
    app = make_app(incident, settings=load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"


async def test_bad_config_is_reported_with_line_and_ignored(incident, make_app, tmp_path,
                                                            monkeypatch):
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.yaml"
    path.write_text("theme: nord\nkeymap:\n  hotfix.toggle: [t\n")
    settings = load_settings()
    assert settings.theme is None and settings.keymap == {}
    assert settings.problems and re.match(rf"{re.escape(str(path))}:\d+: invalid YAML",
                                          settings.problems[0])
    path.write_text("theme: no-such-theme\nauto_commit: maybe\nkeymap:\n  hotfix.nope: z\n")
    settings = load_settings()
    assert any(f"{path}:2: auto_commit" in p for p in settings.problems)
    app = make_app(incident, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = " ".join(messages(app))
        assert "auto_commit" in text and "no-such-theme" in text and "hotfix.nope" in text
        # unknown theme and binding ids name FILE:LINE like the other problems
        assert f"{path}:1: theme: unknown theme 'no-such-theme'" in text
        assert f"{path}:4: keymap: unknown binding id 'hotfix.nope'" in text
        assert all(n.timeout <= 6 for n in app._notifications if n.severity == "error")
        await pilot.press("space")
        assert is_checked(incident, "T001")


async def test_unknown_keymap_ids_are_a_short_notification(incident, make_app, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.yaml"
    bad = [f"hotfix.nope{i}" for i in range(5)]
    path.write_text("keymap:\n  hotfix.toggle: t\n" + "".join(f"  {b}: z\n" for b in bad))
    app = make_app(incident, settings=load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keymap = [m for m in messages(app) if "keymap" in m]
        assert len(keymap) == 1
        lines = keymap[0].splitlines()
        assert lines[:3] == [f"{path}:{3 + i}: keymap: unknown binding id 'hotfix.nope{i}'"
                             for i in range(3)]
        assert lines[3] == "and 2 more"
        assert len(lines) <= 5 and all(len(line) <= len(str(path)) + 60 for line in lines)
        assert "hotfix.toggle" not in keymap[0]  # known ids are not listed
        await pilot.press("t")
        assert is_checked(incident, "T001")


# --- robustness -----------------------------------------------------------------------------


async def test_markup_and_escape_sequences_render_literally(incident, make_app):
    path = incident.folder / "tasks.md"
    evil = "[bold red]boom[/] \x1b[2J\x1b]0;pwned\x07 $(rm) [link=x]y[/link]"
    text = path.read_text().replace("Assess severity and impact", evil, 1)
    path.write_text(text)
    incident.view.refresh()
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = drawn(app, "t:T001")
        assert "[bold red]boom[/]" in shown and "[link=x]y[/link]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "␛[2J" in shown
        await pilot.press("space")
        assert is_checked(incident, "T001")


async def test_mouse_click_selects_and_checkbox_click_toggles(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.pause()
        await click_line(pilot, "t:T003", x=22)
        await pilot.pause()
        assert m.cursor == "t:T003" and not is_checked(incident, "T003")
        await click_line(pilot, "t:T004", x=5)
        await pilot.pause()
        assert m.cursor == "t:T004" and is_checked(incident, "T004")
        await click_line(pilot, "p:1", x=4)
        await pilot.pause()
        assert not m.boxes[1].collapsed and m.boxes[1].built and m.cursor == "p:1"


def footer_keys(app: HotfixApp) -> dict[str, FooterKey]:
    """The keys the footer draws now (action -> key)."""
    footer = app.screen.query_one(KeyFooter)
    footer.render()
    return {k.action: k for _s, _e, k in footer.regions}


def footer_line(app: HotfixApp) -> str:
    """The footer's line as drawn now."""
    return app.screen.query_one(KeyFooter).render().plain


async def settle_footer(pilot) -> None:
    # the footer recomposes after a resize or focus change: a few refreshes, never a sleep
    for _ in range(5):
        await pilot.pause()


async def test_resize_small_and_large(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        digits = m.query_one("#sla-digits", Digits)
        assert not m.has_class("-compact")
        await pilot.resize_terminal(80, 24)
        await settle_footer(pilot)
        assert m.has_class("-compact")
        # the big countdown stays at 80x24, beside the state, the figures and the windows
        assert digits.display and digits.size.height == 3 and digits.region.bottom <= 4
        assert "left" in str(m.query_one("#sla-stats").render())
        assert "elapsed" in str(m.query_one("#sla-stats").render())
        assert m.query_one("#sla-stats").region.height == 2
        assert m.query_one("#sla-windows").region.height == 1
        assert m.query_one(TaskTree).region.height >= 15
        await pilot.press("j", "space")
        assert is_checked(incident, "T002")
        # under 20 rows the Digits go, the stats stay
        await pilot.resize_terminal(80, 19)
        await settle_footer(pilot)
        assert not digits.display or digits.size.height == 0
        assert "left" in str(m.query_one("#sla-stats").render())
        await pilot.resize_terminal(200, 60)
        await settle_footer(pilot)
        assert not m.has_class("-compact") and digits.display
        assert m.cursor == "t:T002"


async def test_80_columns_footer_shows_help_and_quit_and_header_keeps_branch(incident,
                                                                              make_app):
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_footer(pilot)
        keys = footer_keys(app)
        assert {"toggle_done", "next_open", "filter", "help", "app.quit",
                "command_palette"} <= set(keys)
        assert "severity" not in keys  # fewer keys when narrow: the lowest priority goes
        line = footer_line(app)
        footer = main(app).query_one(KeyFooter)
        assert len(line) <= 80 and "? Help q Quit" in line and "^p palette" in line, line
        drawn = {r[2].action: r[1] - r[0] for r in footer.regions}
        for k in keys.values():  # every key shown is drawn whole (compact), inside 80 columns
            assert drawn[k.action] == len(k.display) + 1 + len(k.description), k.action
        header = str(main(app).query_one(HeaderLine).render())
        # title and branch share the line: neither whole, both readable
        assert "Checkout returns 500" in header and "⎇ hotfix/001-checkou" in header
        assert header.startswith(" hotfix-001  Checkout") and "P0" in header
        # still bound, only not in the footer
        await pilot.press("slash")
        assert main(app).query_one("#filter", Input).has_focus
        await pilot.resize_terminal(100, 40)
        await settle_footer(pilot)
        await pilot.press("escape")
        await settle_footer(pilot)
        assert {"filter", "next_open", "severity", "command_palette"} <= set(footer_keys(app))


def big_incident(repo, clock, long_every: int = 0) -> Incident:
    """100 phases of 100 tasks (every `long_every`-th title long enough to wrap)."""
    folder = repo / "specs" / "hotfix-001-big"
    folder.mkdir(parents=True)
    parts = ["# Tasks: Hotfix - big\n\n**Hotfix ID**: hotfix-001\n**Severity**: P1\n\n"]
    n = 0
    for p in range(100):
        parts.append(f"## Phase {p + 1}: Phase {p + 1}\n\n")
        for _ in range(100):
            n += 1
            long = " and then some more words" * 8 if long_every and n % long_every == 0 else ""
            parts.append(f"- [ ] **T{n:05d}** Task number {n}{long}\n")
        parts.append("\n")
    (folder / "tasks.md").write_text("".join(parts))
    return Incident(folder, None, clock=clock, who="Ana Lyst", repo_root=repo)


async def test_large_file_builds_only_the_open_phase(repo, clock):
    from hotfix_tui.core.config.settings import Settings

    inc = big_incident(repo, clock)
    folder = inc.folder
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = main(app)
        assert len(m.boxes) == 100
        assert sum(b.built for b in m.boxes) == 1
        assert sum(len(b.rows) for b in m.boxes) == 100
        await pilot.press("space")
        assert "- [x] **T00001**" in (folder / "tasks.md").read_text()


# --- picker and new incident ----------------------------------------------------------------


async def test_picker_lists_incidents_and_opens_one(repo, clock):
    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.workflow.loader import resolve_workflow
    from hotfix_tui.tui.screens.dialogs import PickerScreen

    wf = resolve_workflow("hotfix", repo)
    for desc in ("Checkout down", "Search slow"):
        create_incident(repo, desc, "P1", wf, clock=clock, branch=False)
    # the title comes from the files, not the folder slug
    (repo / "specs" / "hotfix" / "001-checkout-down" / "tasks.md").write_text(
        (repo / "specs" / "hotfix" / "001-checkout-down" / "tasks.md").read_text().replace(
            "Checkout down", "Checkout returns 500 for EU cards"))
    (repo / "specs" / "hotfix" / "001-checkout-down" / "hotfix.md").write_text(
        (repo / "specs" / "hotfix" / "001-checkout-down" / "hotfix.md").read_text().replace(
            "Checkout down", "Checkout returns 500 for EU cards"))
    clock.advance(hours=5)  # the P1 target is 4 h: breached
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        lines = [it.label for it in app.screen.items]
        assert "Checkout returns 500 for EU cards" in lines[0].plain
        assert "checkout down" not in lines[0].plain.lower()
        assert "Search slow" in lines[1].plain
        for label in lines:
            assert "P1" in label.plain and "breached by 1:00:00" in label.plain
            sev = next(sp for sp in label.spans if label.plain[sp.start:sp.end] == " P1 ")
            assert "#e09000" in str(sev.style)  # P1 orange (the workflow's), as in the header
            sla = next(sp for sp in label.spans
                       if label.plain[sp.start:sp.end].startswith("✖ breached"))
            assert "red" in str(sla.style) and "reverse" in str(sla.style)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.main is not None and app.main.incident.id == "hotfix-002"


async def test_picker_declares_a_new_incident(repo, clock):
    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.tui.screens.dialogs import NewIncidentScreen, PickerScreen

    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewIncidentScreen)
        await pilot.press(*"Payments timing out")
        await pilot.press("enter")  # to the severity list
        await pilot.press("down", "enter")  # P1
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        folder = repo / "specs" / "hotfix" / "001-payments-timing-out"  # today's layout
        assert (folder / "tasks.md").exists()
        assert "**Severity**: P1" in (folder / "tasks.md").read_text()
        assert "**Incident Start**: 2026-11-25 14:00:00 UTC" in (folder / "hotfix.md").read_text()


async def test_the_new_incident_dialog_follows_the_repository_as_new_does(tmp_path, clock):
    """In a spec-kit repository: numbered after its feature, the installed template filled,
    and the year-like branch it set aside said in a notification."""
    from upstream import git as upstream_git
    from upstream import make_upstream_repo

    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.tui.screens.dialogs import NewIncidentScreen

    repo = make_upstream_repo(tmp_path / "shop", features=("002-search",))
    upstream_git(repo, "branch", "release/2026-q1")
    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewIncidentScreen)
        await pilot.press(*"Payments timing out")
        await pilot.press("enter")
        await pilot.press("down", "enter")  # P1
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        folder = repo / "specs" / "hotfix" / "003-payments-timing-out"
        assert app.main.incident.folder == folder
        hotfix = (folder / "hotfix.md").read_text()
        assert "[x] P1 (Major - Key Feature Broken)" in hotfix
        assert "**Estimated Users**: [number or percentage]" in hotfix  # the installed template
        said = [str(n.message) for n in app._notifications]
        assert any("release/2026-q1" in m for m in said), said


async def test_picker_quit(repo, clock):
    from hotfix_tui.core.config.settings import Settings

    app = HotfixApp(None, root=repo, clock=clock, settings=Settings(), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


# --- launch ---------------------------------------------------------------------------------


def test_run_app_outside_a_repo_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from hotfix_tui.tui.launch import run_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert run_app(None) == 3
    err = capsys.readouterr().err
    assert "not inside a git repository" in err and "Traceback" not in err
    assert run_app(str(tmp_path / "nope")) == 3
    assert "no such incident folder" in capsys.readouterr().err


def test_run_app_unreadable_file(incident, capsys):
    from hotfix_tui.tui.launch import run_app

    inc = incident
    (inc.folder / "tasks.md").write_bytes(b"\xff\xfe\x00bad")
    (inc.folder / "hotfix.md").write_bytes(b"\xff\xfe\x00bad")
    code = run_app(str(inc.folder))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "tasks.md" in err or "hotfix.md" in err


def test_resolve_finds_the_branch_incident(incident, repo, monkeypatch):
    from hotfix_tui.tui.launch import resolve

    monkeypatch.chdir(repo)
    inc, root = resolve(None)
    assert inc is not None and inc.id == "hotfix-001" and root == repo


def test_core_does_not_import_textual():
    import subprocess
    import sys

    code = ("import sys, pkgutil, importlib, hotfix_tui.core as c\n"
            "[importlib.import_module('hotfix_tui.core.' + m.name) "
            "for m in pkgutil.iter_modules(c.__path__)]\n"
            "assert 'textual' not in sys.modules, 'core imports textual'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


async def test_unchecking_takes_back_the_record_and_kept_times_are_told(incident, make_app, clock):
    hotfix = incident.view.path("hotfix.md")
    hotfix.write_text(hotfix.read_text().replace(
        "**Root Cause Identified**: [YYYY-MM-DD HH:MM:SS UTC]",
        "**Root Cause Identified**: 2026-11-25 13:55:00 UTC"))
    incident.view.refresh()
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        clock.advance(minutes=30)
        m.reveal("T012")
        await pilot.pause()
        await pilot.press("space")
        assert "[x] Fix Deployed" in hotfix_md(incident)
        await pilot.press("space")  # a stray check, taken back
        text = hotfix_md(incident)
        assert "**Fix Deployed**: [YYYY-MM-DD HH:MM:SS UTC]" in text
        assert "[x] Investigating" in text and "[x] Fix Deployed" not in text
        assert "Investigating" in str(m.query_one(HeaderLine).render())
        # the time typed into Root Cause Identified recorded T005 as done then
        assert "- [x] **T005**" in incident.view.path("tasks.md").read_text()
        m.reveal("T005")
        await pilot.pause()
        await pilot.press("space")  # reopened: the field is cleared
        assert record.field_time(hotfix_md(incident), "Root Cause Identified") is None
        await pilot.press("space")  # checked again within a minute: a mis-toggle keeps its time
        kept = [n for n in app._notifications if n.title == "Times"]
        assert kept and "Root Cause Identified keeps 2026-11-25 13:55:00 UTC" in (
            kept[-1].message)
        assert "**Root Cause Identified**: 2026-11-25 13:55:00 UTC" in hotfix_md(incident)


async def test_a_long_list_draws_only_the_lines_in_view(repo, clock, monkeypatch):
    from hotfix_tui.core.config.settings import Settings

    inc = big_incident(repo, clock, long_every=50)
    app = HotfixApp(inc, root=repo, clock=clock, settings=Settings(), watch=False)
    drawn_rows: list[str] = []
    content = TaskRow.content

    def spy(self, fill_values):
        drawn_rows.append(self.key)
        return content(self, fill_values)

    monkeypatch.setattr(TaskRow, "content", spy)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = main(app)
        tree = m.checklist
        m.action_expand_all()  # 10 000 rows listed
        await pilot.pause()
        assert len([r for r in tree.refs() if r.startswith("t:")]) == 10_000
        drawn_rows.clear()
        await pilot.press("end")  # the cursor to the last line
        await pilot.pause()
        assert m.cursor == "t:T10000"
        # the long titles wrap (their heights were laid out), the rest took one line each
        assert tree.span("t:T10000")[1] > 1 and tree.span("t:T09999")[1] == 1
        assert tree.virtual_size.height == sum(tree.span(r)[1] for r in tree.refs())
        assert "T10000" in drawn(app, "t:T10000")
        # only what is in view (and the few long rows measured) was drawn
        assert 0 < len(set(drawn_rows)) <= tree.size.height + 2


async def test_a_phase_rebuilt_from_disk_draws_its_new_rows_not_the_old_ones(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        m = main(app)
        assert "Reproduce the issue" in drawn(app, "t:T003")
        # by hand: T003 retitled and moved above T002 (the phase's order changed: rebuilt)
        path = incident.folder / "tasks.md"
        lines = path.read_text().split("\n")
        i2 = next(i for i, ln in enumerate(lines) if "**T002**" in ln)
        i3 = next(i for i, ln in enumerate(lines) if "**T003**" in ln)
        t3 = lines[i3].replace("Reproduce the issue", "Reproduce it on staging")
        del lines[i3]
        lines.insert(i2, t3)
        path.write_text("\n".join(lines))
        m.check_files()
        await pilot.pause()
        refs = [r for r in m.rows() if r.startswith("t:")]
        assert refs.index("t:T003") < refs.index("t:T002")
        assert "Reproduce it on staging" in drawn(app, "t:T003")
        assert "Notify incident commander" in drawn(app, "t:T002")
