"""spec-kit's workflow runs on the web board: `/api/runs`, the board's JSON and stream, the page.
Real runs made by the real `specify` in a repository as a spec-kit team has it."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from conftest import cli, new_incident
from test_web_server import read_events
from upstream import GATE_WORKFLOW, _run, make_upstream_repo, run_gate_workflow, specify_bin

from hotfix_tui.web.app import make_app
from hotfix_tui.web.data import Board


def run_naming(repo: Path, tmp: Path, where: str) -> str:
    """A real run of the vendored gate example whose first step echoes `where` (its input)."""
    workflow = tmp / "announce.yml"
    workflow.write_text(
        GATE_WORKFLOW.read_text(encoding="utf-8")
        .replace('run: "echo hello"', 'run: "echo created {{ inputs.where }}"')
        .replace("inputs:\n", 'inputs:\n  where:\n    type: string\n    default: ""\n', 1),
        encoding="utf-8",
    )
    cmd = [specify_bin(), "workflow", "run", str(workflow), "--input", f"where={where}"]
    out = _run(cmd, repo, stdin=-3).stdout
    return next(x for x in out.splitlines() if "Run ID:" in x).split(":", 1)[1].strip()


@pytest.fixture
async def team(tmp_path):
    """An upstream repository with one incident of ours and a run naming it, paused at its gate."""
    repo = make_upstream_repo(tmp_path / "shop")
    folder = new_incident(repo, "Payments API timing out")
    run_id = run_naming(repo, tmp_path, folder.relative_to(repo).as_posix())
    client = TestClient(TestServer(make_app(Board(repo))))
    await client.start_server()
    yield repo, folder, run_id, client
    await client.close()


async def test_api_runs_and_the_board_show_the_paused_gate_linked_to_its_incident(team):
    repo, folder, run_id, client = team
    resp = await client.get("/api/runs")
    assert resp.status == 200
    runs = await resp.json()
    assert [r["run_id"] for r in runs] == [run_id]
    r = runs[0]
    assert r["status"] == "paused" and r["current_step_id"] == "review"
    assert r["gate"]["message"] == "Approve the rollback?"
    assert r["gate"]["options"] == ["approve", "reject"]
    assert r["incidents"] == [folder.relative_to(repo).as_posix()]
    assert r["incident_keys"] == ["hotfix-001"]
    assert r["gate"]["answer"] == [f"hotfix-tui gate {run_id} approve",
                                   f"hotfix-tui gate {run_id} reject"]
    board = await (await client.get("/api/board/hotfix-001")).json()
    assert board["runs"] == runs


async def test_the_stream_sends_the_runs_new_state_when_its_gate_is_answered(team):
    repo, _folder, run_id, client = team
    resp = await client.get("/api/stream/hotfix-001")
    first = await read_events(resp, lambda d: True)
    assert first[0]["runs"][0]["status"] == "paused"
    await asyncio.to_thread(cli, repo, "gate", run_id, "approve")
    got = await read_events(resp, lambda d: d["runs"][0]["status"] == "completed")
    assert got[-1]["runs"][0]["gate"] is None
    resp.close()


CHROMIUM = os.environ.get("HOTFIX_TUI_CHROMIUM", "/usr/bin/chromium")


def test_the_page_shows_the_gate_and_how_to_answer_it(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from hotfix_tui.web.server import BoardThread, Options

    repo = make_upstream_repo(tmp_path / "shop")
    new_incident(repo, "Payments API timing out")
    run_id = run_gate_workflow(repo)
    server = BoardThread(Board(repo), Options(port=0))
    url = server.start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_selector(f'[data-run="{run_id}"]', timeout=20_000)
            item = page.locator(f'[data-run="{run_id}"]')
            assert "Gate review: Approve the rollback?" in item.text_content()
            assert item.get_attribute("data-status") == "paused"
            cmds = item.locator("pre.cmd").all_text_contents()
            assert cmds == [f"hotfix-tui gate {run_id} approve", f"hotfix-tui gate {run_id} reject"]
            assert "1 (1 waiting at a gate)" in page.locator("#runs-count").text_content()
            assert errors == []
            browser.close()
    finally:
        server.stop()
