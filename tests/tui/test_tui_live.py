"""Pilot tests of the live team view: a teammate's pushed changes arrive in the open incident
without `S` (background fetch, merged into the folder without a checkout); two real clones."""

from __future__ import annotations

import gitfix
from gitfix import git

from hotfix_tui.core import sync as core_sync
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.record.events import parse_log
from hotfix_tui.tui.app import HotfixApp

SIZE = (120, 40)


def said(app: HotfixApp, text: str) -> bool:
    return any(text in f"{n.title or ''} {n.message}" for n in app._notifications)


async def tick_live(app: HotfixApp, pilot) -> None:
    """The background fetch's interval handler, then its worker and the message it posts."""
    assert app.main is not None
    app.main.live.poll()
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.main.live.fetching:
            break
    await pilot.pause()


def bob_checks(bob, clock, tid: str) -> None:
    inc = gitfix.incident(bob, clock)
    inc.set_done(tid)
    assert core_sync.sync(bob, inc.folder, inc).pushed


async def test_teammates_check_arrives_in_the_open_app_after_the_fetch_tick(tmp_path, clock):
    _remote, alice, bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    head = git(alice, "rev-parse", "HEAD").strip()
    app = HotfixApp(inc, root=alice, clock=clock, settings=Settings(fetch_interval=30),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # Alice checks T001: a local change, not committed
        clock.advance(minutes=2)
        bob_checks(bob, clock, "T005")
        await pilot.pause()
        assert not inc.view.doc.task("T005").done  # nothing arrives before the fetch
        await tick_live(app, pilot)
        assert inc.view.doc.task("T005").done and inc.view.doc.task("T001").done
        assert "- [x] **T005**" in (inc.folder / "tasks.md").read_text(encoding="utf-8")
        row = next(b.rows["T005"] for b in app.main.boxes if "T005" in b.rows)
        assert row.view.done
        assert said(app, "Bob Roe") and said(app, "T005")
        assert any(a.who == "Bob Roe" and "T005" in a.event for a in app.main.git.arrivals)
        assert "t:T005" in app.main.live.flashing  # the arriving check flashes its row
        # never a checkout: HEAD, the index and files outside the folder are as they were
        assert git(alice, "rev-parse", "HEAD").strip() == head
        assert git(alice, "diff", "--cached", "--name-only").strip() == ""
        status = git(alice, "status", "--porcelain").splitlines()
        assert all(gitfix.FOLDER in ln for ln in status)
        # a second tick brings nothing new and says nothing again
        count = len(app._notifications)
        await tick_live(app, pilot)
        assert len(app._notifications) == count
        # the later sync merges without duplicating an event
        await pilot.press("S")
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.main.git.running is None:
                break
        assert app.main.git.last_sync is not None and app.main.git.last_sync.ok
        log = (inc.folder / "events.jsonl").read_text(encoding="utf-8")
        ids = [e.id for e in parse_log(log)[0]]
        lines = [ln for ln in log.splitlines() if ln.strip()]
        assert len(lines) == len(ids) == len(set(ids))
        assert sum('"T005"' in ln and '"done"' in ln for ln in lines) == 1


async def test_arrivals_wait_while_a_dialog_is_open(tmp_path, clock):
    _remote, alice, bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    app = HotfixApp(inc, root=alice, clock=clock, settings=Settings(fetch_interval=30),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        bob_checks(bob, clock, "T005")
        await pilot.press("question_mark")  # the help dialog is open
        await pilot.pause()
        assert app.screen is not app.main
        await tick_live(app, pilot)
        assert not inc.view.doc.task("T005").done
        assert "- [ ] **T005**" in (inc.folder / "tasks.md").read_text(encoding="utf-8")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert inc.view.doc.task("T005").done
        assert said(app, "Bob Roe")


async def test_rewritten_remote_history_shows_a_banner_not_a_merge(tmp_path, clock):
    remote, alice, bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    app = HotfixApp(inc, root=alice, clock=clock, settings=Settings(fetch_interval=30),
                    watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await tick_live(app, pilot)  # Alice has seen the remote tip
        # Bob rewrites the branch (amends the declare commit) with three checks and force-pushes
        b = gitfix.incident(bob, clock)
        for tid in ("T001", "T002", "T003"):
            b.set_done(tid)
        git(bob, "add", "-A")
        git(bob, "commit", "-q", "--amend", "-m", "declare incident (rewritten)")
        git(bob, "push", "-q", "--force", "origin", gitfix.BRANCH)
        await tick_live(app, pilot)
        assert not inc.view.doc.task("T002").done  # nothing merged
        banner = str(app.main.query_one("#live-banner").render())
        assert "Bob Roe: 3 changes on origin" in banner and "S to sync" in banner
        assert app.main.query_one("#live-banner").display
