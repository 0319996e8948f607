"""The incident folder watched for changes made outside the app (an editor, `git pull`, the CLI).

A thread worker of the screen, started once the first frame is out: on Linux inotify, the thread
asleep in `select` until a change or `stop` (no wake-up while idle); elsewhere watchfiles
(FSEvents, ReadDirectoryChanges). Where the OS refuses a watch (e.g. the inotify limit) a 0.5 s
poll takes over. Either way the screen gets `FilesChanged` and re-reads what changed.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from pathlib import Path

from textual.message import Message
from textual.widget import Widget

POLL_SECONDS = 0.5  # the fallback poll's period
DEBOUNCE_MS = 100  # changes within this window arrive as one message (an editor's save)
# inotify events: a file written, replaced by a rename, created, removed; the folder gone
_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_Q_OVERFLOW, _IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
_IN_MASK = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO
            | _IN_CREATE | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF)


class FilesChanged(Message):
    """A watched file of the incident folder changed on disk."""


class WatchFailed(Message):
    """The OS would not watch the folder; the screen polls instead."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class FolderWatcher:
    """Posts `FilesChanged` to its owner when one of `names` in `folder` changes."""

    def __init__(self, owner: Widget, folder: Path, names: frozenset[str]) -> None:
        self.owner, self.folder, self.names = owner, folder, names
        self._stop = threading.Event()
        self._wake: int | None = None  # the write end of the pipe that wakes the inotify thread
        self._wake_lock = threading.Lock()  # (never written once closed: its number is reused)
        self.polling = False

    def start(self) -> None:
        """Watch in a thread worker of the owner (call it after the first frame)."""
        self.owner.run_worker(self._watch, name="file-watch", group="file-watch", thread=True,
                              exit_on_error=False)

    def stop(self) -> None:
        """End the watch (an inotify thread returns at once, watchfiles' within 50 ms)."""
        self._stop.set()
        with self._wake_lock:
            if self._wake is not None:
                os.write(self._wake, b"x")

    def start_polling(self) -> None:
        """The fallback: the owner checks the files every POLL_SECONDS."""
        if not self.polling:
            self.polling = True
            self.owner.set_interval(POLL_SECONDS, lambda: self.owner.post_message(FilesChanged()))

    def _watch(self) -> None:
        try:
            if sys.platform.startswith("linux") and self._inotify():
                return
            import watchfiles  # loaded in the worker: never on the way to the first frame

            names = self.names
            self.owner.post_message(FilesChanged())  # what changed before the watch began

            def wanted(_change: object, path: str) -> bool:
                return Path(path).name in names

            for _changes in watchfiles.watch(self.folder, watch_filter=wanted,
                                             stop_event=self._stop, debounce=DEBOUNCE_MS,
                                             step=50, recursive=False, raise_interrupt=False):
                self.owner.post_message(FilesChanged())
        except Exception as exc:  # noqa: BLE001 - any refusal of the OS: poll instead
            if not self._stop.is_set():
                self.owner.post_message(WatchFailed(str(exc) or type(exc).__name__))

    def _inotify(self) -> bool:
        """Watch with inotify until `stop`; False when this libc has no inotify (then watchfiles).

        The thread sleeps in `select` on the inotify descriptor and a pipe `stop` writes to."""
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            init, add = libc.inotify_init1, libc.inotify_add_watch
        except (OSError, AttributeError):
            return False
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"inotify: {os.strerror(err)}")
        rd, wr = os.pipe()
        try:
            if add(fd, os.fsencode(self.folder), _IN_MASK) < 0:
                err = ctypes.get_errno()
                raise OSError(err, f"inotify: {os.strerror(err)}")
            self._wake = wr
            self.owner.post_message(FilesChanged())  # what changed before the watch began
            while not self._stop.is_set():
                ready = select.select([fd, rd], [], [])[0]
                if rd in ready:
                    break
                changed, gone = self._read_events(fd)
                # an editor's save is a burst of events: wait until it is over, then tell once
                while not gone and select.select([fd, rd], [], [], DEBOUNCE_MS / 1000)[0]:
                    if self._stop.is_set():
                        break
                    more, gone = self._read_events(fd)
                    changed = changed or more
                if changed and not self._stop.is_set():
                    self.owner.post_message(FilesChanged())
                if gone:  # the folder was removed or moved: nothing left to watch
                    break
        finally:
            with self._wake_lock:
                self._wake = None
                for x in (fd, rd, wr):
                    os.close(x)
        return True

    def _read_events(self, fd: int) -> tuple[bool, bool]:
        """(a watched file changed, the folder itself is gone) from the pending inotify events."""
        changed = gone = False
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return changed, gone
            pos = 0
            while pos + 16 <= len(data):
                mask = int.from_bytes(data[pos + 4 : pos + 8], sys.byteorder)
                size = int.from_bytes(data[pos + 12 : pos + 16], sys.byteorder)
                name = data[pos + 16 : pos + 16 + size].rstrip(b"\0")
                pos += 16 + size
                if mask & _IN_Q_OVERFLOW:
                    changed = True  # events were lost: read everything again
                elif mask & (_IN_DELETE_SELF | _IN_MOVE_SELF | _IN_IGNORED):
                    changed = gone = True
                elif os.fsdecode(name) in self.names:
                    changed = True
