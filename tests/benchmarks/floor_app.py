"""The floor for `startup_s`: a bare Textual app showing the same phases and tasks.

Run as `python floor_app.py LAYOUT.json` with the same ready probe as the real app.
"""

# Stock widgets only (Collapsible + Static), the first phase with an open task expanded, as
# `hotfix-tui open` does; the ready probe is `HOTFIX_TUI_BENCH_READY`.

from __future__ import annotations

import json
import sys

from textual.app import App, ComposeResult
from textual.widgets import Collapsible, Static

from hotfix_tui.tui.services.ready_probe import auto_pilot


class FloorApp(App[None]):
    def __init__(self, layout: dict) -> None:
        super().__init__()
        self.layout = layout

    def compose(self) -> ComposeResult:
        opened = False
        for phase in self.layout["phases"]:
            show = not opened and any(not t["done"] for t in phase["tasks"])
            opened = opened or show
            rows = [
                Static(f"[{'x' if t['done'] else ' '}] {t['title']}", markup=False)
                for t in phase["tasks"]
            ]
            yield Collapsible(*rows, title=f"{phase['name']}  0/{len(rows)}", collapsed=not show)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        layout = json.load(f)
    FloorApp(layout).run(auto_pilot=auto_pilot())
    return 0


if __name__ == "__main__":
    sys.exit(main())
