"""The SLA panel's priority: the state, the next due reminder, what the record lacks, then the
windows that fit ("+N more" for the rest), in the same order at every size."""

from __future__ import annotations

import pytest

from hotfix_tui.tui.app import HotfixApp


def panel_text(app: HotfixApp) -> str:
    """The lines the main screen's SLA panel shows: its stats and windows lines inside the panel."""
    assert app.main is not None
    panel = app.main.query_one("#sla")
    bottom = panel.content_region.bottom
    lines = []
    for wid in ("#sla-stats", "#sla-windows"):
        w = panel.query_one(wid)
        lines += [w.render_line(y).text for y in range(w.size.height) if w.region.y + y < bottom]
    return "\n".join(lines)


def deploy(incident) -> None:
    for tid in ("T001", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012"):
        incident.set_done(tid)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_reminder_and_more_windows_stay_visible_once_four_windows_open(
    incident, make_app, clock, size
):
    deploy(incident)  # four windows open after the deploy
    assert len(incident.windows(clock.now())) >= 4
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        clock.advance(minutes=3)
        app.tick()
        await pilot.pause()
        text = panel_text(app)
        assert "update in 0:27:00" in text, text  # the next due reminder, its key
        assert "detection" in text.lower(), text  # what the record lacks
        assert "more" in text, text  # the windows that do not fit, counted


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_state_then_reminder_then_detection_then_windows_in_every_size(
    incident, make_app, clock, size
):
    deploy(incident)
    app = make_app(incident)
    async with app.run_test(size=size) as pilot:
        clock.advance(minutes=3)
        app.tick()
        await pilot.pause()
        text = panel_text(app).lower()
        state = min(text.find(w) for w in ("left", "breach", "ok", "warning") if w in text)
        order = [state, text.find("update in"), text.find("detection")]
        assert -1 not in order and order == sorted(order), text
        window = text.find(incident.windows(clock.now())[0].label.lower()[:12])
        more = text.find("more")
        assert max(window, more) > order[-1], text  # the windows come last ("+N more" too)
