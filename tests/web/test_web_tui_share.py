"""The TUI's palette entry "Share a live board": starts the web board and shows its address."""

from __future__ import annotations

import json
import urllib.request

from textual.command import CommandList, CommandPalette

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp


async def test_palette_starts_the_board_and_shows_its_address(incident_repo):
    root, folder = incident_repo
    inc = Incident(folder, resolve_workflow("hotfix", root), repo_root=root)
    app = HotfixApp(inc, root=root, settings=Settings(), watch=False)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Share a live board")
        options = app.screen.query_one(CommandList)
        for _ in range(100):  # the search runs in a worker: bounded short waits
            await pilot.pause()
            if options.option_count and "Share a live board" in str(
                options.get_option_at_index(0).prompt
            ):
                break
        await pilot.press("enter")
        for _ in range(400):  # the server starts in a thread worker
            await pilot.pause(0.02)
            server = getattr(app, "board_server", None)
            if server is not None and any(server.url in n.message for n in app._notifications):
                break
        server = app.board_server
        try:
            assert server.url.startswith("http://127.0.0.1:")
            note = next(n for n in app._notifications if server.url in n.message)
            assert note.title == "Live board"
            with urllib.request.urlopen(server.url + "api/incidents", timeout=10) as resp:
                rows = json.loads(resp.read())
            assert rows[0]["key"] == "hotfix-001"
            assert rows[0]["folder"] == "specs/hotfix/001-database-connection-pool"
            # asking again shows the same board, it does not start a second one
            from hotfix_tui.tui.services.board import start_board

            start_board(app)
            assert app.board_server is server
        finally:
            server.stop()
