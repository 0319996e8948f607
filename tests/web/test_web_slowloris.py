"""1 100 slow connections against a real `hotfix-tui serve` limited to 1 024 open files.

Each sends a byte every 2 s and comes back when dropped, as an attacker would; meanwhile a real
request must be answered without waiting for a slot (a server that only times readers out makes it
wait up to the 5 s read deadline) and the server's log stay short (no tracebacks).
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time

SLOW = 1100
SOURCES = [f"127.0.0.{i}" for i in range(2, 7)]  # 220 each: under the cap per address
ATTACK_S = 14.0  # longer than one summary interval (10 s)
REQUEST = b"GET /api/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


async def slow_client(port: int, source: str, stop: asyncio.Event, seen: dict[str, int]) -> None:
    """Keep one connection sending a byte every 2 s; reconnect when the server drops it."""
    line = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 3
            )
        except (OSError, TimeoutError):
            await asyncio.sleep(0.5)
            continue
        seen["opened"] += 1
        try:
            for byte in line:
                if stop.is_set():
                    break
                writer.write(bytes([byte]))
                try:
                    if await asyncio.wait_for(reader.read(1), 2.0) == b"":
                        break  # dropped by the server
                except TimeoutError:
                    continue
        except OSError:
            pass
        finally:
            writer.transport.abort()
        seen["dropped"] += 1
        await asyncio.sleep(0.5)


async def real_request(port: int) -> tuple[float, bytes]:
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(REQUEST)
    answer = await reader.read()
    writer.close()
    return time.monotonic() - start, answer


async def attack(port: int) -> tuple[list[float], list[bytes], dict[str, int]]:
    stop = asyncio.Event()
    seen = {"opened": 0, "dropped": 0}
    slow = [
        asyncio.create_task(slow_client(port, SOURCES[i % len(SOURCES)], stop, seen))
        for i in range(SLOW)
    ]
    await asyncio.sleep(3)  # every slow connection open (or queued) by now
    times, answers = [], []
    end = time.monotonic() + ATTACK_S - 3
    while time.monotonic() < end:
        took, answer = await asyncio.wait_for(real_request(port), 10)
        times.append(took)
        answers.append(answer)
        await asyncio.sleep(0.5)
    stop.set()
    for t in slow:
        t.cancel()
    await asyncio.gather(*slow, return_exceptions=True)
    return times, answers, seen


def test_slow_connections_leave_a_real_request_answered_and_the_log_short(incident_repo, tmp_path):
    root, _ = incident_repo
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < SLOW + 200:
        import pytest

        pytest.skip(f"this test needs {SLOW + 200} open files in the test process (hard {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, SLOW + 200), hard))
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotfix_tui.cli", "serve", "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            preexec_fn=limit_open_files,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            m = re.match(r"Live board: http://127\.0\.0\.1:(\d+)/", first)
            assert m, first + log.read_text()
            times, answers, seen = asyncio.run(attack(int(m.group(1))))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    text = log.read_text(errors="replace")
    lines = text.splitlines()
    print(f"slow connections opened {seen['opened']}, dropped {seen['dropped']}")
    print(f"real requests: {len(times)}, slowest {max(times):.3f} s; log: {len(lines)} lines")
    print("\n".join(lines[:5]))
    assert seen["opened"] >= SLOW
    assert all(a.startswith(b"HTTP/1.1 200") for a in answers), answers[0][:200]
    # The bound is the property, not a speed: dropping the oldest reader at the cap serves a real
    # request at once, while waiting for a slot would take up to the 5 s read deadline. The client's
    # own 1 100 coroutines share this 2-core machine, so one request may take a second.
    assert len(times) >= 10, times
    assert statistics.median(times) < 0.5 and max(times) < 2.5, times
    assert len(lines) < 100 and "Traceback" not in text, text[:2000]
    assert any("dropped" in line or "timed out" in line for line in lines), text
