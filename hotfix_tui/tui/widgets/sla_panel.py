"""The SLA panel: the resolution countdown, time windows and the record's reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Digits, Static

from hotfix_tui.core.clocks import format_duration

if TYPE_CHECKING:
    from hotfix_tui.core.clocks import SlaReading, WindowReading

from hotfix_tui.tui.widgets.text import STATE_WORD, clean, state_styles


class SlaPanel(Horizontal):
    """The resolution countdown (Digits), elapsed and % used, reminders, notes and windows.

    Every mode shows the state first, then the next due reminder, what the record lacks
    (detection), then the windows that fit ("+N more" for the rest). Modes (set by the screen
    from its size): "full" - the Digits beside the stats line and four lines, one per item;
    "compact" (under 30 rows, e.g. 80x24) - the Digits beside three lines: the state, elapsed
    and % used, and the items on one line; "tiny" (under 20 rows) - no Digits, the stats and
    the items on one line each.
    """

    STATES = ("ok", "warning", "critical", "breached", "met", "missed", "not-started")
    MODES = ("full", "compact", "tiny")

    mode = "full"
    FULL_LINES = 4  # the windows' lines in full mode (`#sla-windows` max-height in hotfix.tcss)

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
        else:  # the same order, one per line, as many windows as the lines left hold
            wt = Text("\n", no_wrap=True, overflow="ellipsis").join(
                self._stack(list(notes), items, self.FULL_LINES))
        self._update(digits, line, wt)
        self.set_class(not windows and not notes, "-no-windows")

    @staticmethod
    def _stack(notes: list[Text], items: list[Text], lines: int) -> list[Text]:
        """The notes (due reminders, what to record), then the windows that fit in `lines`;
        the rest counted as "+N more" at the end of the last line."""
        room = max(lines - len(notes), 0)
        if len(items) <= room:
            return [*notes, *items]
        out = [*notes, *items[:room]]
        more = Text(f"+{len(items) - room} more", style="dim")
        if not out:
            return [more]
        out[-1] = Text.assemble(out[-1], "  ", more, no_wrap=True, overflow="ellipsis")
        return out

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
