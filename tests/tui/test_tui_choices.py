"""Pilot tests: upstream's hotfix.md as the checklist, its single-choice groups set with ← →."""

from __future__ import annotations

from pathlib import Path

from upstream import create, make_upstream_repo

from hotfix_tui.core.opening import open_incident


def _upstream_incident(tmp_path: Path, monkeypatch, clock):
    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "hotfix", "Checkout returns 500 errors")
    monkeypatch.chdir(repo)
    return open_incident(out["HOTFIX_FILE"].rsplit("/", 1)[0], clock=clock)


def _row_text(screen, key: str) -> str:
    row = screen.checklist.item(f"t:{key}")
    return "".join(p if isinstance(p, str) else p[0] for p in row.parts({}))


async def test_right_and_left_set_the_data_loss_choice_as_one_row(
    tmp_path, monkeypatch, clock, make_app
):
    inc = _upstream_incident(tmp_path, monkeypatch, clock)
    hot = inc.view.path("hotfix.md")
    app = make_app(inc)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.main
        screen.reveal("data-loss-corruption")
        await pilot.pause()
        assert screen.cursor == "t:data-loss-corruption"
        assert "Data Loss/Corruption  ‹ - ›" in _row_text(screen, "data-loss-corruption")
        await pilot.press("right")
        await pilot.pause()
        text = hot.read_text()
        assert "- [x] No data loss" in text
        await pilot.press("right")
        await pilot.pause()
        text = hot.read_text()
        assert "- [ ] No data loss" in text
        assert "- [x] Data loss occurred: [describe scope and recovery plan]" in text
        assert "‹ Data loss occurred ›" in _row_text(screen, "data-loss-corruption")
        await pilot.press("left")
        await pilot.pause()
        assert "- [x] No data loss" in hot.read_text()
        # the group is no task: the phase counts none of its boxes
        box = screen._box_of("data-loss-corruption")
        assert box is not None and (box.view.done, box.view.total) == (0, 0)
    log = open_incident(str(inc.folder)).view.events
    values = [e.get("value") for e in log if e.kind == "choice"]
    assert values == ["No data loss", "Data loss occurred", "No data loss"]


async def test_a_task_row_with_a_choice_inside_sets_it_and_keeps_its_box(
    tmp_path, monkeypatch, clock, make_app
):
    inc = _upstream_incident(tmp_path, monkeypatch, clock)
    key = next(t.key for t in inc.view.doc.tasks if t.title == "Rollback tested in staging")
    app = make_app(inc)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.main
        screen.reveal(key)
        await pilot.pause()
        await pilot.press("left")  # from none, backwards: the last option
        await pilot.pause()
        assert "rollback-tested-in-staging Rollback tested in staging  ‹ N/A ›" in _row_text(
            screen, key
        )
    text = inc.view.path("hotfix.md").read_text()
    assert "- [ ] Rollback tested in staging: [ ] Yes | [ ] No | [x] N/A" in text


async def test_opening_says_which_recorded_tasks_a_replaced_tasks_md_lacks(
    tmp_path, monkeypatch, clock, make_app
):
    inc = _upstream_incident(tmp_path, monkeypatch, clock)
    key = next(t.key for t in inc.view.doc.tasks if t.title == "Monitoring gap")
    inc.set_done(key)
    inc.view.path("tasks.md").unlink()  # spec-kit's /speckit.tasks writes its own
    inc.view.path("tasks.md").write_text("# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Create it\n")
    app = make_app(open_incident(str(inc.folder), clock=clock))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("1 recorded event names tasks" in m and key in m for m in said), said
