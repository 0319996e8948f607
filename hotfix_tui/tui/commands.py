"""The command palette: every action of the incident screen (from the action registry), and
sharing the live board."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from hotfix_tui.tui.actions import PALETTE
from hotfix_tui.tui.screens.main import MainScreen
from hotfix_tui.tui.services.board import HELP, TITLE, start_board


class HotfixCommands(Provider):
    """Every action of the incident screen under the palette, with its keys after the keymap."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        main = self.screen
        if not isinstance(main, MainScreen):
            return []
        out = []
        keys = main.keys_for()
        for action, title, help_ in PALETTE:
            k = keys.get(action, "")
            label = f"{title}  ({k})" if k else title
            run: Callable[[], Any] = partial(main.run_action, action)
            out.append((label, help_, run))
        return out

    async def discover(self) -> Hits:
        for label, help_, cb in self._commands():
            yield DiscoveryHit(label, cb, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_, cb in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), cb, help=help_)


class ShareBoardCommands(Provider):
    """The palette entry that starts the live web board and shows its address."""

    def _run(self) -> None:
        start_board(self.app)

    async def discover(self) -> Hits:
        yield DiscoveryHit(TITLE, self._run, help=HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(TITLE)
        if score > 0:
            yield Hit(score, matcher.highlight(TITLE), self._run, help=HELP)
