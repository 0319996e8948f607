"""Run the board: in the foreground for `hotfix-tui serve`, or in a thread for the TUI and tests.

Both bind the same aiohttp application (app.make_app) to one host and port, optionally with TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import socket
import ssl
import sys
import threading
from dataclasses import field
from pathlib import Path
from typing import Any

from aiohttp import web

from hotfix_tui.core.frozen import frozen

from .app import is_loopback, make_app, security_headers
from .data import Board
from .guard import Guard, GuardedRunner, Limits, Log, accept_backlog
from .tokens import board_token


@frozen
class Options:
    """Where and how to serve: host, port, token (None: none, "" for a generated one) and TLS."""

    host: str = "127.0.0.1"
    port: int = 8600
    token: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    new_token: bool = False  # replace the kept token by a new one
    public_url: str | None = None  # the address viewers use (a proxy in front)
    limits: Limits = field(default_factory=Limits)


def effective_token(opts: Options, root: Path | None = None) -> str | None:
    """The token to require: the one given, else the repository's kept one off the loopback."""
    if opts.token:
        return opts.token
    if is_loopback(opts.host) and not opts.public_url:
        return None
    return board_token(root, renew=opts.new_token)


def ssl_context(opts: Options) -> ssl.SSLContext | None:
    """A server TLS context from the certificate and key files, or None for plain HTTP."""
    if opts.tls_cert is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(opts.tls_cert), str(opts.tls_key) if opts.tls_key else None)
    return ctx


def local_addresses(v4: bool = True, v6: bool = False) -> list[str]:
    """The machine's own addresses teammates can reach: no loopback, no link-local."""
    found: list[str] = []
    if v4:
        try:  # Linux: every local address of the routing table
            lines = Path("/proc/net/fib_trie").read_text().splitlines()
            pairs = zip(lines, lines[1:], strict=False)
            found += [a.split()[-1] for a, b in pairs if "/32 host LOCAL" in b]
        except OSError:
            pass
        # elsewhere: the address of the default route (connecting UDP sends no packet)
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            found.append(s.getsockname()[0])
    if v6:
        try:
            for line in Path("/proc/net/if_inet6").read_text().splitlines():
                h = line.split()[0]
                found.append(str(ipaddress.ip_address(bytes.fromhex(h))))
        except (OSError, ValueError, IndexError):
            pass
    with contextlib.suppress(OSError):
        for *_x, addr in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(addr[0]))
    keep: list[str] = []
    for a in found:
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            continue
        if (ip.version == 4 and not v4) or (ip.version == 6 and not v6):
            continue
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or str(ip) in keep:
            continue
        keep.append(str(ip))
    return keep


def board_urls(
    host: str, port: int, token: str | None, tls: bool, public_url: str | None = None
) -> list[str]:
    """The addresses to open (with `?token=` when one is needed): ones teammates can reach."""
    query = f"?token={token}" if token else ""
    if public_url:
        return [public_url.split("?")[0].rstrip("/") + "/" + query]
    if host in ("0.0.0.0", "", "::"):
        shown = local_addresses(v4=True, v6=host != "0.0.0.0")
        if not shown:
            shown = ["127.0.0.1" if host == "0.0.0.0" else "::1"]
    else:
        shown = [host]
    scheme = "https" if tls else "http"
    hosts = [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in shown]
    return [f"{scheme}://{h}:{port}/{query}" for h in hosts]


def board_url(
    host: str, port: int, token: str | None, tls: bool, public_url: str | None = None
) -> str:
    """The first address to open (see board_urls)."""
    return board_urls(host, port, token, tls, public_url)[0]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _quiet_accept_errors(guard: Guard, loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """Out of file descriptors on accept: counted for the summary line, not a traceback each."""
    if "accept" in str(context.get("message", "")) and isinstance(
        context.get("exception"), OSError
    ):
        guard.tally("connections the system could not accept (out of file descriptors)")
        return
    loop.default_exception_handler(context)


async def start_site(
    board: Board, opts: Options, token: str | None, log: Log = _stderr
) -> tuple[web.AppRunner, int]:
    """Start serving on the running loop; returns the runner and the port bound (for port 0)."""
    ctx = ssl_context(opts)
    tls = ctx is not None
    limits = opts.limits
    if opts.public_url:  # every viewer comes through the proxy's address
        limits = Limits(limits.read_timeout_s, 0, limits.total, limits.summary_s)
    guard = Guard(limits, log)
    app = make_app(board, token=token, tls=tls, tally=guard.tally)
    secure: Any = functools.partial(security_headers, tls=tls)
    runner = GuardedRunner(app, guard, secure, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(functools.partial(_quiet_accept_errors, guard))
    # a deep backlog: a burst of connections waits for accept() instead of a SYN retry (1 s)
    site = web.TCPSite(runner, opts.host, opts.port, ssl_context=ctx, backlog=accept_backlog())
    await site.start()
    port = opts.port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        port = server.sockets[0].getsockname()[1]
    return runner, port


class BoardThread:
    """The board served from a daemon thread with its own event loop (TUI palette, tests)."""

    def __init__(self, board: Board, opts: Options, log: Log | None = None) -> None:
        self.board = board
        self.opts = opts
        self.log: Log = log or logging.getLogger(__name__).info  # never the TUI's screen
        self.token = effective_token(opts, board.root)
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
                start_site(self.board, self.opts, self.token, self.log)
            )
            tls = self.opts.tls_cert is not None
            self.url = board_url(self.opts.host, port, self.token, tls, self.opts.public_url)
        except BaseException as exc:  # reported to start() in the caller's thread
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    @property
    def guard(self) -> Guard | None:
        """The connections' budget keeper, once started."""
        return getattr(self._runner, "guard", None)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Close every stream, stop the server and join the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
