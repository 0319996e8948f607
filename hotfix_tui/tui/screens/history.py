"""The activity dialog with the folder's git history under the timeline (who committed what,
when), read in a thread worker."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from hotfix_tui.core.git.repo import GitError
from hotfix_tui.tui.screens.record_dialogs import ActivityRow, ActivityScreen
from hotfix_tui.tui.widgets.text import clean


class HistoryLoaded(Message):
    """The folder's commits were read (`error` when git could not)."""

    def __init__(self, commits: list, error: str = "") -> None:
        super().__init__()
        self.commits = commits
        self.error = error


class ActivityWithHistory(ActivityScreen):
    """The post-mortem timeline, and the git log of the incident folder below it."""

    DEFAULT_CSS = """
    ActivityWithHistory #activity-table { height: 2fr; min-height: 5; }
    ActivityWithHistory #history-box { height: 1fr; min-height: 2; max-height: 12; }
    """

    def __init__(
        self, title: str, rows: Sequence[ActivityRow], summary: str, root: Path, folder: Path
    ) -> None:
        super().__init__(title, rows, summary)
        self.root = root
        self.folder = folder
        self.commits: list | None = None

    def on_mount(self) -> None:
        # (Textual runs ActivityScreen's on_mount too: the timeline is filled there)
        box = self.query_one(".record-dialog")
        hint = list(box.query(Static))[-1]
        title = Label(Text("Git history of the folder (newest first)", style="bold"))
        scroll = VerticalScroll(
            Static(Text("reading git log…", style="dim"), id="history"), id="history-box"
        )
        box.mount(title, before=hint)
        box.mount(scroll, before=hint)
        self.load_history()

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self) -> None:
        from hotfix_tui.core.git.history import folder_log

        try:
            msg = HistoryLoaded(folder_log(self.root, self.folder))
        except (GitError, OSError) as exc:
            msg = HistoryLoaded([], str(exc))
        self.post_message(msg)

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        self.commits = message.commits
        self.query_one("#history", Static).update(history_table(message.commits, message.error))


def history_table(commits: list, error: str = "") -> Table | Text:
    """The commits as a table (when, who, commit, subject), or what stands in for them."""
    if error:
        return Text(clean(error), style="red")
    if not commits:
        return Text("not committed yet", style="dim")
    table = Table(box=None, expand=True, show_edge=False)
    for name, style in (
        ("When (UTC)", "dim"),
        ("Who", "cyan"),
        ("Commit", "yellow"),
        ("Subject", ""),
    ):
        table.add_column(name, style=style, no_wrap=name != "Subject")
    for c in commits:
        table.add_row(
            c.when.strftime("%Y-%m-%d %H:%M"),
            Text(clean(c.author)),
            c.short,
            Text(clean(c.subject)),
        )
    return table
