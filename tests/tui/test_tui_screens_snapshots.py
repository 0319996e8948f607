"""Snapshots (pytest-textual-snapshot) of every screen and dialog at 80×24, 120×40 and 200×50,
and of the main screen in a 16-colour terminal and without colour at each size.

One scene, built the same on every run: a bare remote; Alice declared hotfix-001 (P1) on her
branch and pushed it; Ana, cloned after, works on hotfix-002 (P0) with a fix commit recorded.
The clock is a FakeClock, git's dates are fixed, the fetch time is set with `os.utime`, the
record's random ids count up instead (so commit SHAs are the same on every run), the alerts due
are logged two minutes before the app starts (no toast races the picture) and cursors do not
blink.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitfix import FakeClock, clone, git, make_repo
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.command import CommandPalette
from textual.filter import LineFilter
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, TextArea

from hotfix_tui.core.alerting import alerts
from hotfix_tui.core.alerting.reminders import incident_reminders
from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import events, journal
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens import (
    dialogs,
    history,
    overview,
    record_dialogs,
    runbook,
    stats,
    team_dialogs,
)

Before = Callable[[Pilot], Awaitable[None]]  # what the user does before the picture
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40"),
         pytest.param((200, 50), id="200x50")]
THEME = "textual-dark"
WHO = "Ana Lyst"


def at(minutes: int) -> datetime:
    """The scene's time `minutes` after the incident started (conftest's clock, 14:00 UTC)."""
    return datetime(2026, 11, 25, 14, 0, tzinfo=UTC) + timedelta(minutes=minutes)


class CountingEntropy:
    """`os` for the record's id makers with `urandom` counting up: the same ids on every run."""

    def __init__(self) -> None:
        self.n = 0

    def urandom(self, size: int) -> bytes:
        self.n += 1
        return self.n.to_bytes(size, "big")

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def commit(root: Path, message: str, when: datetime, *paths: str) -> str:
    """Commit `paths` (all changes when none) at a fixed author and committer date."""
    stamp = when.isoformat()
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git(root, "add", *(paths or ("-A",)))
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True, env=env,
                   capture_output=True, timeout=60)
    return git(root, "rev-parse", "HEAD").strip()


def alerts_fired(inc: Incident) -> None:
    """What is due now has fired before: no toast races the picture (alerts have own tests)."""
    now = inc.clock()
    assert inc.workflow is not None
    due = alerts.due_alerts(inc.id, inc.severity, inc.sla(now), inc.workflow.clock.warnings,
                            inc.windows(now), incident_reminders(inc, now, []), set(), now)
    for a in due:
        alerts.record(inc.folder, a, WHO)


@dataclass
class Scene:
    ana: Path  # Ana's clone, on hotfix-002's branch
    folder: Path  # hotfix-002's folder
    clock: FakeClock


def build_scene(tmp: Path, clock: FakeClock) -> None:
    """Alice's hotfix-001 pushed; Ana's hotfix-002 at 14:30 with a fix commit recorded."""
    seed = make_repo(tmp / "seed", "Seed Er")
    remote = tmp / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True,
                   capture_output=True, timeout=60)
    alice = clone(remote, tmp / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    first = create_incident(alice, "Database connection pool exhausted", "P1", wf, clock=clock)
    Incident(first, wf, clock=clock, who="Alice Doe", repo_root=alice).set_done("T001")
    commit(alice, "hotfix-001: declare", at(1))
    git(alice, "push", "-q", "-u", "origin", git(alice, "branch", "--show-current").strip())

    ana = clone(remote, tmp / "ana", WHO)
    wf = resolve_workflow("hotfix", ana)
    folder = create_incident(ana, "Checkout returns 500 errors for EU customers", "P0", wf,
                             clock=clock)
    inc = Incident(folder, wf, clock=clock, who=WHO, repo_root=ana)
    clock.t = at(4)
    inc.set_done("T001")
    inc.set_detection(at(0), "PagerDuty alert: checkout 5xx rate above 5 %")
    clock.t = at(6)
    inc.set_done("T002")
    clock.t = at(12)
    inc.set_done("T003")
    inc.note("T004", "VAT rounding raises for amounts with three decimals (EU only)")
    commit(ana, "hotfix-002: declare and investigate", at(13))
    clock.t = at(20)
    inc.set_done("T004")
    inc.set_done("T005")
    (ana / "checkout.py").write_text("def vat(amount):\n    return round(amount, 2)\n")
    sha = commit(ana, "Round VAT to cents before the EU tax call", at(24), "checkout.py")
    inc.set_fix_commit(sha, "Round VAT to cents before the EU tax call")
    clock.t = at(28)
    inc.set_done("T006")
    inc.set_done("T007")
    clock.t = at(30)
    alerts_fired(inc)  # two minutes before the app starts: older than dispatch.GRACE
    fetched = at(0).timestamp()  # "other branches as of": the clone's time, fixed
    for name in ("packed-refs", "FETCH_HEAD"):
        if (ana / ".git" / name).exists():
            os.utime(ana / ".git" / name, (fetched, fetched))


@pytest.fixture(scope="module")
def scene_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scene, built once per module (git and the record's writes are the slow part)."""
    tmp = tmp_path_factory.mktemp("scene")
    home = tmp_path_factory.mktemp("scene-home")
    with pytest.MonkeyPatch.context() as mp:  # (conftest isolates each test; this is shared)
        for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                    "XDG_CACHE_HOME", "HOTFIX_TUI_CONFIG_DIR", "HOTFIX_TUI_STATE_DIR",
                    "HOTFIX_TUI_CACHE_DIR"):
            mp.setenv(var, str(home / var.lower()))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        day_before = (at(0) - timedelta(days=1)).isoformat()
        mp.setenv("GIT_AUTHOR_DATE", day_before)  # make_repo's commit
        mp.setenv("GIT_COMMITTER_DATE", day_before)
        mp.setattr(events, "os", CountingEntropy())
        mp.setattr(journal, "os", CountingEntropy())
        build_scene(tmp, FakeClock())
    return tmp


@pytest.fixture
def scene(scene_template: Path, tmp_path: Path, clock: FakeClock) -> Scene:
    """A copy of the scene for one test (its app may write), the clock at 14:32."""
    shutil.copytree(scene_template, tmp_path / "scene", symlinks=True)
    ana = tmp_path / "scene" / "ana"
    clock.t = at(32)
    return Scene(ana, ana / "specs" / "hotfix" / "002-checkout-returns-500", clock)


def settings() -> Settings:
    return Settings(theme=THEME, fetch_interval=0)


def main_app(s: Scene) -> HotfixApp:
    inc = Incident(s.folder, resolve_workflow("hotfix", s.ana), clock=s.clock, who=WHO,
                   repo_root=s.ana)
    return HotfixApp(inc, root=s.ana, clock=s.clock, settings=settings(), watch=False)


def no_git_app(s: Scene) -> HotfixApp:
    """The incident opened without a repository (git features off: the plain activity)."""
    inc = Incident(s.folder, resolve_workflow("hotfix", s.ana), clock=s.clock, who=WHO,
                   repo_root=None)
    return HotfixApp(inc, root=None, clock=s.clock, settings=settings(), watch=False)


def picker_app(s: Scene) -> HotfixApp:
    return HotfixApp(None, root=s.ana, clock=s.clock, settings=settings(), watch=False)


async def shown(pilot: Pilot, ready: Callable[[Screen], bool], rounds: int = 200) -> None:
    """Wait (bounded) for the workers and their messages until the screen is `ready`; then
    stop cursors blinking, so the picture never depends on when it is taken."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if ready(app.screen) and not any(w.is_running for w in app.workers):
            break
    else:
        raise AssertionError(f"{type(app.screen).__name__} never got ready")
    assert not app._notifications, [str(n.message) for n in app._notifications]
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    for table in app.screen.query(DataTable):
        # A frame drawn between add_row and the table's idle width update stays cached with
        # the old column widths (Textual issue #4470): draw the table again from its rows.
        table.notify_style_update()
    await pilot.pause()


def is_(kind: type[Screen]) -> Callable[[Screen], bool]:
    return lambda screen: isinstance(screen, kind)


def keys(*press: str, ready: Callable[[Screen], bool]) -> Before:
    """Press `press` on the app, then wait until the screen is `ready`."""

    async def run(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press(*press)
        await shown(pilot, ready)

    return run


def on_task(task: str, *press: str, ready: Callable[[Screen], bool]) -> Before:
    """Open `task`'s phase and put the cursor on it (as `g` does), then press `press`."""

    async def run(pilot: Pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.reveal(screen.incident.view.find(task).key)
        await pilot.pause()
        await pilot.press(*press)
        await shown(pilot, ready)

    return run


async def status_confirm(pilot: Pilot) -> None:
    """Set status → Fix Deployed: the app offers to check the task that reaches it."""
    await pilot.pause()
    pilot.app.screen.action_set_status()
    await shown(pilot, is_(dialogs.StatusScreen))
    pilot.app.screen.query_one(OptionList).highlighted = 1
    await pilot.press("enter")
    await shown(pilot, is_(record_dialogs.ConfirmScreen))


async def read_only_copy(pilot: Pilot) -> None:
    """The overview, then enter on Alice's hotfix-001 (another branch's copy)."""
    await keys("o", ready=overview_ready)(pilot)
    screen = pilot.app.screen
    leaf = next(leaf for leaf, e in screen.leaves if "hotfix/001-" in e.path)
    screen.query_one("#overview-tree").move_cursor(leaf)
    await pilot.press("enter")
    await shown(pilot, is_(overview.ReadOnlyScreen))


async def join_confirm(pilot: Pilot) -> None:
    """The picker's line of the incident on Alice's branch: enter asks before switching."""
    await shown(pilot, is_(dialogs.PickerScreen))
    items = pilot.app.screen.items
    pilot.app.screen.query_one(OptionList).highlighted = next(
        i for i, it in enumerate(items) if it.join is not None)
    await pilot.press("enter")
    await shown(pilot, is_(record_dialogs.ConfirmScreen))


def overview_ready(screen: Screen) -> bool:
    return isinstance(screen, overview.OverviewScreen) and len(screen.leaves) == 2


def palette_ready(screen: Screen) -> bool:
    return (isinstance(screen, CommandPalette)
            and screen.query_one(OptionList).option_count > 0)


def runbook_app(s: Scene) -> HotfixApp:
    """The scene with the repository's own workflow giving T008 a command (not trusted yet)."""
    from runbook_fix import workflow_with

    path = s.ana / ".hotfix" / "workflows" / "hotfix.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow_with({"T008": "./scripts/smoke.sh --ref {fix_sha} {branch}"}))
    return main_app(s)


def trusted_runbook_app(s: Scene) -> HotfixApp:
    from hotfix_tui.core.runbook import trust

    app = runbook_app(s)
    trust.trust(trust.read(s.ana / ".hotfix" / "workflows" / "hotfix.yaml"))
    return app


def reopened_app(s: Scene) -> HotfixApp:
    """The main screen two minutes after T001 was reopened (checking it again asks)."""
    Incident(s.folder, resolve_workflow("hotfix", s.ana), clock=s.clock, who=WHO,
             repo_root=s.ana).set_done("T001", False)
    s.clock.advance(minutes=2)
    return main_app(s)


# name: (the app, what the user does before the picture)
SCREENS: dict[str, tuple[Callable[[Scene], HotfixApp], Before]] = {
    "main": (main_app, keys(ready=is_(Screen))),
    "help": (main_app, keys("question_mark", ready=is_(dialogs.HelpScreen))),
    "skip": (main_app, on_task("T010", "s", ready=is_(dialogs.SkipScreen))),
    "severity": (main_app, keys("e", ready=is_(dialogs.SeverityScreen))),
    "status-confirm": (main_app, status_confirm),
    "done-at": (main_app, on_task("T008", "X", ready=is_(record_dialogs.TimeScreen))),
    "recheck": (reopened_app, on_task("T001", "space", ready=is_(record_dialogs.RecheckScreen))),
    "detection": (main_app, keys("d", ready=is_(record_dialogs.DetectionScreen))),
    "fix-commit": (main_app, keys("f", ready=is_(record_dialogs.CommitPickerScreen))),
    "activity": (main_app, keys("a", ready=lambda s: isinstance(s, history.ActivityWithHistory)
                                and s.commits is not None)),
    "activity-without-git": (no_git_app, keys("a", ready=is_(record_dialogs.ActivityScreen))),
    "commands": (main_app, keys("y", ready=is_(record_dialogs.CommandsScreen))),
    "report": (main_app, keys("r", ready=is_(record_dialogs.ReportScreen))),
    "update": (main_app, keys("U", ready=is_(team_dialogs.UpdateScreen))),
    "overview": (main_app, keys("o", ready=overview_ready)),
    "read-only-copy": (main_app, read_only_copy),
    "stats": (main_app, keys("m", ready=lambda s: isinstance(s, stats.StatsScreen)
                             and s.data is not None)),
    # (typed: the palette lists its providers' discovery hits in the order they arrive)
    "palette": (main_app, keys("ctrl+p", *"severity", ready=palette_ready)),
    "picker": (picker_app, keys(ready=is_(dialogs.PickerScreen))),
    "new-incident": (picker_app, keys("n", ready=is_(dialogs.NewIncidentScreen))),
    "join-confirm": (picker_app, join_confirm),
    "followup": (main_app, keys("F", ready=is_(runbook.FollowupScreen))),
    "trust": (runbook_app, on_task("T008", "exclamation_mark", ready=is_(runbook.TrustScreen))),
    "run-confirm": (trusted_runbook_app,
                    on_task("T008", "exclamation_mark", ready=is_(runbook.RunConfirmScreen))),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(snap_compare, scene, name, size):
    make, before = SCREENS[name]
    assert snap_compare(make(scene), terminal_size=size, run_before=before)


class SixteenColours(LineFilter):
    """Every colour as a 16-colour terminal shows it: downgraded the way Textual's driver does
    when the console's colour system is `standard` (`Strip.render_ansi`)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, None if style is None else self._down(style), control)
                for text, style, control in segments]

    @staticmethod
    def _down(style: Style) -> Style:
        color, bg = style.color, style.bgcolor
        return style + Style.from_color(
            color.downgrade(ColorSystem.STANDARD) if color else None,
            bg.downgrade(ColorSystem.STANDARD) if bg else None,
        )


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_in_a_16_colour_terminal(snap_compare, scene, monkeypatch, size):
    import textual.constants

    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")  # TEXTUAL_COLOR_SYSTEM
    app = main_app(scene)
    assert app.console.color_system == "standard"
    app._filters.append(SixteenColours())  # (the filters every frame passes, as NO_COLOR's)
    assert snap_compare(app, terminal_size=size, run_before=keys(ready=is_(Screen)))


def test_severities_in_a_16_colour_terminal(snap_compare, scene, monkeypatch):
    import textual.constants

    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    app = main_app(scene)
    app._filters.append(SixteenColours())
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=keys("e", ready=is_(dialogs.SeverityScreen)))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_without_colour(snap_compare, scene, monkeypatch, size):
    monkeypatch.setenv("NO_COLOR", "1")  # Textual draws every frame through its Monochrome filter
    app = main_app(scene)
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=keys(ready=is_(Screen)))
