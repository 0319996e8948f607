"""Raw output to the terminal, for the escape sequences Textual has no public call for.

The one private use of Textual here: `App._driver.write` (tests/tui/test_alerts.py fails if
Textual renames it). Only desktop notifications (OSC 777 / OSC 9) go through it.
"""

from __future__ import annotations

from textual.app import App


def write_raw(app: App, data: str) -> bool:
    """Write `data` to the terminal as is; False when the app has no driver (not running)."""
    driver = getattr(app, "_driver", None)
    if driver is None:
        return False
    driver.write(data)
    return True
