"""Benchmark probe: report the first fully rendered, interactive frame (no effect unless asked).

With `HOTFIX_TUI_BENCH_READY=PATH` in the environment, the app, once mounted and idle and after
its next refresh, writes the wall-clock time (`time.time()`, seconds) to PATH and exits; with
`HOTFIX_TUI_BENCH_STAY=1` as well it keeps running (for idle CPU and memory measurements).
Used by `tests/benchmarks/run.py` for `hotfix-tui open` and for its bare-Textual floor app.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

READY_ENV = "HOTFIX_TUI_BENCH_READY"
STAY_ENV = "HOTFIX_TUI_BENCH_STAY"


def auto_pilot() -> Callable[[Any], Coroutine[Any, Any, None]] | None:
    """An `App.run(auto_pilot=...)` coroutine when the probe is asked for, else None."""
    path = os.environ.get(READY_ENV)
    if not path:
        return None
    stay = os.environ.get(STAY_ENV) == "1"

    async def probe(pilot: Any) -> None:
        import asyncio

        app = pilot.app
        await pilot.pause()  # the screen and its children processed their pending messages
        done = asyncio.get_running_loop().create_future()
        def finish() -> None:
            if not done.done():
                done.set_result(None)

        app.screen.call_after_refresh(finish)
        await done  # ... and the frame after that was rendered
        stamp = time.time()
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"{stamp:.6f}\n")
        if not stay:
            app.exit()

    return probe
