"""The Textual app: one incident screen (or the picker), settings, timers, the palette.

The incident screen (`screens/main.py`) does the work; the app opens screens and ticks clocks.
"""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen

from hotfix_tui.core.clocks import Clock, format_duration, utc_now
from hotfix_tui.core.config.settings import Settings, load_settings
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.store import StoreError
from hotfix_tui.tui.actions import MAIN_BINDINGS
from hotfix_tui.tui.commands import HotfixCommands, ShareBoardCommands
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.screens.record_flows import ACTION_ERRORS, ERROR_TIMEOUT
from hotfix_tui.tui.services.alerter import AlertCommandFailed, Alerter
from hotfix_tui.tui.services.input_order import InputOrder
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from hotfix_tui.core.joining import Elsewhere
    from hotfix_tui.tui.screens.dialogs import PickItem
    from hotfix_tui.web.server import BoardThread

WIDE_COLUMNS = 160  # from this width the wide dialogs (activity, report) take the room





def pick_label(inc: Incident, hid: str, kind: str = "hotfix",
               me: tuple[str, ...] = ()) -> Text:
    """The picker's line of an incident (its kind unless a hotfix), its SLA clock read now,
    what of it is mine (`me`: git's user.name and user.email)."""
    from hotfix_tui.core.reports.status_data import mine_of
    from hotfix_tui.tui.screens.dialogs import incident_label

    wf_sev = inc.workflow.severity(inc.severity) if inc.workflow else None
    title = inc.title if kind == "hotfix" else f"{kind}: {inc.title}"
    return incident_label(inc.id or hid, title, inc.severity,
                          wf_sev.color if wf_sev else "", inc.status, inc.sla(inc.clock()),
                          mine_of(inc, me))



def elsewhere_label(x: Elsewhere, clock: Clock) -> Text:
    """The picker's line of an incident open on another branch, with that branch."""
    from hotfix_tui.tui.screens.dialogs import incident_label

    fig = x.figures
    sev = fig.workflow.severity(x.severity) if fig is not None and fig.workflow else None
    sla = fig.sla(clock()) if fig is not None else None
    return incident_label(x.id, f"on {x.source} · {x.title}", x.severity,
                          sev.color if sev else "", x.status, sla)


def _gc_on() -> None:
    gc.enable()


class HotfixApp(App[int]):
    """The on-call TUI for one incident (or a picker of the repo's incidents)."""

    CSS_PATH = "hotfix.tcss"
    TITLE = "hotfix-tui"
    # Textual's own ctrl+q, without priority: quit remapped to ctrl+q (keymap) is the screen's
    # binding, then shown in the footer
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]
    COMMANDS = App.COMMANDS | {HotfixCommands, ShareBoardCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        incident: Incident | None,
        *,
        root: Path | None,
        clock: Clock | None = None,
        settings: Settings | None = None,
        watch: bool = True,
    ) -> None:
        super().__init__()
        self.incident = incident
        self.root = root
        if clock is not None and incident is not None:
            incident.view.clock = clock
        self.clock: Clock = clock or (incident.clock if incident else utc_now)
        self.settings = settings if settings is not None else load_settings()
        self.watch_files = watch
        self.keymap: dict[str, str] = dict(self.settings.keymap)
        self.main: MainScreen | None = None
        self.alerter = Alerter(self)
        self.board_server: BoardThread | None = None  # the live board, once shared
        self.input_order = InputOrder(self, super().on_event)  # keys land where aimed

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes in order, each after the one before took effect (`InputOrder`)."""
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self.input_order.take(event)
        else:
            await super().on_event(event)

    def on_resize(self, event: events.Resize) -> None:
        """Under 30 rows dialogs take the room down to the last line but one; from 160 columns
        the wide dialogs take the width (hotfix.tcss)."""
        self.set_class(event.size.height < 30, "-short")
        self.set_class(event.size.width >= WIDE_COLUMNS, "-wide")

    def on_mount(self) -> None:
        # the launcher pauses the garbage collector for start-up: on again after the first frame
        # (a Python function: Textual inspects a callback's signature, slow for a builtin)
        self.call_after_refresh(_gc_on)
        self.call_after_refresh(self.repair_record)
        self.apply_settings()
        self.set_interval(1, self.tick)
        if self.incident is None:
            self.show_picker()
        elif self.main is None:
            self.open_incident(self.incident)

    def apply_settings(self) -> None:
        """Theme and keymap from the settings; every problem is a short `FILE:LINE` error."""
        s = self.settings
        for p in s.problems:
            self.notify(p, severity="error", title="Settings", markup=False,
                        timeout=ERROR_TIMEOUT)
        if s.theme:
            if s.theme in self.available_themes:
                self.theme = s.theme
            else:
                self.notify(f"{s.where(s.theme_line)}: theme: unknown theme {s.theme!r} "
                            "(e.g. textual-dark, nord); ignored", severity="error",
                            title="Settings", markup=False, timeout=ERROR_TIMEOUT)
        if self.keymap:
            known = {b[0] for b in MAIN_BINDINGS} | {"command_palette"}
            unknown = [bid for bid in self.keymap if bid not in known]
            if unknown:
                lines = [f"{s.where(s.keymap_lines.get(bid, 0))}: keymap: unknown binding id "
                         f"{bid!r}" for bid in unknown[:3]]
                if len(unknown) > 3:
                    lines.append(f"and {len(unknown) - 3} more")
                lines.append("(? lists the binding ids)")
                self.notify("\n".join(lines), severity="error", title="Settings",
                            markup=False, timeout=ERROR_TIMEOUT)
            self.set_keymap(self.keymap)

    # --- screens --------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        # the incident given at start is the first screen: no blank default screen under it
        # (one screen to compose, style and lay out instead of two at start-up)
        if self.incident is not None and self.main is None:
            self._main_screen(self.incident)
            if self.main is not None:
                return self.main
        return super().get_default_screen()

    def _main_screen(self, incident: Incident) -> MainScreen:
        self.incident = incident
        self.main = MainScreen(incident)  # its git jobs auto-commit (settings.auto_commit)
        return self.main

    def repair_record(self) -> None:
        """Bring the incident's files in line with its event log (after the first frame)."""
        inc, main = self.incident, self.main
        if inc is None:
            return
        before = dict(inc.view.texts)
        try:
            inc.repair()
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Record", markup=False)
            return
        if main is not None and inc.view.texts != before:
            main.sync_all()

    def open_incident(self, incident: Incident) -> None:
        from hotfix_tui.tui.screens.dialogs import PickerScreen

        main = self._main_screen(incident)
        if isinstance(self.screen, PickerScreen):
            self.switch_screen(main)
        else:
            self.push_screen(main)

    def show_picker(self) -> None:
        from hotfix_tui.core.discovery import find_specs, quick_status
        from hotfix_tui.core.errors import UserError as CliError
        from hotfix_tui.core.git.repo import user_identity
        from hotfix_tui.core.opening import open_incident
        from hotfix_tui.tui.screens.dialogs import PickerScreen, PickItem

        items = []
        me = user_identity(self.root)  # what "mine" matches
        for f in find_specs(self.root) if self.root else []:
            hid = f.id
            try:  # the title, severity and SLA come from the incident's own files
                inc = open_incident(str(f.folder), clock=self.clock)
                relabel = partial(pick_label, inc, hid, f.kind, me)
                items.append(PickItem(f.folder, relabel(), relabel))
                continue
            except (CliError, IncidentError, StoreError, OSError, UnicodeDecodeError, ValueError):
                pass
            t = Text(no_wrap=True, overflow="ellipsis")  # unreadable: what the folder says
            t.append(hid, style="bold")
            t.append(f"  {clean(quick_status(f.folder, self.root) or '?'):<22} ")
            t.append(clean(f.words.replace("-", " ")))
            items.append(PickItem(f.folder, t))
        if self.root is not None:
            items += self._elsewhere_items(self.root)
        self.push_screen(PickerScreen(items, self.root), self._picked)

    def _elsewhere_items(self, root: Path) -> list[PickItem]:
        """Picker lines for the incidents open on other branches (enter switches to one)."""
        from hotfix_tui.core.joining import open_elsewhere
        from hotfix_tui.tui.screens.dialogs import PickItem

        items = []
        for x in open_elsewhere(root, self.clock):
            relabel = partial(elsewhere_label, x, self.clock)
            items.append(PickItem(root / x.path, relabel(), relabel, join=x))
        return items

    def _picked(self, result: Path | str | None) -> None:
        if result is None:
            self.exit(0)
            return
        if result == "new":
            self._new_incident()
            return
        self._load(Path(result))

    def _load(self, folder: Path) -> None:
        from hotfix_tui.core.errors import UserError as CliError
        from hotfix_tui.core.opening import open_incident
        from hotfix_tui.tui.screens.dialogs import PickerScreen

        try:
            inc = open_incident(str(folder), clock=self.clock)
        except CliError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.show_picker()
            return
        self.pop_screen() if isinstance(self.screen, PickerScreen) else None
        self.open_incident(inc)

    def show_incident(self, incident: Incident) -> None:
        """Put `incident` on screen in place of the one shown (the overview opens another)."""
        main = self._main_screen(incident)
        if isinstance(self.screen, MainScreen) and len(self.screen_stack) > 1:
            self.switch_screen(main)  # (the first screen cannot be switched, only covered)
        else:
            self.push_screen(main)

    def show_overview(self) -> None:
        """Every incident and spec of the repo, on every branch."""
        from hotfix_tui.tui.screens.overview import OverviewScreen

        if self.root is None:
            self.notify("not inside a git repository", severity="error")
            return
        self.push_screen(OverviewScreen(self.root))

    def show_stats(self) -> None:
        """The SLA stats screen over every incident of the repo."""
        from hotfix_tui.tui.screens.stats import StatsScreen

        if self.root is None:
            self.notify("not inside a git repository", severity="error")
            return
        self.push_screen(StatsScreen(self.root))

    def _new_incident(self) -> None:
        from hotfix_tui.core.workflow.resolve import workflow_named
        from hotfix_tui.tui.screens.dialogs import NewIncidentScreen, SeverityChoice

        try:
            wf = workflow_named("hotfix", self.root)
        except Exception as exc:  # noqa: BLE001 - a broken team workflow is shown, not raised
            self.notify(f"cannot load the hotfix workflow: {exc}", severity="error", markup=False)
            self.show_picker()
            return
        choices = [SeverityChoice(s.id, s.label, format_duration(s.target_seconds), s.color)
                   for s in wf.severities]

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                self.show_picker()
                return
            from hotfix_tui.core.creating import create_incident

            desc, sev = result
            if self.root is None:
                self.notify("not inside a git repository", severity="error")
                self.show_picker()
                return
            from hotfix_tui.core.git.branches import choose_base
            from hotfix_tui.core.git.repo import GitError

            notes: list[str] = []
            try:
                base = choose_base(self.root)  # HEAD, or the default branch (said below)
                folder = create_incident(self.root, desc, sev, wf, clock=self.clock, base=base,
                                         notes=notes)
            except (IncidentError, GitError) as exc:
                self.notify(str(exc), severity="error", markup=False)
                self.show_picker()
                return
            for note in [base.note, *notes] if base.note else notes:
                self.notify(note, title="New incident", markup=False)
            self._load(folder)

        self.push_screen(NewIncidentScreen(choices), done)

    # --- timers ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Every second: the clocks on the main screen, or on the clock dock of a dialog."""
        if not self.screen_stack:  # a tick while the app exits, its last screen popped
            return
        screen = self.screen
        tick_clocks = getattr(screen, "tick_clocks", None)
        if tick_clocks is not None:  # the picker's lines
            tick_clocks()
        main = self.main
        if main is None or not main.is_mounted:
            return
        try:
            self._tick_main(main, screen)
        except NoMatches:  # a tick while the app exits: the screens' children are being removed
            return

    def _tick_main(self, main: MainScreen, screen: Screen) -> None:
        state = main.clock_state()
        if screen is main:
            main.tick(state)
        else:
            # A dialog covers the main screen: Textual would repaint the whole dimmed screen
            # behind it for any change there, so the dialog's own clock dock ticks instead.
            dock = self.clock_dock(screen)
            if dock is not None:
                main.show_on(dock, state)
        self.alerter.check_alerts(state.sla, state.windows, state.reminders, state.log)

    def clock_dock(self, screen: Screen) -> ClockDock | None:
        """The clock dock of a dialog's screen (None for a screen without one)."""
        found = screen.query(ClockDock)
        return found.first() if found else None

    def show_clock_dock(self, dock: ClockDock) -> None:
        """Fill a newly mounted clock dock; it is hidden when no incident is open."""
        main = self.main
        if main is None or not main.is_mounted:
            dock.display = False
            return
        main.show_on(dock)

    def action_command_palette(self) -> None:
        """The command palette, with the clock dock on top like every dialog."""
        from hotfix_tui.tui.screens.dialogs import ClockedPalette

        if self.use_command_palette and not ClockedPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(ClockedPalette(id="--command-palette"))

    def on_alert_command_failed(self, message: AlertCommandFailed) -> None:
        self.notify(clean(message.error), severity="error", title="Alert command", markup=False,
                    timeout=12)

    def action_quit(self) -> None:  # type: ignore[override]
        self.exit(0)
