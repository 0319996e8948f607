"""Atomic, faithful, concurrent-safe text file I/O: read, write via temp file + rename, lock, merge.

Text is written exactly as given (line endings, BOM, final newline are the caller's).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import filelock

__all__ = [
    "MAX_BYTES",
    "ConflictError",
    "FileLock",
    "Loaded",
    "StoreError",
    "atomic_write",
    "lock_path",
    "read_text",
    "update_file",
]

MAX_BYTES = 50 * 1024 * 1024
LOCK_TIMEOUT = 5.0
# A stat signature is trusted only for files last modified this long before they were read:
# coarse file-system clocks and reused inode numbers can hide a same-size rewrite otherwise.
_RACY_NS = 2_000_000_000

try:
    from hotfix_tui.core.tasks_md import ConflictError
except ImportError:  # pragma: no cover - tasks_md is part of the package

    class ConflictError(Exception):  # type: ignore[no-redef]
        """An edit cannot be applied to the current text."""


class StoreError(Exception):
    """A file could not be read or written; the message says which file and what to do."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """File content as read or written, with its hash and stat signature."""

    path: str
    text: str
    sha256: str
    signature: tuple[int, int, int]  # (st_mtime_ns, st_size, st_ino)
    encoding: str = "utf-8"  # "utf-8-sig" when the text starts with a BOM (kept in `text`)
    checked_ns: int = 0  # wall clock (ns) when the signature was taken

    @property
    def bom(self) -> bool:
        return self.text.startswith("\ufeff")

    @property
    def hash(self) -> str:
        """Alias of `sha256`."""
        return self.sha256

    @property
    def sig(self) -> tuple[int, int, int]:
        """Alias of `signature`."""
        return self.signature


def _signature(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _decode_error(path: str, data: bytes, exc: UnicodeDecodeError) -> StoreError:
    bad = exc.start
    prefix = data[:bad]
    line_breaks = list(re.finditer(rb"\r\n|\r|\n", prefix))
    line = len(line_breaks) + 1
    line_start = line_breaks[-1].end() if line_breaks else 0
    col = len(prefix[line_start:].decode("utf-8", errors="replace")) + 1
    return StoreError(
        f"{path}:{line}:{col}: not valid UTF-8 (byte 0x{data[bad]:02x}); save the file as UTF-8"
    )


def _loaded(path: str, data: bytes, text: str, st: os.stat_result) -> Loaded:
    return Loaded(
        path=path,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        signature=_signature(st),
        encoding="utf-8-sig" if text.startswith("\ufeff") else "utf-8",
        checked_ns=time.time_ns(),
    )


def read_text(path: str | os.PathLike[str]) -> Loaded:
    """Read a UTF-8 text file (a BOM stays in the text as U+FEFF)."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_size > MAX_BYTES:
                raise StoreError(
                    f"{p}: file is too large ({st.st_size // (1024 * 1024)} MB, limit "
                    f"{MAX_BYTES // (1024 * 1024)} MB); is this the right file?"
                )
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise StoreError(f"{p}: file not found") from exc
    except IsADirectoryError as exc:
        raise StoreError(f"{p}: is a folder, not a file") from exc
    except PermissionError as exc:
        raise StoreError(f"{p}: permission denied; check the file's permissions") from exc
    except OSError as exc:
        raise StoreError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise StoreError(f"{p}: file is too large (over 50 MB); is this the right file?")
    if b"\0" in data:
        raise StoreError(f"{p}: binary file (contains NUL bytes); expected a markdown text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _decode_error(p, data, exc) from exc
    return _loaded(p, data, text, st)


def _write_error(path: str, exc: OSError) -> StoreError:
    folder = os.path.dirname(path) or "."
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        what = "no space left on the device; free some space and try again"
    elif code == errno.EROFS:
        what = (
            f"the file system holding {folder} is read-only; remount it writable or work on a copy"
        )
    elif code in (errno.EACCES, errno.EPERM):
        what = f"permission denied; make {folder} and the file writable for your user"
    else:
        what = f"{exc.strerror or exc}"
    return StoreError(f"could not write {path}: {what} (the file was not changed)")


def atomic_write(path: str | os.PathLike[str], text: str) -> Loaded:
    """Replace the file's content atomically (temp file, fsync, rename, fsync of the folder)."""
    real = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(real)
    data = text.encode("utf-8")
    try:
        st_old: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st_old = None
    except OSError as exc:
        raise _write_error(real, exc) from exc
    tmp: str | None = None
    fd = -1
    try:
        fd, tmp = tempfile.mkstemp(dir=folder or ".", prefix="." + name + ".", suffix=".tmp")
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
        if st_old is not None:
            os.fchmod(fd, st_old.st_mode & 0o7777)
            if (st_old.st_uid, st_old.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):
                    os.fchown(fd, st_old.st_uid, st_old.st_gid)
        else:
            os.fchmod(fd, 0o644)
        st_new = os.fstat(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise _write_error(real, exc) from exc
    _fsync_dir(folder or ".")
    return _loaded(os.fspath(path), data, text, st_new)


def _fsync_dir(folder: str) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(dfd)


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file used for `path`: `.<name>.lock` next to the real (symlink-resolved) file."""
    real = Path(os.path.realpath(os.fspath(path)))
    return real.with_name("." + real.name + ".lock")


class FileLock:
    """Cross-process lock for one file; raises StoreError after `timeout` seconds."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT) -> None:
        self.path = os.fspath(path)
        self.lock_file = lock_path(path)
        self.timeout = timeout
        self._lock = filelock.FileLock(str(self.lock_file), timeout=timeout)

    def __enter__(self) -> FileLock:
        try:
            self._lock.acquire()
        except filelock.Timeout as exc:
            raise StoreError(
                f"another hotfix-tui is writing {self.path} (lock {self.lock_file} held); try again"
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"cannot create the lock file {self.lock_file}: {exc.strerror or exc}; "
                f"make {self.lock_file.parent} writable"
            ) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lock.release()


def unchanged(path: str | os.PathLike[str], last: Loaded) -> bool:
    """True when the stat signature proves the file is still `last` (racy-git rule)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    sig = _signature(st)
    return sig == last.signature and last.checked_ns - sig[0] > _RACY_NS


def update_file(
    path: str | os.PathLike[str], last: Loaded | None, apply: Callable[[str], str]
) -> tuple[Loaded, bool]:
    """Under the lock, apply `apply` to the current text and write it if it changed.

    Returns the new state and whether the file had changed since `last` (then `apply` ran on
    the newer text); a ConflictError from `apply` propagates and nothing is written.
    """
    p = os.fspath(path)
    with FileLock(p):
        current = last if last is not None and unchanged(p, last) else read_text(p)
        merged = last is not None and current.sha256 != last.sha256
        new_text = apply(current.text)
        if new_text == current.text:
            return current, merged
        return atomic_write(p, new_text), merged
