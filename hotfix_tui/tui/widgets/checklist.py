"""The checklist: phases and their task rows drawn line by line, only the lines in view.

`PhaseBox` and `TaskRow` hold what each phase and row shows (no widgets: 100 000 tasks cost no
more to open than 28); `TaskTree` lays them out as lines and renders the visible ones.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from rich.cells import cell_len
from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from hotfix_tui.core.markdown.tasks_md import short_key
from hotfix_tui.core.reports.commands import fill as fill_command

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import TaskView

from hotfix_tui.tui.widgets.text import TITLE_SHOWN, TITLE_SHOWN_EXPANDED, clean, cut, note_text

INDENT = 2  # columns a phase's rows are indented by
STRIPS_KEPT = 120  # items whose rendered lines are kept (a few screens of them)
# versions are unique across rows and phases: a row made again (a phase rebuilt) never meets
# the lines or height cached for the row it replaces
next_version = itertools.count(1).__next__
BOXES = {"done": "[x]", "skipped": "[-]", "open": "[ ]", "n/a": "[ ]", "choice": "(•)"}
TITLE_STYLE = {"done": "", "skipped": "strike", "open": "bold", "n/a": "strike", "choice": "bold"}


class PhaseLike(Protocol):
    """What a phase title shows: `PhaseHead` (no task views) or `PhaseView`."""

    @property
    def index(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def finished(self) -> bool: ...


class Listed:
    """A phase title or a task row: shown or filtered out, and a version that is new whenever
    what it shows changes (the tree's caches are keyed by it)."""

    __slots__ = ("_changed", "_display", "version")

    def __init__(self, changed: Callable[[], None]) -> None:
        self._changed = changed  # tells the tree to lay its lines out again
        self._display = True
        self.version = next_version()

    @property
    def display(self) -> bool:
        return self._display

    @display.setter
    def display(self, value: bool) -> None:
        if value != self._display:
            self._display = value
            self._changed()

    def _shows_anew(self) -> None:
        self.version = next_version()
        self._changed()


class TaskRow(Listed):
    """One task in the list: its view, whether its steps and notes show, whether it matches."""

    __slots__ = ("expanded", "key", "view")

    def __init__(self, view: TaskView, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self.view = view
        self.key = view.key
        self.expanded = False

    @property
    def state(self) -> str:
        return self.view.state

    def set_view(self, view: TaskView) -> None:
        self.view = view
        self._shows_anew()

    def toggle_expanded(self) -> None:
        self.expanded = not self.expanded
        self._shows_anew()

    def parts(self, fill_values: dict[str, str]) -> list[str | tuple[str, str]]:
        """The row's text in styled parts: box, ID, markers, title, state; steps and notes
        (on lines of their own) when expanded."""
        v, state, expanded = self.view, self.view.state, self.expanded
        parts: list[str | tuple[str, str]] = [
            ("▾ " if expanded else "▸ ", "dim"),
            (BOXES[state], "bold green" if state == "done" else "bold"),
            " ",
        ]
        if v.id:
            parts += [(clean(v.id), "bold cyan" if state == "open" else "cyan"), " "]
        elif "/" in v.key and not v.group:  # a box without an ID: the short id `done` takes
            parts += [(clean(short_key(v.key)), "dim"), " "]
        parts += [(f"[{clean(m)}] ", "magenta") for m in v.markers]
        title = cut(v.title, TITLE_SHOWN_EXPANDED if expanded else TITLE_SHOWN)
        parts.append((clean(title), TITLE_STYLE[state]))
        if v.choice is not None:  # ← → set it
            parts += [("  ‹ ", "dim"), (clean(v.choice.value or "-"), "bold magenta"),
                      (" ›", "dim")]
        if v.assignee:
            parts.append((f"  @{clean(v.assignee)}", "bold blue"))
        if state == "skipped":
            parts += [("  skipped: ", "yellow"), (clean(v.skipped or ""), "italic")]
        elif state == "n/a":
            parts += [("  n/a: ", "italic"), (clean(v.reason), "italic")]
        if v.notes and not expanded:
            parts.append((f"  ✎{len(v.notes)}", "dim"))
        if v.run and not expanded:
            parts.append(("  ! runs", "magenta"))
        if expanded:
            if v.run:
                parts += [("\n      ! ", "bold magenta"), (clean(v.run), "magenta")]
            for step in v.steps:
                parts += [("\n      • ", "dim"), clean(fill_command(step, fill_values))]
            for note in v.notes:
                lines = note_text(note).split("\n")  # a note of several lines: under the ✎
                parts += [("\n      ✎ ", "yellow"),
                          ("\n        ".join(map(clean, lines)), "italic")]
            if not v.steps and not v.notes and not v.run:
                parts.append(("\n      (no sub-steps or notes)", "dim"))
        return parts

    def content(self, fill_values: dict[str, str]) -> Content:
        """The row as styled text (markdown shown literally, never as markup)."""
        return Content.assemble(*self.parts(fill_values))

    def height(self, fill_values: dict[str, str], width: int, rules: RulesMap) -> int:
        """Lines the row takes at `width` (a row on one line is not laid out to know it)."""
        parts = self.parts(fill_values)
        if not self.expanded:
            plain = "".join(p if isinstance(p, str) else p[0] for p in parts)
            if cell_len(plain) <= width:
                return 1
        return max(1, Content.assemble(*parts).get_height(rules, width))


class PhaseBox(Listed):
    """A phase in the list: its title, open or collapsed, shown or filtered out, and its rows
    (made on its first opening)."""

    def __init__(self, view: PhaseLike, collapsed: bool, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self.index = view.index
        self.view: PhaseLike = view
        self._collapsed = collapsed
        self.built = False
        self.rows: dict[str, TaskRow] = {}
        self.order: list[str] = []

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    @collapsed.setter
    def collapsed(self, value: bool) -> None:
        if value != self._collapsed:
            self._collapsed = value
            self._shows_anew()

    @property
    def finished(self) -> bool:
        return self.view.finished

    def set_title(self, view: PhaseLike) -> None:
        self.view = view
        self._shows_anew()

    def content(self) -> Content:
        """The title line: open/closed symbol, name, note and progress."""
        v = self.view
        return Content.assemble(
            "▶ " if self._collapsed else "▼ ",
            (clean(v.name), "bold"),
            (f" ({clean(v.note)})" if v.note else "", "dim"),
            "  ",
            (f"{v.done}/{v.total}", "bold green" if v.finished else "bold"),
            (" ✔" if v.finished else "", "green"),
        )

    def build(self, views: list[TaskView]) -> None:
        """Make the task rows (first opening, or after the phase's tasks changed on disk)."""
        self.rows = {v.key: TaskRow(v, self._changed) for v in views}
        self.order = [v.key for v in views]
        self.built = True
        self._changed()


Item = PhaseBox | TaskRow


FEW_COLOURS = ("standard", "windows")  # the console's colour systems of 8/16 colours


class TaskTree(ScrollView, can_focus=True, inherit_bindings=False):
    """The scrolling list of phases and tasks; keys are handled by the screen (cursor model)."""

    COMPONENT_CLASSES = {
        "task-tree--phase",
        "task-tree--finished",
        "task-tree--done",
        "task-tree--na",
        "task-tree--cursor",
        "task-tree--hover",
        "task-tree--empty",
        "task-tree--flash",
    }
    DEFAULT_CSS = """
    TaskTree { background: $surface; }
    TaskTree > .task-tree--finished { color: $text-muted; }
    TaskTree > .task-tree--done { color: $text-muted; }
    TaskTree > .task-tree--na { color: $text-disabled; text-style: dim; }
    TaskTree > .task-tree--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    TaskTree > .task-tree--hover { background: $boost; }
    TaskTree > .task-tree--empty { text-style: italic; }
    TaskTree > .task-tree--flash { background: $warning 40%; text-style: bold; }
    """

    class RowClicked(Message):
        """A task row was clicked; `toggle` when on its checkbox or a double click."""

        def __init__(self, row: TaskRow, toggle: bool) -> None:
            super().__init__()
            self.row = row
            self.toggle = toggle

    class TitleClicked(Message):
        """A phase title was clicked (the phase has opened or closed already)."""

        def __init__(self, box: PhaseBox) -> None:
            super().__init__()
            self.box = box

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.boxes: list[PhaseBox] = []
        self.fill_values: dict[str, str] = {}  # the record's values for commands in steps
        self.empty: Content | None = None  # shown when nothing is listed (a filter matches none)
        self._cursor: str | None = None
        self._hover: str | None = None
        self.flash: set[str] = set()  # refs of rows a teammate's change just touched
        self._dirty = True
        self._refs: list[str] = []
        self._items: list[Item] = []
        self._where: dict[str, int] = {}
        self._starts: list[int] = []
        # ref -> (version, width, lines): one entry a row, replaced when the row changes
        self._heights: dict[str, tuple[int, int, int]] = {}
        # the rendered lines of the items lately in view (a day open must not pile them up)
        self._strips: LRUCache[tuple[str, int, int, str], list[Strip]] = LRUCache(STRIPS_KEPT)
        self._layout_width = -1

    # --- the model ------------------------------------------------------------------------

    def changed(self) -> None:
        """Something shown changed: lay the lines out again before the next frame."""
        self._dirty = True
        self.refresh()

    def set_boxes(self, boxes: list[PhaseBox]) -> None:
        self.boxes = boxes
        self.changed()

    def make_box(self, view: PhaseLike, collapsed: bool) -> PhaseBox:
        return PhaseBox(view, collapsed, self.changed)

    def set_fill_values(self, values: dict[str, str]) -> None:
        """The record's values changed: expanded rows show their commands filled in again."""
        self.fill_values = values
        for box in self.boxes:
            for row in box.rows.values():
                if row.expanded:
                    row.version = next_version()
        self.changed()

    def refs(self) -> list[str]:
        """The references of the lines shown, in order: "p:<index>" and "t:<key>"."""
        self._structure()
        return self._refs

    def item(self, ref: str) -> Item | None:
        self._structure()
        i = self._where.get(ref)
        return None if i is None else self._items[i]

    def index_of(self, ref: str | None) -> int | None:
        self._structure()
        return None if ref is None else self._where.get(ref)

    def _structure(self) -> None:
        if not self._dirty:
            return
        refs: list[str] = []
        items: list[Item] = []
        for box in self.boxes:
            if not box.display:
                continue
            refs.append(f"p:{box.index}")
            items.append(box)
            if not box.collapsed and box.built:
                rows = box.rows
                for k in box.order:
                    r = rows[k]
                    if r.display:
                        refs.append(f"t:{k}")
                        items.append(r)
        self._refs, self._items = refs, items
        self._where = {r: i for i, r in enumerate(refs)}
        self._dirty = False
        self._layout_width = -1

    # --- layout ---------------------------------------------------------------------------

    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _height_of(self, ref: str, item: Item, width: int) -> int:
        if isinstance(item, PhaseBox):
            return 1
        known = self._heights.get(ref)
        if known is not None and known[0] == item.version and known[1] == width:
            return known[2]
        h = item.height(self.fill_values, width - INDENT - 1, cast(RulesMap, self.styles))
        self._heights[ref] = (item.version, width, h)
        return h

    def _layout(self) -> None:
        self._structure()
        width = self._width()
        if self._layout_width == width:
            return
        starts, y = [], 0
        for ref, item in zip(self._refs, self._items, strict=True):
            starts.append(y)
            y += self._height_of(ref, item, width)
        self._starts = starts
        self._layout_width = width
        total = y if self._refs else (1 if self.empty is not None else 0)
        size = Size(width, total)
        if size != self.virtual_size:
            self.virtual_size = size

    def span(self, ref: str) -> tuple[int, int] | None:
        """First line and number of lines of a listed item."""
        self._layout()
        i = self._where.get(ref)
        if i is None:
            return None
        end = self._starts[i + 1] if i + 1 < len(self._starts) else self.virtual_size.height
        return self._starts[i], end - self._starts[i]

    def scroll_to_ref(self, ref: str | None) -> None:
        """Scroll so the item's lines are in view (the least scrolling that does it)."""
        found = self.span(ref) if ref else None
        if found is None:
            return
        y, h = found
        self.scroll_to_region(Region(0, y, self._width(), h), animate=False, force=True,
                              immediate=True)

    def at_line(self, y: int) -> int | None:
        """The index of the listed item on virtual line `y`."""
        self._layout()
        if not self._starts or y < 0 or y >= self.virtual_size.height:
            return None
        return bisect_right(self._starts, y) - 1

    # --- the cursor and the mouse ---------------------------------------------------------

    @property
    def cursor(self) -> str | None:
        return self._cursor

    @cursor.setter
    def cursor(self, ref: str | None) -> None:
        if ref != self._cursor:
            self._cursor = ref
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        i = None if offset is None else self.at_line(offset.y + self.scroll_offset.y)
        hover = None if i is None else self._refs[i]
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        i = self.at_line(offset.y + self.scroll_offset.y)
        if i is None:
            return
        event.stop()
        item = self._items[i]
        if isinstance(item, PhaseBox):
            item.collapsed = not item.collapsed
            self.post_message(self.TitleClicked(item))
        else:
            x = offset.x + self.scroll_offset.x - INDENT
            self.post_message(self.RowClicked(item, toggle=x <= 5 or event.chain >= 2))

    # --- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._heights.clear()
        self._layout_width = -1

    def on_resize(self) -> None:
        self._strips.clear()

    def _style(self, item: Item, ref: str) -> Style:
        names = []
        if isinstance(item, PhaseBox):
            names.append("task-tree--phase")
            if item.finished:
                names.append("task-tree--finished")
        elif item.state in ("done", "skipped"):
            names.append("task-tree--done")
        elif item.state == "n/a":
            names.append("task-tree--na")
        if ref == self._cursor:
            names.append("task-tree--cursor")
        elif ref == self._hover:
            names.append("task-tree--hover")
        elif ref in self.flash:
            names.append("task-tree--flash")
        return self.get_visual_style(*names)

    def _render_item(self, i: int, width: int) -> list[Strip]:
        ref, item = self._refs[i], self._items[i]
        mark = ("c" if ref == self._cursor else "h" if ref == self._hover
                else "f" if ref in self.flash else "")
        key = (ref, item.version, width, mark)
        strips = self._strips.get(key)
        if strips is not None:
            return strips
        style = self._style(item, ref)
        base = self.get_visual_style()
        rich_base = base.rich_style
        few = mark == "c" and self.app.console.color_system in FEW_COLOURS
        if isinstance(item, PhaseBox):
            visual = item.content()
            if few:  # 16 colours: the row's own colours (cyan ids...) vanish on the cursor's
                visual = visual.stylize(style)
            strips = [
                Strip.join([Strip.blank(1, style.rich_style),
                            s.extend_cell_length(width - 1, style.rich_style)])
                for s in visual.to_strips(self, visual, width - 2, None, style)[:1]
            ]
            strips = [s.crop(0, width) for s in strips]
        else:
            visual = item.content(self.fill_values)
            if few:
                visual = visual.stylize(style)
            inner = width - INDENT - 1
            strips = [
                Strip.join([Strip.blank(INDENT, rich_base),
                            s.extend_cell_length(inner + 1, style.rich_style)])
                for s in visual.to_strips(self, visual, inner, None, style)
            ]
        self._strips[key] = strips
        return strips

    def render_lines(self, crop: Region) -> list[Strip]:
        self._layout()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._width()
        line = self.scroll_offset.y + y
        i = self.at_line(line)
        if i is None:
            if line == 0 and not self._refs and self.empty is not None:
                style = self.get_visual_style("task-tree--empty")
                strips = self.empty.to_strips(self, self.empty, width, None, style)
                return strips[0].extend_cell_length(width, self.get_visual_style().rich_style)
            return Strip.blank(width, self.get_visual_style().rich_style)
        strips = self._render_item(i, width)
        off = line - self._starts[i]
        if off >= len(strips):
            return Strip.blank(width, self.get_visual_style().rich_style)
        return strips[off]
