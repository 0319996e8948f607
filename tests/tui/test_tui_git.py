"""Pilot tests of the TUI's git-native record: commit, sync, auto-commit, fix-commit picker,
detection, start correction, activity, hand-over report; real repositories, a fake clock."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import gitfix
from gitfix import git
from textual.widgets import DataTable, Digits, Input, TextArea

from hotfix_tui.core import sync as core_sync
from hotfix_tui.core.config.settings import Settings, load_settings
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.actions import PALETTE
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.screens.record_dialogs import (
    ActivityScreen,
    CommitPickerScreen,
    ConfirmScreen,
    DetectionScreen,
    ReportScreen,
    TimeScreen,
)
from hotfix_tui.tui.screens.record_flows import NOT_A_REPO

SIZE = (120, 40)


def app_for(inc: Incident, clock, **kw) -> HotfixApp:
    kw.setdefault("settings", Settings(advance_after_check=False))  # the cursor stays on a check
    return HotfixApp(inc, root=inc.repo_root, clock=clock, watch=False, **kw)


def main(app: HotfixApp) -> MainScreen:
    assert app.main is not None
    return app.main


def notes(app: HotfixApp) -> list[tuple[str, str, str]]:
    """(title, message, severity) of every notification so far."""
    return [(n.title or "", str(n.message), n.severity) for n in app._notifications]


def said(app: HotfixApp, text: str, severity: str | None = None) -> bool:
    return any(text in f"{t} {m}" and (severity is None or s == severity)
               for t, m, s in notes(app))


async def settle(app: HotfixApp, pilot, rounds: int = 50) -> None:
    """Wait for the git workers and the handlers of their messages (bounded, never sleeps)."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.main.git.running is None and not any(w.is_running for w in app.workers):
            await pilot.pause()
            return
    raise AssertionError(f"git work still running: {app.main.git.running}")


def rel(inc: Incident) -> str:
    return inc.folder.relative_to(inc.repo_root).as_posix()


def changed_files(root: Path, ref: str = "HEAD") -> list[str]:
    out = git(root, "diff-tree", "--root", "--no-commit-id", "--name-only", "-r", "-m", ref)
    return sorted({ln for ln in out.splitlines() if ln})


def task_checked(inc: Incident, tid: str) -> bool:
    return f"- [x] **{tid}**" in (inc.folder / "tasks.md").read_text(encoding="utf-8")


# --- commit -----------------------------------------------------------------------------------


async def test_commit_key_commits_only_the_incident_folder(incident, clock):
    root = incident.repo_root
    (root / "staged.txt").write_text("the user's staged work\n")
    git(root, "add", "staged.txt")
    (root / "README.md").write_text("# service\nunstaged edit\n")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "c")
        await settle(app, pilot)
        head = git(root, "rev-parse", "HEAD").strip()
        assert app.main.git.last_commit is not None and app.main.git.last_commit[0] == head
        files = changed_files(root)
        assert files and all(f.startswith(rel(incident) + "/") for f in files), files
        subject = git(root, "log", "-1", "--format=%s").strip()
        assert subject.startswith("hotfix-001:") and "T001" in subject
        assert "Hotfix-Id: hotfix-001" in git(root, "log", "-1", "--format=%B")
        assert said(app, "Committed") and said(app, head[:8])
        # the user's staged file stays staged and uncommitted; the unstaged edit stays too
        assert git(root, "diff", "--cached", "--name-only").split() == ["staged.txt"]
        assert "README.md" in git(root, "diff", "--name-only")
        assert not git(root, "status", "--porcelain", "--", rel(incident)).strip()
        # nothing left: an information, not an error
        await pilot.press("c")
        await settle(app, pilot)
        assert said(app, "nothing to commit", "information")
        assert git(root, "rev-parse", "HEAD").strip() == head


async def test_stale_git_lock_removed_before_a_commit_is_said(incident, clock):
    root = incident.repo_root
    lock = root / ".git" / "index.lock"  # left by a killed git a minute ago
    lock.write_text("")
    then = time.time() - 60
    os.utime(lock, (then, then))
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "c")
        await settle(app, pilot)
        assert said(app, "Committed")
        assert said(app, "removed .git/index.lock", "warning"), notes(app)
        assert not lock.exists()


async def test_commit_on_detached_head_is_an_error_notification(incident, clock):
    root = incident.repo_root
    git(root, "checkout", "-q", "--detach")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(app, pilot)
        assert any(s == "error" and "detached" in m.lower() for _t, m, s in notes(app)), notes(app)
        assert app.main.git.running is None


# --- sync -------------------------------------------------------------------------------------


async def test_sync_key_merges_a_teammates_check(tmp_path, clock):
    remote, alice, bob = gitfix.team(tmp_path, clock)
    # Bob checks T002 and syncs first
    clock.advance(minutes=5)
    bob_inc = gitfix.incident(bob, clock)
    bob_inc.set_done("T002")
    assert core_sync.sync(bob, bob_inc.folder, bob_inc).pushed
    clock.advance(minutes=1)
    inc = gitfix.incident(alice, clock)
    app = app_for(inc, clock)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        await pilot.press("space")  # Alice checks T001 herself
        assert task_checked(inc, "T001") and not task_checked(inc, "T002")
        await pilot.press("S")
        await settle(app, pilot)
        # on disk: both checks, no conflict markers; in the app: the row and the state
        text = (inc.folder / "tasks.md").read_text(encoding="utf-8")
        assert task_checked(inc, "T001") and task_checked(inc, "T002")
        assert "<<<<<<<" not in text
        assert inc.view.doc.task("T002").done
        row = next(b.rows["T002"] for b in m.boxes if "T002" in b.rows)
        assert row.view.done and row.state == "done"
        assert "2/5" in str(m.boxes[0].content())
        assert m.cursor == "t:T001"  # the cursor stays where it was
        # what arrived from Bob: app state and a notification
        last = app.main.git.last_sync
        assert last is not None and last.ok and last.pushed
        assert any(a.who == "Bob Roe" and "T002" in a.event for a in app.main.git.arrivals)
        assert said(app, "From others") and said(app, "Bob Roe: T002")
        # pushed: the remote branch has Alice's work and Bob's
        tip = git(remote, "rev-parse", gitfix.BRANCH).strip()
        assert tip == git(alice, "rev-parse", "HEAD").strip()
        # the activity screen marks Bob's row as arrived
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActivityScreen)
        bob_rows = [r for r in app.screen.rows if r.who == "Bob Roe"]
        assert bob_rows and any(r.arrived and "T002" in r.event for r in bob_rows)
        assert any(r.who == "Alice Doe" and "T001" in r.event for r in app.screen.rows)
        summary = str(app.screen.query_one("#activity-summary").render())
        assert "arrived from Bob Roe" in summary


async def test_sync_offline_warns_and_loses_nothing(tmp_path, clock):
    _remote, alice, _bob = gitfix.team(tmp_path, clock)
    git(alice, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    inc = gitfix.incident(alice, clock)
    app = app_for(inc, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "S")
        await settle(app, pilot)
        last = app.main.git.last_sync
        assert last is not None and last.offline and not last.ok
        assert any(s == "warning" and "cannot reach origin" in m for _t, m, s in notes(app))
        # nothing lost: checked on disk and in the app, committed locally for the next sync
        assert task_checked(inc, "T001") and inc.view.doc.task("T001").done
        assert not git(alice, "status", "--porcelain", "--", rel(inc)).strip()
        assert "T001" in git(alice, "log", "-1", "--format=%s")
        assert app.main.git.running is None
        # still usable afterwards
        await pilot.press("j", "space")
        assert task_checked(inc, "T002")


async def test_no_changes_while_a_sync_runs(tmp_path, clock, monkeypatch):
    _remote, alice, _bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    release = threading.Event()
    real = core_sync.sync

    def slow_sync(root, folder, incident=None, **kw):
        assert release.wait(30), "the test never released the sync"
        return real(root, folder, incident, **kw)

    monkeypatch.setattr("hotfix_tui.core.sync.sync", slow_sync)
    app = app_for(inc, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert app.main.git.running == "sync"
        await pilot.press("space", "u", "s")
        await pilot.pause()
        assert not task_checked(inc, "T001")
        assert isinstance(app.screen, MainScreen)  # the skip dialog did not open
        assert said(app, "a sync is running", "warning")
        await pilot.press("S", "c")
        assert said(app, "a sync is already running")
        release.set()
        await settle(app, pilot)
        assert app.main.git.last_sync is not None and app.main.git.last_sync.ok
        await pilot.press("space")
        assert task_checked(inc, "T001")


async def test_changes_made_during_a_sync_wait_and_are_saved_after_it(tmp_path, clock,
                                                                     monkeypatch):
    _remote, alice, _bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    release = threading.Event()
    real = core_sync.sync
    commits: list[str] = []
    from hotfix_tui.core.git import gitops

    real_commit = gitops.commit_incident

    def counted_commit(*a, **kw):
        commits.append("commit")
        return real_commit(*a, **kw)

    def slow_sync(root, folder, incident=None, **kw):
        assert release.wait(30), "the test never released the sync"
        return real(root, folder, incident, **kw)

    monkeypatch.setattr("hotfix_tui.core.sync.sync", slow_sync)
    monkeypatch.setattr("hotfix_tui.core.git.gitops.commit_incident", counted_commit)
    app = app_for(inc, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        # the git work is the screen's: its worker runs in the screen's "git" group
        jobs = [w for w in app.workers if w.group == "git"]
        assert jobs and all(w.node is main(app) for w in jobs)
        await pilot.press("space", "c")
        await pilot.pause()
        assert not task_checked(inc, "T001")  # not now: the sync is merging the files
        assert said(app, "your change waits", "warning")
        assert said(app, "a sync is running; it commits your changes too")
        release.set()
        await settle(app, pilot)
        assert task_checked(inc, "T001")  # saved once the sync ended
        assert said(app, "1 change(s) made during the sync saved")
        # the commit asked for during the sync ran after it, with the change that waited
        assert commits == ["commit"]
        assert said(app, "Committed")
        assert not git(alice, "status", "--porcelain", "--", rel(inc)).strip()
        assert not said(app, "nothing to commit")


async def test_only_the_shown_incident_screen_auto_commits(incident, clock, monkeypatch):
    from hotfix_tui.core.git import gitops

    real_commit = gitops.commit_incident
    commits: list[str] = []

    def counted_commit(*a, **kw):
        commits.append("commit")
        return real_commit(*a, **kw)

    monkeypatch.setattr("hotfix_tui.core.git.gitops.commit_incident", counted_commit)
    app = app_for(incident, clock, settings=Settings(auto_commit=True))
    async with app.run_test(size=SIZE) as pilot:
        first = main(app)
        app.show_incident(incident)  # the same incident on a new screen (the overview does it)
        await pilot.pause()
        assert main(app) is not first and first.is_attached  # the first one is covered
        await pilot.press("space")
        await settle(app, pilot)
        assert task_checked(incident, "T001")
        assert commits == ["commit"]  # one commit, by the screen shown
        assert first.git.last_commit is None and main(app).git.last_commit is not None
    assert first.flows._incident_changed not in incident.listeners  # unmounted: listens no more


async def test_git_jobs_never_overlap_sync_waits_for_a_running_commit(tmp_path, clock,
                                                                       monkeypatch):
    _remote, alice, _bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    release = threading.Event()
    calls: list[str] = []
    from hotfix_tui.core.git import gitops

    real_commit = gitops.commit_incident

    def slow_commit(*a, **kw):
        calls.append("commit")
        assert release.wait(30), "the test never released the commit"
        return real_commit(*a, **kw)

    monkeypatch.setattr("hotfix_tui.core.git.gitops.commit_incident", slow_commit)
    app = app_for(inc, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "c")
        await pilot.pause()
        assert app.main.git.running == "commit"
        await pilot.press("c")
        assert said(app, "a commit is running; yours follows it")
        await pilot.press("S")
        assert said(app, "sync starts when the running commit finishes")
        release.set()
        await settle(app, pilot)
        # the commit ran, then the queued sync (which takes over the queued commit)
        assert calls == ["commit"]
        assert app.main.git.last_sync is not None and app.main.git.last_sync.ok
        assert said(app, "Committed") and said(app, "Synced")
        assert not git(alice, "status", "--porcelain", "--", rel(inc)).strip()


async def test_sync_without_a_remote_is_an_error(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await settle(app, pilot)
        assert any(t == "Sync failed" and s == "error" for t, _m, s in notes(app)), notes(app)
        assert app.main.git.running is None


# --- auto-commit ------------------------------------------------------------------------------


async def test_auto_commit_setting_commits_after_each_change(incident, clock, tmp_path,
                                                             monkeypatch):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "config.yaml").write_text("auto_commit: true\n")
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(cfg))
    settings = load_settings()
    assert settings.auto_commit is True
    root = incident.repo_root
    before = int(git(root, "rev-list", "--count", "HEAD"))
    app = app_for(incident, clock, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(app, pilot)
        assert int(git(root, "rev-list", "--count", "HEAD")) == before + 1
        assert "T001" in git(root, "log", "-1", "--format=%s")
        assert all(f.startswith(rel(incident) + "/") for f in changed_files(root))
        assert not git(root, "status", "--porcelain", "--", rel(incident)).strip()
        # a burst of changes (and an undo) ends committed, in a few commits at most
        await pilot.press("j", "space", "j", "space", "u")
        await settle(app, pilot)
        assert not git(root, "status", "--porcelain", "--", rel(incident)).strip()
        count = int(git(root, "rev-list", "--count", "HEAD"))
        assert before + 2 <= count <= before + 4
        assert not any(s == "error" for _t, _m, s in notes(app))


async def test_auto_commit_off_by_default(incident, clock):
    root = incident.repo_root
    before = git(root, "rev-parse", "HEAD")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(app, pilot)
        assert git(root, "rev-parse", "HEAD") == before


# --- fix commit -------------------------------------------------------------------------------


async def test_fix_commit_picker_writes_commit_sha_and_confirms_a_change(incident, clock):
    root = incident.repo_root
    shas = []
    for name, subject in (("pool.py", "Raise the pool size"), ("retry.py", "Retry on timeout")):
        (root / name).write_text("x = 1\n")
        git(root, "add", name)
        git(root, "commit", "-q", "-m", subject)
        shas.append(git(root, "rev-parse", "HEAD").strip())
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitPickerScreen)
        assert [c.subject for c in app.screen.commits][:2] == ["Retry on timeout",
                                                               "Raise the pool size"]
        await pilot.press("down", "enter")  # the pool-size commit
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        hotfix = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert f"**Commit SHA**: {shas[0]}" in hotfix
        assert f"git revert {shas[0]}" in hotfix
        assert said(app, "Fix commit recorded")
        # another commit: asks first; n keeps the recorded one, y replaces it
        await pilot.press("f")
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert f"**Commit SHA**: {shas[0]}" in (incident.folder / "hotfix.md").read_text()
        await pilot.press("f")
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert f"**Commit SHA**: {shas[1]}" in (incident.folder / "hotfix.md").read_text()


async def test_fix_commit_with_no_commits_on_the_branch(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert said(app, "no commits on this branch", "warning")


# --- detection, start correction ------------------------------------------------------------


def windows_line(app: HotfixApp) -> str:
    return str(main(app).query_one("#sla-windows").render())


async def test_open_lands_on_the_checklist_and_asks_detection_in_the_panel(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert main(app).cursor == "t:T001"
        assert "Detection not recorded: d" in windows_line(app)
        await pilot.press("space")  # the first key acts on the checklist
        assert task_checked(incident, "T001")


async def test_detection_written_from_d_and_the_panel_line_goes(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetectionScreen)
        await pilot.press(*"PagerDuty alert")
        await pilot.press("tab", *"2026-11-25 13:52", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        hotfix = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert "**Detection**: 2026-11-25 13:52:00 UTC - PagerDuty alert" in hotfix
        pm = (incident.folder / "post-mortem.md").read_text(encoding="utf-8")
        assert "Detected" in pm and "PagerDuty alert" in pm
        assert "Detection not recorded" not in windows_line(app)


async def test_d_opens_with_the_current_answer_filled_in(incident, clock):
    incident.set_detection(clock() - timedelta(minutes=8), "PagerDuty alert")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetectionScreen)
        assert app.screen.query_one("#detection-how", Input).value == "PagerDuty alert"
        assert app.screen.query_one("#detection-when", Input).value == "2026-11-25 13:52:00"
        await pilot.press("enter")  # unchanged: saved as it is, no confirmation asked
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        hotfix = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert "**Detection**: 2026-11-25 13:52:00 UTC - PagerDuty alert" in hotfix


async def test_detection_empty_time_means_now_and_esc_cancels(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await main(app).run_action("detection")
        await pilot.pause()
        assert isinstance(app.screen, DetectionScreen)
        assert app.screen.query_one("#detection-how", Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "Detection not recorded: d" in windows_line(app)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")  # no "how" yet: refused
        await pilot.pause()
        assert isinstance(app.screen, DetectionScreen)
        await pilot.press(*"customer report", "enter")
        await pilot.pause()
        hotfix = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert "**Detection**: 2026-11-25 14:00:00 UTC - customer report" in hotfix


async def test_detection_line_shows_a_remapped_key(incident, clock):
    app = app_for(incident, clock, settings=Settings(keymap={"hotfix.detection": "D"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Detection not recorded: D" in windows_line(app)


async def test_no_detection_line_for_a_resolved_incident(incident, clock):
    incident.set_done("T027")  # Resolved: the status follows the task
    assert incident.status == "Resolved"
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "Detection not recorded" not in windows_line(app)


async def test_correct_start_from_the_palette_confirms_and_clocks_follow(incident, clock):
    clock.advance(minutes=10)
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        m = main(app)
        assert m.query_one("#sla-digits", Digits).value == "0:50:00"
        await m.run_action("correct_start")
        await pilot.pause()
        assert isinstance(app.screen, TimeScreen)
        inp = app.screen.query_one(Input)
        assert inp.value == "2026-11-25 14:00"
        inp.value = ""
        await pilot.press(*"not a time", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TimeScreen) and said(app, "is not a time")
        inp.value = ""
        await pilot.press(*"2026-11-25 13:30", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        hotfix = (incident.folder / "hotfix.md").read_text(encoding="utf-8")
        assert "**Incident Start**: 2026-11-25 13:30:00 UTC" in hotfix
        assert m.query_one("#sla-digits", Digits).value == "0:20:00"


# --- activity, report, post-mortem ----------------------------------------------------------


async def test_activity_screen_lists_the_latest_rows(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        clock.advance(minutes=2)
        await pilot.press("n", *"pool at 100%", "enter")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActivityScreen)
        rows = app.screen.rows
        assert rows[0].who == "Ana Lyst" and "T001" in rows[0].event  # newest first
        assert any("T001 done" in r.event for r in rows)
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(rows)
        cells = [str(c) for c in table.get_row_at(0)]
        assert "Ana Lyst" in cells
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_report_screen_shows_the_report_as_text(incident, clock):
    incident.note("T001", "[bold]not markup[/bold]")
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        text = app.screen.query_one(TextArea).text
        assert text.startswith("# Status: hotfix-001 - Checkout returns 500 errors")
        assert "## Next" in text and "T001" in text
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_fill_postmortem_from_the_palette(incident, clock):
    app = app_for(incident, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await main(app).run_action("fill_postmortem")
        await pilot.pause()
        assert said(app, "Post-mortem filled") and said(app, "Participants: Ana Lyst")
        pm = (incident.folder / "post-mortem.md").read_text(encoding="utf-8")
        assert "**Participants**: Ana Lyst" in pm
        await main(app).run_action("fill_postmortem")
        await pilot.pause()
        assert said(app, "nothing to fill")


async def test_palette_lists_the_record_actions(incident, clock):
    from hotfix_tui.tui.commands import HotfixCommands

    app = app_for(incident, clock)
    async with app.run_test(size=SIZE):
        labels = [label for label, _h, _cb in HotfixCommands(app.screen)._commands()]
        for title in ("Commit incident  (c)", "Sync with the team  (S)", "Activity  (a)",
                      "Pick fix commit…  (f)", "Hand-over report  (r)", "Fill post-mortem",
                      "Correct incident start…", "Record detection…  (d)"):
            assert title in labels, labels
        assert len(labels) == len(PALETTE)


# --- not a git repository ---------------------------------------------------------------------


async def test_outside_a_repo_git_actions_say_why(incident, clock, tmp_path):
    plain = tmp_path / "plain" / incident.folder.name
    shutil.copytree(incident.folder, plain)
    inc = Incident(plain, resolve_workflow("hotfix", None), clock=clock, who="Ana Lyst",
                   repo_root=None)
    app = app_for(inc, clock, settings=Settings(auto_commit=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # auto-commit on: quietly nothing
        await pilot.press("c", "S", "f")
        await pilot.pause()
        assert sum(NOT_A_REPO in m for _t, m, _s in notes(app)) == 3
        assert len(app.workers) == 0 and app.main.git.running is None
        assert task_checked(inc, "T001")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActivityScreen)
        assert NOT_A_REPO in str(app.screen.query_one("#activity-summary").render())
