#!/usr/bin/env python
"""Make docs/board-tiles-360x740.png, docs/board-tiles-1920x1080.png and docs/board-wall.png: the
landing page's tiles (six open incidents, a P0 breached 10 minutes ago first, two resolved) on a
phone and a large screen, and wall mode with twelve (run by hand after UI changes)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "web"), str(ROOT / "tests")]

from hotfix_tui.web.data import Board  # noqa: E402
from hotfix_tui.web.server import BoardThread, Options  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright
    from test_web_status_page_browser import team_repo

    shots = [("board-tiles-360x740.png", 6, 360, 740, ""),
             ("board-tiles-1920x1080.png", 6, 1920, 1080, ""),
             ("board-wall.png", 12, 1920, 1080, "?wall=1")]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, n, width, height, query in shots:
            root = team_repo(Path(tmp) / name, n_open=n)
            server = BoardThread(Board(root), Options(port=0))
            url = server.start()
            try:
                page = b.new_page(viewport={"width": width, "height": height})
                page.goto(url + query)
                page.wait_for_selector(".tile .tnum[data-countdown]:not([data-countdown=''])")
                page.wait_for_timeout(1200)
                out = ROOT / "docs" / name
                page.screenshot(path=str(out))
                page.close()
                print(out)
            finally:
                server.stop()
        b.close()


if __name__ == "__main__":
    main()
