"""The aiohttp application: read-only routes, token check, security headers and event streams.

Every method but GET and HEAD is refused (405); every response carries a strict CSP and nosniff.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import re
from collections.abc import Callable, MutableMapping
from importlib import resources
from typing import Any

from aiohttp import web

from .data import Board
from .guard import reset
from .watch import Hub, sse

COOKIE = "hotfix_board"
HEARTBEAT_S = 15.0
WRITE_TIMEOUT_S = 5.0
MAX_STREAMS = 1000
RETRY_MS = 2000
MIN_TOKEN_CHARS = 22  # 128 bits of a URL-safe base64 token (secrets.token_urlsafe)
HSTS = "max-age=31536000"
SERVER_NAME = "hotfix-tui"  # no version banner
BEARER = re.compile(r"bearer +(\S+) *", re.IGNORECASE)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
STATIC_TYPES = {
    "board.html": "text/html; charset=utf-8",
    "board.css": "text/css; charset=utf-8",
    "board.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
BOARD_KEY = web.AppKey("board", Board)
HUB_KEY = web.AppKey("hub", Hub)
CONFIG_KEY = web.AppKey("config", dict)


def load_static() -> dict[str, bytes]:
    """The page's files, read once from the package (the only files the server ever sends)."""
    folder = resources.files("hotfix_tui.web") / "static"
    return {name: (folder / name).read_bytes() for name in STATIC_TYPES}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_allowed(request: web.Request, config: dict[str, Any]) -> bool:
    """Without a token only loopback Host names are answered (no DNS rebinding to the board)."""
    if config["token"]:
        return True
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return is_loopback(host)


def check_token(token: str) -> None:
    """Refuse a token shorter than 128 bits of randomness (22 URL-safe characters)."""
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"the token is {len(token)} characters; use at least {MIN_TOKEN_CHARS} characters "
            "(128 bits), or leave --token out for a generated one"
        )


def _landing(request: web.Request) -> str:
    """Where the token link goes once the cookie is set: the board's own page, never elsewhere."""
    path = request.path
    if path != "/" and not (path.startswith("/i/") and "\\" not in path and "//" not in path):
        return "/"
    rest = [(k, v) for k, v in request.query.items() if k != "token"]
    return str(request.rel_url.with_query(rest))


def _bearer(request: web.Request) -> str:
    """The token of an `Authorization: Bearer T` header (scheme in any case), else ""."""
    m = BEARER.fullmatch(request.headers.get("Authorization", ""))
    return m.group(1) if m else ""


@web.middleware
async def guard(request: web.Request, handler):
    """Refuse writes, foreign Host names and requests without the token, before any handler."""
    config = request.app[CONFIG_KEY]
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"], text="read-only board\n")
    if not _host_allowed(request, config):
        raise web.HTTPMisdirectedRequest(text="this board answers on its loopback address only\n")
    token = config["token"]
    if not token:
        return await handler(request)
    given = request.query.get("token")
    if given is not None and hmac.compare_digest(given.encode(), token.encode()):
        if not request.path.startswith("/api/"):  # take the token out of the address bar
            resp: web.StreamResponse = web.Response(
                status=303, headers={"Location": _landing(request)}
            )
        else:
            resp = await handler(request)
        if not resp.prepared:
            # Lax: sent on a top-level navigation from another site (a link in chat or mail),
            # never on another site's requests; the board is read-only.
            resp.set_cookie(
                COOKIE, token, httponly=True, samesite="Lax", secure=config["tls"], path="/"
            )
        return resp
    cookie = request.cookies.get(COOKIE, "")
    for candidate in (cookie, _bearer(request)):
        if candidate and hmac.compare_digest(candidate.encode(), token.encode()):
            return await handler(request)
    raise web.HTTPUnauthorized(
        text="this board needs its token, or its token changed: open the address "
        "`hotfix-tui serve` printed (with ?token=...)\n"
    )


def security_headers(h: MutableMapping[str, str], tls: bool) -> None:
    """The headers every response carries, the server's own error answers included."""
    h["Content-Security-Policy"] = CSP
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["X-Frame-Options"] = "DENY"
    h["Server"] = SERVER_NAME
    h.setdefault("Cache-Control", "no-store")
    if tls:
        h["Strict-Transport-Security"] = HSTS


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    security_headers(response.headers, request.app[CONFIG_KEY]["tls"])


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False, indent=2),
        status=status,
        content_type="application/json",
    )


async def page(request: web.Request) -> web.Response:
    """The board page (the same file for every incident; board.js reads the address)."""
    body = request.app[CONFIG_KEY]["static"]["board.html"]
    return web.Response(body=body, content_type="text/html", charset="utf-8")


async def static(request: web.Request) -> web.Response:
    """One of the page's own files by exact name: no listing, no path ever reaches the disk."""
    name = request.match_info["name"]
    files = request.app[CONFIG_KEY]["static"]
    if name not in files:
        raise web.HTTPNotFound(text="not found\n")
    resp = web.Response(body=files[name], headers={"Content-Type": STATIC_TYPES[name]})
    resp.headers["Cache-Control"] = "no-cache"
    return resp


async def list_incidents(request: web.Request) -> web.Response:
    return _json(request.app[BOARD_KEY].list_json())


async def list_runs(request: web.Request) -> web.Response:
    return _json(request.app[BOARD_KEY].runs_json())


async def overview(request: web.Request) -> web.Response:
    """The landing page's tiles: every open incident, urgent first, and the recently resolved."""
    return _json(request.app[BOARD_KEY].overview_json())


async def one_incident(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    await request.app[HUB_KEY].load_copies([key])
    data = request.app[BOARD_KEY].status_json(key)
    if data is None:
        return _json({"error": f"no incident {key!r}; see /api/incidents"}, 404)
    return _json(data)


async def board_data(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    await request.app[HUB_KEY].load_copies([key])
    data = request.app[BOARD_KEY].board_json(key)
    if data is None:
        return _json({"error": f"no incident {key!r}; see /api/incidents"}, 404)
    return _json(data)


async def _send(resp: web.StreamResponse, chunk: bytes) -> None:
    """Write with a deadline: a client that stops reading is dropped, never waited for."""
    await asyncio.wait_for(resp.write(chunk), WRITE_TIMEOUT_S)


async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the board JSON now and after every change on disk, pings between
    (no key: the landing page's tiles)."""
    key = request.match_info.get("key", "")
    hub = request.app[HUB_KEY]
    await hub.load_copies([key])
    first = hub.payload(key)
    if first is None:
        return _json({"error": f"no incident {key!r}; see /api/incidents"}, 404)
    if hub.count >= MAX_STREAMS:
        raise web.HTTPServiceUnavailable(text="too many open boards; try again later\n")
    resp = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass events through at once
        }
    )
    await resp.prepare(request)
    if request.method == "HEAD":
        return resp
    sub = hub.subscribe(key)
    try:
        await _send(resp, f"retry: {RETRY_MS}\n\n".encode() + sse("board", first))
        while not hub.closing:
            try:
                await asyncio.wait_for(sub.wake.wait(), HEARTBEAT_S)
            except TimeoutError:
                now = request.app[BOARD_KEY].clock().isoformat()
                await _send(resp, sse("ping", json.dumps(now)))
                continue
            payload = sub.take()
            if payload is not None and not hub.closing:
                await _send(resp, sse("board", payload))
    except ConnectionError:
        pass  # the client went away
    except TimeoutError:  # it stopped reading: close the connection, not only the feed
        reset(request.transport)
        request.protocol.force_close()
        tally = request.app[CONFIG_KEY].get("tally")
        if tally is not None:
            tally("stuck event streams aborted")
    finally:
        hub.unsubscribe(sub)
    return resp


def make_app(
    board: Board,
    *,
    token: str | None = None,
    tls: bool = False,
    tally: Callable[[str], None] | None = None,
) -> web.Application:
    """The board's aiohttp application for one Board (token None: loopback only, no token).

    `tally` counts what the server drops (a stuck stream) for its summary line.
    """
    if token:
        check_token(token)
    app = web.Application(middlewares=[guard])
    app[BOARD_KEY] = board
    app[HUB_KEY] = Hub(board)
    app[CONFIG_KEY] = {"token": token or "", "tls": tls, "static": load_static(), "tally": tally}
    app.on_response_prepare.append(_headers)
    app.router.add_get("/", page)
    app.router.add_get("/i/{key:.+}", page)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/favicon.ico", _favicon)
    app.router.add_get("/api/incidents", list_incidents)
    app.router.add_get("/api/runs", list_runs)
    app.router.add_get("/api/overview", overview)
    app.router.add_get("/api/stream", stream)
    app.router.add_get("/api/board/{key:.+}", board_data)
    app.router.add_get("/api/stream/{key:.+}", stream)
    app.router.add_get("/api/incidents/{key:.+}", one_incident)

    async def start(app: web.Application) -> None:
        await asyncio.to_thread(board.entries)  # every branch read once, before any request
        app[HUB_KEY].start()

    async def stop(app: web.Application) -> None:
        await app[HUB_KEY].stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return app


async def _favicon(request: web.Request) -> web.Response:
    files = request.app[CONFIG_KEY]["static"]
    return web.Response(body=files["icon.svg"], headers={"Content-Type": STATIC_TYPES["icon.svg"]})
