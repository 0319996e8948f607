"""Keys and pastes routed one at a time, each once the one before has fully taken effect.

Textual forwards a key to the widget focused when the key is read, and handles it later in that
widget's queue: a Tab's focus move, or the dialog a key opens, comes after the keys typed right
behind it were already sent to the old widget. The app hands every key and paste to `InputOrder`:
while one is in flight the next wait, and each is routed only once every queue of the screen
is empty (the focus moved, the dialog mounted), so a burst lands where it was aimed."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen

GIVE_UP_SECONDS = 1.0  # a screen never quiet this long: route the next key anyway (never lose it)
CALM_TURNS = 3  # quiet checks in a row (a turn of the event loop apart) before the next key
POLL_SECONDS = 0.002  # the wait between checks once many quick checks found work left


class InputOrder:
    """Holds keys and pastes while an earlier one is still being handled; replays them in order."""

    def __init__(self, app: App[Any], route: Callable[[events.Event], Awaitable[None]]) -> None:
        self.app, self.route = app, route
        self.held: deque[events.Event] = deque()
        self.busy = False
        self._since = 0.0
        self._checks = 0
        self._calm = 0  # consecutive quiet checks
        self._screen: object = None  # the screen when the last event was routed

    async def take(self, event: events.Event) -> None:
        """Route `event` now, or after the ones before it (called by the app's `on_event`)."""
        if self.busy:
            self.held.append(event)
            return
        await self._route(event)

    async def _route(self, event: events.Event) -> None:
        self.busy = True
        self._screen = self._current()
        self._since, self._checks, self._calm = time.monotonic(), 0, 0
        try:
            await self.route(event)
        finally:
            self.app.call_later(self._settle)

    def _current(self) -> Screen[Any] | None:
        try:
            return self.app.screen
        except Exception:  # noqa: BLE001 - no screen (closing)
            return None

    def _quiet(self) -> bool:
        """Nothing left to handle: every queue of the app and its screen is empty, and a screen
        the last event opened is mounted with its focus given (its keys go to that widget)."""
        app, screen = self.app, self._current()
        if screen is None:
            return True
        if screen is not self._screen and (
            not screen.is_mounted or (screen.focused is None and screen.focus_chain)
        ):
            return False
        nodes: list[Any] = [app, *screen.walk_children(with_self=True)]
        if isinstance(self._screen, Screen) and self._screen is not screen:
            nodes.append(self._screen)  # a dismissed dialog's result callback, still to run
        return all(n._message_queue.empty() and not n._next_callbacks for n in nodes)

    async def _settle(self) -> None:
        """Route the next held event once the screen is quiet, else check again soon."""
        # quiet for a few turns of the event loop: a widget amid a message shows no queue
        self._calm = self._calm + 1 if self._quiet() else 0
        if self._calm < CALM_TURNS and time.monotonic() - self._since < GIVE_UP_SECONDS:
            self._checks += 1
            if self._checks < 50:  # after a turn of the event loop: the other queues run first
                asyncio.get_running_loop().call_soon(self.app.call_later, self._settle)
            else:
                self.app.set_timer(POLL_SECONDS, self._settle)
            return
        if self.held:
            await self._route(self.held.popleft())
        else:
            self.busy = False
