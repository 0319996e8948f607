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
