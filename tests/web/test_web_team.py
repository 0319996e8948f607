"""The board shows who commands (list and page), each task's assignee, and the latest status
update as its status line."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from conftest import cli

from hotfix_tui.web.app import make_app
from hotfix_tui.web.data import Board


async def board_and_list(root) -> tuple[dict, list]:
    client = TestClient(TestServer(make_app(Board(root))))
    await client.start_server()
    try:
        board = await (await client.get("/api/board/hotfix-001")).json()
        rows = await (await client.get("/api/incidents")).json()
    finally:
        await client.close()
    return board, rows


async def test_nobody_commands_and_no_status_line_before_anyone_says(incident_repo):
    root, _ = incident_repo
    board, rows = await board_and_list(root)
    assert board["commander"] is None and board["status_line"] is None
    assert rows[0]["commander"] is None
    assert board["status"]["roles"] == {"commander": None, "communications": None}


async def test_the_commander_assignees_and_the_latest_update_reach_the_board(incident_repo):
    root, _ = incident_repo
    cli(root, "role", "commander", "Ana")
    cli(root, "assign", "T003", "Ben")
    cli(root, "update", "--message", "Degraded; first update")
    cli(root, "update", "--message", "Recovering; pool raised")
    cli(root, "update", "--message", "")  # marked sent without text: the line stays
    cli(root, "handover", "Ben")
    board, rows = await board_and_list(root)
    assert board["commander"] == "Ana -> Ben (handing over)"
    assert rows[0]["commander"] == "Ana -> Ben (handing over)"
    assert board["status_line"]["text"] == "Recovering; pool raised"
    tasks = {t["id"]: t for p in board["phases"] for t in p["tasks"]}
    assert tasks["T003"]["assignee"] == "Ben" and tasks["T004"]["assignee"] is None
    assert board["status"]["handover"]["to"] == "Ben"
