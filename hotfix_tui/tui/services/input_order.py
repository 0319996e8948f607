"""Keys and pastes routed one at a time, each once the one before has fully taken effect.

Textual forwards a key to the widget focused when the key is read, and handles it later in that
widget's queue: a Tab's focus move, or the dialog a key opens, comes after the keys typed right
behind it were already sent to the old widget. The app hands every key and paste to `InputOrder`:
while one is in flight the next wait, and each is routed only once every queue of the screen
is empty (the focus moved, the dialog mounted), so a burst lands where it was aimed."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App

GIVE_UP_SECONDS = 1.0  # a screen never quiet this long: route the next key anyway (never lose it)
POLL_SECONDS = 0.002  # the wait between checks once a few immediate checks found work left


class InputOrder:
    """Holds keys and pastes while an earlier one is still being handled; replays them in order."""

    def __init__(self, app: App[Any], route: Callable[[events.Event], Awaitable[None]]) -> None:
        self.app, self.route = app, route
        self.held: deque[events.Event] = deque()
        self.busy = False
        self._since = 0.0
        self._checks = 0

    async def take(self, event: events.Event) -> None:
        """Route `event` now, or after the ones before it (called by the app's `on_event`)."""
        if self.busy:
            self.held.append(event)
            return
        await self._route(event)

    async def _route(self, event: events.Event) -> None:
        self.busy = True
        self._since, self._checks = time.monotonic(), 0
        try:
            await self.route(event)
        finally:
            self.app.call_later(self._settle)

    def _quiet(self) -> bool:
        app = self.app
        if not app._message_queue.empty():
            return False
        try:
            nodes = list(app.screen.walk_children(with_self=True))
        except Exception:  # noqa: BLE001 - no screen (closing): nothing to wait for
            return True
        return all(n._message_queue.empty() for n in nodes)

    async def _settle(self) -> None:
        """Route the next held event once the screen is quiet, else check again soon."""
        if not self._quiet() and time.monotonic() - self._since < GIVE_UP_SECONDS:
            self._checks += 1
            if self._checks < 20:
                self.app.call_later(self._settle)
            else:
                self.app.set_timer(POLL_SECONDS, self._settle)
            return
        if self.held:
            await self._route(self.held.popleft())
        else:
            self.busy = False
