"""The toast for changes made outside the app: never for the app's own writes (a reminder marked
sent, an alert logged), and for others' it says who did what."""

from __future__ import annotations

import os
import subprocess
import sys

from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen

SIZE = (100, 40)


def main(app: HotfixApp) -> MainScreen:
    assert app.main is not None
    return app.main


def toasts(app: HotfixApp) -> list[str]:
    return [f"{n.title or ''}: {n.message}" for n in app._notifications]


def outside_toasts(app: HotfixApp) -> list[str]:
    return [t for t in toasts(app)
            if "changed on disk" in t or "outside" in t.lower() or "Files changed" in t]


async def test_marking_the_stakeholder_update_sent_says_nothing_about_outside_changes(
    incident, make_app, clock
):
    clock.advance(minutes=31)  # the P0 stakeholder update is due
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("U")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("sent" in t for t in toasts(app)), toasts(app)
        main(app).check_files()  # what the folder watcher does once the log was written
        await pilot.pause()
        assert outside_toasts(app) == []


async def test_an_alert_logged_by_the_app_says_nothing_about_outside_changes(
    incident, make_app, clock
):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.advance(minutes=30)  # 50 % of the P0 SLA and the stakeholder update: alerts
        app.tick()
        await pilot.pause()
        assert any("SLA 50%" in t for t in toasts(app)), toasts(app)
        main(app).check_files()
        await pilot.pause()
        assert outside_toasts(app) == []


def run_cli_as(repo, name: str, *args: str) -> None:
    """The installed CLI in another process, as another person (git's user.name)."""
    env = dict(os.environ, GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="user.name",
               GIT_CONFIG_VALUE_0=name)
    subprocess.run([sys.executable, "-m", "hotfix_tui.cli", *args], cwd=repo, env=env,
                   check=True, capture_output=True, timeout=60)


async def test_a_teammates_done_in_another_process_is_told_with_who_and_what(
    incident, make_app
):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        run_cli_as(incident.repo_root, "Ben", "done", "T005")
        main(app).check_files()
        await pilot.pause()
        told = outside_toasts(app)
        assert len(told) == 1 and "Ben: T005 done" in told[0], toasts(app)
        assert main(app).incident.view.doc  # the checklist shows it
        assert "Ana Lyst" not in told[0]


async def test_a_hand_edit_without_events_names_the_file(incident, make_app):
    app = make_app(incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pm = incident.folder / "post-mortem.md"
        pm.write_text(pm.read_text(encoding="utf-8") + "\nWritten by hand.\n", encoding="utf-8")
        os.utime(pm, ns=(1, 1))
        main(app).check_files()
        await pilot.pause()
        told = outside_toasts(app)
        assert len(told) == 1 and "post-mortem.md edited outside hotfix-tui" in told[0], told
