"""Single choices of upstream's hotfix.md on the board: one row with its answer, not tasks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from upstream import create, fill_like_agent, git, make_upstream_repo

from hotfix_tui.cli import main
from hotfix_tui.web.app import make_app
from hotfix_tui.web.data import Board

CHROMIUM = os.environ.get("HOTFIX_TUI_CHROMIUM", "/usr/bin/chromium")


def upstream_incident(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "hotfix", "Checkout returns 500 errors")
    fill_like_agent(Path(out["HOTFIX_FILE"]), "Checkout returns 500 errors", "Checkout down")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hotfix declared")
    monkeypatch.chdir(repo)
    return repo


def choose_data_corruption(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    loss = next(c for c in data["choices"] if c["label"] == "Data Loss/Corruption")
    assert main(["choose", loss["id"], "Data corruption"]) == 0


async def test_the_board_json_shows_a_choice_as_one_row_with_its_answer(
    tmp_path, monkeypatch, capsys
):
    repo = upstream_incident(tmp_path, monkeypatch)
    choose_data_corruption(capsys)
    client = TestClient(TestServer(make_app(Board(repo))))
    await client.start_server()
    try:
        incidents = await (await client.get("/api/incidents")).json()
        key = incidents[0]["key"]
        board = await (await client.get(f"/api/board/{key}")).json()
    finally:
        await client.close()
    rows = [t for p in board["phases"] for t in p["tasks"]]
    loss = [t for t in rows if t["title"] == "Data Loss/Corruption"]
    assert len(loss) == 1 and loss[0]["state"] == "choice"
    assert loss[0]["choice"] == {
        "options": ["No data loss", "Data loss occurred", "Data corruption"],
        "value": "Data corruption",
    }
    assert not any(t["title"].startswith("No data loss") for t in rows)
    rollback = next(t for t in rows if t["title"] == "Rollback tested in staging")
    assert rollback["state"] == "open"
    assert rollback["choice"] == {"options": ["Yes", "No", "N/A"], "value": None}


def test_the_page_shows_the_choice_and_its_answer(tmp_path, monkeypatch, capsys):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from hotfix_tui.web.server import BoardThread, Options

    repo = upstream_incident(tmp_path, monkeypatch)
    choose_data_corruption(capsys)
    server = BoardThread(Board(repo), Options(port=0))
    url = server.start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)  # the landing page: its tile leads to the incident
            page.locator(".tile .ttitle a").first.click(timeout=20_000)
            row = page.locator('[data-choice="Data Loss/Corruption"]')
            row.wait_for(state="attached", timeout=20_000)
            text = row.text_content() or ""
            assert "Data Loss/Corruption: Data corruption" in text
            assert "No data loss / Data loss occurred / Data corruption" in text
            assert errors == []
            browser.close()
    finally:
        server.stop()
