"""The incident folder watched for changes made outside the app (an editor, `git pull`, the CLI).

watchfiles (inotify, FSEvents, ReadDirectoryChanges) in a thread worker of the screen, started
once the first frame is out; where the OS refuses a watch (e.g. the inotify limit) a 0.5 s poll
takes over. Either way the screen gets `FilesChanged` and re-reads what changed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual.message import Message
from textual.widget import Widget

POLL_SECONDS = 0.5  # the fallback poll's period
DEBOUNCE_MS = 100  # changes within this window arrive as one message (an editor's save)


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
        self.polling = False

    def start(self) -> None:
        """Watch in a thread worker of the owner (call it after the first frame)."""
        self.owner.run_worker(self._watch, name="file-watch", group="file-watch", thread=True,
                              exit_on_error=False)

    def stop(self) -> None:
        """End the watch (its thread returns within a few tens of milliseconds)."""
        self._stop.set()

    def start_polling(self) -> None:
        """The fallback: the owner checks the files every POLL_SECONDS."""
        if not self.polling:
            self.polling = True
            self.owner.set_interval(POLL_SECONDS, lambda: self.owner.post_message(FilesChanged()))

    def _watch(self) -> None:
        try:
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
