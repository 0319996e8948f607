"""`hotfix-tui watch` as a running process the test steps tick by tick: `cli_watch.watch_loop` in
a thread whose injected sleep waits for the test (the test moves the shared FakeClock)."""

from __future__ import annotations

import io
import threading

from hotfix_tui import cli_watch
from hotfix_tui.core.config.settings import Settings


class Stopped(Exception):
    """Raised inside the loop's sleep to end it (as a SIGINT would)."""


class SteppedWatch:
    """A watch loop on its own `Incident` object; it runs its first tick on `start()`."""

    def __init__(self, inc, clock, settings: Settings | None = None, **kw) -> None:
        self.inc, self.clock = inc, clock
        self.settings = settings or Settings(alert_bell=False, alert_desktop=False)
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        self._go = threading.Semaphore(0)
        self._ticked = threading.Semaphore(0)
        self._stop = False
        self._thread = threading.Thread(target=self._run, kwargs=kw, daemon=True)

    def _sleep(self, seconds: float) -> None:
        self._ticked.release()
        self._go.acquire()
        if self._stop:
            raise Stopped

    def _run(self, **kw) -> None:
        try:
            self.code = cli_watch.watch_loop(
                self.inc, self.settings, out=self.out, err=self.err, clock=self.clock,
                sleep=self._sleep, **kw,
            )
        except Stopped:
            pass
        finally:
            self._ticked.release()

    def start(self) -> SteppedWatch:
        self._thread.start()
        assert self._ticked.acquire(timeout=60), "the first tick did not end"
        return self

    def step(self) -> None:
        """One more tick at the clock's time now."""
        self._go.release()
        assert self._ticked.acquire(timeout=60), "the tick did not end"

    def stop(self) -> None:
        """End the loop (its alert commands are waited for) and the thread."""
        self._stop = True
        self._go.release()
        self._thread.join(60)
        assert not self._thread.is_alive()

    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()
