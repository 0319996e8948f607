"""Run the board: in the foreground for `hotfix-tui serve`, or in a thread for the TUI and tests.

Both bind the same aiohttp application (app.make_app) to one host and port, optionally with TLS.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .app import is_loopback, make_app
from .data import Board


@dataclass(frozen=True)
class Options:
    """Where and how to serve: host, port, token (None: none, "" for a generated one) and TLS."""

    host: str = "127.0.0.1"
    port: int = 8600
    token: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None


def effective_token(opts: Options) -> str | None:
    """The token to require: the one given, else a generated one off the loopback, else none."""
    if opts.token:
        return opts.token
    return None if is_loopback(opts.host) else secrets.token_urlsafe(24)


def ssl_context(opts: Options) -> ssl.SSLContext | None:
    """A server TLS context from the certificate and key files, or None for plain HTTP."""
    if opts.tls_cert is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(opts.tls_cert), str(opts.tls_key) if opts.tls_key else None)
    return ctx


def board_url(host: str, port: int, token: str | None, tls: bool) -> str:
    """The address to open (with `?token=` when one is needed)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    if host == "::":
        shown = "[::1]"
    scheme = "https" if tls else "http"
    return f"{scheme}://{shown}:{port}/" + (f"?token={token}" if token else "")


async def start_site(board: Board, opts: Options, token: str | None) -> tuple[web.AppRunner, int]:
    """Start serving on the running loop; returns the runner and the port bound (for port 0)."""
    ctx = ssl_context(opts)
    app = make_app(board, token=token, tls=ctx is not None)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, opts.host, opts.port, ssl_context=ctx)
    await site.start()
    port = opts.port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        port = server.sockets[0].getsockname()[1]
    return runner, port


class BoardThread:
    """The board served from a daemon thread with its own event loop (TUI palette, tests)."""

    def __init__(self, board: Board, opts: Options) -> None:
        self.board = board
        self.opts = opts
        self.token = effective_token(opts)
        self.url = ""
        self.error: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="hotfix-board", daemon=True)

    def start(self, timeout: float = 10.0) -> str:
        """Start and wait until the port is bound; returns the URL, raises OSError if it failed."""
        self._thread.start()
        self._ready.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.url

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._runner, port = self._loop.run_until_complete(
                start_site(self.board, self.opts, self.token)
            )
            self.url = board_url(self.opts.host, port, self.token, self.opts.tls_cert is not None)
        except BaseException as exc:  # reported to start() in the caller's thread
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Close every stream, stop the server and join the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
