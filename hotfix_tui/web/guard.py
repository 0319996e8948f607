"""Connections under a budget: a deadline for reading a request, caps per address and in total.

At a cap the oldest connection still reading its request is dropped (a complete request never is);
what was dropped is counted and logged as one summary line per interval, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import struct
import time
from collections import Counter
from collections.abc import Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from hotfix_tui.core.frozen import frozen

Log = Callable[[str], None]


@frozen
class Limits:
    """Budgets of the server; per_client 0 means no cap per address (behind a proxy)."""

    read_timeout_s: float = 5.0  # headers (and an unread body) must arrive within this
    per_client: int = 256
    total: int = 0  # 0: from the open-file limit (leaving room for git and the files)
    summary_s: float = 10.0


def open_file_limit() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 65536 if soft == resource.RLIM_INFINITY else soft


def accept_backlog() -> int:
    """The listen backlog, which is also how many connections one accept() round takes."""
    return max(16, min(1024, open_file_limit() // 4))


def total_cap(limits: Limits) -> int:
    """The cap on open connections: as given, else what the open-file limit leaves.

    One accept round (the backlog) and a reserve for git and the files stay free, so the
    server never runs out of descriptors (which would stop accepting for a second).
    """
    if limits.total:
        return limits.total
    soft = open_file_limit()
    return max(16, min(10_000, soft - accept_backlog() - max(64, soft // 8)))


class Guard:
    """Open connections in the order they came, with the counters of the summary line."""

    def __init__(self, limits: Limits, log: Log) -> None:
        self.limits = limits
        self.cap = total_cap(limits)
        self.log = log
        self.open: dict[GuardedHandler, str] = {}  # oldest first
        self.by_client: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self._last_summary = time.monotonic()
        self._sweeper: asyncio.TimerHandle | None = None

    def tally(self, what: str) -> None:
        self.counts[what] += 1

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweeper = loop.call_later(min(1.0, self.limits.read_timeout_s / 2), self._sweep)

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        self.summary(force=True)

    def admit(self, conn: GuardedHandler, client: str) -> None:
        """Take a new connection, dropping the oldest still-reading one at a cap."""
        self.open[conn] = client
        self.by_client[client] += 1
        per = self.limits.per_client
        if per and self.by_client[client] > per:
            self._make_room(conn, client)
        if len(self.open) > self.cap:
            self._make_room(conn, None)

    def forget(self, conn: GuardedHandler) -> None:
        client = self.open.pop(conn, None)
        if client is not None:
            self.by_client[client] -= 1
            if not self.by_client[client]:
                del self.by_client[client]

    def _make_room(self, new: GuardedHandler, client: str | None) -> None:
        for conn, who in self.open.items():
            if conn is not new and conn.reading and (client is None or who == client):
                self.tally("connections still reading dropped at the connection cap")
                conn.drop()
                return
        self.tally("connections refused at the connection cap (all busy)")
        new.drop()

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        late = [
            c for c in self.open if c.reading and now - c.reading_since > self.limits.read_timeout_s
        ]
        for conn in late:
            self.tally("connections timed out reading their request")
            conn.drop()
        self.summary()
        self._sweeper = loop.call_later(min(1.0, self.limits.read_timeout_s / 2), self._sweep)

    def summary(self, force: bool = False) -> None:
        """One line for what was dropped since the last one, at most once per interval."""
        now = time.monotonic()
        if not self.counts or (not force and now - self._last_summary < self.limits.summary_s):
            return
        span = now - self._last_summary
        parts = ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.log(f"{stamp} board: in the last {span:.0f} s: {parts}")
        self.counts.clear()
        self._last_summary = now


def reset(transport: asyncio.Transport | None) -> None:
    """Close at once with a reset: what was queued for a client that stopped reading is freed."""
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, known to the Guard; parse errors answered quietly."""

    guard: Guard
    secure: Callable[[MutableMapping[str, str]], None]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.busy = False
        self.reading_since = asyncio.get_running_loop().time()
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self.guard.admit(self, str(peer[0]) if peer else "?")

    def connection_lost(self, exc: BaseException | None) -> None:
        self.guard.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        before = self._request_count
        super().data_received(data)
        if self._request_count != before:
            self.busy = True  # a whole request arrived: never dropped for a cap or deadline

    async def _handle_request(self, *args: Any, **kw: Any) -> Any:
        self.busy = True
        try:
            return await super()._handle_request(*args, **kw)
        finally:
            self.busy = bool(self._messages)
            self.reading_since = asyncio.get_running_loop().time()

    @property
    def reading(self) -> bool:
        """Still waiting for (the rest of) a request: no whole request arrived or is handled."""
        return not self.busy and self.transport is not None

    def drop(self) -> None:
        reset(self.transport)
        self.force_close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A malformed request gets a plain 400 with the security headers and no traceback."""
        if status == HTTPStatus.INTERNAL_SERVER_ERROR:
            resp = super().handle_error(request, status, exc, message)  # a bug: logged in full
        else:
            self.guard.tally(f"malformed requests answered {status}")
            if request.writer.output_size > 0:
                raise ConnectionError("the response had begun; the connection is closed")
            try:
                text = f"{status} {HTTPStatus(status).phrase}\n"
            except ValueError:
                text = f"{status}\n"
            resp = web.Response(status=status, text=text)
            resp.force_close()
        self.secure(resp.headers)
        return resp


class GuardedServer(web.Server):
    """aiohttp's Server handing every connection to a GuardedHandler of one Guard."""

    def __init__(
        self,
        base: web.Server,
        guard: Guard,
        secure: Callable[[MutableMapping[str, str]], None],
    ) -> None:
        kwargs = dict(base._kwargs)
        kwargs["keepalive_timeout"] = guard.limits.read_timeout_s
        kwargs["lingering_time"] = guard.limits.read_timeout_s
        super().__init__(
            base.request_handler,
            request_factory=base.request_factory,
            handler_cancellation=base.handler_cancellation,
            loop=base._loop,
            **kwargs,
        )
        self.guard = guard
        handler = type(
            "Handler", (GuardedHandler,), {"guard": guard, "secure": staticmethod(secure)}
        )
        self._handler_class: type[GuardedHandler] = handler
        guard.start(base._loop)

    def __call__(self) -> RequestHandler:
        return self._handler_class(self, loop=self._loop, **self._kwargs)

    async def shutdown(self, timeout: float | None = None) -> None:
        self.guard.stop()
        await super().shutdown(timeout)


class GuardedRunner(web.AppRunner):
    """An AppRunner whose server is guarded (see GuardedServer)."""

    def __init__(
        self,
        app: web.Application,
        guard: Guard,
        secure: Callable[[MutableMapping[str, str]], None],
        **kw: Any,
    ) -> None:
        super().__init__(app, **kw)
        self.guard = guard
        self._secure = secure

    async def _make_server(self) -> web.Server:
        return GuardedServer(await super()._make_server(), self.guard, self._secure)
