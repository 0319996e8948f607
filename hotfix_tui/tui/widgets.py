"""Widgets of the main screen: header line, SLA panel, phases and task rows.

Widgets only show state handed to them (views from `core.incident`) and post the user's
intent; every piece of text read from markdown goes through `clean()` into a `Text`/`Content`
object, so it is never parsed as markup nor sent to the terminal as control sequences.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Collapsible, Digits, Footer, Input, Static
from textual.widgets._footer import FooterKey

from hotfix_tui.core.clocks import format_duration
from hotfix_tui.core.reports.commands import fill as fill_command

if TYPE_CHECKING:
    from hotfix_tui.core.clocks import SlaReading, WindowReading
    from hotfix_tui.core.record.incident import PhaseView, TaskView

# Severity badge colours: a workflow's colour names as explicit RGB (a terminal palette's "yellow"
# is often orange), any other colour (e.g. #ff8800) as written.
NAMED_COLORS = {
    "red": "#ff4d4f",
    "orange": "#ff8c1a",
    "yellow": "#ffd60a",
    "green": "#3ecf5a",
    "blue": "#4a9eff",
    "purple": "#b48cff",
    "magenta": "#ff5fd2",
    "cyan": "#3fd7e0",
    "grey": "#a0a0a0",
    "gray": "#a0a0a0",
    "white": "#f0f0f0",
}
SEVERITY_COLORS = {"P0": "red", "P1": "orange", "P2": "yellow"}

# Each clock state: the theme variable of its colour, and a word and mark that say it without
# colour (for colour-blind users and monochrome terminals).
STATE_VAR = {
    "ok": "success",
    "warning": "warning",
    "critical": "error-lighten-2",
    "breached": "error",
    "overdue": "error-lighten-2",
    "met": "primary-lighten-2",
    "missed": "error",
    "not-started": "text-muted",
}
STATE_WORD = {
    "ok": "● OK",
    "warning": "▲ WARNING",
    "critical": "▲▲ CRITICAL",
    "breached": "✖ BREACHED",
    "met": "✔ SLA met",
    "missed": "✘ SLA missed",
}
STATE_FALLBACK = {"success": "green", "warning": "yellow", "error-lighten-2": "bright_red",
                  "error": "red", "primary-lighten-2": "bright_blue", "text-muted": "dim"}


def state_styles(variables: dict[str, str]) -> dict[str, str]:
    """State -> a Rich style in the theme's semantic colours (`App.theme_variables`)."""
    out = {}
    for state, var in STATE_VAR.items():
        color = variables.get(var, "")
        if not color.startswith("#"):
            color = STATE_FALLBACK[var]
        bold = "bold " if state in ("critical", "breached", "overdue") else ""
        out[state] = f"{bold}{color}"
    out["breached"] = f"bold reverse {out['breached'].split()[-1]}"
    return out


STATE_STYLE = state_styles({})  # before the app has a theme (tests, the picker's first lines)


def clean(text: object) -> str:
    """Text from a file made safe to show: control characters become visible placeholders."""
    out = []
    for ch in str(text):
        if ch == "\t":
            out.append("    ")
        elif ch == "\x1b":
            out.append("␛")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\u200d":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)


TITLE_SHOWN = 160  # characters of a task title shown in the list (enter shows more)
TITLE_SHOWN_EXPANDED = 4000


def cut(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis and how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit} characters)"


def severity_color(sev: str | None, workflow_color: str = "") -> str:
    """The badge colour of a severity: the workflow's colour, else P0 red, P1 orange, P2 yellow."""
    name = workflow_color or SEVERITY_COLORS.get(sev or "", "white")
    return NAMED_COLORS.get(name.lower(), name)


class HeaderLine(Static):
    """ID, title, severity (coloured), status and branch on one line; the title is cut to fit."""

    def show(self, hid: str, title: str, sev: str | None, color: str, status: str,
             branch: str) -> None:
        parts = (hid, title, sev, color, status, branch)
        if parts == getattr(self, "_parts", None):
            return  # unchanged: no update (a Static's update lays the screen out again)
        self._parts = parts
        self._render_parts()

    def on_resize(self) -> None:
        if getattr(self, "_parts", None):
            self._render_parts()

    MIN_TITLE = 10  # the title is never cut below this (nor below half the room) for the branch
    MIN_BRANCH = 12

    def _render_parts(self) -> None:
        hid, title, sev, color, status, branch = self._parts
        width = self.size.width or 100
        head = Text(no_wrap=True)
        head.append(f" {clean(hid)} ", style="bold reverse")
        head.append(" ")
        name = clean(title)
        branch = clean(branch)
        tail = self._tail(sev, color, status, branch)
        # the title keeps at least half the room left by the id, severity and status
        bare = width - head.cell_len - self._tail(sev, color, status, "").cell_len - 1
        want = min(len(name), max(self.MIN_TITLE, bare // 2))
        if branch and width - head.cell_len - tail.cell_len - 1 < want:
            # narrow: the title is cut first (above), then the branch, then it goes
            spare = width - head.cell_len - self._tail(sev, color, status, "").cell_len - 1
            keep = spare - want - 4  # "  ⎇ " before the branch
            branch = branch[: keep - 1] + "…" if keep >= self.MIN_BRANCH else ""
            tail = self._tail(sev, color, status, branch)
        room = max(8, width - head.cell_len - tail.cell_len - 1)
        if len(name) > room:
            name = name[: room - 1] + "…"
        head.append(name, style="bold")
        head.append(tail)
        self.update(head)

    @staticmethod
    def _tail(sev: str | None, color: str, status: str, branch: str) -> Text:
        tail = Text(no_wrap=True)
        tail.append("  ")
        tail.append(f" {clean(sev or '?')} ", style=f"bold black on {color}")
        tail.append(" ")
        tail.append(clean(status or "?"), style="bold")
        if branch:
            tail.append("  ⎇ ", style="dim")
            tail.append(branch, style="cyan")
        return tail


class SlaPanel(Horizontal):
    """The resolution countdown (Digits), elapsed and % used, and the active windows.

    Modes (set by the screen from its size): "full" - the Digits beside the stats line and one
    line per window; "compact" (under 30 rows, e.g. 80x24) - the Digits beside three lines:
    the state, elapsed and % used, and the windows on one line; "tiny" (under 20 rows) - no
    Digits, the stats and the windows on one line each.
    """

    STATES = ("ok", "warning", "critical", "breached", "met", "missed", "not-started")
    MODES = ("full", "compact", "tiny")

    mode = "full"

    def set_mode(self, mode: str) -> bool:
        """Switch the layout; True when it changed (the caller shows the clocks again)."""
        if mode == self.mode:
            return False
        self.mode = mode
        for m in self.MODES:
            self.set_class(m == mode, f"-{m}")
        self._shown = None  # the stats and windows change shape: lay them out again
        return True

    _shown: tuple[str, Text, Text] | None = None  # (digits, stats line, windows) on screen

    def compose(self) -> ComposeResult:
        yield Digits("--:--:--", id="sla-digits")
        with Vertical(id="sla-side"):
            yield Static(id="sla-stats")
            yield Static(id="sla-windows")

    def show(self, sla: SlaReading | None, windows: list[WindowReading], sev: str | None,
             notes: tuple[Text, ...] = ()) -> None:
        """Show a clock reading; `notes` are short lines after the windows (e.g. what to record)."""
        self._args = (sla, windows, sev, notes)
        state = sla.state if sla else "not-started"
        for s in self.STATES:
            self.set_class(s == state, f"-{s}")
        styles = state_styles(getattr(self.app, "theme_variables", {}))
        line = Text(no_wrap=True, overflow="ellipsis")
        sep = "\n" if self.mode == "compact" else "  "  # compact: state, then the figures
        if sla is None:
            digits = "--:--:--"
            line.append("no SLA clock (no workflow or severity)", style="dim")
        elif state == "not-started":
            digits = "--:--:--"
            line.append("SLA clock not started (no Incident Start time)", style="dim")
        else:
            target = format_duration(sla.target_seconds)
            pct = f"{sla.fraction:.0%}"
            line.append(f" {STATE_WORD[state]} ", style=f"{styles[state]} reverse"
                        if state != "breached" else styles[state])
            line.append(sep if sla.stopped else " ")
            if sla.stopped:
                digits = format_duration(sla.elapsed_seconds)
                line.append(f"resolved in {format_duration(sla.elapsed_seconds)}"
                            f" of {target} ({pct})")
            else:
                digits = format_duration(sla.remaining_seconds, signed=True)
                if state == "breached":
                    line.append(f"by {format_duration(-sla.remaining_seconds)}",
                                style="bold")
                else:
                    line.append(f"{format_duration(sla.remaining_seconds)} left",
                                style=styles[state])
                line.append(f"{sep}elapsed {format_duration(sla.elapsed_seconds)}"
                            f" · {pct} of {sev or '?'} target {target}")
        one_line = self.mode != "full"
        items: list[Text] = []
        for w in windows:
            style = styles.get(w.state, "")
            t = Text()
            t.append("● " if w.state == "ok" else "▲ " if w.remaining_seconds >= 0 else "✖ ",
                     style=style)
            t.append(clean(w.label), style="bold")
            if w.remaining_seconds >= 0:
                t.append(" ")
                t.append(format_duration(w.remaining_seconds), style=style)
                t.append(" left")
            else:
                t.append(" overdue by ")
                t.append(format_duration(w.remaining_seconds), style=style)
            items.append(t)
        if not windows and not notes:
            items.append(Text("no active windows", style="dim"))
        if one_line:  # what the record wants first, then the windows that fit, "+N more"
            wt = self._fit([*notes, *items], len(notes))
        else:
            wt = Text("\n", no_wrap=True, overflow="ellipsis").join([*items, *notes])
        self._update(digits, line, wt)
        self.set_class(not windows and not notes, "-no-windows")

    def _fit(self, items: list[Text], keep: int) -> Text:
        """Items on one line, as many as fit the windows line's width (the first `keep` always);
        the rest counted as "+N more". Before the first layout (no width) all of them."""
        found = self.query("#sla-windows")
        width = found.first().size.width if found else 0
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, item in enumerate(items):
            left = len(items) - i - 1
            room = width - out.cell_len - (2 if i else 0) - (len(f"  +{left} more") if left else 0)
            if width and i >= keep and item.cell_len > room:
                out.append(f"{'  ' if i else ''}+{len(items) - i} more", style="dim")
                break
            if i:
                out.append("  ")
            out.append(item)
        if not width and found:
            self.call_after_refresh(self._refit)
        return out

    def _refit(self) -> None:
        args = getattr(self, "_args", None)
        found = self.query("#sla-windows")
        if args is not None and found and found.first().size.width:
            self.show(*args)

    def _update(self, digits: str, stats: Text, windows: Text) -> None:
        """Repaint only what changed; a layout only when the windows' line count changes.

        Runs every second: the stats line has a fixed height, so its text changes without a
        layout of the screen; the Digits lays itself out only when its width changes.
        """
        shown = self._shown
        try:
            if shown is None or shown[0] != digits:
                self.query_one("#sla-digits", Digits).update(digits)
            if shown is None or shown[1] != stats:
                self.query_one("#sla-stats", Static).update(stats, layout=shown is None)
            if shown is None or shown[2] != windows:
                lines = len(windows.plain.split("\n"))
                layout = shown is None or len(shown[2].plain.split("\n")) != lines
                self.query_one("#sla-windows", Static).update(windows, layout=layout)
        except NoMatches:  # a tick while the app exits: the panel's children are being removed
            return
        self._shown = (digits, stats, windows)


class TaskRow(Widget):
    """One task: checkbox, ID, title, state; its steps and notes when expanded."""

    DEFAULT_CSS = """
    TaskRow { height: auto; width: 1fr; }
    """

    class Clicked(Message):
        def __init__(self, row: TaskRow, toggle: bool) -> None:
            super().__init__()
            self.row = row
            self.toggle = toggle

    def __init__(self, view: TaskView) -> None:
        super().__init__(classes=self._state_class(view))
        self.view = view
        self.key = view.key
        self.expanded = False
        self.matches = True

    def set_view(self, view: TaskView) -> None:
        self.view = view
        self._sync_classes()
        self.refresh(layout=True)

    @staticmethod
    def _state_class(view: TaskView) -> str:
        return "-" + view.state.replace("/", "")

    def _sync_classes(self) -> None:
        want = self._state_class(self.view)
        if not self.has_class(want):
            self.remove_class("-open", "-done", "-skipped", "-na")
            self.add_class(want)

    def toggle_expanded(self) -> None:
        self.expanded = not self.expanded
        self.refresh(layout=True)

    def render(self) -> Text:
        v = self.view
        state = v.state
        box = {"done": "[x]", "skipped": "[-]", "open": "[ ]", "n/a": "[ ]"}[state]
        t = Text(no_wrap=False, overflow="fold")
        t.append("▸ " if not self.expanded else "▾ ", style="dim")
        t.append(box, style="bold green" if state == "done" else "bold")
        t.append(" ")
        if v.id:
            t.append(clean(v.id), style="bold cyan" if state == "open" else "cyan")
            t.append(" ")
        for m in v.markers:
            t.append(f"[{clean(m)}] ", style="magenta")
        title_style = {"done": "", "skipped": "strike", "open": "bold", "n/a": "strike"}[state]
        t.append(clean(cut(v.title, TITLE_SHOWN_EXPANDED if self.expanded else TITLE_SHOWN)),
                 style=title_style)
        if state == "skipped":
            t.append("  skipped: ", style="yellow")
            t.append(clean(v.skipped or ""), style="italic")
        elif state == "n/a":
            t.append("  n/a: ", style="italic")
            t.append(clean(v.reason), style="italic")
        if v.notes and not self.expanded:
            t.append(f"  ✎{len(v.notes)}", style="dim")
        if self.expanded:
            for step in v.steps:
                t.append("\n      • ", style="dim")
                t.append(clean(fill_command(step, getattr(self.screen, "fill_values", {}))))
            for note in v.notes:
                t.append("\n      ✎ ", style="yellow")
                t.append(clean(_note_text(note)), style="italic")
            if not v.steps and not v.notes:
                t.append("\n      (no sub-steps or notes)", style="dim")
        return t

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self, toggle=event.x <= 5 or event.chain >= 2))


def _note_text(note: object) -> str:
    """A note as shown: `time who: text`."""
    parts = [str(getattr(note, a)) for a in ("time", "who") if getattr(note, a, None)]
    text = str(getattr(note, "text", note))
    return (" ".join(parts) + ": " + text) if parts else text


class PhaseBox(Collapsible):
    """A phase as a Collapsible; its task rows are built on the first expand (lazy)."""

    DEFAULT_CSS = """
    PhaseBox { padding: 0; border-top: none; background: $surface; }
    PhaseBox > Contents { padding: 0 0 0 2; }
    """

    class TitleClicked(Message):
        def __init__(self, box: PhaseBox) -> None:
            super().__init__()
            self.box = box

    def __init__(self, view: PhaseView, collapsed: bool) -> None:
        super().__init__(title="", collapsed=collapsed, classes="phase")
        self.index = view.index
        self._title.can_focus = False
        self.built = False
        self.rows: dict[str, TaskRow] = {}
        self.order: list[str] = []
        self.view = view
        self.set_title(view)

    def set_title(self, view: PhaseView) -> None:
        self.view = view
        t = Content.assemble(
            (clean(view.name), "bold"),
            (f" ({clean(view.note)})" if view.note else "", "dim"),
            "  ",
            (f"{view.done}/{view.total}", "bold green" if view.finished else "bold"),
            (" ✔" if view.finished else "", "green"),
        )
        self._title.label = t
        self.set_class(view.finished, "-finished")

    def on_collapsible_title_toggle(self) -> None:
        # Collapsible's own handler toggles; this one only tells the screen to select the phase
        self.post_message(self.TitleClicked(self))

    @property
    def title_widget(self) -> Widget:
        return self._title

    def build(self, views: list[TaskView]) -> None:
        """Mount the task rows (first expand, or after the phase's tasks changed on disk)."""
        contents = self.query_one(Collapsible.Contents)
        contents.remove_children()
        self.rows = {v.key: TaskRow(v) for v in views}
        self.order = [v.key for v in views]
        contents.mount_all(self.rows.values())
        self.built = True


class TaskTree(VerticalScroll, can_focus=True, inherit_bindings=False):
    """The scrolling list of phases; keys are handled by the screen (cursor model)."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        # Only the tree's own style depends on its focus (`#tree:focus` in hotfix.tcss): restyle
        # it and its scrollbars, not every phase and row below it as Widget.watch_has_focus does.
        self.app.stylesheet.update_nodes([self], animate=True)


class InlineInput(Input):
    """The note and filter inputs: while one has the keys, the footer shows only its own keys."""

    SAVE = "Save"
    CANCEL = "Cancel"

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        # this input's own enter and esc, shown in the footer (the stock enter is hidden)
        keys = self._bindings.key_to_bindings
        keys["enter"] = [Binding("enter", "submit", self.SAVE, show=True)]
        keys["escape"] = [Binding("escape", "screen.clear_filter", self.CANCEL, show=True)]


class NoteInput(InlineInput):
    SAVE = "Save note"


class FilterInput(InlineInput):
    SAVE = "Go to first match"
    CANCEL = "Clear filter"


INLINE_KEYS = frozenset({"submit", "screen.clear_filter"})


class KeyFooter(Footer):
    """Textual's Footer, recomposed only when the keys it shows change.

    The stock Footer rebuilds all its keys on every bindings signal (each focus change, screen
    resume...), three times while the app starts; this one compares what it would show first.
    """

    _shown: tuple | None = None
    hidden_actions: frozenset[str] = frozenset()  # keys left out (a narrow terminal)

    def set_hidden(self, actions: frozenset[str], palette: bool) -> None:
        """Leave these actions' keys (and the palette key unless `palette`) out of the footer."""
        if actions == self.hidden_actions and palette == self.show_command_palette:
            return
        self.hidden_actions = actions
        self.set_reactive(Footer.show_command_palette, palette)
        self._shown = None
        if self.is_mounted and self._bindings_ready:  # else its first compose applies them
            self.call_later(self.recompose)

    def _typing(self) -> bool:
        return isinstance(self.screen.focused, InlineInput)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            # The keys are known as the screen composes (the tree it focuses next binds none of
            # its own), so they are shown at once: the stock Footer composes empty and then
            # recomposes on the first bindings signal, one more compose and layout at start-up.
            self.set_reactive(Footer._bindings_ready, True)
            self._shown = self._signature(self.screen)
        typing = self._typing()  # in a note or the filter: only its enter and esc keys
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                widget.action in self.hidden_actions
                or (typing and widget.action not in INLINE_KEYS)
            ):
                continue
            yield widget

    def _signature(self, screen: Screen) -> tuple:
        app = self.app
        return (
            self.show_command_palette,
            self.hidden_actions,
            self._typing(),
            tuple(
                (b.key, app.get_key_display(b), b.description, b.action, b.group, enabled, tip)
                for _node, b, enabled, tip in screen.active_bindings.values()
                if b.show or b.key == app.COMMAND_PALETTE_BINDING
            ),
        )

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = self._signature(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)


class ClockDock(Widget):
    """The incident's header line and SLA panel, docked on top of a dialog's screen.

    Dialogs are modal screens; Textual repaints the whole dimmed screen behind one for any change
    there, so the clock behind stays still while this opaque copy, laid exactly over it, ticks:
    one panel repainted a second, and no dialog ever covers the countdown. The dialog's inputs get
    a steady cursor (a blinking one would repaint twice a second more).
    """

    DEFAULT_CSS = """
    ClockDock { dock: top; layout: vertical; height: auto; background: $background; }
    """

    def compose(self) -> ComposeResult:
        yield HeaderLine(classes="dock-header")
        yield SlaPanel()

    def on_mount(self) -> None:
        show = getattr(self.app, "show_clock_dock", None)
        if show is not None:
            show(self)
        self.call_after_refresh(self._steady_cursors)

    def _steady_cursors(self) -> None:
        for inp in self.screen.query(Input):
            inp.cursor_blink = False


class SidePanel(Static):
    """On a wide terminal, beside the list: the task under the cursor in full and recent activity.

    Docked to the right of the task tree (it does not scroll with the tasks); made on first use.
    """

    DEFAULT_CSS = """
    SidePanel {
        dock: right;
        width: 45%;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $panel-lighten-2;
    }
    """

    def show(self, view: TaskView | None, activity: list[tuple[str, str, str]]) -> None:
        t = Text()
        values = getattr(self.screen, "fill_values", {})
        if view is not None:
            t.append(clean(f"{view.id or ''} {cut(view.title, 300)}".strip()), style="bold")
            t.append(f"  ({view.state})\n", style="dim")
            for step in view.steps:
                t.append("  • ", style="dim")
                t.append(clean(cut(fill_command(step, values), 300)) + "\n")
            for note in view.notes:
                t.append("  ✎ ", style="yellow")
                t.append(clean(cut(_note_text(note), 500)) + "\n", style="italic")
            if not view.steps and not view.notes:
                t.append("  (no sub-steps or notes)\n", style="dim")
        t.append("\nRecent activity\n", style="bold")
        for when, who, what in activity:
            t.append(f"  {clean(when)} ", style="dim")
            t.append(clean(who), style="cyan")
            t.append(f"  {clean(cut(what, 200))}\n")
        if not activity:
            t.append("  nothing logged yet\n", style="dim")
        self.update(t)
