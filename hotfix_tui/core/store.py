"""Atomic, faithful, concurrent-safe text file I/O: read, write via temp file + rename, lock, merge.

Text is written exactly as given (line endings, BOM, final newline are the caller's).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from types import TracebackType

from hotfix_tui.core import locking
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.hashing import sha256

__all__ = [
    "MAX_BYTES",
    "ChangedUnderneath",
    "FileLock",
    "Loaded",
    "StoreError",
    "atomic_write",
    "ensure_inside",
    "lock_path",
    "read_text",
    "update_file",
]

MAX_BYTES = 50 * 1024 * 1024
LOCK_TIMEOUT = 5.0
# Seconds to wait for another process's lock; the environment variable overrides LOCK_TIMEOUT.
LOCK_TIMEOUT_ENV = "HOTFIX_TUI_LOCK_TIMEOUT"
# A stat signature is trusted only for files last modified this long before they were read:
# coarse file-system clocks and reused inode numbers can hide a same-size rewrite otherwise.
_RACY_NS = 2_000_000_000

# the hash of each file as this process last wrote it: a watcher tells its own writes from others'
_WRITTEN_HERE: dict[str, str] = {}


def written_here(path: str | os.PathLike[str], sha: str) -> bool:
    """Whether `sha` is the content this process last wrote to `path` (with `atomic_write`)."""
    return _WRITTEN_HERE.get(os.path.realpath(os.fspath(path))) == sha


class ChangedUnderneath(Exception):
    """The file changed between our read and our replace (a writer that took no lock)."""


class StoreError(Exception):
    """A file could not be read or written; the message says which file and what to do."""


@frozen(slots=True)
class Loaded:
    """File content as read or written, with its stat signature and (on first use) its hash."""

    path: str
    text: str
    signature: tuple[int, int, int]  # (st_mtime_ns, st_size, st_ino)
    encoding: str = "utf-8"  # "utf-8-sig" when the text starts with a BOM (kept in `text`)
    checked_ns: int = 0  # wall clock (ns) when the signature was taken
    _sha256: str = field(default="", repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes (the text encoded back: UTF-8 round-trips exactly); made
        when first asked, so a command that compares nothing never loads OpenSSL (~2 ms)."""
        if not self._sha256:
            object.__setattr__(self, "_sha256", sha256(self.text.encode("utf-8")).hexdigest())
        return self._sha256

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


def _position(data: bytes, bad: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte offset `bad`."""
    prefix = data[:bad]
    line_breaks = list(re.finditer(rb"\r\n|\r|\n", prefix))
    line = len(line_breaks) + 1
    line_start = line_breaks[-1].end() if line_breaks else 0
    col = len(prefix[line_start:].decode("utf-8", errors="replace")) + 1
    return line, col


def _decode_error(path: str, data: bytes, exc: UnicodeDecodeError) -> StoreError:
    bad = exc.start
    line, col = _position(data, bad)
    return StoreError(
        f"{path}:{line}:{col}: not valid UTF-8 (byte 0x{data[bad]:02x}); save the file as UTF-8"
    )


def _binary_error(path: str, data: bytes) -> StoreError:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return StoreError(
            f"{path}:1:1: the file is UTF-16 (binary file for this tool); save it as UTF-8"
        )
    line, col = _position(data, data.index(b"\0"))
    return StoreError(
        f"{path}:{line}:{col}: binary file (contains NUL bytes); expected a markdown text file"
    )


def _loaded(path: str, text: str, st: os.stat_result, digest: str = "") -> Loaded:
    return Loaded(
        path=path,
        text=text,
        signature=_signature(st),
        encoding="utf-8-sig" if text.startswith("\ufeff") else "utf-8",
        checked_ns=time.time_ns(),
        _sha256=digest,
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
        raise _binary_error(p, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _decode_error(p, data, exc) from exc
    return _loaded(p, text, st)


def ensure_inside(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """The real path of `path` (symlinks resolved), refused with StoreError if outside `root`.

    Used for every path the app writes to that comes from file contents or from following a
    symlink: a tasks.md linked to hotfix.md in the same repo is fine, a link to /etc is not.
    """
    real_root = Path(os.path.realpath(os.fspath(root)))
    real = Path(os.path.realpath(os.fspath(path)))
    if real != real_root and real_root not in real.parents:
        shown = os.fspath(path)
        how = " (a symlink)" if os.path.islink(shown) else ""
        raise StoreError(
            f"{shown}{how} resolves to {real}, outside {real_root}; refusing to touch a file "
            "outside the repository (replace the link with the file itself)"
        )
    return real


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


def atomic_write(path: str | os.PathLike[str], text: str, expect: str | None = None) -> Loaded:
    """Replace the file's content atomically (temp file, fsync, rename, fsync of the folder).

    With `expect`, the file is compared with it just before the rename: ChangedUnderneath if not.
    """
    real = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(real)
    data = text.encode("utf-8")
    try:
        st_old: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st_old = None
    except OSError as exc:
        raise _write_error(real, exc) from exc
    import tempfile  # here: reads (`status`) never pay for it and shutil, random, bz2, lzma

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
        if expect is not None and not _still(real, expect):
            os.unlink(tmp)
            tmp = None
            raise ChangedUnderneath(real)
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
    done = _loaded(os.fspath(path), text, st_new, sha256(data).hexdigest())  # (hashed anyway)
    _WRITTEN_HERE[real] = done.sha256
    return done


def _still(path: str, expect: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read() == expect.encode("utf-8")
    except OSError:
        return False


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


def lock_timeout() -> float:
    """LOCK_TIMEOUT, or the seconds in $HOTFIX_TUI_LOCK_TIMEOUT when that is a number >= 0."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else LOCK_TIMEOUT
    except ValueError:
        return LOCK_TIMEOUT
    return value if value >= 0 else LOCK_TIMEOUT


class FileLock:
    """Cross-process lock for one file; raises StoreError after `timeout` seconds."""

    def __init__(self, path: str | os.PathLike[str], timeout: float | None = None) -> None:
        self.path = os.fspath(path)
        self.lock_file = lock_path(path)
        self.timeout = lock_timeout() if timeout is None else timeout
        self._lock = locking.FileLock(self.lock_file, timeout=self.timeout)

    def __enter__(self) -> FileLock:
        try:
            self._lock.acquire()
        except locking.LockTimeout as exc:
            raise StoreError(
                f"another hotfix-tui is writing {self.path} (lock {self.lock_file} held "
                f"for more than {self.timeout:g}s); try again, or delete the lock file if "
                "no other hotfix-tui is running"
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
