#!/usr/bin/env python
"""Make docs/board.png, the README's picture of the live board (run by hand after UI changes).

A P1 incident started 2 h 55 min ago (the SLA in its warning band), tasks done and skipped
through the real CLI, the fix deployed (the rollback window open), shown at 1280x800.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from gitfix import FakeClock, make_repo  # noqa: E402

from hotfix_tui.core.clocks import utc_now  # noqa: E402
from hotfix_tui.core.creating import create_incident  # noqa: E402
from hotfix_tui.core.workflow.loader import resolve_workflow  # noqa: E402
from hotfix_tui.web.data import Board  # noqa: E402
from hotfix_tui.web.server import BoardThread, Options  # noqa: E402


def hotfix(root: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "hotfix_tui.cli", *argv], cwd=root, check=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = make_repo(Path(tmp) / "shop", "Ana Lyst")
        clock = FakeClock(utc_now() - timedelta(hours=2, minutes=55))
        wf = resolve_workflow("hotfix", root)
        create_incident(
            root, "Checkout returns 500 errors after the payments deploy", "P1", wf, clock=clock
        )
        for task in ("T001", "T003", "T004", "T005", "T006", "T007", "T008", "T010", "T012"):
            hotfix(root, "done", task)
        hotfix(root, "skip", "T002", "--reason", "IC paged by the alert already")
        hotfix(root, "skip", "T009", "--reason", "one-line revert, reviewed in the call")
        server = BoardThread(Board(root), Options(port=0))
        url = server.start()
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = b.new_page(viewport={"width": 1280, "height": 800})
                page.goto(url + "i/hotfix-001")  # ("/" shows the tiles: tiles_screenshot.py)
                page.wait_for_selector('[data-task="T012"][data-state="done"]')
                page.wait_for_timeout(1500)
                out = ROOT / "docs" / "board.png"
                out.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(out))
                b.close()
        finally:
            server.stop()
    print(out)


if __name__ == "__main__":
    main()
