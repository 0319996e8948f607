"""A read-only fetch of every remote for the overview and stats screens, run in their workers."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from hotfix_tui.core.git.repo import GitError


class Fetched(Message):
    """A background fetch finished (`error` when it failed)."""

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error


def fetch_now(root: Path) -> Fetched:
    """Fetch every remote (call it in a worker thread); the message to post."""
    from hotfix_tui.core.reports import catalog

    try:
        catalog.fetch(root)
    except (GitError, OSError) as exc:
        return Fetched(str(exc))
    return Fetched()
