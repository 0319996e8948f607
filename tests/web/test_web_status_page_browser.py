"""The board as the team's status page in real headless Chromium (Debian's, driven by Playwright):
tiles urgent first, wall mode, a stale page dimmed, a steady clock, what a viewer asks."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ARTIFACTS, WAIT_MS, cli
from gitfix import FakeClock, make_repo

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.web.data import Board
from hotfix_tui.web.server import BoardThread, Options

# count the updates the page hears (wrapping EventSource before the page's script runs)
COUNT_UPDATES = """
window.__updates = 0;
const Native = window.EventSource;
window.EventSource = class extends Native {
  constructor(url) { super(url); this.addEventListener("board", () => window.__updates++); }
};
"""


def started(root: Path, what: str, severity: str, ago: timedelta) -> Path:
    """An incident in the work tree (no branch of its own) started `ago` before now."""
    wf = resolve_workflow("hotfix", root)
    return create_incident(
        root, what, severity, wf, branch=False, clock=FakeClock(utc_now() - ago)
    )


def team_repo(tmp_path: Path, n_open: int = 6) -> Path:
    """Open incidents of every state (a P0 breached 10 minutes ago among them) and two resolved."""
    root = make_repo(tmp_path / "shop")
    open_ = [
        ("Search results are slow for some users", "P2", timedelta(minutes=20)),
        ("Checkout returns 500 errors after the payments deploy", "P0", timedelta(minutes=70)),
        ("Password reset emails arrive late", "P1", timedelta(hours=3, minutes=10)),
        ("Mobile app crashes on launch for Android 9", "P1", timedelta(minutes=40)),
        ("Invoices show the wrong currency", "P2", timedelta(hours=5)),
        ("CDN serves stale product images", "P2", timedelta(hours=1)),
        ("Webhooks to partners are delayed", "P1", timedelta(hours=2)),
        ("Admin dashboard times out on reports", "P2", timedelta(hours=7)),
        ("Recommendations panel is empty", "P2", timedelta(minutes=5)),
        ("Single sign-on fails for one tenant", "P1", timedelta(minutes=15)),
        ("Export to CSV drops the last row", "P2", timedelta(hours=2, minutes=30)),
        ("Push notifications are sent twice", "P1", timedelta(hours=1, minutes=30)),
    ]
    for what, sev, ago in open_[:n_open]:
        started(root, what, sev, ago)
    for what, sev, ago in (
        ("Login loops on Safari", "P1", timedelta(hours=5)),
        ("Search index rebuild stalled", "P2", timedelta(hours=2)),
    ):
        folder = started(root, what, sev, ago)
        cli(root, "done", "T013", "--spec", str(folder))
    return root


@pytest.fixture
def team(tmp_path):
    root = team_repo(tmp_path)
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    yield url, root
    server.stop()


def countdown_seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def test_the_countdown_never_skips_or_holds_a_second_across_updates(browser, tmp_path):
    root = make_repo(tmp_path / "shop")
    folder = started(root, "Checkout returns 500 errors", "P1", timedelta(minutes=5))
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    try:
        page = browser.new_page()
        page.add_init_script(COUNT_UPDATES)
        page.goto(url + "i/hotfix-001")
        page.wait_for_selector('[data-task="T001"]', timeout=WAIT_MS)
        page.evaluate(
            """() => { window.__samples = [];
            window.__sampler = setInterval(() => window.__samples.push([performance.now(),
              document.getElementById('countdown').textContent,
              document.getElementById('countdown').dataset.countdown]), 100); }"""
        )
        tasks = folder / "tasks.md"
        first = page.evaluate("window.__updates")
        for i in range(8):  # a change on disk: the server sends the board again
            time.sleep(1.1)
            st = tasks.stat()
            os.utime(tasks, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000 * (i + 1)))
        time.sleep(1.5)
        samples = page.evaluate("clearInterval(window.__sampler) || window.__samples")
        updates = page.evaluate("window.__updates") - first
        page.close()
    finally:
        server.stop()
    assert updates >= 5, f"only {updates} updates reached the page"
    values = [countdown_seconds(text) for _t, text, _attr in samples]
    assert all(int(attr) == v for (_t, _text, attr), v in zip(samples, values, strict=True))
    runs: list[list[float]] = []  # [value, first seen, last seen]
    for (t, _text, _attr), v in zip(samples, values, strict=True):
        if runs and runs[-1][0] == v:
            runs[-1][2] = t
        else:
            runs.append([v, t, t])
    steps = [a[0] - b[0] for a, b in zip(runs, runs[1:], strict=False)]
    assert steps and all(s == 1 for s in steps), f"a second skipped or went back: {runs}"
    held = [b[1] - a[1] for a, b in zip(runs, runs[1:], strict=False)][1:]  # whole seconds only
    assert all(700 <= ms <= 1300 for ms in held), f"a second held too long or short: {held}"


def test_tiles_put_the_breached_p0_first_and_say_overdue_by(browser, team):
    url, _root = team
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_selector(".tile", timeout=WAIT_MS)
    first = page.locator(".tile").first
    assert first.locator(".sev").text_content() == "P0"
    assert first.get_attribute("data-state") == "breached"
    assert first.locator(".tstate").text_content() == "SLA breached"
    count = first.locator(".tcount").text_content()
    assert re.fullmatch(r"Overdue by 0:(09:[0-5]\d|10:[0-5]\d)", count), count
    assert int(first.locator("[data-countdown]").get_attribute("data-countdown")) < 0
    assert "Time left" not in count
    second = page.locator(".tile").nth(1)
    assert second.locator(".tcount").text_content().startswith("Time left 0:")
    assert first.locator(".tnext").text_content() == "Next: T001 Assess severity and impact"
    assert first.locator(".twho").text_content() == "Working it: Ana Lyst"
    assert first.locator("progress").count() == 1
    lefts = [int(x) for x in page.locator(".tile [data-countdown]").evaluate_all(
        "els => els.map(e => e.dataset.countdown)")]
    assert lefts == sorted(lefts)  # breached first, then least time left
    resolved = page.locator("#resolved li")
    assert resolved.count() == 2
    text = " ".join(resolved.all_text_contents())
    assert "SLA met" in text and "SLA breached" in text and "resolved in " in text
    assert page.locator("#wall-link").get_attribute("href") == "/?wall=1"
    first.locator(".ttitle a").click()
    page.wait_for_selector('[data-task="T001"]', timeout=WAIT_MS)
    assert page.locator("#sla-h").text_content() == "Overdue by"  # never "time left" over it
    assert int(page.locator("#countdown").get_attribute("data-countdown")) < 0
    page.close()


def test_on_a_phone_the_most_urgent_tile_fits_the_first_screen(browser, team):
    url, _root = team
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(url)
    page.wait_for_selector(".tile .tnum[data-countdown]:not([data-countdown=''])",
                           timeout=WAIT_MS)
    box = page.locator(".tile").first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, box
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 360, f"the phone page scrolls sideways ({scroll}px)"
    page.close()


def test_wall_mode_fits_every_open_incident_on_one_screen_in_large_type(browser, tmp_path):
    root = team_repo(tmp_path, n_open=12)
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    try:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(url + "?wall=1")
        page.wait_for_selector(".tile .tnum[data-countdown]:not([data-countdown=''])",
                               timeout=WAIT_MS)
        assert page.locator(".tile").count() == 12
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        for i in range(12):
            tile = page.locator(".tile").nth(i)
            box = tile.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 1080, (i, box)
            # nothing in the tile is cut off at its bottom
            over = tile.evaluate("e => e.firstChild.scrollHeight - e.clientHeight")
            assert over <= 1, (i, over)
        size = page.locator(".tile .tnum").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)")
        title = page.locator(".tile .ttitle").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 44 and title >= 24, (size, title)  # read across a room
        assert page.locator("#wall-link").text_content() == "Leave wall mode"
        page.close()
    finally:
        server.stop()


def test_a_lost_stream_dims_the_page_and_says_since_when(browser, tmp_path):
    root = team_repo(tmp_path, n_open=2)
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(url + "?wall=1")
        page.wait_for_selector(".tile", timeout=WAIT_MS)
        assert page.locator("#stale").is_hidden()
        assert page.evaluate("getComputedStyle(document.querySelector('main')).opacity") == "1"
    finally:
        server.stop()
    page.wait_for_selector("#stale:not([hidden])", timeout=WAIT_MS)
    text = page.locator("#stale").text_content()
    assert re.match(r"Not live since \d\d:\d\d\b", text), text
    style = page.evaluate(
        "(s => [s.opacity, s.filter])(getComputedStyle(document.querySelector('main')))"
    )
    assert float(style[0]) <= 0.6 and "grayscale" in style[1], style
    page.close()


@pytest.mark.parametrize(
    ("path", "words"),
    [("i/hotfix-999", 'No incident "hotfix-999"'), ("i/%E0%A4%A", "names no incident")],
)
def test_an_unknown_or_bad_address_says_so_and_lists_the_incidents(browser, team, path, words):
    url, _root = team
    page = browser.new_page()
    page.goto(url + path)
    page.wait_for_selector(".tile", timeout=WAIT_MS)
    assert words in page.locator("#error").text_content()
    assert page.locator("#incident").is_hidden()  # no endless "Loading the incident…"
    assert page.locator(".tile").count() == 6
    page.close()


def test_the_incident_page_answers_what_a_viewer_asks(browser, tmp_path):
    root = make_repo(tmp_path / "shop")
    started(root, "Checkout returns 500 errors", "P1", timedelta(minutes=30))
    cli(root, "detected", "PagerDuty alert on the 5xx rate")
    cli(root, "note", "T002", "IC is Dana; bridge open")
    cli(root, "done", "T002")
    cli(root, "severity", "P0")
    earlier = (utc_now() - timedelta(minutes=45)).strftime("%Y-%m-%d %H:%M")
    cli(root, "started-at", earlier, "--yes")
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    try:
        page = browser.new_page()
        page.goto(url + "i/hotfix-001")
        page.wait_for_selector('[data-task="T002"][data-state="done"]', timeout=WAIT_MS)
        assert page.locator("#current").text_content() == (
            "Now: Investigating · next: T001 Assess severity and impact"
        )
        assert page.locator("#detected").text_content().endswith(
            ": PagerDuty alert on the 5xx rate"
        )
        assert page.locator("#f-who").text_content() == "Ana Lyst"
        note = page.locator('[data-task="T002"] .note').text_content()
        assert note.startswith("Note by Ana Lyst") and note.endswith(": IC is Dana; bridge open")
        events = page.locator("#events li .what").all_text_contents()
        assert "Ana Lyst checked T002 Notify incident commander and stakeholders" in events
        assert "Severity raised to P0" in events
        late = page.locator('#events li[data-late="yes"]')
        assert late.count() == 1
        assert late.locator(".what").text_content().startswith("Incident Start corrected")
        assert page.locator("#events li").last.get_attribute("data-late") == "yes"  # oldest
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "board-viewer.png"), full_page=True)
        page.close()
    finally:
        server.stop()
