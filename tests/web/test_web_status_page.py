"""What the board sends for the team's status page: urgent incidents first as tiles, what a viewer
asks (current status, impact, detection, notes, readable events) and the server's time in ms."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from gitfix import FakeClock, make_repo, run

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import events
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.web.app import make_app
from hotfix_tui.web.data import Board

WAIT_S = 15.0


async def client_for(board: Board) -> TestClient:
    client = TestClient(TestServer(make_app(board)))
    await client.start_server()
    return client


def hotfix(capsys, root: Path, monkeypatch, *argv: str) -> str:
    """The CLI in-process in `root`; its output (asserting it succeeded)."""
    monkeypatch.chdir(root)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def started(root: Path, what: str, severity: str, ago: timedelta) -> Path:
    """An incident in the work tree (no branch of its own) started `ago` before now."""
    wf = resolve_workflow("hotfix", root)
    clock = FakeClock(utc_now() - ago)
    return create_incident(root, what, severity, wf, branch=False, clock=clock)


async def test_the_board_and_its_stream_send_the_servers_time_in_milliseconds(incident_repo):
    root, _folder = incident_repo
    clock = FakeClock(datetime(2026, 3, 4, 5, 6, 7, 678_000, tzinfo=UTC))
    c = await client_for(Board(root, clock=clock))
    try:
        board = await (await c.get("/api/board/hotfix-001")).json()
        assert board["now_ms"] == 1772600767678  # not cut to the second
        clock.advance(seconds=0.25)
        resp = await c.get("/api/stream/hotfix-001")
        line = b""
        while not line.startswith(b"data: "):
            line = await asyncio.wait_for(resp.content.readline(), WAIT_S)
        # the time when it is sent, not when the payload was made and kept
        assert json.loads(line[6:])["now_ms"] == 1772600767928
        resp.close()
    finally:
        await c.close()


async def test_the_real_clock_is_sent_to_the_millisecond_not_cut_to_the_second(incident_repo):
    root, _folder = incident_repo
    c = await client_for(Board(root))  # the default clock: `utc_now`, whole seconds
    try:
        sent = []
        for _ in range(5):
            before = time.time() * 1000
            sent.append((await (await c.get("/api/board/hotfix-001")).json())["now_ms"])
            assert before - 5 <= sent[-1] <= time.time() * 1000 + 5
        assert any(ms % 1000 for ms in sent), sent
    finally:
        await c.close()


async def test_detection_impact_and_notes_under_their_task_are_sent(
    incident_repo, capsys, monkeypatch
):
    root, folder = incident_repo
    hotfix(capsys, root, monkeypatch, "detected", "PagerDuty", "alert", "on", "the", "5xx", "rate")
    hotfix(capsys, root, monkeypatch, "note", "T002", "waiting for the DBA on call")
    hotfix_md = folder / "hotfix.md"
    text = hotfix_md.read_text(encoding="utf-8")
    hotfix_md.write_text(
        text.replace("- **Estimated Users**: [count or share of users]",
                     "- **Estimated Users**: every checkout in the EU"),
        encoding="utf-8",
    )
    c = await client_for(Board(root))
    try:
        board = await (await c.get("/api/board/hotfix-001")).json()
        assert board["detection"]["how"] == "PagerDuty alert on the 5xx rate"
        assert board["detection"]["at"].endswith("Z")
        assert "- **Estimated Users**: every checkout in the EU" in board["impact"]
        tasks = {t["id"]: t for p in board["phases"] for t in p["tasks"]}
        assert [n["text"] for n in tasks["T002"]["notes"]] == ["waiting for the DBA on call"]
        assert tasks["T002"]["notes"][0]["who"] == "Ana Lyst"
        assert tasks["T001"]["notes"] == []
    finally:
        await c.close()


async def test_events_read_as_sentences_newest_happened_first_and_a_late_record_is_marked(
    incident_repo, capsys, monkeypatch
):
    root, folder = incident_repo
    hotfix(capsys, root, monkeypatch, "done", "T002")
    hotfix(capsys, root, monkeypatch, "severity", "P0")
    hotfix(capsys, root, monkeypatch, "skip", "T003", "--reason", "seen in production")
    earlier = (utc_now() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    hotfix(capsys, root, monkeypatch, "started-at", earlier, "--yes")
    c = await client_for(Board(root))
    try:
        board = await (await c.get("/api/board/hotfix-001")).json()
        texts = [e["text"] for e in board["events"]]
        assert texts[:3] == [
            "Ana Lyst skipped T003 Reproduce the issue: seen in production",
            "Severity raised to P0",
            "Ana Lyst checked T002 Notify incident commander and stakeholders",
        ]
        whens = [e["when"] for e in board["events"]]
        assert whens == sorted(whens, reverse=True)  # by when they happened
        last = board["events"][-1]  # the corrected start: when it happened, marked as later
        assert last["kind"] == "start" and last["late"] is True
        assert last["text"].startswith("Incident Start corrected")
        assert last["when"].startswith(earlier.replace(" ", "T"))
        assert not any(e["late"] for e in board["events"][:-1])
    finally:
        await c.close()


async def test_current_status_is_the_latest_update_text_else_status_and_next(incident_repo):
    root, folder = incident_repo
    c = await client_for(Board(root))
    try:
        board = await (await c.get("/api/board/hotfix-001")).json()
        assert board["current"] == {
            "text": "Investigating · next: T001 Assess severity and impact", "update": False,
        }
        assert board["who"] == "Ana Lyst"  # who declared it: the last who acted
        rec = events.Recorder("c9", "Dana Ops")
        sent = rec.make("reminder_sent", datetime.now(UTC), reminder="stakeholder-update",
                        text="Checkout restored for 80% of users; next update 14:30")
        events.append(folder, [sent])
        board = await (await c.get("/api/board/hotfix-001")).json()
        assert board["current"]["text"] == "Checkout restored for 80% of users; next update 14:30"
        assert board["current"]["update"] is True and board["current"]["who"] == "Dana Ops"
        assert board["who"] == "Dana Ops"
    finally:
        await c.close()


async def test_tiles_put_breached_first_then_least_time_left_and_list_the_resolved(
    tmp_path, capsys, monkeypatch
):
    root = make_repo(tmp_path / "shop")
    started(root, "Search is slow", "P2", timedelta(minutes=5))  # 7:55 left
    started(root, "Checkout returns 500", "P0", timedelta(minutes=70))  # breached 10 min ago
    started(root, "Emails are late", "P1", timedelta(hours=3))  # 1:00 left
    missed = started(root, "Login loops", "P1", timedelta(hours=5))
    met = started(root, "Images are blurry", "P2", timedelta(hours=1))
    old = started(root, "Old outage", "P2", timedelta(days=40))
    for folder in (missed, met):
        hotfix(capsys, root, monkeypatch, "done", "T013", "--spec", str(folder))
    long_ago = (utc_now() - timedelta(days=39)).strftime("%Y-%m-%d %H:%M")
    hotfix(capsys, root, monkeypatch, "done", "T013", "--at", long_ago, "--spec", str(old))
    c = await client_for(Board(root))
    try:
        data = await (await c.get("/api/overview")).json()
        assert [t["title"] for t in data["open"]] == [
            "Checkout returns 500", "Emails are late", "Search is slow",
        ]
        p0 = data["open"][0]
        assert p0["severity"] == "P0" and p0["sla"]["state"] == "breached"
        assert -610 <= p0["sla"]["remaining_seconds"] <= -595
        assert p0["severity_label"] and p0["status"] == "Investigating"
        assert p0["next"] == {"id": "T001", "title": "Assess severity and impact"}
        assert p0["who"] == "Ana Lyst"
        assert p0["progress"] == {"done": 0, "total": p0["progress"]["total"]}
        assert p0["clock"]["target_seconds"] == 3600 and p0["clock"]["stop"] is None
        assert p0["board"] == "/i/" + p0["key"]
        # resolved in the last 30 days, latest first, with their clocks' outcome
        got = {(t["title"], t["sla"]["state"]) for t in data["resolved"]}
        assert got == {("Images are blurry", "met"), ("Login loops", "missed")}
        stops = [t["clock"]["stop"] for t in data["resolved"]]
        assert stops == sorted(stops, reverse=True)
        for t in data["resolved"]:
            assert t["clock"]["start"] and t["clock"]["stop"]
        assert isinstance(data["now_ms"], int)
    finally:
        await c.close()


async def test_the_landing_stream_sends_the_tiles_and_follows_a_change(
    incident_repo, capsys, monkeypatch
):
    root, _folder = incident_repo
    c = await client_for(Board(root))
    try:
        resp = await c.get("/api/stream")
        assert resp.status == 200

        async def next_board() -> dict:
            line = b""
            while not line.startswith(b"data: ") or b'"open"' not in line:
                line = await asyncio.wait_for(resp.content.readline(), WAIT_S)
            return json.loads(line[6:])

        first = await next_board()
        assert first["open"][0]["progress"]["done"] == 0
        await asyncio.to_thread(hotfix, capsys, root, monkeypatch, "done", "T001")
        second = await next_board()
        assert second["open"][0]["progress"]["done"] == 1
        resp.close()
    finally:
        await c.close()

