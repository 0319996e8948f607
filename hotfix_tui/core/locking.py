"""A lock file held with the OS's own lock (fcntl.flock on POSIX, msvcrt.locking on Windows).

Re-entrant within a thread, exclusive between threads and processes; waits up to a timeout.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from _thread import get_ident  # documented low-level API: `threading` costs ~1 ms to import
from types import TracebackType

POLL_S = 0.05  # how often a held lock is tried again while waiting


class LockTimeout(TimeoutError):
    """The lock was held by another thread or process for longer than the timeout."""

    def __init__(self, lock_file: str, timeout: float) -> None:
        super().__init__(f"{lock_file} held for more than {timeout:g}s")
        self.lock_file = lock_file
        self.timeout = timeout


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):  # held by another handle
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """An exclusive lock on `lock_file` (created when missing, never deleted).

    `timeout` is the seconds `acquire` waits (negative: forever); raises LockTimeout after it.
    """

    def __init__(self, lock_file: str | os.PathLike[str], timeout: float = -1) -> None:
        self.lock_file = os.fspath(lock_file)
        self.timeout = timeout
        self._held: dict[int, tuple[int, int]] = {}  # thread id: (descriptor, depth)

    @property
    def is_locked(self) -> bool:
        """Whether the calling thread holds the lock."""
        return get_ident() in self._held

    def acquire(self, timeout: float | None = None) -> FileLock:
        """Take the lock (again, in the thread that holds it); OSError when the file cannot be
        opened, LockTimeout when another holder keeps it past `timeout` (default: the lock's)."""
        me = get_ident()
        held = self._held.get(me)
        if held is not None:
            self._held[me] = (held[0], held[1] + 1)
            return self
        wait = self.timeout if timeout is None else timeout
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                left = deadline - time.monotonic()
                if wait >= 0 and left <= 0:
                    raise LockTimeout(self.lock_file, wait)
                time.sleep(POLL_S if wait < 0 else min(POLL_S, left))
        except BaseException:
            os.close(fd)
            raise
        self._held[me] = (fd, 1)
        return self

    def release(self) -> None:
        """Give back one `acquire` of this thread; the last one unlocks (a no-op when not held)."""
        me = get_ident()
        held = self._held.get(me)
        if held is None:
            return
        fd, depth = held
        if depth > 1:
            self._held[me] = (fd, depth - 1)
        else:
            del self._held[me]
            try:
                _unlock(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
