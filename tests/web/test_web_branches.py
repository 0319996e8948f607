"""The board over every branch: a team with a bare remote,
incidents on other branches read from git objects, their changes reaching open streams, the
background fetch, and the reminders due."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gitfix import FakeClock, clone, git, make_repo

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.reports import catalog
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.web.app import HUB_KEY, make_app
from hotfix_tui.web.data import Board

B1 = "hotfix/001-checkout-returns-500-errors"
B2 = "hotfix/002-db-replica-lag"
F1 = "specs/hotfix/001-checkout-returns-500-errors"
F2 = "specs/hotfix/002-db-replica-lag"
WAIT_S = 30.0  # generous: the feed polls every 0.5 s, a fetch and a catalog read come first


def setup_team(tmp_path: Path, clock: FakeClock) -> tuple[Path, Path]:
    """Alice pushed hotfix/001 (P0) and hotfix/002 (P1, T001 done); Bob works on hotfix/003."""
    seed = make_repo(tmp_path / "seed", "Seed Er")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice", "Alice Doe")
    wf = resolve_workflow("hotfix", alice)
    for desc, sev in (("Checkout returns 500 errors", "P0"), ("DB replica lag", "P1")):
        git(alice, "checkout", "-q", "main")
        folder = create_incident(alice, desc, sev, wf, clock=clock)
        if sev == "P1":
            Incident(folder, wf, clock=clock, repo_root=alice).set_done("T001")
        git(alice, "add", "specs")
        git(alice, "commit", "-q", "-m", desc)
        git(alice, "push", "-q", "-u", "origin", git(alice, "branch", "--show-current").strip())
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    create_incident(bob, "Search index stale", "P2", resolve_workflow("hotfix", bob), clock=clock)
    return alice, bob


def alice_does(alice: Path, branch: str, folder: str, task: str, clock: FakeClock) -> None:
    """Alice checks a task on her branch, commits and pushes it."""
    git(alice, "checkout", "-q", branch)
    inc = Incident(alice / folder, resolve_workflow("hotfix", alice), clock=clock, repo_root=alice)
    inc.set_done(task)
    git(alice, "commit", "-q", "-am", f"{task} done")
    git(alice, "push", "-q")


async def client_for(board: Board) -> TestClient:
    client = TestClient(TestServer(make_app(board)))
    await client.start_server()
    return client


async def get_json(client: TestClient, path: str, status: int = 200):
    resp = await client.get(path)
    assert resp.status == status, (path, await resp.text())
    return await resp.json()


def task_state(board: dict, task: str) -> str:
    return next(t["state"] for p in board["phases"] for t in p["tasks"] if t["id"] == task)


async def next_board(resp, until, timeout: float = WAIT_S) -> dict:
    """Read server-sent events until a board payload satisfies `until` (bounded wait)."""

    async def read() -> dict:
        event = None
        while True:
            line = (await resp.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "board":
                data = json.loads(line[6:])
                if until(data):
                    return data

    return await asyncio.wait_for(read(), timeout)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_list_has_every_branch_current_first_with_branches_and_checkout(tmp_path, clock):
    _alice, bob = setup_team(tmp_path, clock)
    client = await client_for(Board(bob, clock=clock))
    try:
        rows = await get_json(client, "/api/incidents")
        assert [r["key"] for r in rows] == ["hotfix-003", "hotfix-001", "hotfix-002"]
        here, one, two = rows
        assert here["checked_out"] is True and here["read_only"] is False
        assert here["source"] == "work tree" and here["as_of"] is None
        assert one["branches"] == [f"origin/{B1}"] and one["source"] == f"origin/{B1}"
        assert one["checked_out"] is False and one["read_only"] is True
        assert one["as_of"] is not None  # as fresh as the clone (the last fetch)
        assert one["severity"] == "P0" and one["folder"] == F1
        assert two["progress"]["done"] == 1
        status = await get_json(client, one["url"])
        assert status["id"] == "hotfix-001" and status["severity"] == "P0"
        assert status["folder"] == F1  # no scratch path of the copy is shown
        board = await get_json(client, "/api/board/hotfix-002")
        assert board["read_only"] is True and board["branches"] == [f"origin/{B2}"]
        assert task_state(board, "T001") == "done" and task_state(board, "T002") == "open"
        assert board["events"], "the copy's event log is read from git objects"
        page = await client.get("/i/hotfix-001")
        assert page.status == 200
    finally:
        await client.close()


async def test_specs_that_are_not_incidents_stay_off_the_board(tmp_path, clock):
    _alice, bob = setup_team(tmp_path, clock)
    other = tmp_path / "bob-feature"
    git(bob, "worktree", "add", "-q", "-b", "feature", str(other), "main")
    (other / "specs/001-checkout").mkdir(parents=True)
    (other / "specs/001-checkout/tasks.md").write_text("# Tasks\n\n- [ ] T001 Build it\n")
    git(other, "add", "specs")
    git(other, "commit", "-q", "-m", "a feature spec")
    board = Board(bob, clock=clock)
    assert any(e.path == "specs/001-checkout" for e in catalog.load(bob, clock=clock).entries)
    assert [e.key for e in board.entries()] == ["hotfix-003", "hotfix-001", "hotfix-002"]


async def test_same_id_on_two_branches_is_addressed_with_its_branch(tmp_path, clock):
    _alice, bob = setup_team(tmp_path, clock)
    git(bob, "stash", "-q", "-u")  # a clean tree to build the other branch from
    git(bob, "checkout", "-q", "-b", "side", f"origin/{B1}")
    git(bob, "mv", F1, "specs/hotfix-001-another-outage")
    git(bob, "commit", "-q", "-m", "another hotfix-001")
    git(bob, "checkout", "-q", "-")
    git(bob, "stash", "pop", "-q")
    client = await client_for(Board(bob, clock=clock))
    try:
        keys = [r["key"] for r in await get_json(client, "/api/incidents")]
        assert f"hotfix-001@origin/{B1}" in keys and "hotfix-001@side" in keys
        assert "hotfix-001" not in keys
        await get_json(client, "/api/incidents/hotfix-001", 404)
        side = await get_json(client, "/api/incidents/hotfix-001@side")
        assert side["folder"] == "specs/hotfix-001-another-outage"
        mine = await get_json(client, f"/api/incidents/hotfix-001@origin/{B1}")
        assert mine["folder"] == F1
    finally:
        await client.close()


async def test_a_push_seen_by_a_fetch_reaches_an_open_stream(tmp_path, clock):
    alice, bob = setup_team(tmp_path, clock)
    client = await client_for(Board(bob, clock=clock))
    try:
        resp = await client.get("/api/stream/hotfix-002")
        first = await next_board(resp, lambda d: True)
        assert task_state(first, "T002") == "open"
        alice_does(alice, B2, F2, "T002", clock)
        git(bob, "fetch", "-q")  # what the background fetch does
        later = await next_board(resp, lambda d: task_state(d, "T002") == "done")
        assert later["read_only"] is True
        resp.close()
    finally:
        await client.close()


async def test_a_local_commit_on_another_branch_reaches_an_open_stream(tmp_path, clock):
    _alice, bob = setup_team(tmp_path, clock)
    client = await client_for(Board(bob, clock=clock))
    try:
        resp = await client.get("/api/stream/hotfix-001")
        await next_board(resp, lambda d: task_state(d, "T001") == "open")
        other = tmp_path / "bob-other"
        git(bob, "worktree", "add", "-q", "-b", B1, str(other), f"origin/{B1}")
        wf = resolve_workflow("hotfix", other)
        Incident(other / F1, wf, clock=clock, repo_root=other).set_done("T001")
        git(other, "commit", "-q", "-am", "T001 done")
        later = await next_board(resp, lambda d: task_state(d, "T001") == "done")
        assert later["source"] == B1  # the local branch holds the newest copy now
        resp.close()
    finally:
        await client.close()


async def test_the_server_fetches_in_the_background_at_its_interval(tmp_path, clock):
    alice, bob = setup_team(tmp_path, clock)
    alice_does(alice, B2, F2, "T002", clock)  # pushed after Bob's clone: only a fetch shows it
    board = Board(bob, fetch_interval=1)  # the real clock: the last fetch is the clone's time
    client = await client_for(board)
    try:
        resp = await client.get("/api/stream/hotfix-002")
        later = await next_board(resp, lambda d: task_state(d, "T002") == "done")
        assert later["as_of"] is not None
        assert (bob / ".git" / "FETCH_HEAD").exists()
        resp.close()
    finally:
        await client.close()


async def test_no_fetch_when_the_interval_is_zero(tmp_path, clock):
    alice, bob = setup_team(tmp_path, clock)
    alice_does(alice, B2, F2, "T002", clock)
    board = Board(bob, clock=clock, fetch_interval=0)
    assert board.fetch_if_due() is False
    client = await client_for(board)
    try:
        resp = await client.get("/api/stream/hotfix-003")
        await next_board(resp, lambda d: True)
        hub = client.server.app[HUB_KEY]
        seen = hub.polls
        async with asyncio.timeout(WAIT_S):
            while hub.polls < seen + 3:  # a few polls of the feed run
                await asyncio.sleep(0.1)
        resp.close()
        assert not (bob / ".git" / "FETCH_HEAD").exists()
        assert task_state(board.board_json("hotfix-002"), "T002") == "open"
    finally:
        await client.close()


def test_the_catalog_is_read_again_only_when_refs_change(tmp_path, clock, monkeypatch):
    _alice, bob = setup_team(tmp_path, clock)
    reads = []
    real = catalog.load
    monkeypatch.setattr(catalog, "load", lambda *a, **kw: reads.append(1) or real(*a, **kw))
    board = Board(bob, clock=clock)
    board.entries()
    assert len(reads) == 1 and not board.refs_changed()
    folder = bob / "specs/hotfix/003-search-index-stale"
    Incident(folder, resolve_workflow("hotfix", bob), clock=clock, repo_root=bob).set_done("T001")
    assert not board.refs_changed()  # a work-tree change: the files are watched, not the refs
    board.entries()
    assert len(reads) == 1
    git(bob, "branch", "spare", f"origin/{B1}")
    assert board.refs_changed()
    board.reload_catalog()
    assert len(reads) == 2 and not board.refs_changed()
    git(bob, "pack-refs", "--all")
    assert board.refs_changed()


async def test_reminders_due_count_down_and_say_due(tmp_path, clock):
    _alice, bob = setup_team(tmp_path, clock)
    client = await client_for(Board(bob, clock=clock))
    try:
        board = await get_json(client, "/api/board/hotfix-001")  # P0: every 30 min
        (rem,) = board["reminders"]
        assert rem["id"] == "stakeholder-update" and rem["label"] == "Stakeholder update"
        assert rem["interval_seconds"] == 1800 and rem["remaining_seconds"] == 1800
        start = board["clock"]["start"]
        assert rem["due"] > start
        clock.advance(minutes=31)
        board = await get_json(client, "/api/board/hotfix-001")
        assert board["reminders"][0]["remaining_seconds"] == -60  # due: a minute late
        p2 = await get_json(client, "/api/board/hotfix-003")
        assert p2["reminders"] == []  # the workflow sets no update interval for P2
    finally:
        await client.close()


def test_upstreams_incident_on_another_branch_is_on_the_board_as_hotfix_001(tmp_path, clock):
    from upstream import create, fill_like_agent, make_upstream_repo
    from upstream import git as ugit

    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "hotfix", "Checkout returns 500")
    hotfix_md = Path(out["HOTFIX_FILE"])
    fill_like_agent(hotfix_md, "Checkout returns 500 for EU cards", "[INCIDENT TITLE]")
    hotfix_md.write_text(hotfix_md.read_text().replace("[ ] P0 (", "[x] P0 (", 1))
    ugit(repo, "add", "-A")
    ugit(repo, "commit", "-qm", "hotfix declared")
    ugit(repo, "switch", "-q", "main")  # on other branches tasks.md is a link blob
    board = Board(repo, clock=clock)
    [row] = board.list_json()
    assert (row["id"], row["title"], row["severity"]) == (
        "hotfix-001", "Checkout returns 500 for EU cards", "P0")
    assert row["branch"] == out["BRANCH_NAME"] and row["progress"]["total"] > 30
    status = board.status_json(row["key"])
    assert status is not None and status["id"] == "hotfix-001"
    assert status["branch"] == out["BRANCH_NAME"]
