"""The live team view of an incident screen: its branch fetched every `fetch_interval` seconds
in a thread worker, teammates' changes merged in (core/live.py) when no write or dialog is on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from hotfix_tui.core.git.repo import GitError
from hotfix_tui.core.record.incident import IncidentError
from hotfix_tui.core.store import StoreError

if TYPE_CHECKING:
    from hotfix_tui.core.live import Incoming

FLASH_SECONDS = 3.0
GROUP = "live"


class LiveFetched(Message):
    """The background fetch of the incident's branch read what arrived (maybe nothing)."""

    def __init__(self, came: Incoming) -> None:
        super().__init__()
        self.came = came


class LiveView:
    """Fetches the incident's branch in the background and takes teammates' changes in."""

    def __init__(self, owner: Any) -> None:  # the incident screen (screens/main.py)
        self.owner = owner
        self.fetching = False
        self.pending: Incoming | None = None  # arrived while a dialog or a write was on
        self.flashing: set[str] = set()
        self.banner = ""

    def start(self, interval: float) -> None:
        """Poll every `interval` seconds (0: never)."""
        if interval > 0 and self.owner.incident.repo_root is not None:
            self.owner.set_interval(interval, self.poll)

    def poll(self) -> None:
        """The interval's handler: start a fetch unless one runs or a sync does."""
        inc = self.owner.incident
        if self.fetching or inc.repo_root is None or self.owner.git.syncing:
            return
        self.fetching = True
        root, folder, wf = inc.repo_root, inc.folder, inc.workflow

        def job() -> None:
            from hotfix_tui.core.live import Incoming, incoming

            try:
                came = incoming(root, folder, wf)
            except Exception as exc:  # noqa: BLE001 - a failed fetch is retried next time
                came = Incoming(error=str(exc))
            self.owner.post_message(LiveFetched(came))

        self.owner.run_worker(job, name="live-fetch", group=GROUP, thread=True,
                              exit_on_error=False)

    def fetched(self, message: LiveFetched) -> None:
        """The worker's message: merge what arrived now, or when the dialog closes."""
        self.fetching = False
        came = message.came
        if came.error or not came.tip or not (came.events or came.blocked):
            if not came.error:
                self._say_banner("")
            return
        self.pending = came
        self.apply()

    def apply(self) -> None:
        """Take the pending arrivals in, unless a dialog is open or a write or sync runs."""
        came, owner = self.pending, self.owner
        if came is None or owner.app.screen is not owner or owner.git.running is not None:
            return
        self.pending = None
        if came.blocked:
            self._say_banner(came.banner())
            return
        from hotfix_tui.core.live import take_in
        from hotfix_tui.tui.widgets.text import clean

        try:
            added = take_in(owner.incident, came)
        except (IncidentError, StoreError, GitError, OSError) as exc:  # the sync merges it
            self._say_banner(f"{came.banner()} ({clean(str(exc))})")
            return
        if not added:  # None: a write or sync held the lock; the next interval reads again
            return
        self._say_banner("")
        owner.git.arrivals.extend(came.arrived)
        owner.sync_all()
        lines = [f"◆ {clean(str(a))}" for a in came.arrived[:6]]
        if len(came.arrived) > 6:
            lines.append(f"… and {len(came.arrived) - 6} more")
        whos = sorted({a.who for a in came.arrived if a.who}) or ["others"]
        owner.notify("\n".join(lines) or f"{len(added)} change(s)",
                     title=f"From {', '.join(whos)}", markup=False, timeout=10)
        done = {e.task for e in added if e.task and e.kind == "done"}
        self.flash({f"t:{t}" for t in done})

    def synced(self, ok: bool) -> None:
        """A sync merged the branch: nothing waits any more, and the banner goes when it worked."""
        self.pending = None
        if ok:
            self._say_banner("")

    def flash(self, refs: set[str]) -> None:
        """Mark rows a teammate just changed for a few seconds."""
        if not refs:
            return
        self.flashing |= refs
        tree = self.owner.checklist
        tree.flash = set(self.flashing)
        tree.changed()
        tree.refresh()
        self.owner.set_timer(FLASH_SECONDS, lambda: self._unflash(refs))

    def _unflash(self, refs: set[str]) -> None:
        self.flashing -= refs
        tree = self.owner.checklist
        tree.flash = set(self.flashing)
        tree.changed()
        tree.refresh()

    def _say_banner(self, text: str) -> None:
        self.banner = text
        found = self.owner.query("#live-banner")
        if found:
            widget = found.first()
            widget.update(text)
            widget.display = bool(text)
