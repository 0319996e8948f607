"""The token link in real Chromium: clicked on another site it lands on the board; a changed
token is told apart from a server that is down."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import urlsplit

from conftest import WAIT_MS

from hotfix_tui.web.data import Board
from hotfix_tui.web.server import BoardThread, Options

TOKEN = "Zq3xv0Tq8m1w_Lr5kY2bNc7dH4sPf9gA"
OTHER_TOKEN = "Hn4Wc8yQe2Rt6Uz0Ia5Sd9Fg3Jk7Lx1B"


class LinkPage(http.server.BaseHTTPRequestHandler):
    """Another site (chat, mail, a ticket) with the board's token link on it."""

    link = ""

    def do_GET(self) -> None:
        body = f'<!doctype html><p><a id="go" href="{self.link}">the live board</a></p>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_the_token_link_clicked_on_another_site_lands_on_the_board(browser, incident_repo):
    root, _ = incident_repo
    board = BoardThread(Board(root), Options(port=0, token=TOKEN))
    link = board.start()
    handler = type("Link", (LinkPage,), {"link": link})
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        # localhost and 127.0.0.1 are different sites, as a chat server and the board are
        page.goto(f"http://localhost:{other.server_address[1]}/")
        page.click("#go")
        page.wait_for_selector("li.tile", timeout=WAIT_MS)  # the landing page's tiles
        landed = urlsplit(page.url)
        assert landed.netloc == urlsplit(link).netloc
        assert "token" not in page.url  # taken out of the address bar
    finally:
        page.close()
        other.shutdown()
        board.stop()


def test_a_changed_token_is_told_apart_from_a_server_that_is_down(browser, incident_repo):
    root, _ = incident_repo
    first = BoardThread(Board(root), Options(port=0, token=TOKEN))
    link = first.start()
    port = int(urlsplit(link).port or 0)
    page = browser.new_page()
    second = None
    try:
        page.goto(link)
        page.wait_for_selector("li.tile", timeout=WAIT_MS)  # the landing page's tiles
        page.wait_for_function("() => document.getElementById('conn').dataset.live === 'yes'")
        first.stop()
        page.wait_for_function(
            "() => document.getElementById('conn').textContent.includes('reconnecting')",
            timeout=WAIT_MS,
        )
        assert "token" not in page.locator("#conn").text_content()
        second = BoardThread(Board(root), Options(port=port, token=OTHER_TOKEN))
        second.start()  # restarted with another token (`serve --new-token`)
        page.wait_for_function(
            "() => document.getElementById('conn').textContent.includes('token changed')",
            timeout=WAIT_MS,
        )
        assert "open the new link" in page.locator("#conn").text_content()
    finally:
        page.close()
        if second is not None:
            second.stop()
        first.stop()
