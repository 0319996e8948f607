"""The one-line inputs under the checklist: a note on a task and the task filter."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


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

    def on_mount(self) -> None:
        # made on first use: it takes the keys once it is there (a focus asked for before
        # it was mounted would be lost)
        if self.display:
            self.focus()


class NoteInput(InlineInput):
    SAVE = "Save note"


class FilterInput(InlineInput):
    SAVE = "Go to first match"
    CANCEL = "Clear filter"


INLINE_KEYS = frozenset({"submit", "screen.clear_filter"})
