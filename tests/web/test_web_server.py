"""The board's server through aiohttp's test client: routes, JSON, headers, token, streams."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from conftest import HOSTILE, cli, new_incident
from gitfix import git, run

from hotfix_tui.core.record import events
from hotfix_tui.web.app import COOKIE, make_app
from hotfix_tui.web.data import Board

STATUS_KEYS_SOURCE = "status --json"
WAIT_S = 15.0  # generous: the feed polls every 0.5 s
TOKEN = "s3cret-token-of-at-least-128-bits"


async def client_for(root: Path, spec: Path | None = None, **kw) -> TestClient:
    app = make_app(Board(root, spec), **kw)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(incident_repo):
    root, _folder = incident_repo
    c = await client_for(root)
    yield c
    await c.close()


async def test_list_and_one_incident_have_the_keys_of_status_json(client, incident_repo, capsys):
    root, folder = incident_repo
    resp = await client.get("/api/incidents")
    assert resp.status == 200
    assert resp.content_type == "application/json"
    rows = await resp.json()
    assert [r["key"] for r in rows] == ["hotfix-001"]
    assert rows[0]["url"] == "/api/incidents/hotfix-001"
    assert rows[0]["title"] == "Database connection pool exhausted causing 503s"
    resp = await client.get(rows[0]["url"])
    assert resp.status == 200
    one = await resp.json()
    code, out, _err = run(capsys, "status", "--json", str(folder))
    assert code == 0
    expected = json.loads(out)
    # and which other branches' copies lack what the board shows (`status` reads the work tree)
    assert set(one) == {*expected, "diverged"} and one["diverged"] == []
    for k in ("id", "title", "severity", "status", "branch", "progress", "phases", "tasks"):
        assert one[k] == expected[k], k
    assert one["folder"] == "specs/hotfix/001-database-connection-pool"  # no server path shown


async def test_unknown_incident_is_404_json(client):
    for path in ("/api/incidents/hotfix-999", "/api/board/nope", "/api/stream/nope"):
        resp = await client.get(path)
        assert resp.status == 404, path
        assert "no incident" in (await resp.json())["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/", "/api/incidents", "/api/incidents/hotfix-001", "/nope"])
async def test_every_method_but_get_and_head_is_405(client, incident_repo, method, path):
    root, folder = incident_repo
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    resp = await client.request(method, path, data=b'{"done": true}')
    assert resp.status == 405
    assert set(resp.headers["Allow"].split(",")) == {"GET", "HEAD"}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


async def test_head_answers_without_a_body(client):
    resp = await client.head("/api/incidents")
    assert resp.status == 200
    assert await resp.read() == b""


async def test_security_headers_on_every_kind_of_response(client):
    for path, status in [
        ("/", 200),
        ("/i/hotfix-001", 200),
        ("/static/board.js", 200),
        ("/static/board.css", 200),
        ("/api/incidents", 200),
        ("/static/nope.js", 404),
        ("/nope", 404),
    ]:
        resp = await client.get(path)
        assert resp.status == status, path
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Referrer-Policy"] == "no-referrer"
    resp = await client.post("/api/incidents")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_page_has_no_inline_script_or_style_and_no_external_asset(client):
    html = await (await client.get("/")).text()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all('src="/static/' in s for s in scripts)
    assert re.search(r"<script[^>]*>\s*[^<\s]", html) is None  # every script tag is empty
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url  # nothing from outside: works offline
    js = await (await client.get("/static/board.js")).text()
    assert "innerHTML" not in js and "eval(" not in js and "document.write" not in js


async def test_no_listing_and_no_path_leaves_the_served_files(client):
    for path in [
        "/static/",
        "/static",
        "/static/../pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/board.js/../../../etc/passwd",
        "/api/incidents/../../../../etc/passwd",
        "/api/incidents/..%2f..%2fetc%2fpasswd",
        "/i/../../etc/passwd",
        "/hotfix_tui/web/app.py",
        "/specs/hotfix/001-database-connection-pool/tasks.md",
    ]:
        resp = await client.get(path, allow_redirects=False)
        body = await resp.text()
        assert resp.status in (200, 404), path
        assert "root:" not in body and "[project]" not in body and "- [ ]" not in body, path
        if resp.status == 200:  # only ever the board page itself
            assert body.startswith("<!doctype html>"), path


async def test_hostile_title_is_data_not_markup(tmp_path):
    from gitfix import make_repo

    root = make_repo(tmp_path / "r")
    new_incident(root, "Checkout fails", title=HOSTILE)
    c = await client_for(root)
    try:
        rows = await (await c.get("/api/incidents")).json()
        assert rows[0]["title"] == HOSTILE  # the text itself, kept literally
        board = await (await c.get(f"/api/board/{rows[0]['key']}")).json()
        assert board["status"]["title"] == HOSTILE
        html = await (await c.get("/")).text()
        assert "alert(" not in html  # the page holds no data; board.js writes it as text
    finally:
        await c.close()


async def test_token_required_then_cookie_or_bearer(incident_repo):
    root, _ = incident_repo
    c = await client_for(root, token=TOKEN)
    try:
        for path in ("/", "/api/incidents", "/static/board.js", "/api/stream/hotfix-001"):
            resp = await c.get(path)
            assert resp.status == 401, path
            assert "token" in await resp.text()
        assert (await c.get("/api/incidents?token=wrong")).status == 401
        assert (await c.get("/api/incidents", cookies={COOKIE: "wrong"})).status == 401
        # the link with ?token= sets the cookie and takes the token out of the address
        resp = await c.get(f"/i/hotfix-001?token={TOKEN}", allow_redirects=False)
        assert resp.status == 303
        assert resp.headers["Location"] == "/i/hotfix-001"
        cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert (await c.get("/i/hotfix-001")).status == 200  # the session's cookie jar now
        assert (await c.get("/api/incidents")).status == 200
        c.session.cookie_jar.clear()
        assert (await c.get("/api/incidents")).status == 401
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert (await c.get("/api/incidents", headers=headers)).status == 200
        assert (await c.post("/api/incidents", headers=headers)).status == 405
    finally:
        await c.close()


async def test_without_token_only_loopback_host_names_are_answered(client):
    assert (await client.get("/api/incidents", headers={"Host": "localhost:8600"})).status == 200
    resp = await client.get("/api/incidents", headers={"Host": "evil.example:8600"})
    assert resp.status == 421  # a DNS-rebound page cannot read the board


async def read_events(resp, stop, timeout: float = WAIT_S) -> list[dict]:
    """Read server-sent `board` events until `stop(data)` is true; all of them are returned."""
    got: list[dict] = []
    event = None

    async def loop() -> None:
        nonlocal event
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "board":
                got.append(json.loads(line[6:]))
                if stop(got[-1]):
                    return

    await asyncio.wait_for(loop(), timeout)
    return got


def task_state(board: dict, tid: str) -> str:
    return next(t["state"] for p in board["phases"] for t in p["tasks"] if t["id"] == tid)


async def test_stream_delivers_a_cli_change_made_on_disk(client, incident_repo):
    root, _ = incident_repo
    resp = await client.get("/api/stream/hotfix-001")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    first = await read_events(resp, lambda d: True)
    assert task_state(first[0], "T001") == "open"
    await asyncio.to_thread(cli, root, "done", "T001")  # a real command, as its own process
    got = await read_events(resp, lambda d: task_state(d, "T001") == "done")
    last = got[-1]
    assert last["status"]["progress"]["done"] == 1
    assert last["status"]["next"]["id"] == "T002"
    assert any("T001" in e["text"] for e in last["events"])  # the post-mortem timeline row
    resp.close()


async def test_stream_follows_a_git_pull(tmp_path):
    """A teammate's change arriving by `git pull` reaches the board like a local one."""
    from gitfix import FOLDER, FakeClock, team

    _remote, alice, bob = team(tmp_path, FakeClock())
    c = await client_for(bob)
    try:
        resp = await c.get("/api/stream/hotfix-001")
        await read_events(resp, lambda d: True)
        await asyncio.to_thread(cli, alice, "done", "T001")
        git(alice, "commit", "-qam", "T001 done")
        git(alice, "push", "-q")
        await asyncio.to_thread(git, bob, "pull", "-q", "--no-rebase")
        await read_events(resp, lambda d: task_state(d, "T001") == "done")
        assert (bob / FOLDER / "tasks.md").read_text().count("- [x] **T001**") == 1
        resp.close()
    finally:
        await c.close()


async def test_a_client_that_never_reads_or_vanishes_blocks_nobody(client, incident_repo):
    root, _ = incident_repo
    host, port = client.server.host, client.server.port
    # five clients that open a stream and never read a byte, one that vanishes at once
    stuck = []
    for _ in range(5):
        s = socket.create_connection((host, port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.sendall(b"GET /api/stream/hotfix-001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        stuck.append(s)
    gone = socket.create_connection((host, port))
    gone.sendall(b"GET /api/stream/hotfix-001 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    gone.close()
    try:
        resp = await client.get("/api/stream/hotfix-001")
        await read_events(resp, lambda d: True)
        await asyncio.to_thread(cli, root, "done", "T001")
        await read_events(resp, lambda d: task_state(d, "T001") == "done")
        assert (await client.get("/api/incidents")).status == 200
        resp.close()
    finally:
        for s in stuck:
            s.close()


async def test_event_log_is_read_when_the_folder_has_one(client, incident_repo):
    _root, folder = incident_repo
    from datetime import UTC, datetime

    rec = events.Recorder("c1", "Dana Ops")
    t = datetime.now(UTC)  # after the declaration, which is the log's first event
    evs = [rec.make("task_done", t, task="T00" + str(i % 10), title=f"step {i}") for i in range(25)]
    events.append(folder, evs)
    board = await (await client.get("/api/board/hotfix-001")).json()
    assert board["events_source"] == "events.jsonl"
    assert len(board["events"]) == 20  # the last 20, newest first
    assert board["events"][0]["who"] == "Dana Ops"
    assert board["events"][0]["text"] == "task done T004: step 24"


async def test_colliding_ids_get_the_branch_in_their_key(incident_repo):
    root, folder = incident_repo
    twin = root / "specs" / "hotfix" / "001-other-copy"
    twin.mkdir(parents=True)
    for f in folder.iterdir():
        (twin / f.name).write_bytes(f.read_bytes())
    c = await client_for(root)
    try:
        rows = await (await c.get("/api/incidents")).json()
        keys = [r["key"] for r in rows]
        assert keys == [
            "hotfix-001@hotfix/001-database-connection-pool",  # the branch's incident first
            "hotfix-001@hotfix/001-other-copy",
        ]
        for r in rows:
            resp = await c.get(r["url"])
            assert resp.status == 200
            assert (await resp.json())["folder"] == r["folder"]
    finally:
        await c.close()


async def test_a_broken_incident_is_reported_not_raised(incident_repo):
    root, _ = incident_repo
    bad = root / "specs" / "hotfix-002-broken"
    bad.mkdir()
    (bad / "tasks.md").write_text("# Tasks\n\n**Workflow**: ../../../elsewhere.yaml\n")
    c = await client_for(root)
    try:
        rows = await (await c.get("/api/incidents")).json()
        broken = next(r for r in rows if r["folder"].endswith("hotfix-002-broken"))
        assert "outside the repository" in broken["error"]
        assert "tasks.md:3:1" in broken["error"]
        board = await (await c.get(f"/api/board/{broken['key']}")).json()
        assert "outside the repository" in board["error"]
    finally:
        await c.close()


def test_serve_is_a_thin_app_without_aiohttp_at_cli_start():
    import subprocess
    import sys

    code = (
        "import sys; from hotfix_tui.cli import build_parser; build_parser(); "
        "print('aiohttp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_app_is_an_aiohttp_application(incident_repo):
    root, _ = incident_repo
    assert isinstance(make_app(Board(root)), web.Application)


def test_web_package_imports_neither_the_cli_nor_textual():
    import subprocess
    import sys

    code = (
        "import sys; import hotfix_tui.web.app, hotfix_tui.web.server, hotfix_tui.web.data; "
        "print(sorted(m for m in sys.modules if m in ('hotfix_tui.cli', 'textual')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_spec_dir_is_shown_first_then_the_others(incident_repo):
    root, first = incident_repo
    second = new_incident(root, "Search is slow", "P2", branch=False)
    c = await client_for(root, second)
    try:
        rows = await (await c.get("/api/incidents")).json()
        assert [r["folder"] for r in rows] == [
            str(second.relative_to(root)),
            str(first.relative_to(root)),
        ]
        board = await (await c.get("/api/board/" + rows[0]["key"])).json()
        assert board["status"]["title"] == "Search is slow"
        assert [x["key"] for x in board["incidents"]] == ["hotfix-002", "hotfix-001"]
    finally:
        await c.close()
