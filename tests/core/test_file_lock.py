"""The lock every writer takes: re-entrant in its thread, exclusive between threads and processes,
bounded by a timeout, and light (no logging, no OpenSSL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hotfix_tui.core.locking import FileLock, LockTimeout

HOLD = """
import sys
from hotfix_tui.core.locking import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_the_holding_thread_takes_the_lock_again(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock", timeout=0.1)
    with lock, lock:
        assert lock.is_locked
    assert not lock.is_locked
    with FileLock(tmp_path / "x.lock", timeout=0.1):  # free for another holder once released
        pass


def test_another_thread_waits_and_times_out(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock", timeout=0.1)
    errors: list[BaseException] = []

    def take() -> None:
        try:
            lock.acquire()
            lock.release()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)

    with lock:
        t = threading.Thread(target=take)
        t.start()
        t.join(30)
    assert len(errors) == 1 and isinstance(errors[0], LockTimeout)
    assert errors[0].lock_file == str(tmp_path / "x.lock") and errors[0].timeout == 0.1
    t = threading.Thread(target=take)
    t.start()
    t.join(30)
    assert len(errors) == 1  # released: the other thread has it at once


def test_another_process_holding_it_times_out_until_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(LockTimeout), FileLock(path, timeout=0.2):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    with FileLock(path, timeout=5):
        pass


def test_a_timeout_given_to_acquire_overrides_the_locks(tmp_path: Path) -> None:
    held = FileLock(tmp_path / "x.lock")  # no timeout of its own: would wait forever
    other = FileLock(tmp_path / "x.lock")
    with held, pytest.raises(LockTimeout):
        other.acquire(timeout=0)
    assert other.acquire(timeout=0) is other
    other.release()


def test_a_lock_in_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError) as e, FileLock(tmp_path / "gone" / "x.lock", timeout=0):
        pass
    assert not isinstance(e.value, LockTimeout)


def test_taking_the_lock_imports_neither_logging_nor_openssl(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from hotfix_tui.core.locking import FileLock\n"
        f"with FileLock({str(tmp_path / 'x.lock')!r}, timeout=1):\n"
        "    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'logging', 'ssl', '_ssl', '_hashlib', 'secrets', 'asyncio'})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(out.stdout) == []
