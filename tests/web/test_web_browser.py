"""The board in real headless Chromium (Debian's build driven by Playwright): live, inert, narrow.

Skipped with a message only where neither Chromium nor Playwright can be installed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from conftest import ARTIFACTS, HOSTILE, WAIT_MS, cli, new_incident
from gitfix import make_repo

from hotfix_tui.web.data import Board
from hotfix_tui.web.server import BoardThread, Options


@pytest.fixture
def served(incident_repo):
    root, folder = incident_repo
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    yield url, root, folder
    server.stop()


class Console:
    """Every console message and page error of a page, to assert there are none."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))


def open_board(browser, url: str, width: int = 1280, height: int = 800):
    page = browser.new_page(viewport={"width": width, "height": height})
    console = Console(page)
    page.goto(url)
    page.wait_for_selector('[data-task="T001"]', timeout=WAIT_MS)
    return page, console


def test_loads_without_console_errors_and_the_countdown_ticks(browser, served):
    url, _root, _folder = served
    page, console = open_board(browser, url + "i/hotfix-001")
    first = page.locator("#countdown").text_content()
    assert first and first[0].isdigit()
    page.wait_for_function(
        "t => document.getElementById('countdown').textContent !== t", arg=first, timeout=WAIT_MS
    )
    assert page.locator("#sla-state").text_content() == "On track"
    assert page.locator("#clock").get_attribute("data-state") == "ok"
    title = page.locator("#title").text_content()
    assert title == "Database connection pool exhausted causing 503s"
    assert page.locator("#f-sev").text_content() == "P1"
    assert "Live" in page.locator("#conn").text_content()
    assert console.errors == []
    page.close()


def test_a_cli_done_shows_checked_without_reload(browser, served):
    url, root, _folder = served
    page, console = open_board(browser, url + "i/hotfix-001")
    # found by its role and accessible name, as a screen reader announces it
    box = page.get_by_role("checkbox", name=re.compile(r"^T001 Assess severity and impact"))
    assert not box.is_checked()
    assert box.is_disabled()  # nothing can be changed from the page
    page.evaluate("window.__same_page = true")  # gone if the page were reloaded
    cli(root, "done", "T001")
    page.wait_for_function(
        "() => document.querySelector('[data-task=\"T001\"] input').checked", timeout=WAIT_MS
    )
    assert box.is_checked()
    assert page.evaluate("window.__same_page") is True
    assert page.locator("#next").text_content().startswith("T002")
    cli(root, "skip", "T002", "--reason", "IC already paged <b>by PagerDuty</b>")
    page.wait_for_selector('[data-task="T002"][data-state="skipped"]', timeout=WAIT_MS)
    why = page.locator('[data-task="T002"] .why').text_content()
    assert why == "skipped: IC already paged <b>by PagerDuty</b>"
    assert console.errors == []
    page.close()


def test_hostile_title_and_notes_are_shown_as_text(browser, tmp_path):
    root = make_repo(tmp_path / "hostile")
    new_incident(root, "Checkout fails", title=HOSTILE)
    cli(root, "skip", "T001", "--reason", '<img src=x onerror="alert(3)">')
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    try:
        page, console = open_board(browser, url + "i/hotfix-001")
        page.wait_for_selector('[data-task="T001"][data-state="skipped"]', timeout=WAIT_MS)
        assert page.locator("#title").text_content() == HOSTILE
        assert page.evaluate("document.title").startswith("hotfix-001 · <script>")
        assert page.locator("main img").count() == 0
        assert page.locator("main script").count() == 0
        assert page.evaluate("document.scripts.length") == 1  # board.js only
        page.wait_for_timeout(500)  # an injected handler would have fired by now
        assert console.dialogs == []
        assert console.errors == []
        page.close()
    finally:
        server.stop()


def test_phone_width_has_no_horizontal_scroll_and_screenshots_are_saved(browser, served):
    url, root, _folder = served
    cli(root, "done", "T001")
    cli(root, "skip", "T002", "--reason", "paged already")
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((360, 740), (1280, 800)):
        page, console = open_board(browser, url + "i/hotfix-001", width, height)
        page.wait_for_selector('[data-task="T002"][data-state="skipped"]', timeout=WAIT_MS)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        client = page.evaluate("document.documentElement.clientWidth")
        assert scroll <= client, f"{width}px wide page scrolls sideways ({scroll} > {client})"
        for sel in ("#countdown", "#clock", "#title", "#phase-list", "#events"):
            over = page.evaluate(
                f"(e => e.scrollWidth - e.clientWidth)(document.querySelector('{sel}'))"
            )
            assert over <= 1, f"{sel} overflows its box by {over}px at {width}px"
        shot = ARTIFACTS / f"board-{width}x{height}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert console.errors == []
        page.close()


def test_reconnects_by_itself_and_says_when_it_last_heard(browser, incident_repo):
    root, _folder = incident_repo
    server = BoardThread(Board(root), Options(port=0))
    url = server.start()
    page, console = open_board(browser, url + "i/hotfix-001")
    server.stop()  # the server goes away: the clock keeps ticking, the page says so
    page.wait_for_function(
        "() => document.getElementById('conn').textContent.startsWith('Connection lost')",
        timeout=WAIT_MS,
    )
    before = page.locator("#countdown").text_content()
    page.wait_for_function(
        "t => document.getElementById('countdown').textContent !== t", arg=before, timeout=WAIT_MS
    )
    port = int(url.rsplit(":", 1)[1].strip("/"))
    again = BoardThread(Board(root), Options(port=port))
    again.start()
    try:
        cli(root, "done", "T001")
        page.wait_for_function(
            "() => document.querySelector('[data-task=\"T001\"] input').checked", timeout=WAIT_MS
        )
        assert page.locator("#conn").text_content().startswith("Live")
    finally:
        again.stop()
        page.close()
    # the failed reconnection attempts are the only console messages allowed here
    assert all("ERR_CONNECTION_REFUSED" in e or "EventSource" in e for e in console.errors)


def test_follows_the_browsers_light_or_dark_theme(browser, served):
    url, _root, _folder = served
    shades = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        page.goto(url + "i/hotfix-001")
        page.wait_for_selector('[data-task="T001"]', timeout=WAIT_MS)
        rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
        shades[scheme] = sum(int(x) for x in re.findall(r"\d+", rgb)[:3])
        page.close()
    assert shades["light"] > 600 and shades["dark"] < 150, shades


def test_other_branch_copy_shows_as_of_and_the_reminder_counts_down_then_is_due(browser, tmp_path):
    from gitfix import FakeClock
    from test_web_branches import setup_team

    clock = FakeClock(datetime.now(UTC))  # the page ticks from the server's "now"
    _alice, bob = setup_team(tmp_path, clock)
    server = BoardThread(Board(bob, clock=clock), Options(port=0))
    url = server.start()
    try:
        page, console = open_board(browser, url + "i/hotfix-001")
        note = page.locator("#copy-note")
        assert note.is_visible()
        assert re.match(
            r"Read-only copy from branch origin/hotfix/001-\S+ \(not checked out here\) · "
            r"as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$",
            note.text_content(),
        )
        branches = page.locator("#f-branches").text_content()
        assert branches == "origin/hotfix/001-checkout-returns-500-errors"
        nav = page.locator("#incident-list").text_content()
        assert "hotfix-003" in nav and "hotfix-002" in nav  # every branch's incidents
        rem = page.locator('[data-reminder="stakeholder-update"]')
        assert rem.get_attribute("data-state") == "ok"
        left = rem.locator(".left").text_content()
        assert left.startswith("in 0:")
        page.wait_for_function(
            "t => document.querySelector('[data-reminder] .left').textContent !== t",
            arg=left,
            timeout=WAIT_MS,
        )
        page.close()
        clock.advance(minutes=31)  # past the P0 update interval: the next page says it is due
        page, console2 = open_board(browser, url + "i/hotfix-001")
        rem = page.locator('[data-reminder="stakeholder-update"]')
        page.wait_for_selector('[data-reminder][data-state="due"]', timeout=WAIT_MS)
        assert rem.locator(".wstate").text_content() == "Due now"
        assert rem.locator(".left").text_content().startswith("due")
        assert console.errors == [] and console2.errors == []
        page.close()
    finally:
        server.stop()


def test_a_copy_merged_across_branches_says_which_branch_lacks_what(browser, tmp_path):
    from gitfix import BRANCH, git
    from teamfix import BOB, diverged_team

    _remote, _alice, bob = diverged_team(tmp_path)
    git(bob, "switch", "-q", "main")  # every copy from git objects: Bob's branch and the remote
    server = BoardThread(Board(bob), Options(port=0))
    url = server.start()
    try:
        page, console = open_board(browser, url + f"i/hotfix-001@{BOB}")
        for task in ("T004", "T005"):  # each done on one branch only: both shown done
            assert page.locator(f'[data-task="{task}"]').get_attribute("data-state") == "done"
        note = page.locator("#diverged-note")
        assert note.is_visible()
        text = note.text_content()
        assert text.startswith("Shown merged across branches: ")
        assert f"origin/{BRANCH} lacks: T005 done (by Bob Roe)" in text
        assert f"{BOB} lacks: T004 done (by Alice Doe)" in text
        page.screenshot(path=str(ARTIFACTS / "board-merged.png"))
        assert console.errors == []
        page.close()
        page = browser.new_page()  # the landing page: its tile, merged across the branches
        page.goto(url)
        page.wait_for_selector('.tile[data-key="hotfix-001"]', timeout=WAIT_MS)
        page.close()
    finally:
        server.stop()


def test_identical_copies_show_no_merge_note(browser, served):
    url, _root, _folder = served
    page, _console = open_board(browser, url + "i/hotfix-001")
    assert not page.locator("#diverged-note").is_visible()
    page.close()
