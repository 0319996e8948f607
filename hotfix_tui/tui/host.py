"""What screens need of the app, as a Protocol, so that no screen imports the app module.

`host(self.app)` gives a screen the typed view of the running HotfixApp.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.screen import Screen

    from hotfix_tui.core.clocks import Clock
    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.web.server import BoardThread


class Host(Protocol):
    """The app as screens see it: its clock, settings, incident and what it can show."""

    clock: Clock
    settings: Settings
    incident: Incident | None
    keymap: dict[str, str]
    watch_files: bool  # watch the incident's files for changes made outside the app
    root: Path | None
    board_server: BoardThread | None  # the live board the palette started, if any

    @property
    def main(self) -> Screen[Any] | None:
        """The incident screen shown (others may lie under it); no screen module is imported."""

    def show_incident(self, incident: Incident) -> None: ...

    def show_overview(self) -> None: ...

    def show_stats(self) -> None: ...


def host(app: Any) -> Host:
    """The running app, typed as a Host."""
    return cast(Host, app)
