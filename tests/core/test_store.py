"""Tests for the atomic file store: fidelity, failures, locking, merging and crash safety."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import random
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from hotfix_tui.core import locking, store
from hotfix_tui.core.markdown.tasks_md import ConflictError, parse_tasks, set_done
from hotfix_tui.core.store import (
    FileLock,
    StoreError,
    atomic_write,
    lock_path,
    read_text,
    update_file,
)

RELIABILITY = Path(__file__).resolve().parents[1] / ".reliability"
CRASH_TRIALS = 250


def tasks_doc(n: int, pad: str = "") -> str:
    lines = ["# Tasks: Hotfix - Store test\n", "\n", "## Phase 1: All (NOW)\n", "\n"]
    for i in range(1, n + 1):
        lines.append(f"- [ ] **T{i:04d}** Task number {i} {pad}\n  - a step\n")
    return "".join(lines)


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- fidelity ---------------------------------------------------------------------------------


def test_round_trip_bytes_kept(tmp_path: Path) -> None:
    f = tmp_path / "tasks.md"
    for text in [
        "a\r\nb\r\n",
        "\ufeff# BOM\nx",
        "no final newline",
        "mixed\r\nendings\rhere\n",
        "",
        "é✅中\n",
    ]:
        loaded = atomic_write(f, text)
        assert f.read_bytes() == text.encode("utf-8")
        again = read_text(f)
        assert again.text == text
        assert again.sha256 == loaded.sha256
        assert again.signature == loaded.signature
        assert again.bom == text.startswith("\ufeff")
        assert again.encoding == ("utf-8-sig" if again.bom else "utf-8")
    assert temp_files(tmp_path) == []


def test_permissions_kept(tmp_path: Path) -> None:
    f = tmp_path / "tasks.md"
    f.write_text("x\n")
    f.chmod(0o640)
    atomic_write(f, "y\n")
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    f.chmod(0o755)
    atomic_write(f, "z\n")
    assert stat.S_IMODE(f.stat().st_mode) == 0o755
    new = tmp_path / "new.md"
    atomic_write(new, "n\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


def test_symlink_written_through(tmp_path: Path) -> None:
    target = tmp_path / "hotfix.md"
    target.write_text("old\n")
    link = tmp_path / "tasks.md"
    link.symlink_to("hotfix.md")
    loaded = atomic_write(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "hotfix.md"
    assert target.read_text() == "new\n"
    assert loaded.path == str(link)
    assert lock_path(link) == tmp_path / ".hotfix.md.lock"
    assert temp_files(tmp_path) == []


def test_read_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "latin1.md"
    bad.write_bytes("# ok\nab\u00e9c\n".encode("latin-1"))
    with pytest.raises(StoreError) as e:
        read_text(bad)
    assert str(e.value) == f"{bad}:2:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    bad.write_bytes("é\r\n✅\rxx".encode() + b"\xff")
    with pytest.raises(StoreError, match=r":3:3: not valid UTF-8 \(byte 0xff\)"):
        read_text(bad)
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(StoreError) as e:
        read_text(binary)
    assert str(e.value).startswith(f"{binary}:1:4: binary file (contains NUL bytes)")
    binary.write_bytes("é\nx\x00".encode())
    with pytest.raises(StoreError, match=r":2:2: binary file"):
        read_text(binary)
    binary.write_bytes("# hi\n".encode("utf-16"))
    with pytest.raises(StoreError, match=r":1:1: the file is UTF-16.*save it as UTF-8"):
        read_text(binary)
    with pytest.raises(StoreError, match="not found"):
        read_text(tmp_path / "missing.md")
    big = tmp_path / "big.md"
    big.write_text("x" * 2000)
    monkeypatch.setattr(store, "MAX_BYTES", 1000)
    with pytest.raises(StoreError, match="too large"):
        read_text(big)


# --- failures leave the original intact -------------------------------------------------------


def test_enospc_leaves_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "tasks.md"
    f.write_text("original\n")
    real_write = os.write
    calls = {"n": 0}

    def full_disk(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 1:  # the first chunk lands, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data)[:10])

    monkeypatch.setattr(store.os, "write", full_disk)
    with pytest.raises(StoreError) as e:
        atomic_write(f, "new content " * 100)
    monkeypatch.undo()
    assert f.read_text() == "original\n"
    assert temp_files(tmp_path) == []
    assert str(f) in str(e.value) and "no space left" in str(e.value)
    assert "not changed" in str(e.value)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_replace_failure_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    # Simulated: os.replace fails as on a read-only mount or a folder without write permission.
    f = tmp_path / "tasks.md"
    f.write_text("original\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store.os, "replace", refuse)
    with pytest.raises(StoreError) as e:
        atomic_write(f, "new\n")
    monkeypatch.undo()
    assert f.read_text() == "original\n"
    assert temp_files(tmp_path) == []
    msg = str(e.value)
    assert str(f) in msg
    assert ("read-only" in msg) if code == errno.EROFS else ("permission denied" in msg)


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_immutable_folder_and_file(tmp_path: Path) -> None:
    # Real failures even as root: the immutable attribute refuses new files and renames.
    folder = tmp_path / "inc"
    folder.mkdir()
    f = folder / "tasks.md"
    f.write_text("original\n")
    if not _chattr("+i", folder):
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(StoreError) as e:
            atomic_write(f, "new\n")
        assert "permission denied" in str(e.value) and str(f) in str(e.value)
    finally:
        _chattr("-i", folder)
    assert f.read_text() == "original\n" and temp_files(folder) == []
    assert _chattr("+i", f)
    try:
        with pytest.raises(StoreError, match="permission denied"):
            atomic_write(f, "new\n")
    finally:
        _chattr("-i", f)
    assert f.read_text() == "original\n" and temp_files(folder) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_folder_as_user(tmp_path: Path) -> None:  # pragma: no cover - non-root only
    f = tmp_path / "tasks.md"
    f.write_text("original\n")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="permission denied"):
            atomic_write(f, "new\n")
    finally:
        tmp_path.chmod(0o755)
    assert f.read_text() == "original\n"


# --- locking and merging ----------------------------------------------------------------------


def test_lock_timeout_message(tmp_path: Path) -> None:
    f = tmp_path / "tasks.md"
    f.write_text("x\n")
    assert lock_path(f) == tmp_path / ".tasks.md.lock"
    holder = locking.FileLock(lock_path(f))  # another writer's hold (its own descriptor)
    with holder, pytest.raises(StoreError) as e, FileLock(f, timeout=0.2):
        pass
    msg = str(e.value)
    assert msg == (
        f"another hotfix-tui is writing {f} (lock {lock_path(f)} held for more than 0.2s); "
        "try again, or delete the lock file if no other hotfix-tui is running"
    )
    with FileLock(f, timeout=0.2):  # free again
        pass


def test_lock_timeout_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "tasks.md"
    f.write_text("x\n")
    assert FileLock(f).timeout == store.LOCK_TIMEOUT
    monkeypatch.setenv(store.LOCK_TIMEOUT_ENV, "0.3")
    assert FileLock(f).timeout == 0.3
    for junk in ("soon", "-1", ""):
        monkeypatch.setenv(store.LOCK_TIMEOUT_ENV, junk)
        assert FileLock(f).timeout == store.LOCK_TIMEOUT
    assert FileLock(f, timeout=1.5).timeout == 1.5


def test_ensure_inside(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "specs" / "inc").mkdir(parents=True)
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x\n")
    target = root / "specs" / "inc" / "hotfix.md"
    target.write_text("y\n")
    link_in = root / "specs" / "inc" / "tasks.md"
    link_in.symlink_to("hotfix.md")
    assert store.ensure_inside(root, link_in) == target.resolve()
    assert store.ensure_inside(root, root / "specs" / "new.md") == (root / "specs" / "new.md")
    link_out = root / "specs" / "out.md"
    link_out.symlink_to(outside)
    with pytest.raises(StoreError) as e:
        store.ensure_inside(root, link_out)
    assert str(e.value).startswith(f"{link_out} (a symlink) resolves to {outside}, outside {root}")
    for bad in (root / ".." / "x.md", Path("/etc/passwd")):
        with pytest.raises(StoreError, match="outside the repository"):
            store.ensure_inside(root, bad)


def test_update_file_merges_and_conflicts(tmp_path: Path) -> None:
    f = tmp_path / "tasks.md"
    atomic_write(f, tasks_doc(5))
    mine = read_text(f)
    # someone else checks T0002 off meanwhile
    other = set_done(parse_tasks(mine.text), "T0002", True)
    atomic_write(f, other)

    def done(key: str):
        return lambda text: set_done(parse_tasks(text), key, True)

    loaded, merged = update_file(f, mine, done("T0004"))
    assert merged
    doc = parse_tasks(f.read_text())
    assert [t.done for t in doc.tasks] == [False, True, False, True, False]
    assert loaded.text == f.read_text() and loaded.sha256 == read_text(f).sha256
    # nothing changes: nothing written
    before = f.stat()
    again, merged2 = update_file(f, loaded, done("T0004"))
    assert not merged2 and again.text == loaded.text
    assert (f.stat().st_ino, f.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    # the task is gone: ConflictError propagates and nothing is written
    def gone(text: str) -> str:
        return set_done(parse_tasks(text), "T0099", True)

    with pytest.raises(ConflictError):
        update_file(f, loaded, gone)
    assert f.read_text() == loaded.text
    # no last: plain read-apply-write
    _, merged3 = update_file(f, None, done("T0001"))
    assert not merged3 and parse_tasks(f.read_text()).tasks[0].done


def test_update_file_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "tasks.md"
    f.write_text(tasks_doc(3))
    old = time.time() - 3600
    os.utime(f, (old, old))
    last = read_text(f)

    def no_read(path: object) -> store.Loaded:
        raise AssertionError("fast path should not re-read")

    monkeypatch.setattr(store, "read_text", no_read)
    loaded, merged = update_file(f, last, lambda t: t.replace("T0001", "T0009"))
    assert not merged and "T0009" in f.read_text()
    # a fresh write is "racy": its signature is not trusted, the file is re-read
    monkeypatch.undo()
    calls = []
    real = store.read_text
    monkeypatch.setattr(store, "read_text", lambda p: calls.append(p) or real(p))
    update_file(f, loaded, lambda t: t)
    assert calls


def _worker(path: str, keys: list[str], barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    last = None
    for key in keys:
        last, _ = update_file(path, last, lambda t, k=key: set_done(parse_tasks(t), k, True))


def test_concurrent_writers_all_land(tmp_path: Path) -> None:
    f = tmp_path / "tasks.md"
    atomic_write(f, tasks_doc(100))
    keys = [f"T{i:04d}" for i in range(1, 101)]
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_worker, args=(str(f), keys[0::2], barrier)),
        ctx.Process(target=_worker, args=(str(f), keys[1::2], barrier)),
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    doc = parse_tasks(f.read_text())
    assert len(doc.tasks) == 100 and all(t.done for t in doc.tasks)
    assert temp_files(tmp_path) == []


# --- crash safety -----------------------------------------------------------------------------


def _writer_child(path: str, versions: tuple[str, str], ready_fd: int) -> None:
    """Loop atomic writes of alternating versions until killed (runs in a forked child)."""
    try:
        os.write(ready_fd, b"r")
        i = 0
        while True:
            atomic_write(path, versions[i % 2])
            i += 1
    finally:
        os._exit(1)


@pytest.mark.timeout(120)
def test_crash_safety_sigkill(tmp_path: Path) -> None:
    trials = CRASH_TRIALS
    f = tmp_path / "tasks.md"
    a = tasks_doc(1800, "alpha " * 16)
    b = set_done(parse_tasks(tasks_doc(1900, "beta " * 16)), "T0007", True)
    assert len(a.encode()) > 200_000 and len(b.encode()) > 200_000
    atomic_write(f, a)
    seen = {"old": 0, "new": 0}
    stray = 0
    rng = random.Random(1234)
    start = time.monotonic()
    for _ in range(trials):
        before = f.read_text()
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(r)
            _writer_child(str(f), (b, a) if before == a else (a, b), w)
        os.close(w)
        assert os.read(r, 1) == b"r"
        os.close(r)
        time.sleep(rng.uniform(0, 0.02))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert not f.is_symlink() and f.is_file()
        data = f.read_bytes()
        assert data in (a.encode(), b.encode()), "file torn by a crash"
        seen["old" if data == before.encode() else "new"] += 1
        assert len(parse_tasks(data.decode()).tasks) in (1800, 1900)
        leftovers = temp_files(tmp_path)
        assert all(x.startswith(".tasks.md.") for x in leftovers)
        stray += len(leftovers)
        for x in leftovers:  # a killed writer leaves its temp file; the target is never one
            (tmp_path / x).unlink()
    elapsed = time.monotonic() - start
    RELIABILITY.mkdir(parents=True, exist_ok=True)
    report = {
        "crash_trials": trials,
        "crash_failures": 0,
        "crash_seconds": round(elapsed, 1),
        "crash_file_bytes": len(b.encode()),
        "crash_kept_old": seen["old"],
        "crash_saw_new": seen["new"],
        "crash_stray_temp_files": stray,
    }
    (RELIABILITY / "crash.json").write_text(json.dumps(report, indent=2) + "\n")
    assert seen["old"] + seen["new"] == trials
