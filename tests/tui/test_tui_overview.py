"""Pilot tests of the overview (every incident on every branch, grouped by kind, live SLA
clocks; another branch's copy opens read-only with an offer to check it out) and the SLA stats
screen. Real repositories with a bare remote, a fake clock."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

from conftest import settle_until
from gitfix import FakeClock, clone, git, make_repo
from textual.widgets import DataTable, Tree

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.screens.overview import OverviewScreen, ReadOnlyScreen
from hotfix_tui.tui.screens.stats import StatsScreen

SIZE = (140, 40)
B1 = "hotfix/001-checkout-returns-500-errors"


def setup_team(tmp_path: Path, clock: FakeClock) -> Path:
    """Alice pushed hotfix/001 (P0) and hotfix/002 (P1); Bob, on his new hotfix/003, is shown."""
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    for desc, sev in (("Checkout returns 500 errors", "P0"), ("DB replica lag", "P1")):
        folder = create_incident(alice, desc, sev, wf, clock=clock)
        if sev == "P1":
            Incident(folder, wf, clock=clock, repo_root=alice).set_done("T001")
        git(alice, "add", "specs")
        git(alice, "commit", "-q", "-m", desc)
        git(alice, "push", "-q", "-u", "origin", git(alice, "branch", "--show-current").strip())
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    create_incident(bob, "Search index stale", "P2", resolve_workflow("hotfix", bob), clock=clock)
    return bob


def bob_app(bob: Path, clock: FakeClock) -> HotfixApp:
    folder = bob / "specs/hotfix/003-search-index-stale"
    inc = Incident(folder, resolve_workflow("hotfix", bob), clock=clock, repo_root=bob)
    return HotfixApp(inc, root=bob, clock=clock, settings=Settings(fetch_interval=0),
                     watch=False)


def leaves(screen: OverviewScreen) -> dict[str, object]:
    return {e.path: leaf for leaf, e in screen.leaves}


async def test_overview_tree_clocks_and_opening(tmp_path, clock):
    bob = setup_team(tmp_path, clock)
    clock.advance(minutes=30)
    app = bob_app(bob, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        await settle_until(pilot, app, lambda: len(screen.leaves) == 3)
        tree = screen.query_one(Tree)
        groups = [str(n.label) for n in tree.root.children]
        assert groups == ["hotfix  3 (3 open)"]
        labels = {p: leaf.label.plain for p, leaf in leaves(screen).items()}
        one = labels["specs/hotfix/001-checkout-returns-500-errors"]
        assert "hotfix-001" in one and " P0 " in one and "0/26" in one
        assert "0:30:00 left" in one and "origin/hotfix/001-checkout-returns-500" in one
        two = labels["specs/hotfix/002-db-replica-lag"]
        assert "1/28" in two and "3:30:00 left" in two
        assert "checked out" in labels["specs/hotfix/003-search-index-stale"]
        assert "as of" in str(screen.query_one("#ov-head").render())
        # the clocks are live: 45 minutes later 001 is breached
        clock.advance(minutes=45)
        screen.tick()
        one = leaves(screen)["specs/hotfix/001-checkout-returns-500-errors"].label.plain
        assert "breached by 0:15:00" in one
        # another branch's copy: read-only, with an offer to check it out
        tree.move_cursor(leaves(screen)["specs/hotfix/001-checkout-returns-500-errors"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadOnlyScreen)
        body = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Read-only" in body and f"origin/{B1}" in body and "T001" in body
        # Bob's own new incident is not committed: the check-out is refused, nothing moves
        await pilot.press("c")
        await settle_until(pilot, app, lambda: any(n.severity == "error"
                                               for n in app._notifications))
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert "uncommitted" in errors[-1] and "hotfix/003-" in errors[-1]
        assert git(bob, "branch", "--show-current").strip() == "hotfix/003-search-index-stale"
        git(bob, "add", "specs")
        git(bob, "commit", "-q", "-m", "declare 003")
        tree.move_cursor(leaves(screen)["specs/hotfix/001-checkout-returns-500-errors"])
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await settle_until(pilot, app, lambda: isinstance(app.screen, MainScreen)
                       and app.main.incident.id == "hotfix-001")
        assert git(bob, "branch", "--show-current").strip() == B1
        assert app.incident.id == "hotfix-001"
        # back in the overview: 001 is checked out (opens directly), 003 now lives on Bob's
        # other branch (read-only)
        await pilot.press("o")
        screen = app.screen
        await settle_until(pilot, app, lambda: len(screen.leaves) == 3)
        screen.query_one(Tree).move_cursor(
            leaves(screen)["specs/hotfix/001-checkout-returns-500-errors"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.main.incident.id == "hotfix-001"
        await pilot.press("o")
        screen = app.screen
        await settle_until(pilot, app, lambda: len(screen.leaves) == 3)
        screen.query_one(Tree).move_cursor(
            leaves(screen)["specs/hotfix/003-search-index-stale"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadOnlyScreen)
        await pilot.press("escape")
        await pilot.pause()
        # Alice pushes T001 on 001's branch: "F" fetches, and the row follows
        alice = tmp_path / "alice"
        git(alice, "switch", "-q", B1)
        wf = resolve_workflow("hotfix", alice)
        Incident(alice / "specs/hotfix/001-checkout-returns-500-errors", wf, clock=clock,
                 repo_root=alice).set_done("T002")
        git(alice, "commit", "-q", "-am", "T002")
        git(alice, "push", "-q")
        await pilot.press("F")
        await settle_until(pilot, app, lambda: any(
            e.path.endswith("001-checkout-returns-500-errors") and e.incident.progress()[0] == 1
            for _l, e in screen.leaves))
        one = leaves(screen)["specs/hotfix/001-checkout-returns-500-errors"]
        # the work tree has changes of its own (the alerts its clock logged) and is behind the
        # remote: the row shows both, the remote's events merged in by union
        assert "1/26" in one.label.plain
        screen.query_one(Tree).move_cursor(one)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.main.incident.id == "hotfix-001"


async def test_stats_screen_draws_the_figures(tmp_path, clock):
    bob = setup_team(tmp_path, clock)
    wf = resolve_workflow("hotfix", bob)
    git(bob, "switch", "-q", "--track", f"origin/{B1}")
    inc = Incident(bob / "specs/hotfix/001-checkout-returns-500-errors", wf, clock=clock,
                   repo_root=bob)
    clock.advance(minutes=50)
    inc.set_done("T013")  # P0 resolved in 50 min: met
    app = HotfixApp(inc, root=bob, clock=clock, settings=Settings(fetch_interval=0),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await settle_until(pilot, app, lambda: screen.data is not None)
        table = screen.query_one(DataTable)
        rows = [tuple(table.get_row_at(i)) for i in range(table.row_count)]
        assert rows[0][:7] == ("P0 <1:00:00", "1", "1", "1", "0", "100%", "0:50:00")
        assert rows[1][:5] == ("P1 <4:00:00", "1", "0", "0", "0")
        assert rows[2][0] == "P2 <8:00:00"
        assert rows[3][:2] == ("all", "3") and rows[4][0] == "2026-11"
        chart = screen.query_one("#stats-chart").plt.build()
        assert "TTR median" in chart and "target" in chart and "P0" in chart
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        # from the overview too
        await pilot.press("o")
        ov = app.screen
        await settle_until(pilot, app, lambda: len(ov.leaves) == 3)
        await pilot.press("m")
        await settle_until(pilot, app, lambda: isinstance(app.screen, StatsScreen)
                       and app.screen.data is not None)
        assert app.screen.data["severities"]["P0"]["met"] == 1


async def test_the_picker_opens_the_overview_of_every_branch(tmp_path, clock):
    from hotfix_tui.tui.screens.dialogs import PickerScreen

    bob = setup_team(tmp_path, clock)
    git(bob, "add", "specs")
    git(bob, "commit", "-q", "-m", "declare 003")
    git(bob, "switch", "-q", "main")  # nothing checked out: the picker offers other branches'
    app = HotfixApp(None, root=bob, clock=clock, settings=Settings(fetch_interval=0),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.items and all(it.join is not None for it in app.screen.items)
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        await settle_until(pilot, app, lambda: len(screen.leaves) == 3)
        screen.query_one(Tree).move_cursor(
            leaves(screen)["specs/hotfix/003-search-index-stale"])
        await pilot.press("enter", "c")
        await settle_until(pilot, app, lambda: isinstance(app.screen, MainScreen))
        assert app.main.incident.id == "hotfix-003"
        assert git(bob, "branch", "--show-current").strip() == "hotfix/003-search-index-stale"


async def test_stats_screen_fetches_when_the_last_fetch_is_old(tmp_path, clock):
    bob = setup_team(tmp_path, clock)
    alice = tmp_path / "alice"
    git(alice, "switch", "-q", "hotfix/002-db-replica-lag")
    wf = resolve_workflow("hotfix", alice)
    clock.advance(hours=1)
    Incident(alice / "specs/hotfix/002-db-replica-lag", wf, clock=clock,
             repo_root=alice).set_done("T013")  # P1 resolved in 1 h: met
    git(alice, "commit", "-q", "-am", "T013")
    git(alice, "push", "-q")
    old = (clock() - timedelta(hours=2)).timestamp()
    os.utime(bob / ".git/packed-refs", (old, old))  # Bob's last fetch: 2 h ago
    app = bob_app(bob, clock)
    app.settings.fetch_interval = 60
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await settle_until(pilot, app, lambda: screen.data is not None
                       and screen.data["severities"]["P1"]["met"] == 1)
        assert (bob / ".git/FETCH_HEAD").exists()


async def test_a_reading_that_finishes_late_never_replaces_a_newer_one(tmp_path, clock,
                                                                       monkeypatch):
    """Textual's `exclusive` only flags a running thread worker: the older catalog reading can
    post after the newer one. The screens keep the newest reading (stats and overview)."""
    import threading

    from hotfix_tui.core.reports import catalog

    bob = setup_team(tmp_path, clock)
    real = catalog.load
    first_started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def load(root, **kw):
        calls.append(1)
        if len(calls) == 1:  # the first reading: held until the second one has been shown
            first_started.set()
            assert release.wait(30), "the test never released the first reading"
            cat = real(root, **kw)
            return catalog.Catalog([], cat.as_of)  # what the branches held back then: nothing
        return real(root, **kw)

    monkeypatch.setattr(catalog, "load", load)
    for screen_key, kind in (("m", StatsScreen), ("o", OverviewScreen)):
        calls.clear()
        first_started.clear()
        release.clear()
        app = bob_app(bob, clock)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(screen_key)
            screen = app.screen
            assert isinstance(screen, kind)
            assert first_started.wait(30)
            screen.action_reload()  # a newer reading, which finishes first
            await settle(pilot, lambda s=screen: len(calls) == 2 and bool(shown(s)))
            newest = shown(screen)
            release.set()  # the stale one finishes now, after the newer one was shown
            await settle(pilot, lambda a=app: not any(w.is_running for w in a.workers))
            for _ in range(5):
                await pilot.pause()
            assert shown(screen) == newest, kind.__name__


async def settle(pilot, cond, rounds: int = 400) -> None:
    """Wait (bounded; a cancelled worker's thread runs on) until `cond()` holds."""
    import asyncio

    for _ in range(rounds):
        await pilot.pause()
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


def shown(screen) -> object:
    """What the screen shows: the stats figures, or the overview's entries."""
    if isinstance(screen, StatsScreen):
        return screen.data and screen.data.get("total")
    return [e.path for e in screen.entries] or None


async def test_the_overview_reads_branch_copies_by_summary_and_opens_one_in_full(tmp_path,
                                                                                 clock):
    from hotfix_tui.core.reports.summaries import Cache

    bob = setup_team(tmp_path, clock)
    app = bob_app(bob, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        screen = app.screen
        await settle_until(pilot, app, lambda: len(screen.leaves) == 3)
        one = next(e for _l, e in screen.leaves
                   if e.path.endswith("001-checkout-returns-500-errors"))
        # as `list` reads them: another branch's copy by its summary, kept for the next reading
        assert one.incident is None and one.summary is not None
        assert len(Cache(bob).items) == 2
        assert "0/26" in leaves(screen)[one.path].label.plain
        # opened, it is read in full (its tasks are shown)
        screen.query_one(Tree).move_cursor(leaves(screen)[one.path])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadOnlyScreen) and one.incident is not None
        body = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "T001" in body and "Assess severity and impact" in body
        await pilot.press("escape")
        await pilot.pause()
        # the stats screen counts the same copies from the same summaries
        await pilot.press("m")
        await settle_until(pilot, app, lambda: isinstance(app.screen, StatsScreen)
                       and app.screen.data)
        assert app.screen.data["total"]["incidents"] == 3


async def test_overview_shows_the_union_of_copies_that_differ_and_marks_them(tmp_path, clock):
    from gitfix import BRANCH, FOLDER, team
    from teamfix import BOB, cli, commit, later

    from hotfix_tui.core.clocks import utc_now
    from hotfix_tui.tui.screens.overview import DIVERGED

    _remote, alice, bob = team(tmp_path, utc_now)
    inc = Incident(bob / FOLDER, resolve_workflow("hotfix", bob), clock=utc_now, repo_root=bob)
    app = HotfixApp(inc, root=bob, clock=utc_now, settings=Settings(fetch_interval=0),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        await settle_until(pilot, app, lambda: len(screen.leaves) == 1)
        row = leaves(screen)[FOLDER].label.plain
        assert " 0/28 " in row and DIVERGED not in row  # every copy the same: no mark
        # Bob checks T005 on a branch of his own; Alice T004 on the incident's branch, pushed
        git(bob, "switch", "-q", "-c", BOB)
        cli(bob, "done", "T005")
        commit(bob, "T005 done", later(1))
        cli(alice, "done", "T004")
        commit(alice, "T004 done", later(2))
        git(alice, "push", "-q")
        git(bob, "fetch", "-q")
        await pilot.press("R")
        await settle_until(pilot, app, lambda: " 2/28 " in leaves(screen)[FOLDER].label.plain)
        assert DIVERGED in leaves(screen)[FOLDER].label.plain
        # from git objects only (nothing checked out): the same union, read-only, saying who
        # lacks what
        git(bob, "switch", "-q", "main")
        await pilot.press("R")
        await settle_until(
            pilot, app, lambda: not leaves(screen)[FOLDER].label.plain.count("checked")
        )
        row = leaves(screen)[FOLDER].label.plain
        assert " 2/28 " in row and DIVERGED in row
        screen.query_one(Tree).move_cursor(leaves(screen)[FOLDER])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadOnlyScreen)
        body = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert f"origin/{BRANCH} lacks: T005 done (by Bob Roe)" in body
        assert f"{BOB} lacks: T004 done (by Alice Doe)" in body
        assert "[x] T004" in body and "[x] T005" in body
