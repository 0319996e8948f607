"""The checklist: phases as collapsible boxes of task rows, in one scrolling tree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible

from hotfix_tui.core.reports.commands import fill as fill_command

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import PhaseView, TaskView

from hotfix_tui.tui.widgets.text import TITLE_SHOWN, TITLE_SHOWN_EXPANDED, clean, cut, note_text


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
                t.append(clean(note_text(note)), style="italic")
            if not v.steps and not v.notes:
                t.append("\n      (no sub-steps or notes)", style="dim")
        return t

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self, toggle=event.x <= 5 or event.chain >= 2))



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
