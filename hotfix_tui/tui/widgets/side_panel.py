"""The side panel of a wide terminal: the task under the cursor and recent activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from hotfix_tui.core.reports.commands import fill as fill_command

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import TaskView

from hotfix_tui.tui.widgets.text import clean, cut, note_text


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
                t.append(clean(cut(note_text(note), 500)) + "\n", style="italic")
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
