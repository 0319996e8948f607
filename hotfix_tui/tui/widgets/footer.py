"""The key footer, recomposed only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

if TYPE_CHECKING:
    pass

from hotfix_tui.tui.widgets.inputs import INLINE_KEYS, InlineInput


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
            action = getattr(widget, "action", None)  # a key (Textual's FooterKey) has one
            if action is not None and (
                action in self.hidden_actions or (typing and action not in INLINE_KEYS)
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
