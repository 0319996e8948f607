"""The header line: incident id, title, severity badge, status, commander and branch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    pass

from hotfix_tui.tui.widgets.text import clean


class HeaderLine(Static):
    """ID, title, severity (coloured), status and branch on one line; the title is cut to fit."""

    def show(self, hid: str, title: str, sev: str | None, color: str, status: str,
             branch: str, commander: str = "") -> None:
        parts = (hid, title, sev, color, status, branch, commander)
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
        hid, title, sev, color, status, branch, commander = self._parts
        if commander:  # `IC Ana`, `IC Ana -> Ben (handing over)`: after the status
            status = f"{status}  IC {commander}"
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
