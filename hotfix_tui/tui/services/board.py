"""The palette's "Share a live board": start the read-only web board in the background.

The server runs in its own thread (web.server.BoardThread); aiohttp loads only when asked for.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.app import App

from hotfix_tui.tui.host import host

TITLE = "Share a live board"
HELP = "serve a read-only web page of the incidents on this machine and show its address"
PORT = 8600


def start_board(app: App[Any]) -> None:
    """Start the board (or find it running) in a thread worker, then notify its address."""
    server = host(app).board_server
    if server is not None and server.running:
        _tell(app, server.url)
        return
    app.run_worker(lambda: _start(app), thread=True, group="board", exclusive=True)


def _start(app: App[Any]) -> None:
    try:
        from hotfix_tui.web.data import Board
        from hotfix_tui.web.server import BoardThread, Options
    except ImportError as exc:
        app.call_from_thread(_fail, app, f"the web board needs aiohttp: {exc}")
        return
    the_app = host(app)
    inc = the_app.incident
    board = Board(the_app.root, inc.folder if inc is not None else None,
                  fetch_interval=the_app.settings.fetch_interval)
    server = None
    for port in (PORT, 0):  # 8600 when free, else any free port
        candidate = BoardThread(board, Options(port=port))
        try:
            candidate.start()
        except OSError:
            continue
        server = candidate
        break
    if server is None:
        app.call_from_thread(_fail, app, "no free port on 127.0.0.1 for the board")
        return
    the_app.board_server = server
    app.call_from_thread(_tell, app, server.url)


def _tell(app: App[Any], url: str) -> None:
    app.notify(
        f"{url}\nRead-only, on this machine only (127.0.0.1). For the team, run "
        "`hotfix-tui serve --host 0.0.0.0` (token) behind TLS or your proxy.",
        title="Live board",
        markup=False,
        timeout=20,
    )
    with contextlib.suppress(Exception):  # no clipboard in this terminal: the note is enough
        app.copy_to_clipboard(url)


def _fail(app: App[Any], message: str) -> None:
    app.notify(message, title="Live board", severity="error", markup=False)

