"""The change feed: one asyncio task polls the incidents' files and the refs, hands fresh JSON to
streams, and runs the read-only background fetch; git work runs in threads, never on a request.

A subscriber holds only the newest payload, so a slow client skips states and never holds anyone up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from .data import Board

POLL_S = 0.5
log = logging.getLogger(__name__)


class Subscriber:
    """One open event stream: the newest payload not yet sent and a flag that wakes it."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.pending: str | None = None
        self.wake = asyncio.Event()

    def offer(self, payload: str) -> None:
        self.pending = payload  # replaces an unsent older state: latest wins
        self.wake.set()

    def take(self) -> str | None:
        payload, self.pending = self.pending, None
        self.wake.clear()
        return payload


class Hub:
    """Every open stream by incident key, and the polling task that feeds them."""

    def __init__(self, board: Board, poll_s: float = POLL_S) -> None:
        self.board = board
        self.poll_s = poll_s
        self.subs: dict[str, set[Subscriber]] = {}
        self.closing = False
        self._task: asyncio.Task[None] | None = None
        self._sig: object = None
        self._cache: dict[str, tuple[tuple, str]] = {}
        self._fetch: asyncio.Task[bool] | None = None
        self._next_fetch = 0.0
        self.polls = 0

    @property
    def count(self) -> int:
        return sum(len(s) for s in self.subs.values())

    def payload(self, key: str) -> str | None:
        """The board JSON of an incident (key "": the landing page's tiles) as one line of text,
        or None if the key is unknown.

        Kept for the rest of the second while the files are unchanged (many viewers joining);
        its `now_ms` is the server's time when it is sent, never the cached one.
        """
        stamp = (key, self.board.signature(), int(time.time()))
        hit = self._cache.get(key)
        if hit is None or hit[0] != stamp:
            data = self.board.overview_json() if key == "" else self.board.board_json(key)
            if data is None:
                return None
            data.pop("now_ms", None)
            hit = (stamp, json.dumps(data, ensure_ascii=False))
            self._cache[key] = hit  # known incidents only: the cache stays small
        return f'{{"now_ms": {self.board.server_ms()}, {hit[1][1:]}'

    async def load_copies(self, keys: list[str]) -> None:
        """Load, in a thread, the other branches' copies these pages show that are not loaded
        yet (their git reads never run on the event loop)."""
        for key in keys:
            e = self.board.unloaded_copy(key)
            if e is not None:
                await asyncio.to_thread(self.board.load_copy, e)

    def subscribe(self, key: str) -> Subscriber:
        sub = Subscriber(key)
        self.subs.setdefault(key, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        group = self.subs.get(sub.key)
        if group is not None:
            group.discard(sub)
            if not group:
                del self.subs[sub.key]

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop polling and wake every stream so that it ends."""
        self.closing = True
        for group in list(self.subs.values()):
            for sub in list(group):
                sub.wake.set()
        if self._fetch is not None:
            self._fetch.cancel()  # the git process in its thread finishes on its own
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while not self.closing:
            try:
                self._maybe_fetch()
                if self.board.refs_changed():  # a commit, a checkout or a fetch moved a branch
                    await asyncio.to_thread(self.board.reload_catalog)
                self.board.pinned = set(self.subs)  # the pages open now stay loaded
                await self.load_copies(list(self.subs))
                self.check()
            except Exception:  # a bad poll must not end the feed; the next one tries again
                log.exception("checking the incident files failed")
            self.polls += 1
            await asyncio.sleep(self.poll_s)

    def _maybe_fetch(self) -> None:
        """Start the read-only fetch in a thread every `fetch_interval` seconds (0: never)."""
        interval = self.board.fetch_interval
        if interval <= 0 or (self._fetch is not None and not self._fetch.done()):
            return
        now = time.monotonic()
        if now >= self._next_fetch:
            self._next_fetch = now + interval
            self._fetch = asyncio.get_running_loop().create_task(
                asyncio.to_thread(self.board.fetch_if_due)
            )

    def check(self) -> None:
        """One poll: when an incident file or the list changed, send fresh JSON to every stream."""
        sig = self.board.signature()
        if sig == self._sig:
            return
        self.board.entries()  # the list may have changed too
        self._sig = self.board.signature()
        for key in list(self.subs):
            payload = self.payload(key)
            if payload is None:
                continue
            for sub in list(self.subs.get(key, ())):
                sub.offer(payload)


def sse(event: str, data: Any) -> bytes:
    """One server-sent event; `data` is text on one line (JSON has no raw newlines)."""
    text = data if isinstance(data, str) else json.dumps(data)
    return f"event: {event}\ndata: {text}\n\n".encode()
