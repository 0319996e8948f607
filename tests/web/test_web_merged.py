"""The board and its API over an incident whose copies differ between branches: every key of it
shows the union of the copies' event logs and which branch lacks what. Real clones, the real
CLI, the aiohttp test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from gitfix import BRANCH, FakeClock, git, team
from teamfix import BOB, HID, cli, commit, diverged_team, later

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.web.app import make_app
from hotfix_tui.web.data import Board

ORIGIN = f"origin/{BRANCH}"


async def client_for(board: Board) -> TestClient:
    client = TestClient(TestServer(make_app(board)))
    await client.start_server()
    return client


async def get_json(client: TestClient, path: str) -> dict:
    resp = await client.get(path)
    assert resp.status == 200, (path, await resp.text())
    return await resp.json()


def done(status: dict) -> set[str]:
    return {t["id"] for t in status["tasks"] if t["done"]}


def lacks(data: dict) -> dict[str, list[str]]:
    return {d["branch"]: [m["text"] for m in d["missing"]] for d in data["diverged"]}


@pytest.fixture
def bob_apart(tmp_path):
    return diverged_team(tmp_path)


async def test_api_of_either_branch_shows_the_union_and_what_each_lacks(bob_apart):
    _remote, _alice, bob = bob_apart
    git(bob, "switch", "-q", "main")  # the incident is only on branches
    client = await client_for(Board(bob, clock=utc_now))
    try:
        for key in (f"{HID}@{ORIGIN}", f"{HID}@{BOB}", f"{HID}@{BRANCH}"):
            status = await get_json(client, f"/api/incidents/{key}")
            assert {"T004", "T005"} <= done(status), key
            assert status["progress"]["done"] == 2
            found = lacks(status)
            assert found[ORIGIN] == ["T005 done (by Bob Roe)"]
            assert found[BOB] == ["T004 done (by Alice Doe)"]
        (row,) = [r for r in await get_json(client, "/api/incidents") if r["id"] == HID]
        assert row["progress"]["done"] == 2 and lacks(row)[ORIGIN] == ["T005 done (by Bob Roe)"]
        board = await get_json(client, f"/api/board/{HID}@{BOB}")
        states = {t["id"]: t["state"] for p in board["phases"] for t in p["tasks"]}
        assert states["T004"] == states["T005"] == "done"
        assert f"{ORIGIN} lacks: T005 done (by Bob Roe)" in board["diverged_lines"]
        assert any("T005" in ev["text"] for ev in board["events"])
    finally:
        await client.close()


async def test_board_of_the_checked_out_incident_merges_the_other_branches(bob_apart):
    _remote, _alice, bob = bob_apart  # Bob's work tree: his branch, T005 done
    board = Board(bob, clock=utc_now)
    client = await client_for(board)
    try:
        status = await get_json(client, f"/api/incidents/{HID}")
        assert {"T004", "T005"} <= done(status)
        assert lacks(status)[ORIGIN] == ["T005 done (by Bob Roe)"]
        # a change of the work tree shows at once, still merged with the other branches
        cli(bob, "done", "T006")
        status = await get_json(client, f"/api/incidents/{HID}")
        assert {"T004", "T005", "T006"} <= done(status)
        assert lacks(status)[ORIGIN] == ["T005 done (by Bob Roe)", "T006 done (by Bob Roe)"]
        assert lacks(status)[BOB] == ["T004 done (by Alice Doe)"]
    finally:
        await client.close()


async def test_identical_copies_show_no_divergence_on_the_board(tmp_path: Path):
    _remote, alice, bob = team(tmp_path, utc_now)
    cli(alice, "done", "T004")
    commit(alice, "T004 done", later(1))
    git(alice, "push", "-q")
    git(bob, "pull", "-q")
    client = await client_for(Board(bob, clock=FakeClock(utc_now())))
    try:
        status = await get_json(client, f"/api/incidents/{HID}")
        assert done(status) == {"T004"} and status["diverged"] == []
        board = await get_json(client, f"/api/board/{HID}")
        assert board["diverged_lines"] == []
    finally:
        await client.close()


async def test_an_uncommitted_change_shows_at_once_as_what_the_other_branches_lack(tmp_path):
    _remote, _alice, bob = team(tmp_path, utc_now)  # Bob on the incident's branch, as pushed
    client = await client_for(Board(bob, clock=utc_now))
    try:
        status = await get_json(client, f"/api/incidents/{HID}")
        assert status["diverged"] == []
        cli(bob, "done", "T006")  # not committed: no branch moved
        status = await get_json(client, f"/api/incidents/{HID}")
        assert "T006" in done(status)
        assert lacks(status) == {ORIGIN: ["T006 done (by Bob Roe)"]}
    finally:
        await client.close()
