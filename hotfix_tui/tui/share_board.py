"""The palette's "Share a live board": start the read-only web board in the background.

The server runs in its own thread (web.server.BoardThread); aiohttp loads only when asked for.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

TITLE = "Share a live board"
HELP = "serve a read-only web page of the incidents on this machine and show its address"
PORT = 8600


def start_board(app: Any) -> None:
    """Start the board (or find it running) in a thread worker, then notify its address."""
    server = getattr(app, "board_server", None)
    if server is not None and server.running:
        _tell(app, server.url)
        return
    app.run_worker(lambda: _start(app), thread=True, group="board", exclusive=True)


def _start(app: Any) -> None:
    try:
        from hotfix_tui.web.data import Board
        from hotfix_tui.web.server import BoardThread, Options
    except ImportError as exc:
        app.call_from_thread(_fail, app, f"the web board needs aiohttp: {exc}")
        return
    main = getattr(app, "main", None)
    inc = getattr(main, "incident", None) or getattr(app, "incident", None)
    interval = getattr(getattr(app, "settings", None), "fetch_interval", 0.0)
    board = Board(app.root, inc.folder if inc is not None else None, fetch_interval=interval)
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
    app.board_server = server
    app.call_from_thread(_tell, app, server.url)


def _tell(app: Any, url: str) -> None:
    app.notify(
        f"{url}\nRead-only, on this machine only (127.0.0.1). For the team, run "
        "`hotfix-tui serve --host 0.0.0.0` (token) behind TLS or your proxy.",
        title="Live board",
        markup=False,
        timeout=20,
    )
    with contextlib.suppress(Exception):  # no clipboard in this terminal: the note is enough
        app.copy_to_clipboard(url)


def _fail(app: Any, message: str) -> None:
    app.notify(message, title="Live board", severity="error", markup=False)


class ShareBoardCommands(Provider):
    """Command palette entry that starts the live web board and shows its address."""

    def _run(self) -> None:
        start_board(self.app)

    async def discover(self) -> Hits:
        yield DiscoveryHit(TITLE, self._run, help=HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(TITLE)
        if score > 0:
            yield Hit(score, matcher.highlight(TITLE), self._run, help=HELP)
