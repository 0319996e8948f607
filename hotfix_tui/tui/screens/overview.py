"""The overview: every incident and spec of the repo on every branch, as a tree grouped by kind
with progress bars and live SLA clocks; enter opens one (another branch's copy read-only).

The catalog is read and the remote fetched in thread workers that post messages.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static, Tree

from hotfix_tui.core.clocks import format_duration
from hotfix_tui.core.git.repo import GitError
from hotfix_tui.core.layouts import kind_rank
from hotfix_tui.core.reports.status_data import mine_of
from hotfix_tui.tui.host import host
from hotfix_tui.tui.services.fetch import Fetched, fetch_now
from hotfix_tui.tui.services.speckit import RESUMING, GateAnswered, told
from hotfix_tui.tui.widgets.footer import KeyFooter
from hotfix_tui.tui.widgets.text import STATE_STYLE, clean, severity_color

if TYPE_CHECKING:
    from hotfix_tui.core.reports.catalog import Entry
    from hotfix_tui.core.speckit_runs import Run

BAR_WIDTH = 12
DIVERGED = "≠"  # the copies on other branches hold different events: the row shows their union


class CatalogLoaded(Message):
    """The catalog was read (every branch); `error` when it could not be."""

    def __init__(
        self,
        entries: list[Entry],
        as_of: datetime | None,
        error: str = "",
        generation: int = 0,
        runs: list[Run] | None = None,
    ) -> None:
        super().__init__()
        self.runs = runs or []  # spec-kit's workflow runs (waiting gates first)
        self.entries = entries
        self.as_of = as_of
        self.error = error
        self.generation = generation  # which reading (an older one may finish later)


class CheckedOut(Message):
    """The branch holding an entry was checked out (`error` when it was not)."""

    def __init__(self, entry: Entry, error: str = "") -> None:
        super().__init__()
        self.entry = entry
        self.error = error


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """`████░░░░ 5/28`: a text progress bar."""
    filled = round(width * done / total) if total else 0
    t = Text()
    t.append("█" * filled, style="green")
    t.append("░" * (width - filled), style="dim")
    t.append(f" {done:>3}/{total:<3}")
    return t


def sla_text(entry: Entry, now: datetime) -> Text:
    """The live SLA clock of an entry: time left, met/missed, breached by; empty without SLA."""
    inc = entry.figures
    sla = inc.sla(now) if inc is not None else None
    if sla is None or sla.state == "not-started":
        return Text("")
    style = STATE_STYLE.get(sla.state, "")
    if sla.state in ("met", "missed"):
        return Text(f"{sla.state} in {format_duration(sla.elapsed_seconds)}", style=style)
    if sla.remaining_seconds < 0:
        return Text(f"breached by {format_duration(-sla.remaining_seconds)}", style=style)
    return Text(f"{format_duration(sla.remaining_seconds)} left", style=style)


def entry_label(entry: Entry, now: datetime, me: tuple[str, ...] = ()) -> Text:
    """One leaf: ID, severity, status, progress bar, SLA clock, where it lives (marked when its
    copies differ: the row is their union), what of it is mine (`★ IC, 2 tasks`), title."""
    t = Text(no_wrap=True, overflow="ellipsis")
    inc = entry.figures
    if inc is None:
        t.append(clean(Path(entry.path).name), style="bold")
        t.append(f"  {clean(entry.error or 'unreadable').splitlines()[0]}", style="red")
        return t
    t.append(f"{clean(inc.id):<24.24}", style="bold")
    sev = inc.severity
    if sev:
        wf_sev = inc.workflow.severity(sev) if inc.workflow else None
        color = severity_color(sev, wf_sev.color if wf_sev else "")
        t.append(f" {clean(sev)} ", style=f"bold black on {color}")
    else:
        t.append("    ")
    t.append(f" {clean(inc.status or '-'):<14.14} ")
    done, total = inc.progress()
    t.append_text(progress_bar(done, total))
    t.append("  ")
    sla = sla_text(entry, now)
    sla.pad_right(max(0, 22 - len(sla.plain)))
    t.append_text(sla)
    t.append(DIVERGED if entry.diverged else " ", style="bold yellow")
    where = "checked out" if entry.checked_out else entry.source
    t.append(f"{clean(where):<40.40} ", style="cyan" if entry.checked_out else "dim")
    mine = mine_of(inc, me)
    if mine:
        t.append(f"★ {mine}  ", style="bold yellow")
    t.append(clean(inc.title))
    return t


class OverviewScreen(Screen[None]):
    """Every incident and spec of the repository, grouped by kind."""

    DEFAULT_CSS = """
    OverviewScreen #overview-tree { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="overview.close"),
        Binding("m", "stats", "SLA stats", id="overview.stats"),
        Binding("F", "fetch", "Fetch now", id="overview.fetch"),
        Binding("R", "reload", "Reload", id="overview.reload"),
    ]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.entries: list[Entry] = []
        self.as_of: datetime | None = None
        self.leaves: list[tuple[object, Entry]] = []
        self.runs: list[Run] = []
        self.fetching = False
        self.me: tuple[str, ...] = ()  # git's user.name and user.email: what "mine" matches

    def compose(self) -> ComposeResult:
        yield Static(Text(" Overview: reading every branch…", style="bold reverse"), id="ov-head")
        tree: Tree[Entry | Run | None] = Tree("specs", id="overview-tree")
        tree.show_root = False
        yield tree
        yield KeyFooter()

    def on_mount(self) -> None:
        from hotfix_tui.core.reports import catalog

        self.load()
        self.set_interval(1, self.tick)
        interval = host(self.app).settings.fetch_interval
        if interval > 0:
            self.set_interval(interval, self.action_fetch)
            if catalog.fetch_due(self.root, interval, host(self.app).clock()):
                self.action_fetch()

    # --- reading ------------------------------------------------------------------------------

    _generation = 0  # the newest reading asked for

    def load(self) -> None:
        """Read every branch in a worker; only the newest reading is shown (Textual cannot stop
        a running thread worker, so an older one may post after it)."""
        self._generation += 1
        self._load(self._generation)

    @work(thread=True, group="overview-load", exit_on_error=False)
    def _load(self, generation: int) -> None:
        from hotfix_tui.core.discovery import INCIDENT_PREFIXES as INCIDENTS
        from hotfix_tui.core.reports import catalog
        from hotfix_tui.core.reports.summaries import Cache
        from hotfix_tui.core.speckit_runs import read_runs

        try:
            cache = Cache(self.root)  # (copies on other branches: by summary, as `list` reads)
            cat = catalog.load(self.root, clock=host(self.app).clock, summaries=cache)
            cache.save()
            runs = read_runs(self.root, [e.path for e in cat.entries if e.kind in INCIDENTS])
            if not self.me:
                from hotfix_tui.core.git.repo import user_identity

                self.me = user_identity(self.root)
            msg = CatalogLoaded(cat.entries, cat.as_of, generation=generation, runs=runs)
        except (GitError, OSError) as exc:
            msg = CatalogLoaded([], None, str(exc), generation=generation)
        self.post_message(msg)

    def action_reload(self) -> None:
        self.load()

    def action_fetch(self) -> None:
        if not self.fetching:
            self.fetching = True
            self._fetch()

    @work(thread=True, exclusive=True, group="overview-fetch", exit_on_error=False)
    def _fetch(self) -> None:
        self.post_message(fetch_now(self.root))

    def on_fetched(self, message: Fetched) -> None:
        self.fetching = False
        if message.error:
            self.notify(clean(message.error), severity="warning", title="Fetch", markup=False)
        self.load()

    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        if message.generation != self._generation:
            return  # an older reading that finished after a newer one
        if message.error:
            self.notify(clean(message.error), severity="error", title="Overview", markup=False)
        self.entries, self.as_of, self.runs = message.entries, message.as_of, message.runs
        self._build()

    def head_text(self) -> Text:
        n = len(self.entries)
        when = self.as_of.strftime("%Y-%m-%d %H:%M:%S UTC") if self.as_of else "never fetched"
        t = Text(f" Overview: {n} folder(s) on every branch", style="bold reverse")
        t.append(f"  other branches as of {when}", style="reverse")
        return t

    def _build(self) -> None:
        self.query_one("#ov-head", Static).update(self.head_text())
        tree = self.query_one("#overview-tree", Tree)
        tree.clear()
        self.leaves = []
        now = host(self.app).clock()
        kinds = sorted({e.kind for e in self.entries}, key=kind_rank)
        waiting = sum(1 for r in self.runs if r.waiting)
        if waiting:  # a person is waited for: first
            self._add_runs(tree)
        mine = [e for e in self.entries if e.figures is not None and mine_of(e.figures, self.me)]
        if mine:  # what I command or have tasks of: before the kinds
            node = tree.root.add(Text(f"mine  {len(mine)}", style="bold yellow"), data=None,
                                 expand=True)
            for e in mine:
                self.leaves.append((node.add_leaf(entry_label(e, now, self.me), data=e), e))
        for kind in kinds:
            group = [e for e in self.entries if e.kind == kind]
            open_ = sum(1 for e in group if e.figures is not None and not _closed(e))
            node = tree.root.add(
                Text(f"{kind}  {len(group)} ({open_} open)", style="bold"), data=None, expand=True
            )
            for e in group:
                leaf = node.add_leaf(entry_label(e, now, self.me), data=e)
                self.leaves.append((leaf, e))
        if self.runs and not waiting:
            self._add_runs(tree)
        tree.root.expand()
        tree.focus()

    def _add_runs(self, tree: Tree[Entry | Run | None]) -> None:
        """spec-kit's workflow runs: those waiting at a gate first, the oldest waiting first."""
        from hotfix_tui.tui.screens.runs import run_label

        waiting = sum(1 for r in self.runs if r.waiting)
        head = Text(f"spec-kit workflow runs  {len(self.runs)} ", style="bold")
        head.append(f"({waiting} waiting at a gate)", style="bold yellow" if waiting else "")
        node = tree.root.add(head, data=None, expand=True)
        for r in self.runs:
            node.add_leaf(run_label(r, resuming=r.run_id in RESUMING), data=r)

    def tick(self) -> None:
        """Move the SLA clocks of the incidents whose clock runs."""
        now = host(self.app).clock()
        for leaf, e in self.leaves:
            sla = e.figures.sla(now) if e.figures is not None else None
            if sla is not None and sla.state not in ("met", "missed", "not-started"):
                leaf.set_label(entry_label(e, now, self.me))  # type: ignore[attr-defined]

    # --- opening ------------------------------------------------------------------------------

    @on(Tree.NodeSelected)
    def selected(self, event: Tree.NodeSelected) -> None:
        entry = event.node.data
        if entry is None:
            return
        from hotfix_tui.core.speckit_runs import Run

        if isinstance(entry, Run):
            from hotfix_tui.tui.screens.runs import ask

            ask(self, self.root, entry, self.load)  # its leaf says "resuming" while it runs
            return
        if entry.checked_out and entry.source == "work tree" and entry.incident is not None:
            self.open_here(entry)
            return
        from hotfix_tui.core.reports.catalog import open_copy

        # a copy known by its summary is read in full now, for its tasks (one folder: quick)
        if open_copy(self.root, entry, host(self.app).clock) is None:
            self.notify(clean(entry.error or "unreadable"), severity="error", markup=False)
        else:
            self.app.push_screen(ReadOnlyScreen(entry), lambda yes: self._answer(entry, yes))

    def on_gate_answered(self, message: GateAnswered) -> None:
        """A gate's answer ran: say the run's new state and read the runs again."""
        told(self, message)
        self.load()

    def _answer(self, entry: Entry, check_out: bool | None) -> None:
        if check_out:
            self.check_out(entry)

    @work(thread=True, exclusive=True, group="overview-git", exit_on_error=False)
    def check_out(self, entry: Entry) -> None:
        from hotfix_tui.core.git.branches import switch_to_copy  # takes the repository's lock

        try:
            switch_to_copy(self.root, entry.source, local=entry.local_source)
            msg = CheckedOut(entry)
        except (GitError, OSError) as exc:
            msg = CheckedOut(entry, str(exc))
        self.post_message(msg)

    def on_checked_out(self, message: CheckedOut) -> None:
        if message.error:
            self.notify(
                clean(message.error), severity="error", title="Check out", markup=False, timeout=10
            )
            return
        self.notify(f"checked out {clean(message.entry.source)}", title="Check out")
        self.open_here(message.entry)

    def open_here(self, entry: Entry) -> None:
        """Open the work tree's copy of the entry as the main screen."""
        from hotfix_tui.core.record.incident import Incident, IncidentError
        from hotfix_tui.core.reports import catalog
        from hotfix_tui.core.store import StoreError
        from hotfix_tui.core.workflow.problems import WorkflowError

        folder = self.root / entry.path
        try:
            head = (folder / "tasks.md").read_text(encoding="utf-8-sig", errors="replace")[:4000]
            wf = catalog.workflow_for(folder, head, self.root)
            inc = Incident(folder, wf, clock=host(self.app).clock, repo_root=self.root)
        except WorkflowError as exc:
            self.notify(clean("\n".join(map(str, exc.problems))), severity="error", markup=False)
            return
        except (IncidentError, StoreError, OSError) as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        app = host(self.app)
        self.dismiss()
        if entry.diverged:  # the screen shows the work tree's copy; say what others hold
            lines = "\n".join(clean(lack.text()) for lack in entry.diverged)
            self.notify(lines, title="Other branches differ", severity="warning", markup=False)
        current = app.incident
        if current is not None and current.folder.resolve() == folder.resolve():
            return
        app.show_incident(inc)

    def action_close(self) -> None:
        self.dismiss()

    def action_stats(self) -> None:
        from hotfix_tui.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.root, self.entries, self.as_of))


def _closed(e: Entry) -> bool:
    from hotfix_tui.core.workflow.lifecycle import closed

    return e.figures is not None and closed(e.figures)


class ReadOnlyScreen(ModalScreen[bool]):
    """Another branch's copy of an incident, read-only, with an offer to check it out."""

    DEFAULT_CSS = """
    ReadOnlyScreen .dialog.readonly { width: 100; height: 90%; }
    ReadOnlyScreen #readonly-body { height: 1fr; }
    """

    BINDINGS = [
        Binding("c", "check_out", "Check out its branch", id="readonly.checkout"),
        Binding("escape,q", "close", "Back", id="readonly.close"),
    ]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        e, inc = self.entry, self.entry.incident
        assert inc is not None
        head = Text(f"{clean(inc.id)}  {clean(inc.title)}", style="bold")
        held = ", ".join(clean(b) for b in e.branches)
        where = Text(f"Read-only: the copy on {clean(e.source)} (held by {held})", style="yellow")
        if e.diverged:  # the copies' logs differ: the view is their union
            where.append("\nMerged across branches, as a merge would make it:")
            for lack in e.diverged:
                where.append(f"\n  {DIVERGED} {clean(lack.text())}")
        body = Text()
        now = host(self.app).clock()
        sla = sla_text(e, now)
        if sla.plain:
            body.append("SLA: ")
            body.append_text(sla)
            body.append("\n")
        for ph in inc.view.phases():
            body.append(f"\n{clean(ph.name)}  {ph.done}/{ph.total}\n", style="bold")
            for t in ph.tasks:
                mark = "[x]" if t.done else ("[-]" if t.skipped else "[ ]")
                body.append(
                    f"  {mark} {clean(t.id or '')} {clean(t.title)}\n",
                    style="dim" if t.done or t.skipped else "",
                )
        with Vertical(classes="dialog readonly"):
            yield Static(head)
            yield Static(where)
            with VerticalScroll(id="readonly-body"):
                yield Static(body)
            yield Static(Text("c: check out its branch and open it · esc: back", style="dim"))

    def action_check_out(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
