"""The key footer: the screen's keys on one line, drawn by one widget.

Textual's Footer makes a widget per key (a dozen widgets, their styles and watchers: about a
tenth of the app's start-up); this one draws the same line itself, and runs a clicked key.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from hotfix_tui.tui.widgets.inputs import INLINE_KEYS, InlineInput


class FooterKey(NamedTuple):
    """One key as the footer shows it: its binding's key, label, action and state."""

    key: str
    display: str  # the key as shown, e.g. "space", "^p"
    description: str
    action: str
    enabled: bool = True
    tooltip: str = ""
    palette: bool = False  # the command palette's key, drawn at the right end


class KeyFooter(Widget, can_focus=False):
    """The active bindings of the screen, as Textual's Footer shows them, in one line.

    `compact` (or keys too many for the width) draws them without padding; `set_hidden` leaves
    keys out. A click runs the key under the mouse (a bell when it is disabled), as stock.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--border",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--hover {
            background: $block-hover-background;
        }
        .key-footer--border {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compact = False
        self.show_command_palette = True
        self.hidden_actions: frozenset[str] = frozenset()  # keys left out (a narrow terminal)
        self.keep: dict[str, int] = {}  # action -> priority: the highest go first when too narrow
        self._shown: tuple[FooterKey, ...] | None = None
        self.regions: list[tuple[int, int, FooterKey]] = []  # columns [start, end) of drawn keys
        self._hover: FooterKey | None = None

    # --- what is shown --------------------------------------------------------------------

    @property
    def shown(self) -> tuple[FooterKey, ...]:
        """The keys shown now, in order (the palette's last)."""
        if self._shown is None:
            self._shown = self._collect(self.screen)
        return self._shown

    def _collect(self, screen: Screen) -> tuple[FooterKey, ...]:
        """The screen's shown bindings, the first per action (as the stock Footer lists them)."""
        app = self.app
        typing = isinstance(screen.focused, InlineInput)  # a note or the filter: enter and esc
        keys: dict[str, FooterKey] = {}
        palette: FooterKey | None = None
        for _node, b, enabled, tooltip in screen.active_bindings.values():
            if b.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                if self.show_command_palette and not typing:
                    palette = FooterKey(b.key, app.get_key_display(b), b.description, b.action,
                                        enabled, b.tooltip or b.description, palette=True)
                continue
            if not b.show or b.action in keys or b.action in self.hidden_actions:
                continue
            if typing and b.action not in INLINE_KEYS:
                continue
            keys[b.action] = FooterKey(b.key, app.get_key_display(b), b.description, b.action,
                                       enabled, tooltip)
        return (*keys.values(), *([palette] if palette else []))

    def set_hidden(self, actions: frozenset[str], palette: bool) -> None:
        """Leave these actions' keys (and the palette key unless `palette`) out of the footer."""
        if actions == self.hidden_actions and palette == self.show_command_palette:
            return
        self.hidden_actions = actions
        self.show_command_palette = palette
        self._shown = None
        self.refresh()

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or screen is not self.screen:
            return
        shown = self._collect(screen)
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    @property
    def compact(self) -> bool:
        """Keys drawn without padding (a narrow terminal)."""
        return self._compact

    @compact.setter
    def compact(self, value: bool) -> None:
        if value != self._compact:
            self._compact = value
            self.refresh()

    # --- drawing --------------------------------------------------------------------------

    def _parts(self, k: FooterKey, compact: bool) -> list[tuple[str, str]]:
        """A key's cells as (text, part) pairs, padded as the stock footer pads them."""
        if not k.description:
            return [(k.display, "key")]
        if compact or k.palette:
            parts = [(k.display, "key"), (" " + k.description, "description")]
            if k.palette and not compact:
                parts.append((" ", "description"))
            return parts
        return [(f" {k.display} ", "key"), (k.description + " ", "description")]

    def _width(self, keys: list[FooterKey], compact: bool) -> int:
        """The cells these keys take (the palette's with its border, compact ones' margins)."""
        cells = sum(cell_len(t) for k in keys for t, _ in self._parts(k, compact))
        return cells + sum(1 for k in keys if k.palette or compact)

    def render(self) -> Text:
        width = self.size.width
        # compact when asked (a narrow terminal) or when the padded keys would not fit
        compact = self.compact or self._width(list(self.shown), False) > width
        styles = {
            "key": self.get_component_rich_style("key-footer--key"),
            "description": self.get_component_rich_style("key-footer--description"),
        }
        hover = self.get_component_rich_style("key-footer--hover")
        border = self.get_component_rich_style("key-footer--border")
        fitting = self.fitting(width, compact)
        left = [k for k in fitting if not k.palette]
        right = [k for k in fitting if k.palette]
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterKey]] = []

        def draw(k: FooterKey, limit: int) -> None:
            start = line.cell_len
            for text, part in self._parts(k, compact):
                style = styles[part]
                if k == self._hover:
                    style = style + Style(bgcolor=hover.bgcolor)
                if not k.enabled:
                    style = style + Style(dim=True)
                line.append(text, style)
            line.truncate(limit)
            if line.cell_len > start:
                spans.append((start, line.cell_len, k))

        right_width = self._width(right, compact)
        room = width - right_width if right_width <= width else width
        for k in left:
            if line.cell_len >= room:
                break
            draw(k, room)
            if compact and line.cell_len < room:
                line.append(" ")  # the margin between compact keys
        if right and right_width <= width:
            line.append(" " * (room - line.cell_len))
            for k in right:
                line.append("▏", border)
                draw(k, width)
        line.append(" " * (width - line.cell_len))  # one run of blanks to the end
        self.regions = spans
        return line

    def fitting(self, width: int, compact: bool) -> list[FooterKey]:
        """The shown keys that fit `width`, in order: the lowest priority (`keep`) left out
        first, keys without one before any with one (none given: all of them)."""
        keys = list(self.shown)
        if not self.keep:  # no priorities given: every key, cropped at the end
            return keys
        by_priority = sorted(reversed(keys), key=lambda k: -self.keep.get(k.action, 1000))
        for k in by_priority:
            if self._width(keys, compact) <= width or len(keys) == 1:
                break
            keys.remove(k)
        return keys

    def key_at(self, x: int) -> FooterKey | None:
        """The key drawn at column `x` of the footer, if any."""
        return next((k for start, end, k in self.regions if start <= x < end), None)

    # --- the mouse ------------------------------------------------------------------------

    def on_mouse_move(self, event: events.MouseMove) -> None:
        k = self.key_at(event.x)
        if k != self._hover:
            self._hover = k
            self.tooltip = (k.tooltip or None) if k else None
            self.styles.pointer = "pointer" if k else "default"
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.styles.pointer = "default"
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        k = self.key_at(event.x)
        if k is None:
            return
        event.stop()
        if k.enabled:
            self.app.simulate_key(k.key)
        else:
            self.app.bell()
