"""The board on a real network: token link, redirects, auth header, headers, hostile connections.

The server is the real one (BoardThread: aiohttp on a loopback port); raw sockets send what a
browser never would.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from hotfix_tui.web.app import COOKIE, make_app
from hotfix_tui.web.data import Board
from hotfix_tui.web.server import BoardThread, Options

TOKEN = "Zq3xv0Tq8m1w_Lr5kY2bNc7dH4sPf9gA"  # 32 URL-safe characters
TCP_ESTABLISHED = 1


@pytest.fixture
def served(incident_repo):
    root, _folder = incident_repo
    lines: list[str] = []
    server = BoardThread(Board(root), Options(port=0, token=TOKEN), log=lines.append)
    server.start()
    yield server, lines
    server.stop()


def port_of(server: BoardThread) -> int:
    return int(urlsplit(server.url).port or 0)


def raw(port: int, data: bytes, source: str = "127.0.0.1", timeout: float = 10.0) -> bytes:
    """Send DATA on a new connection and read the answer until the server closes or goes quiet."""
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    got = b""
    try:
        s.sendall(data)
        while b"\r\n\r\n" not in got or not got.startswith(b"HTTP/"):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return got


def head(answer: bytes) -> tuple[int, dict[str, str]]:
    """The status and headers (names in lower case) of a raw answer."""
    top = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(top[0].split()[1])
    headers = {}
    for line in top[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def tcp_state(s: socket.socket) -> int:
    """The kernel's TCP state of a client socket (1: established; Linux's TCP_INFO)."""
    return struct.unpack("B", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0]


async def test_token_link_cookie_is_one_a_link_from_another_site_carries(incident_repo):
    root, _ = incident_repo
    client = TestClient(TestServer(make_app(Board(root), token=TOKEN)))
    await client.start_server()
    try:
        resp = await client.get(f"/?token={TOKEN}", allow_redirects=False)
        assert resp.status == 303
        cookie = resp.headers["Set-Cookie"]
        assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie  # Strict is not sent after a click in chat or mail
    finally:
        await client.close()


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "//evil.example/i/hotfix-001",
        "/\\/evil.example/",
        "///evil.example/",
        "/%2F%2Fevil.example/",
        "/%5Cevil.example/",
        "/.//evil.example/",
        "/static//evil.example/",
        "/i/hotfix-001",
    ],
)
def test_token_link_redirects_only_to_the_boards_own_pages(served, target):
    server, _ = served
    port = port_of(server)
    sep = "&" if "?" in target else "?"
    answer = raw(port, f"GET {target}{sep}token={TOKEN} HTTP/1.1\r\nHost: b:1\r\n\r\n".encode())
    status, headers = head(answer)
    assert status == 303, answer[:200]
    where = headers["location"]
    assert where.startswith("/") and not where.startswith(("//", "/\\")), where
    assert urlsplit(urljoin("http://b:1/x/", where)).netloc == "b:1", where
    assert urlsplit(urljoin("http://b:1/x/", where)).path in ("/", "/i/hotfix-001"), where


def test_bearer_is_matched_in_any_case_and_nothing_else_is_a_token(served):
    server, _ = served
    port = port_of(server)

    def status(auth: str) -> int:
        request = f"GET /api/incidents HTTP/1.1\r\nHost: b\r\nAuthorization: {auth}\r\n\r\n"
        return head(raw(port, request.encode()))[0]

    assert status(f"Bearer {TOKEN}") == 200
    assert status(f"bearer {TOKEN}") == 200
    assert status(f"BEARER {TOKEN}") == 200
    assert status(TOKEN) == 401  # a bare token is no credential scheme
    assert status(f"Basic {TOKEN}") == 401
    assert status(f"Bearer {TOKEN}x") == 401
    assert status(f"Bearer{TOKEN}") == 401


async def test_hsts_under_tls_only_and_no_version_banner(incident_repo):
    root, _ = incident_repo
    for tls in (True, False):
        client = TestClient(TestServer(make_app(Board(root), tls=tls)))
        await client.start_server()
        try:
            for path in ("/", "/api/incidents", "/nope"):
                resp = await client.get(path)
                assert ("Strict-Transport-Security" in resp.headers) is tls, path
                if tls:
                    assert "max-age=" in resp.headers["Strict-Transport-Security"]
                banner = resp.headers.get("Server", "")
                assert "aiohttp" not in banner and "Python" not in banner, banner
        finally:
            await client.close()


@pytest.mark.parametrize("short", ["t0ken", "s3cret-token", "x" * 21])
def test_a_token_under_128_bits_is_refused_with_a_clear_message(incident_repo, capsys, short):
    from gitfix import run

    root, _ = incident_repo
    cwd = Path.cwd()
    os.chdir(root)
    try:
        code, _out, err = run(capsys, "serve", "--port", "0", "--token", short)
    finally:
        os.chdir(cwd)
    assert code == 2
    assert "--token" in err and "at least 22 characters" in err and "Traceback" not in err


MALFORMED = {
    "duplicate Host": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "8 KB header": b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"x" * 8200 + b"\r\n\r\n",
    "10 000 headers": b"GET / HTTP/1.1\r\nHost: a\r\n"
    + b"".join(b"X-%d: 1\r\n" % i for i in range(10_000))
    + b"\r\n",
    "Content-Length and Transfer-Encoding": b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4"
    b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "not HTTP": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_request_is_a_400_with_the_security_headers_and_no_traceback(
    served, kind, caplog, capfd
):
    server, lines = served
    caplog.set_level(logging.DEBUG)
    answer = raw(port_of(server), MALFORMED[kind])
    status, headers = head(answer)
    assert status == 400, answer[:300]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "aiohttp" not in headers.get("server", "")
    assert b"Traceback" not in answer
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []
    assert "Traceback" not in capfd.readouterr().err
    assert head(raw(port_of(server), b"GET /api/incidents HTTP/1.1\r\nHost: a\r\n\r\n"))[0] == 401


def test_a_connection_that_sends_its_request_too_slowly_is_closed(served):
    server, _ = served
    s = socket.create_connection(("127.0.0.1", port_of(server)))
    s.settimeout(1.0)
    closed_after = None
    start = time.monotonic()
    try:
        for byte in b"GET /api/incidents HTTP/1.1\r\nHost: a\r\n":
            try:
                s.sendall(bytes([byte]))
                if s.recv(1) == b"":
                    closed_after = time.monotonic() - start
                    break
            except TimeoutError:
                continue  # still open: one more byte, a second later
            except (ConnectionResetError, BrokenPipeError):
                closed_after = time.monotonic() - start
                break
    finally:
        s.close()
    assert closed_after is not None and closed_after < 10, "a byte a second kept it open"


def test_a_stream_that_never_reads_is_closed_after_its_write_timeout(tmp_path):
    from conftest import new_incident
    from gitfix import make_repo

    root = make_repo(tmp_path / "big")
    new_incident(root, "Checkout fails", title="Checkout fails " + "x" * 3_000_000)
    server = BoardThread(Board(root), Options(port=0))
    server.start()
    port = port_of(server)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /api/stream/hotfix-001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        deadline = time.monotonic() + 20
        while tcp_state(s) == TCP_ESTABLISHED and time.monotonic() < deadline:
            time.sleep(0.2)  # polling the kernel's view of the socket, not waiting for a clock
        assert tcp_state(s) != TCP_ESTABLISHED, "the stuck stream's connection stayed open"
        answer = raw(port, b"GET /api/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert head(answer)[0] == 200
    finally:
        s.close()
        server.stop()


def test_at_the_cap_per_address_the_oldest_reading_connection_goes_not_a_stream(served):
    server, _ = served
    port = port_of(server)
    source = "127.0.0.2"  # one client address; the cap per address is 256
    stream = socket.socket()
    stream.bind((source, 0))
    stream.connect(("127.0.0.1", port))
    stream.sendall(
        b"GET /api/stream/hotfix-001 HTTP/1.1\r\nHost: a\r\n"
        + f"Authorization: Bearer {TOKEN}\r\n\r\n".encode()
    )
    stream.settimeout(10)
    assert stream.recv(12).startswith(b"HTTP/1.1 200")
    idle = []
    try:
        for _ in range(300):
            s = socket.socket()
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\n")  # and never the rest
            idle.append(s)
        answer = raw(port, b"GET /api/incidents HTTP/1.1\r\nHost: a\r\n\r\n", source=source)
        assert head(answer)[0] == 401  # answered (without the token), not dropped
        deadline = time.monotonic() + 5
        while tcp_state(idle[0]) == TCP_ESTABLISHED and time.monotonic() < deadline:
            time.sleep(0.1)
        states = [tcp_state(s) for s in idle]
        assert states[0] != TCP_ESTABLISHED  # the oldest still reading went first
        assert states[-1] == TCP_ESTABLISHED  # the newest is still read
        assert tcp_state(stream) == TCP_ESTABLISHED  # a whole request is never dropped
    finally:
        for s in idle:
            s.close()
        stream.close()


def test_one_client_address_cannot_take_every_stream(served):
    server, _ = served
    port = port_of(server)
    auth = f"Authorization: Bearer {TOKEN}\r\n\r\n".encode()
    request = b"GET /api/stream/hotfix-001 HTTP/1.1\r\nHost: a\r\n" + auth
    streams = []
    try:
        for _ in range(256):  # the cap per address
            s = socket.socket()
            s.bind(("127.0.0.3", 0))
            s.connect(("127.0.0.1", port))
            s.sendall(request)
            streams.append(s)
        for s in streams:
            s.settimeout(10)
            assert s.recv(12).startswith(b"HTTP/1.1 200")
        extra = raw(port, request, source="127.0.0.3")
        assert not extra.startswith(b"HTTP/1.1 200")  # refused: all its connections are busy
        other = socket.create_connection(("127.0.0.1", port), timeout=10)
        other.sendall(request)  # another viewer still gets one
        assert other.recv(12).startswith(b"HTTP/1.1 200")
        other.close()
        assert all(tcp_state(s) == TCP_ESTABLISHED for s in streams)
    finally:
        for s in streams:
            s.close()
