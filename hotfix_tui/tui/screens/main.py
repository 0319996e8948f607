"""The incident screen: header, SLA panel and phases of one incident, driven from the keyboard.

All changes go through `core.record.incident.Incident` (the same action layer as the CLI); this
screen keeps the cursor and shows views; its `IncidentFlows` (record_flows.py) owns the git jobs
and record dialogs; errors become notifications.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input, Static

from hotfix_tui.core.alerting.reminders import LogReader, ReminderReading, incident_reminders
from hotfix_tui.core.clocks import SlaReading, WindowReading, format_duration, format_time
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.heap import Trimmer
from hotfix_tui.core.markdown.tasks_md import Task
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.fill import needs_detection
from hotfix_tui.core.record.incident import Incident, PhaseHead, TaskView
from hotfix_tui.core.reports.commands import record_values
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.tui.actions import (
    FOOTER_KEEP,
    MAIN_BINDINGS,
    display_keys,
    unable,
)
from hotfix_tui.tui.host import host
from hotfix_tui.tui.screens.record_flows import ACTION_ERRORS, CommandsFound, IncidentFlows
from hotfix_tui.tui.services.editor import EditorFailed, edit_note
from hotfix_tui.tui.services.file_watch import (
    POLL_SECONDS,
    FilesChanged,
    FolderWatcher,
    WatchFailed,
)
from hotfix_tui.tui.services.git_jobs import (
    CommitFailed,
    Committed,
    FixCommitsListed,
    FixCommitsListFailed,
    GitJobs,
    Synced,
    SyncFailed,
)
from hotfix_tui.tui.services.live import LiveFetched, LiveView
from hotfix_tui.tui.widgets.checklist import PhaseBox, TaskRow, TaskTree
from hotfix_tui.tui.widgets.clock_dock import ClockDock
from hotfix_tui.tui.widgets.footer import KeyFooter
from hotfix_tui.tui.widgets.header import HeaderLine
from hotfix_tui.tui.widgets.inputs import FilterInput, NoteInput
from hotfix_tui.tui.widgets.side_panel import SidePanel

if TYPE_CHECKING:
    from hotfix_tui.tui.services.runbook import StepRan
    from hotfix_tui.tui.services.speckit import GateAnswered
from hotfix_tui.tui.widgets.sla_panel import SlaPanel
from hotfix_tui.tui.widgets.text import clean, severity_color

WIDE = 160  # columns from which the side panel shows the current task and recent activity
WATCH_AFTER = 1.0  # seconds after opening (what changed meanwhile is read when it starts)
WATCHED = frozenset({"tasks.md", "hotfix.md", "post-mortem.md", "events.jsonl"})
MIS_TOGGLE_SECONDS = 60  # an undo and re-check this close, nothing between: keep the time


@frozen
class ClockState:
    """Every clock of the incident at one tick, and the event log they were read with."""

    sla: SlaReading | None
    windows: list[WindowReading]
    severity: str | None
    notes: tuple[Text, ...]
    reminders: list[ReminderReading]
    log: list[Event]


class MainScreen(Screen[None]):
    """One incident: header, SLA panel, phase checklists, filter and note inputs, footer."""

    AUTO_FOCUS = "#tree"
    BINDINGS = [
        Binding(keys, action, desc, show=show, id=bid)
        for bid, keys, action, desc, show in MAIN_BINDINGS
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident
        self.flows = IncidentFlows(self, self, incident)  # git jobs, record dialogs
        self.boxes: list[PhaseBox] = []
        self.cursor: str | None = None  # "p:<index>" or "t:<key>"
        self.checklist = TaskTree(id="tree")
        self.filter_text = ""
        self._note_key: str | None = None
        self._opening: Input | None = None  # an input opened but not focused yet (type-ahead)
        self._typed = ""  # what was typed into it meanwhile
        self._last_sla: tuple | None = None
        self._keys: tuple[tuple[tuple[str, str], ...], dict[str, str]] | None = None
        self.header_parts: tuple = ("", "", None, "white", "", "", "")
        self.fill_values: dict[str, str] = {}  # the record's values for commands in steps
        self.event_log = LogReader(incident.folder)  # the event log (alerts, reminders sent)
        self.watcher = FolderWatcher(self, incident.folder, WATCHED)
        self._trimmer = Trimmer()  # garbage collected, memory given back after reloads (a day open)
        self.live = LiveView(self)  # teammates' changes, fetched in the background

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderLine(id="header")
        yield SlaPanel(id="sla")
        banner = Static(id="live-banner", markup=False)
        banner.display = False
        yield banner
        with Horizontal(id="body"):
            self.checklist.set_boxes(self._make_boxes())
            yield self.checklist
        yield KeyFooter()

    def _input(self, ident: str, placeholder: str = "") -> Input:
        """The filter or note input, made on first use (most sessions never open them)."""
        found = self.query(f"#{ident}")
        if found:
            return found.first(Input)
        cls = NoteInput if ident == "note-input" else FilterInput
        inp = cls(placeholder=placeholder, id=ident)
        self.mount(inp, before=self.query_one(KeyFooter))
        return inp

    def _open_input(self, inp: Input) -> None:
        """Show and focus an input; what is typed before it has the focus goes into it."""
        inp.display = True
        if inp.is_mounted:
            inp.focus()
        self._opening, self._typed = (None if inp.has_focus else inp), ""

    def _side(self, show: bool) -> None:
        """The side panel on a wide terminal (made the first time the terminal is wide)."""
        found = self.query(SidePanel)
        if not show:
            if found:
                found.first().display = False
            return
        if not found:
            self.query_one("#body").mount(SidePanel(id="side"))
        self.query_one(SidePanel).display = True
        self.call_after_refresh(self.update_side)

    def update_side(self) -> None:
        """The task under the cursor and the latest activity, when the side panel is shown."""
        found = self.query(SidePanel)
        if not found or not found.first().display:
            return
        row = self.current_task()
        side = found.first()
        view = row.view if row is not None else None
        used = 3 + (len(view.steps) + len(view.notes) if view is not None else 0)
        rows = self.flows.activity_rows(limit=max(8, side.size.height - used))  # as many as fit
        side.show(view, [(r.time, r.who, r.event) for r in rows])

    def on_descendant_focus(self) -> None:
        self.set_class(isinstance(self.focused, Input), "-typing")
        if self._opening is not None and self.focused is self._opening:
            if self._typed:
                self._opening.insert_text_at_cursor(self._typed)
            self._opening, self._typed = None, ""

    def on_descendant_blur(self) -> None:
        self.set_class(isinstance(self.focused, Input), "-typing")

    def _shown_input(self, ident: str) -> bool:
        found = self.query(f"#{ident}")
        return bool(found) and found.first().display

    def _make_boxes(self) -> list[PhaseBox]:
        inc = self.incident
        phases = inc.view.phase_heads()
        nxt = inc.view.next_open()
        current = nxt.phase_index if nxt else -1
        self.boxes = [self.checklist.make_box(pv, collapsed=pv.index != current) for pv in phases]
        first = f"p:{phases[0].index}" if phases else None
        self._initial_cursor = f"t:{nxt.key}" if nxt else first
        return self.boxes

    def on_mount(self) -> None:
        self.flows.attach()  # its actions auto-commit (settings.auto_commit)
        self.live.start(host(self.app).settings.fetch_interval)
        if host(self.app).watch_files:  # once the first frame is out: nothing on its way
            self.set_timer(WATCH_AFTER, self.watcher.start)
        for box in self.boxes:
            if not box.collapsed:
                self._build(box)
        self._fit_size()
        self.update_header()
        self.tick()
        self.set_cursor(self._initial_cursor)
        self.call_after_refresh(self._say_orphans)

    def _say_orphans(self) -> None:
        """Events naming tasks tasks.md no longer has (another tool replaced it): said once."""
        gone = self.incident.view.orphan_warning()
        if gone:
            self.notify(clean(gone), severity="warning", title="Tasks no longer in tasks.md",
                        timeout=20)

    def on_screen_resume(self) -> None:
        # back on top after a dialog: the clocks catch up now (they slow down behind dialogs)
        if self.is_mounted:
            self.tick()

    def on_resize(self) -> None:
        if self._fit_size():
            self._last_sla = None
            self.tick()
        self.call_after_refresh(self._scroll_to_cursor)

    def _fit_size(self) -> bool:
        """Layout for the terminal size; True when the SLA panel changed its mode.

        Under 30 rows (80x24) the panel is compact but keeps the big countdown; under 20 rows
        it drops the Digits. Under 100 columns the footer is compact; keys that do not fit go by
        their priority (`actions.FOOTER_KEEP`: check, g, /, ?, the palette and q stay longest).
        """
        w, h = self.size
        self.set_class(h < 30, "-compact")
        self._side(w >= WIDE)
        mode = "tiny" if h < 20 else "compact" if h < 30 else "full"
        footer = self.query_one(KeyFooter)
        footer.compact = w < 100
        footer.keep = FOOTER_KEEP  # too narrow: the keys of the lowest priority go first
        return self.query_one(SlaPanel).set_mode(mode)

    # --- state to screen ----------------------------------------------------------------

    def update_header(self) -> None:
        inc = self.incident
        sev = inc.severity
        wf_sev = inc.workflow.severity(sev) if inc.workflow else None
        color = severity_color(sev, wf_sev.color if wf_sev else "")
        if not inc.view.severities and inc.view.kind != "hotfix":
            # a checklist kind: its kind, and its record's own severity as written
            sev = inc.view.kind + (f" · {sev}" if sev else "")
            color = severity_color(None)
        self.header_parts = (inc.id, inc.title, sev, color, inc.view.status_label, inc.branch_field,
                             inc.view.team().commander_words())
        values = record_values(inc.view.text("hotfix.md"), inc.branch_field)
        if values != self.fill_values:  # commands quoted in steps are shown filled in
            self.fill_values = values
            self.checklist.set_fill_values(values)
        self.query_one(HeaderLine).show(*self.header_parts)
        self.sub_title = inc.id

    def clock_state(self) -> ClockState:
        """The clocks now: resolution, windows, reminders, and the SLA panel's notes."""
        inc = self.incident
        now = inc.clock()
        log = self.event_log.read()
        reminders = incident_reminders(inc, now, log)
        return ClockState(inc.sla(now), inc.windows(now), inc.severity,
                          self.panel_notes(reminders), reminders, log)

    def tick(self, state: ClockState | None = None) -> None:
        """Re-read the clock and update only the SLA panel (1 s timer); take in arrivals that
        waited for a dialog or a git job."""
        if self.live.pending is not None:
            self.live.apply()
        st = state or self.clock_state()
        key = (st.sla, tuple(st.windows), st.severity, st.notes)
        if key == self._last_sla:
            return
        self._last_sla = key
        self.query_one(SlaPanel).show(st.sla, st.windows, st.severity, st.notes)

    def show_on(self, dock: ClockDock, state: ClockState | None = None) -> None:
        """Show the header and the clocks, as they are now, on a dialog's clock dock."""
        st = state or self.clock_state()
        panel = dock.query_one(SlaPanel)
        panel.set_mode(self.query_one(SlaPanel).mode)
        dock.query_one(HeaderLine).show(*self.header_parts)
        panel.show(st.sla, st.windows, st.severity, st.notes)

    def panel_notes(self, reminders: list[ReminderReading]) -> tuple[Text, ...]:
        """Lines of the SLA panel after the windows: reminders, what the record wants to know.

        Short forms when the panel is not full size (its windows share one line)."""
        inc = self.incident
        panels = self.query(SlaPanel)  # none while the app exits (children being removed)
        short = bool(panels) and panels.first().mode != "full"
        out: list[Text] = []
        keys = self.keys_for()
        for r in reminders:
            label = clean(r.label).lower()
            label = label.split()[-1] if short else label
            t = Text()
            if r.remaining_seconds <= 0:
                t.append("! ", style="bold")
                t.append(f"{label if short else clean(r.label)} DUE", style="bold reverse")
                if r.remaining_seconds < 0 and not short:
                    t.append(f" (overdue {format_duration(-r.remaining_seconds)})")
            else:
                t.append("↻ ")
                t.append(f"{label} in " if short else f"next {label} in ")
                t.append(format_duration(r.remaining_seconds), style="bold")
            t.append(" " if short else "  sent: ")
            t.append(keys.get("reminder_sent", "U"), style="bold reverse")
            out.append(t)
        try:
            ask = needs_detection(inc) and not lifecycle.closed(inc)
        except ACTION_ERRORS:
            ask = False
        if ask:
            what = "detection: " if short else "Detection not recorded: "
            out.append(Text.assemble(("⚑ ", "bold yellow"), what,
                                     (keys.get("detection", "d"), "bold reverse")))
        return tuple(out)

    def _build(self, box: PhaseBox) -> None:
        box.build(self.incident.view.rows(box.index))
        self._apply_filter_to(box)

    def _box_of(self, key: str) -> PhaseBox | None:
        doc = self.incident.view.doc
        t = doc.task(key) or doc.choice(key)
        if t is None or not (0 <= t.phase_index < len(self.boxes)):
            return None
        return self.boxes[t.phase_index]

    def refresh_task(self, key: str) -> None:
        """After a change to one task: its row, its phase title, header and clocks."""
        inc = self.incident
        box = self._box_of(key)
        if box is not None:
            pv = inc.view.phase(box.index)
            box.set_title(pv)  # (a PhaseView: its counts are a PhaseHead's)
            row = box.rows.get(key)
            if row is not None:
                view = next((v for v in inc.view.rows(box.index) if v.key == key), None)
                if view is not None:
                    row.set_view(view)
        self.update_header()
        self._last_sla = None
        self.tick()
        if self.size.width >= WIDE:
            self.update_side()

    def sync_all(self) -> None:
        """Re-render everything from the incident, keeping the cursor and open phases."""
        inc = self.incident
        phases = inc.view.phase_heads()
        if [(p.name, p.note) for p in phases] != [(b.view.name, b.view.note) for b in self.boxes]:
            self._rebuild_tree(phases)
        else:
            for box, head in zip(self.boxes, phases, strict=True):
                if box.view != head:
                    box.set_title(head)
                if not box.built:
                    continue
                views = inc.view.rows(box.index)
                if box.order != [v.key for v in views]:
                    expanded = {k for k, r in box.rows.items() if r.expanded}
                    box.build(views)
                    for k in expanded & set(box.rows):
                        box.rows[k].expanded = True
                    self._apply_filter_to(box)
                else:
                    for v in views:
                        row = box.rows[v.key]
                        if row.view != v:
                            row.set_view(v)
        self.update_header()
        self._last_sla = None
        self.tick()
        self.set_cursor(self.cursor)

    def _rebuild_tree(self, phases: list[PhaseHead]) -> None:
        open_names = {b.view.name for b in self.boxes if not b.collapsed}
        tree = self.checklist
        self.boxes = [tree.make_box(pv, collapsed=pv.name not in open_names) for pv in phases]
        tree.set_boxes(self.boxes)
        for box in self.boxes:
            if not box.collapsed:
                self._build(box)

    # --- cursor ---------------------------------------------------------------------------

    def rows(self) -> list[str]:
        """The references of the lines listed: "p:<index>" for a phase, "t:<key>" for a task."""
        return self.checklist.refs()

    def set_cursor(self, ref: str | None) -> None:
        tree = self.checklist
        if not tree.refs():
            # nothing shown (a filter matches nothing): the cursor returns there afterwards
            self.cursor = tree.cursor = ref
            return
        if tree.index_of(ref) is None:
            ref = self._nearest(ref)
        self.cursor = tree.cursor = ref
        self.call_after_refresh(self._scroll_to_cursor)
        if self.size.width >= WIDE:
            self.update_side()

    def _nearest(self, ref: str | None) -> str:
        """Where the cursor goes when its row is gone: its phase title, else the first row."""
        if ref and ref.startswith("t:"):
            box = self._box_of(ref[2:])
            if box is not None and self.checklist.index_of(f"p:{box.index}") is not None:
                return f"p:{box.index}"
        return self.checklist.refs()[0]

    def _scroll_to_cursor(self) -> None:
        if self.checklist.is_mounted:
            self.checklist.scroll_to_ref(self.cursor)

    def _move(self, delta: int) -> None:
        refs = self.checklist.refs()
        if not refs:
            return
        i = self.checklist.index_of(self.cursor) or 0
        self.set_cursor(refs[max(0, min(len(refs) - 1, i + delta))])

    def current_task(self) -> TaskRow | None:
        item = self.checklist.item(self.cursor) if self.cursor else None
        return item if isinstance(item, TaskRow) else None

    def current_box(self) -> PhaseBox | None:
        if self.cursor is None:
            return None
        if self.cursor.startswith("p:"):
            return self.boxes[int(self.cursor[2:])]
        return self._box_of(self.cursor[2:])

    def _need_task(self) -> TaskRow | None:
        row = self.current_task()
        if row is None:
            self.notify("move the cursor onto a task first (enter opens a phase)",
                        severity="warning")
        return row

    # --- actions: movement --------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_top(self) -> None:
        self._move(-10**9)

    def action_cursor_bottom(self) -> None:
        self._move(10**9)

    def action_page_down(self) -> None:
        self._move(max(1, self.checklist.size.height - 2))

    def action_page_up(self) -> None:
        self._move(-max(1, self.checklist.size.height - 2))

    def _visible_boxes(self) -> list[PhaseBox]:
        return [b for b in self.boxes if b.display]

    def action_next_phase(self) -> None:
        self._jump_phase(1)

    def action_prev_phase(self) -> None:
        self._jump_phase(-1)

    def _jump_phase(self, delta: int) -> None:
        boxes = self._visible_boxes()
        if not boxes:
            return
        cur = self.current_box()
        if cur is None or cur not in boxes:
            target = boxes[0]
        elif delta < 0 and self.cursor and self.cursor.startswith("t:"):
            target = cur  # from inside a phase, [ goes to its own title first
        else:
            i = boxes.index(cur) + delta
            target = boxes[i % len(boxes)]
        self.set_cursor(f"p:{target.index}")

    def action_next_open(self) -> None:
        inc = self.incident
        after = None
        if self.cursor and self.cursor.startswith("t:"):
            cur = inc.view.doc.task(self.cursor[2:])
            if cur is not None:
                after = cur.line
        nxt = inc.view.next_open(after, at=True)
        if nxt is None:
            self.notify("nothing open: every task is done, skipped or not applicable")
            return
        self.reveal(nxt.key)

    def reveal(self, key: str) -> None:
        """Open the task's phase (building it), clear a filter hiding it, put the cursor on it."""
        box = self._box_of(key)
        if box is None:
            return
        if box.collapsed:
            self._expand(box)
        row = box.rows.get(key)
        if row is not None and not row.display:
            self.action_clear_filter()
        self.set_cursor(f"t:{key}")

    def _expand(self, box: PhaseBox) -> None:
        if not box.built:
            self._build(box)
        box.collapsed = False

    def action_expand(self) -> None:
        row = self.current_task()
        if row is not None:
            row.toggle_expanded()
            self.call_after_refresh(self._scroll_to_cursor)
            return
        box = self.current_box()
        if box is None:
            return
        if box.collapsed:
            self._expand(box)
        else:
            box.collapsed = True
        self.set_cursor(f"p:{box.index}")

    def action_expand_all(self) -> None:
        for box in self.boxes:
            self._expand(box)

    def action_collapse_all(self) -> None:
        for box in self.boxes:
            box.collapsed = True
        if self.cursor and self.cursor.startswith("t:"):
            found = self._box_of(self.cursor[2:])
            self.set_cursor(f"p:{found.index}" if found else None)

    @on(TaskTree.RowClicked)
    def _row_clicked(self, event: TaskTree.RowClicked) -> None:
        self.set_cursor(f"t:{event.row.key}")
        self.checklist.focus()
        if event.toggle:
            self.action_toggle_done()

    @on(TaskTree.TitleClicked)
    def _title_clicked(self, event: TaskTree.TitleClicked) -> None:
        # a click on a phase title opens or closes it (the tree did) and selects it
        box = event.box
        if not box.collapsed and not box.built:
            self._build(box)
        self.checklist.focus()
        self.set_cursor(f"p:{box.index}")

    # --- actions: changes ---------------------------------------------------------------

    def action_choice_next(self) -> None:
        self._step_choice(1)

    def action_choice_prev(self) -> None:
        self._step_choice(-1)

    def _step_choice(self, by: int) -> None:
        """Set the single choice of the row under the cursor to its next (previous) option."""
        row = self._need_task()
        if row is None:
            return
        choice = row.view.choice
        if choice is None:
            self.notify("this row holds no choice (← → set a choice's value)", severity="warning")
            return
        key, value, inc = row.key, choice.step(by), self.incident
        self.flows.act(lambda: inc.choose(choice.key, value))
        self.refresh_task(key)

    def action_toggle_done(self) -> None:
        row = self._need_task()
        if row is None:
            return
        if row.view.group:  # a single choice that is no task: space moves to its next value
            self._step_choice(1)
            return
        key, done = row.key, not row.view.done
        inc = self.incident
        again = inc.view.reopened(key) if done and inc.view.records_times(key) else None
        if again is None:
            made = self.flows.act(lambda: inc.set_done(key, done))
            self.refresh_task(key)
            if done and made is not None:
                self.advance_from(key)
            return
        before, reopened, since = again
        now = inc.clock()
        if not since and (now - reopened).total_seconds() <= MIS_TOGGLE_SECONDS:
            # undone and checked again within a minute, nothing in between: a mis-toggle
            self.flows.act(lambda: inc.set_done(key, True, keep_first=True))
            self.refresh_task(key)
            return
        self._ask_recheck(key, row.view.id or key, before, now)

    def advance_from(self, key: str) -> None:
        """After a check, put the cursor on the next open task (settings' advance_after_check)."""
        if not host(self.app).settings.advance_after_check:
            return
        view = self.incident.view
        task = view.doc.task(key)
        if task is None or not task.done:
            return
        nxt = view.next_open(task.line)
        if nxt is not None and nxt.key != key:
            self.reveal(nxt.key)

    def _ask_recheck(self, key: str, name: str, before: datetime, now: datetime) -> None:
        """Checking a reopened task: ask whether it records now, its old time, or a given one."""
        from hotfix_tui.tui.screens.record_dialogs import RecheckScreen

        inc = self.incident

        def answered(choice: str | None) -> None:
            if choice == "at":
                self._done_at(key, name)
            elif choice in ("now", "keep"):
                self.flows.act(lambda: inc.set_done(key, True, keep_first=choice == "keep"))
                self.refresh_task(key)

        labels = inc.view.records_times(key)
        self.app.push_screen(
            RecheckScreen(clean(name), labels, format_time(before), format_time(now)), answered
        )

    def action_done_at(self) -> None:
        if self.flows.refuse_while_syncing():
            return
        row = self._need_task()
        if row is not None:
            self._done_at(row.key, row.view.id or row.key)

    def _done_at(self, key: str, name: str) -> None:
        """Check a task at a time the user gives (`done --at`)."""
        from hotfix_tui.tui.screens.record_dialogs import TimeScreen

        def answered(when: datetime | None) -> None:
            if when is not None:
                self.flows.act(lambda: self.incident.set_done(key, True, at=when))
                self.refresh_task(key)

        now = self.incident.clock().strftime("%Y-%m-%d %H:%M")
        self.app.push_screen(
            TimeScreen(f"{clean(name)} done at (UTC)", now, "when the task was really done"),
            answered,
        )

    def action_skip(self) -> None:
        from hotfix_tui.tui.screens.dialogs import SkipScreen  # dialogs load on first use

        if self.flows.refuse_while_syncing():
            return
        row = self._need_task()
        if row is None:
            return
        key = row.key
        if row.view.skipped is not None:
            if self.flows.act(lambda: self.incident.unskip(key)) is not None:  # None: failed, said
                self.refresh_task(key)
                self.notify(f"{clean(row.view.id or key)} is no longer skipped", markup=False)
            return

        def done(reason: str | None) -> None:
            if reason:
                self.flows.act(lambda: self.incident.skip(key, reason))
                self.refresh_task(key)

        self.app.push_screen(SkipScreen(f"{row.view.id or ''} {row.view.title}".strip()), done)

    def action_note(self) -> None:
        row = self._need_task()
        if row is None:
            return
        self._note_key = row.key
        inp = self._input("note-input")
        what = clean(row.view.id or row.view.title)
        inp.placeholder = f"note on {what} (enter saves, esc cancels)"
        inp.value = ""
        self._open_input(inp)

    @on(Input.Submitted, "#note-input")
    def _note_submitted(self, event: Input.Submitted) -> None:
        key, text = self._note_key, event.value
        self._close_note()
        if key and text.strip():
            self._save_note(key, text)

    def _save_note(self, key: str, text: str) -> None:
        self.flows.act(lambda: self.incident.note(key, text))
        self.refresh_task(key)

    def _close_note(self) -> None:
        if self._shown_input("note-input"):
            self.query_one("#note-input").display = False
        self._note_key = None
        self.checklist.focus()

    def action_note_editor(self) -> None:
        row = self._need_task()
        if row is None:
            return
        what = clean(f"{row.view.id or ''} {row.view.title}".strip())[:200]
        try:
            text = edit_note(self.app, host(self.app).settings.editor, what, row.view.id or "task")
        except EditorFailed as exc:
            self.notify(str(exc), severity=exc.severity, markup=False)
            return
        if not text.strip():
            self.notify("empty note; nothing added")
            return
        self._save_note(row.key, text)

    def action_severity(self) -> None:
        from hotfix_tui.tui.screens.dialogs import SeverityChoice, SeverityScreen

        if self.flows.refuse_while_syncing():
            return
        inc = self.incident
        wf = inc.workflow
        if wf is None:
            self.notify("this incident has no workflow, so no severities", severity="warning")
            return
        choices = [SeverityChoice(s.id, s.label, format_duration(s.target_seconds), s.color)
                   for s in wf.severities]

        def done(sev: str | None) -> None:
            if sev:
                self.flows.act(lambda: inc.set_severity(sev))
                self.sync_all()

        self.app.push_screen(SeverityScreen(inc.severity, choices), done)

    def action_set_status(self) -> None:
        from hotfix_tui.tui.screens.dialogs import StatusScreen

        if self.flows.refuse_while_syncing():
            return
        inc = self.incident
        statuses = list(inc.workflow.statuses) if inc.workflow else []
        if not statuses:
            self.notify("this incident's workflow has no statuses", severity="warning")
            return

        def done(status: str | None) -> None:
            if status and status != inc.status:
                if not self._status_by_task(status):
                    self.flows.act(lambda: inc.set_status(status))
                self.sync_all()

        self.app.push_screen(StatusScreen(inc.status, statuses), done)

    def _status_by_task(self, status: str) -> bool:
        """A status that a task reaches: offer to check that task (the status follows); True
        when the question was asked."""
        from hotfix_tui.core.workflow.lifecycle import carriers
        from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen

        inc = self.incident
        wf = inc.workflow
        tasks = [t for t in carriers(wf, status) if inc.view.doc.task(t.id)] if wf else []
        if not tasks or any(inc.view.find(t.id).done for t in tasks):
            return False
        task = tasks[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self.flows.act(lambda: inc.set_done(task.id, True))
                self.refresh_task(inc.view.find(task.id).key)
                self.sync_all()

        question = f"{status} is reached by checking {task.id} ({task.title}). Check it now?"
        self.app.push_screen(ConfirmScreen(question), answered)
        return True

    def action_undo(self) -> None:
        if self.git.syncing:
            self.flows.act(self.incident.undo_last)  # waits for the sync
            return
        label = self.flows.act(self.incident.undo_last)
        if label is None:
            if not self.incident.history:
                self.notify("nothing to undo in this session")
        else:
            self.notify(f"undone: {clean(label)}", markup=False)
        self.sync_all()

    def action_redo(self) -> None:
        if self.git.syncing:
            self.flows.act(self.incident.redo_last)  # waits for the sync
            return
        label = self.flows.act(self.incident.redo_last)
        if label is None:
            if not self.incident.undone:
                self.notify("nothing to redo: undo something first")
        else:
            self.notify(f"redone: {clean(label)}", markup=False)
        self.sync_all()

    def action_reminder_sent(self) -> None:
        """The status update composer (`U`): the workflow's template filled in, then sent."""
        from hotfix_tui.tui.screens import team_flows

        team_flows.compose_update(self)

    def action_assign(self) -> None:
        from hotfix_tui.tui.screens import team_flows

        team_flows.assign(self)

    def action_give_role(self) -> None:
        from hotfix_tui.tui.screens import team_flows

        team_flows.give_role(self)

    def action_handover(self) -> None:
        from hotfix_tui.tui.screens import team_flows

        team_flows.hand_over(self)

    def action_accept_handover(self) -> None:
        from hotfix_tui.tui.screens import team_flows

        team_flows.accept(self)

    def after_reminder(self) -> None:
        """The clocks read again after an update was sent (the reminder restarted)."""
        self._last_sla = None
        self.tick()

    def mark_reminder_sent(self) -> None:
        """Log that the next reminder (e.g. the stakeholder update) was done, without text; it
        starts again (the report's `u`; `u` on the screen takes it back)."""
        if self.flows.refuse_while_syncing():
            return
        inc = self.incident
        running = self.clock_state().reminders
        if not running:
            self.notify("no reminder is running for this incident", severity="warning")
            return
        r = running[0]
        if self.flows.act(lambda: inc.reminder_sent(r.id, r.label)) is None:
            return
        every = format_duration(r.interval_seconds)
        self.notify(clean(f"{r.label} sent; the next one is due in {every}"),
                    title="Reminder", markup=False)
        self._last_sla = None
        self.tick()

    def action_reload(self) -> None:
        self.check_files(force=True)

    def action_copy(self) -> None:
        row = self.current_task()
        self.flows.show_commands(list(row.view.steps) if row is not None else [])

    def reminders_now(self) -> list[ReminderReading]:
        return self.clock_state().reminders

    # --- filter ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        inp = self._input("filter", "filter tasks (esc clears)")
        self._open_input(inp)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.checklist.focus()
        rows = [r for r in self.rows() if r.startswith("t:")]
        if rows:
            self.set_cursor(rows[0])

    # phase name -> collapsed, as they were before a filter opened phases with matches
    _pre_filter: dict[str, bool] | None = None

    def apply_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        q = self.filter_text
        if q and self._pre_filter is None:
            self._pre_filter = {b.view.name: b.collapsed for b in self.boxes}
        doc = self.incident.view.doc
        for box in self.boxes:
            if q:
                keys = doc.phases[box.index].task_keys
                hit = any(self._matches(t) for t in map(doc.task, keys) if t is not None)
                box.display = hit
                if hit and box.collapsed:
                    self._expand(box)
            else:
                box.display = True
            self._apply_filter_to(box)
        if not q and self._pre_filter is not None:
            self._restore_phases(self._pre_filter)
            self._pre_filter = None
        self._no_match(bool(q) and not any(b.display for b in self.boxes))
        self.set_cursor(self.cursor)

    def _no_match(self, show: bool) -> None:
        """Say so when the filter matches no task (the list would be empty)."""
        self.checklist.empty = Content.assemble(
            "no task matches ", (repr(self.filter_text), "bold"), "  (esc clears the filter)"
        ) if show else None
        self.checklist.changed()

    def _restore_phases(self, before: dict[str, bool]) -> None:
        """Each phase open or closed as before the filter; the cursor's task stays in view."""
        cur = self.cursor or ""
        keep = self._box_of(cur[2:]) if cur.startswith("t:") else None
        for box in self.boxes:
            collapsed = before.get(box.view.name, box.collapsed)
            if box is keep or collapsed == box.collapsed:
                continue
            if collapsed:
                box.collapsed = True
            else:
                self._expand(box)

    def _matches(self, v: TaskView | Task) -> bool:
        q = self.filter_text
        return not q or q in (v.id or "").lower() or q in v.title.lower()

    def _apply_filter_to(self, box: PhaseBox) -> None:
        for row in box.rows.values():
            row.display = self._matches(row.view)

    def action_clear_filter(self) -> None:
        if self._note_key is not None or self._shown_input("note-input"):
            self._close_note()
            return
        if not self._shown_input("filter") and not self.filter_text:
            self.app.clear_notifications()  # nothing to clear: esc dismisses the toasts (alerts)
            return
        inp = self._input("filter", "filter tasks (esc clears)")
        inp.value = ""
        inp.display = False
        self.apply_filter("")
        self.checklist.focus()

    async def on_key(self, event) -> None:
        if self._opening is None and not isinstance(self.focused, Input):
            # this screen's keys act here, in the order they were typed, not as bindings the
            # app checks once a key has passed every widget: what is typed right after / or n
            # then lands in the input they open (see below), and never acts as a key
            bound = self.active_bindings.get(event.key)
            if bound is not None and bound.node is self:
                event.stop()
                event.prevent_default()
                if bound.enabled:
                    await self.run_action(bound.binding.action)
                return
            hidden = self._unable_key(event.key)
            if hidden:  # a key hidden because it cannot act here: say why
                event.stop()
                event.prevent_default()
                await self.run_action(hidden)
                return
        if self._opening is not None:
            # typed right after / or n, on its way before the input had the focus (an input's
            # own keys never reach here): it belongs in the input, where it goes once focused
            if event.is_printable and event.character:
                event.stop()
                event.prevent_default()
                self._typed += event.character
                return
            self._opening, self._typed = None, ""  # (escape closes it; others act as keys)
        # escape inside the inputs: the Input has focus, so handle it here
        if event.key == "escape" and isinstance(self.focused, Input):
            event.stop()
            self.action_clear_filter()

    # --- what can act (tui/actions.py: `unable`) -------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An action that cannot act on this incident is hidden (its key, the footer's)."""
        return not unable(action, self.incident.view)

    async def run_action(
        self, action: str, namespaces: Mapping[str, DOMNode] | None = None
    ) -> None:
        """Run an action of this screen (a key, the palette), or say why it cannot act on this
        incident."""
        why = unable(action, self.incident.view)
        if why:
            self.notify(why, severity="warning")
            return
        await super().run_action(action, namespaces)

    def _unable_key(self, key: str) -> str:
        """The action of this screen bound to `key` (after the keymap) when it cannot act."""
        for node, bindings in self._binding_chain:
            if node is self:
                for binding in bindings.key_to_bindings.get(key, []):
                    if unable(binding.action, self.incident.view):
                        return binding.action
        return ""

    # --- help, keys -----------------------------------------------------------------------

    def keys_for(self) -> dict[str, str]:
        """action -> the keys bound to it now (after the user's keymap)."""
        keymap = host(self.app).keymap
        mapped = tuple(keymap.items())
        if self._keys is not None and self._keys[0] == mapped:  # (asked every clock tick)
            return dict(self._keys[1])
        out = {}
        for bid, keys, action, _desc, _show in MAIN_BINDINGS:
            out[action] = display_keys(keymap.get(bid, keys))
        out["palette"] = display_keys(keymap.get("command_palette", "ctrl+p"))
        self._keys = (mapped, out)
        return dict(out)

    def help_rows(self) -> list[tuple[str, str, str]]:
        keymap = host(self.app).keymap
        rows = [(display_keys(keymap.get(bid, keys)), desc, bid)
                for bid, keys, _a, desc, _s in MAIN_BINDINGS]
        rows.insert(-1, (display_keys(keymap.get("command_palette", "ctrl+p")),
                         "Command palette (every action)", "command_palette"))
        return rows

    def action_overview(self) -> None:
        host(self.app).show_overview()

    def action_stats(self) -> None:
        host(self.app).show_stats()

    def action_gates(self) -> None:
        """The oldest spec-kit workflow run waiting at a gate, to answer (tui/screens/runs.py)."""
        from hotfix_tui.core.speckit_runs import RUNS, read_runs
        from hotfix_tui.tui.screens.runs import ask

        root = host(self.app).root
        runs = read_runs(root, ()) if root is not None else []
        waiting = [r for r in runs if r.waiting]
        if root is None or not waiting:
            self.notify(f"no spec-kit workflow run waits at a gate ({len(runs)} run(s) in {RUNS})")
            return
        ask(self, root, waiting[0])

    def on_gate_answered(self, message: GateAnswered) -> None:
        from hotfix_tui.tui.services.speckit import told

        told(self, message)

    def action_run_step(self) -> None:
        """The task's runbook command: trust, confirmation, a worker (services/runbook.py)."""
        from hotfix_tui.tui.screens.runbook import ask_run

        row = self._need_task()
        if row is not None and not self.flows.refuse_while_syncing():
            ask_run(self, row.key)

    def on_step_ran(self, message: StepRan) -> None:
        from hotfix_tui.tui.screens.runbook import ran

        ran(self, message)

    def action_followup(self) -> None:
        from hotfix_tui.tui.screens.runbook import ask_followup

        ask_followup(self)

    def action_help(self) -> None:
        from hotfix_tui.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self.help_rows()))

    # --- git and record flows: the composed IncidentFlows does the work ----------------------

    @property
    def git(self) -> GitJobs:
        """The screen's git jobs (commit, sync, fix-commit list)."""
        return self.flows.git

    def action_commit(self) -> None:
        self.flows.action_commit()

    def action_sync(self) -> None:
        self.flows.action_sync()

    def action_fix_commit(self) -> None:
        self.flows.action_fix_commit()

    def action_detection(self) -> None:
        self.flows.action_detection()

    def action_correct_start(self) -> None:
        self.flows.action_correct_start()

    def action_activity(self) -> None:
        self.flows.action_activity()

    def action_report(self) -> None:
        self.flows.action_report()

    def action_fill_postmortem(self) -> None:
        self.flows.action_fill_postmortem()

    def on_committed(self, message: Committed) -> None:
        self.flows.on_committed(message)

    def on_commit_failed(self, message: CommitFailed) -> None:
        self.flows.on_commit_failed(message)

    def on_synced(self, message: Synced) -> None:
        self.live.synced(message.result.ok)
        self.flows.on_synced(message)

    def on_live_fetched(self, message: LiveFetched) -> None:
        self.live.fetched(message)

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.flows.on_sync_failed(message)

    def on_fix_commits_listed(self, message: FixCommitsListed) -> None:
        self.flows.on_fix_commits_listed(message)

    def on_fix_commits_list_failed(self, message: FixCommitsListFailed) -> None:
        self.flows.on_fix_commits_list_failed(message)

    def on_commands_found(self, message: CommandsFound) -> None:
        self.flows.on_commands_found(message)

    # --- file watching --------------------------------------------------------------------

    def on_unmount(self) -> None:
        self.flows.detach()
        self.watcher.stop()

    def on_files_changed(self, message: FilesChanged) -> None:
        self.poll_files()

    def on_watch_failed(self, message: WatchFailed) -> None:
        self.watcher.start_polling()
        self.notify(clean(f"cannot watch the folder ({message.error}); checking it every "
                          f"{POLL_SECONDS:g} s instead"), title="Files", markup=False)

    def poll_files(self) -> None:
        """Reload the files that changed on disk, unless a sync is merging them."""
        if self.is_attached and not self.git.syncing:  # its handler reloads them at the end
            self.check_files()

    def check_files(self, force: bool = False) -> None:
        """Reload what changed on disk; a toast says who changed what, never for own writes."""
        from hotfix_tui.core.record.view import outside_words

        inc = self.incident
        said: str | None = None
        try:
            if force:
                inc.view.load()
                changed = {"tasks.md", "hotfix.md", "post-mortem.md"}
            else:
                found = inc.view.reread()
                changed, said = found.changed, outside_words(found)
            if changed:
                inc.repair()  # hand edits become events; a file behind the log is projected
        except ACTION_ERRORS as exc:
            self.notify(clean(str(exc)), severity="error", title="Reload failed", markup=False)
            return
        if not changed:
            return
        self.sync_all()
        if said:
            self.notify(clean(said), title="Changed outside", markup=False)
        self._trimmer.after_reload(inc.clock())

