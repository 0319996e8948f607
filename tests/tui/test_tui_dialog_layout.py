"""Dialogs lay out at 80x24 and 120x40 with their content visible: the activity dialog's rows,
the report's text, every dialog's last line inside the screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from hotfix_tui.tui.screens.history import ActivityWithHistory
from hotfix_tui.tui.screens.record_dialogs import ReportScreen

SIZES = [(80, 24), (120, 40)]


def work(incident) -> None:
    for tid in ("T001", "T003", "T004", "T005"):
        incident.set_done(tid)
    incident.note("T006", "error rate back to baseline after the rollback")


@pytest.mark.parametrize("size", SIZES)
async def test_the_activity_dialog_shows_its_rows(incident, make_app, size):
    work(incident)
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActivityWithHistory)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one(DataTable)
        rows = table.row_count
        assert rows >= 5
        visible = table.content_region.height - 1  # the header line
        want = 4 if size[1] < 30 else rows  # every row at 120x40, four at 80x24
        assert visible >= want, (visible, rows)
        box = screen.query_one(".record-dialog").region
        assert box.bottom <= size[1] - 1  # the whole dialog above the footer line


@pytest.mark.parametrize("size", SIZES)
async def test_the_report_uses_the_space(incident, make_app, size):
    work(incident)
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        text = screen.query_one("#report-text").region.height
        # everything under the clock dock but the dialog's frame and title, its margins (under
        # 30 rows one line each, else the seven lines below where toasts go)
        dock = screen.query_one("ClockDock").region.bottom
        margins = 2 if size[1] < 30 else 8
        assert text >= size[1] - dock - 5 - margins, text


@pytest.mark.parametrize("key", ["d", "s", "e", "X", "y", "r", "a", "question_mark", "U", "A",
                                 "R", "H"])
async def test_every_dialog_fits_80x24_with_its_last_line_visible(incident, make_app, key):
    work(incident)
    app = make_app(incident)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not app.main, key
        box = app.screen.query_one(".dialog, .record-dialog")
        inside = box.content_region
        assert box.region.bottom <= 24
        if box.allow_vertical_scroll:  # help: a scrolling dialog, its lines reached by scrolling
            return
        for child in box.children:
            if child.display and child.region.height:
                assert child.region.bottom <= inside.bottom, (key, child, child.region, inside)


WIDE = (200, 50)


def busy(incident) -> None:
    work(incident)
    for tid in ("T006", "T007", "T008", "T010", "T011", "T012", "T013", "T014"):
        incident.note(tid, f"checked {tid} on the EU cluster: error rate back to baseline, "
                           "no new 5xx in the last ten minutes")


async def test_at_200_columns_the_activity_dialog_shows_each_row_whole(incident, make_app):
    busy(incident)
    app = make_app(incident)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size, table.scrollable_content_region)  # notes not cut off
        visible = table.content_region.height - 1
        assert visible >= min(table.row_count, 20), (visible, table.row_count)


async def test_at_200_columns_the_report_keeps_its_lines_whole(incident, make_app):
    busy(incident)
    app = make_app(incident)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        area = screen.query_one("#report-text")
        longest = max(len(ln) for ln in screen.markdown.splitlines()
                      if not ln.startswith("- **Note"))
        assert area.scrollable_content_region.width >= min(longest, 130), (
            area.scrollable_content_region, longest)


async def test_at_200x50_the_side_panel_lists_as_much_activity_as_fits(incident, make_app):
    busy(incident)
    app = make_app(incident)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.pause()
        side = app.main.query_one("#side")
        text = str(side.render())
        shown = text.split("Recent activity", 1)[1].strip().splitlines()
        rows = app.main.flows.activity_rows(limit=100)
        assert len(rows) > 8 and len(shown) >= len(rows), (len(rows), shown)


@pytest.mark.parametrize("size", [*SIZES, WIDE])
async def test_help_keeps_every_title_apart_from_its_binding_id(incident, make_app, size):
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        lines = [ln for ln in text.splitlines() if "hotfix." in ln]
        assert lines
        for ln in lines:
            assert "  hotfix." in ln, ln  # a title never runs into its id


@pytest.mark.parametrize("size", SIZES)
async def test_the_update_composer_uses_the_space(incident, make_app, size):
    from hotfix_tui.tui.screens.team_dialogs import UpdateScreen

    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        await pilot.press("U")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UpdateScreen)
        area = screen.query_one("#update-text")
        lines = screen.query_one("#update-text").text.count("\n") + 1
        box = screen.query_one(".record-dialog").region
        assert box.bottom <= size[1] - 1
        dock = screen.query_one("ClockDock").region.bottom
        margins = 2 if size[1] < 30 else 8
        # everything under the dock but the frame, the title and the reminder's line, margins
        assert area.region.height >= size[1] - dock - 6 - margins, area.region.height
        assert area.region.height >= min(lines, 10)
