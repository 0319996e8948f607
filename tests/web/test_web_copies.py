"""The board reads other branches' incidents by their cached summaries, as `list` does: the list
and the navigation need no copy loaded, a copy's page loads that copy alone, and only a few
loaded copies are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitfix import FakeClock, git
from test_web_branches import F1, F2, setup_team

from hotfix_tui.core.reports import catalog
from hotfix_tui.core.reports.status_data import status_data
from hotfix_tui.web import data as board_data
from hotfix_tui.web.data import Board

LIST_KEYS = ("id", "title", "severity", "status", "branch", "progress", "sla")


def _bob(tmp_path: Path, clock: FakeClock) -> Path:
    _alice, bob = setup_team(tmp_path, clock)
    git(bob, "fetch", "-q")
    return bob


@pytest.fixture
def loaded(monkeypatch) -> list[str]:
    """The names of the incident folders loaded in full from now on (copies and work tree)."""
    from hotfix_tui.core.record.incident import Incident

    seen: list[str] = []
    real = Incident.__init__

    def spy(self, folder, *args, **kwargs) -> None:
        seen.append(Path(folder).name)
        real(self, folder, *args, **kwargs)

    monkeypatch.setattr(Incident, "__init__", spy)
    return seen


def _copies(names: list[str]) -> list[str]:
    """Alice's incidents among loaded folders (on other branches, for Bob)."""
    return [n for n in names if n in (Path(F1).name, Path(F2).name)]


def test_list_rows_of_copies_come_from_summaries_and_match_a_full_load(tmp_path, clock, loaded):
    bob = _bob(tmp_path, clock)
    Board(bob, clock=clock).list_json()  # the first reading of the repository fills the cache
    loaded.clear()
    board = Board(bob, clock=clock)
    rows = {r["folder"]: r for r in board.list_json()}
    board.entries()
    assert _copies(loaded) == []  # no copy was loaded
    assert {F1, F2} <= set(rows)
    full = {e.path: e for e in catalog.load(bob, clock=clock).entries}
    for folder in (F1, F2):
        assert full[folder].incident is not None
        d = status_data(full[folder].incident)
        assert {k: rows[folder][k] for k in LIST_KEYS} == {k: d[k] for k in LIST_KEYS}
        assert rows[folder]["read_only"] and not rows[folder]["checked_out"]


def test_a_copy_page_loads_that_copy_alone_and_the_nav_loads_none(tmp_path, clock, loaded):
    bob = _bob(tmp_path, clock)
    Board(bob, clock=clock).list_json()
    loaded.clear()
    board = Board(bob, clock=clock)
    row = next(r for r in board.list_json() if r["folder"] == F2)
    key = row["key"]
    page = board.board_json(key)
    assert page is not None and "error" not in page, page
    assert page["status"]["progress"] == row["progress"] and row["progress"]["done"] == 1
    states = {t["id"]: t["state"] for p in page["phases"] for t in p["tasks"]}
    assert states["T001"] == "done"
    assert [n["title"] for n in page["incidents"] if n["where"]] == [
        "Checkout returns 500 errors", "DB replica lag"
    ]
    assert _copies(loaded) == [Path(F2).name]  # that copy only, once
    status = board.status_json(key)
    assert status is not None and status["id"] == "hotfix-002" and status["folder"] == F2


def test_only_the_latest_loaded_copies_are_kept(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(board_data, "OPEN_COPIES", 1)
    bob = _bob(tmp_path, clock)
    board = Board(bob, clock=clock)
    rows = {r["folder"]: r["key"] for r in board.list_json()}
    board.board_json(rows[F1])
    held = {e.folder.relative_to(bob).as_posix(): e.other for e in board.entries() if e.other}
    assert held[F1].incident is not None and held[F2].incident is None
    board.board_json(rows[F2])
    assert held[F2].incident is not None and held[F1].incident is None  # the older one dropped
    assert board.board_json(rows[F1])["status"]["id"] == "hotfix-001"  # read again on request


def test_a_new_reading_of_the_branches_keeps_the_loaded_copies_that_did_not_change(
    tmp_path, clock, loaded
):
    bob = _bob(tmp_path, clock)
    board = Board(bob, clock=clock)
    rows = {r["folder"]: r["key"] for r in board.list_json()}
    board.board_json(rows[F1])
    loaded.clear()
    git(bob, "branch", "-f", "elsewhere", "main")  # a branch moved: every branch read again
    assert board.refs_changed()
    board.reload_catalog()
    page = board.board_json(rows[F1])
    assert page is not None and page["status"]["id"] == "hotfix-001"
    assert _copies(loaded) == []  # the same blobs: the copy loaded before is used


def test_copies_that_open_pages_show_stay_loaded(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(board_data, "OPEN_COPIES", 1)
    bob = _bob(tmp_path, clock)
    board = Board(bob, clock=clock)
    rows = {r["folder"]: r["key"] for r in board.list_json()}
    board.pinned = {rows[F1], rows[F2]}  # two pages open, one copy allowed: both kept
    board.board_json(rows[F1])
    board.board_json(rows[F2])
    held = {e.folder.relative_to(bob).as_posix(): e.other for e in board.entries() if e.other}
    assert held[F1].incident is not None and held[F2].incident is not None
    board.pinned = set()
    board.board_json(rows[F2])  # no page open: back to the limit
    assert held[F1].incident is None and held[F2].incident is not None


async def test_the_server_loads_a_copy_in_a_thread_never_on_the_event_loop(
    tmp_path, clock, monkeypatch
):
    import threading

    from aiohttp.test_utils import TestClient, TestServer

    from hotfix_tui.web.app import make_app

    bob = _bob(tmp_path, clock)
    where: list[bool] = []
    real = catalog.open_copy

    def spy(*args, **kwargs):
        where.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog, "open_copy", spy)
    client = TestClient(TestServer(make_app(Board(bob, clock=clock))))
    await client.start_server()
    try:
        rows = await (await client.get("/api/incidents")).json()
        key = next(r["key"] for r in rows if r["folder"] == F2)
        page = await (await client.get(f"/api/board/{key}")).json()
        status = await (await client.get(f"/api/incidents/{key}")).json()
    finally:
        await client.close()
    assert page["status"]["id"] == status["id"] == "hotfix-002"
    assert where == [False]  # once, in a worker thread


async def test_a_copy_git_cannot_read_shows_its_error_on_the_page(tmp_path, clock, monkeypatch):
    from aiohttp.test_utils import TestClient, TestServer

    from hotfix_tui.core.git.repo import GitError
    from hotfix_tui.web.app import make_app

    bob = _bob(tmp_path, clock)

    def broken(*args, **kwargs):
        raise GitError("git cat-file: fatal: bad object")

    client = TestClient(TestServer(make_app(Board(bob, clock=clock))))
    await client.start_server()
    try:
        rows = await (await client.get("/api/incidents")).json()
        key = next(r["key"] for r in rows if r["folder"] == F2)
        monkeypatch.setattr(catalog, "open_copy", broken)
        resp = await client.get(f"/api/board/{key}")
        page = await resp.json()
    finally:
        await client.close()
    assert resp.status == 200 and "bad object" in page["error"] and F2 in page["error"]
