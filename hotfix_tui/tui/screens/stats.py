"""The SLA stats screen: time to resolution against each severity's target as a chart
(textual-plotext), and the table of `hotfix-tui stats` per severity and per month."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hotfix_tui.core.clocks import format_duration
from hotfix_tui.core.git.repo import GitError
from hotfix_tui.tui.host import host
from hotfix_tui.tui.widgets.footer import KeyFooter
from hotfix_tui.tui.widgets.text import clean

if TYPE_CHECKING:
    from hotfix_tui.core.reports.catalog import Entry
    from hotfix_tui.tui.services.fetch import Fetched

COLUMNS = (
    "",
    "incidents",
    "resolved",
    "met",
    "breached",
    "compliance",
    "TTR median",
    "TTR p90",
    "TTD median",
)


class StatsReady(Message):
    """The figures were computed (from the catalog of every branch)."""

    def __init__(
        self, data: dict, as_of: datetime | None, error: str = "", generation: int = 0
    ) -> None:
        super().__init__()
        self.data = data
        self.as_of = as_of
        self.error = error
        self.generation = generation  # which reading (an older one may finish later)


def _dur(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def table_row(label: str, s: dict) -> tuple[str, ...]:
    """One row of the table: the figures of `stats` for a severity, a month or all."""
    comp = "-" if s["compliance"] is None else f"{s['compliance']:.0%}"
    return (
        label,
        str(s["incidents"]),
        str(s["resolved"]),
        str(s["met"]),
        str(s["breached"]),
        comp,
        _dur(s["ttr_median_seconds"]),
        _dur(s["ttr_p90_seconds"]),
        _dur(s["ttd_median_seconds"]),
    )


def chart_series(data: dict) -> tuple[list[str], list[list[float]], list[str]]:
    """Severities, and hours of TTR median, TTR p90 and target for each (0 where unknown)."""
    sevs = list(data["severities"])

    def hours(key: str) -> list[float]:
        return [round((data["severities"][s].get(key) or 0) / 3600, 2) for s in sevs]

    return (
        sevs,
        [hours("ttr_median_seconds"), hours("ttr_p90_seconds"), hours("target_seconds")],
        ["TTR median", "TTR p90", "target"],
    )


class StatsScreen(Screen[None]):
    """How the team did against the SLA, over every incident of every branch."""

    DEFAULT_CSS = """
    StatsScreen #stats-chart { height: 1fr; min-height: 12; }
    StatsScreen #stats-table { height: auto; max-height: 50%; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="stats.close"),
        Binding("R", "reload", "Reload", id="stats.reload"),
    ]

    def __init__(
        self, root: Path, entries: list[Entry] | None = None, as_of: datetime | None = None
    ) -> None:
        super().__init__()
        self.root = root
        self.entries = entries
        self.as_of = as_of
        self.data: dict | None = None
        self._generation = 0  # the newest reading asked for

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static(
            Text(" SLA stats: reading every branch…", style="bold reverse"), id="stats-head"
        )
        yield PlotextPlot(id="stats-chart")
        table: DataTable[str] = DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        from hotfix_tui.core.reports import catalog

        self.query_one("#stats-table", DataTable).add_columns(*COLUMNS)
        self.compute(self.entries)
        interval = host(self.app).settings.fetch_interval
        if interval > 0:  # other branches as fresh as the last read-only fetch
            self.set_interval(interval, self.fetch)
            if catalog.fetch_due(self.root, interval, host(self.app).clock()):
                self.fetch()

    @work(thread=True, exclusive=True, group="stats-fetch", exit_on_error=False)
    def fetch(self) -> None:
        from hotfix_tui.tui.services.fetch import fetch_now

        self.post_message(fetch_now(self.root))

    def on_fetched(self, message: Fetched) -> None:
        if message.error:
            self.notify(clean(message.error), severity="warning", title="Fetch", markup=False)
        self.compute(None)

    def action_reload(self) -> None:
        self.compute(None)

    def compute(self, entries: list[Entry] | None) -> None:
        """Read the figures in a worker; only the newest reading is shown (Textual cannot stop
        a running thread worker, so an older one may post after it)."""
        self._generation += 1
        self._compute(entries, self._generation)

    @work(thread=True, group="stats", exit_on_error=False)
    def _compute(self, entries: list[Entry] | None, generation: int) -> None:
        from hotfix_tui.core.reports import catalog, stats

        as_of = self.as_of
        try:
            if entries is None:
                from hotfix_tui.core.reports.summaries import Cache

                cache = Cache(self.root)  # (as `stats` reads them: by summary where kept)
                cat = catalog.load(self.root, clock=host(self.app).clock, summaries=cache)
                cache.save()
                entries, as_of = cat.entries, cat.as_of
            sevs: list[tuple[str, int]] = []
            try:
                from hotfix_tui.core.workflow.resolve import workflow_named

                wf = workflow_named("hotfix", self.root)
                sevs = [(s.id, s.target_seconds) for s in wf.severities]
            except Exception:  # noqa: BLE001 - a broken team workflow still shows the figures
                sevs = []
            data = stats.compute(entries, host(self.app).clock(), severities=sevs)
            msg = StatsReady(data, as_of, generation=generation)
        except (GitError, OSError) as exc:
            msg = StatsReady({}, None, str(exc), generation=generation)
        self.post_message(msg)

    def on_stats_ready(self, message: StatsReady) -> None:
        if message.generation != self._generation:
            return  # an older reading that finished after a newer one
        if message.error:
            self.notify(clean(message.error), severity="error", title="Stats", markup=False)
            return
        self.data, self.as_of = message.data, message.as_of
        data = message.data
        when = self.as_of.strftime("%Y-%m-%d %H:%M UTC") if self.as_of else "never fetched"
        head = Text(
            f" SLA stats: {data['total']['incidents']} incident(s), every branch",
            style="bold reverse",
        )
        head.append(f"  other branches as of {when}", style="reverse")
        self.query_one("#stats-head", Static).update(head)
        self.draw_chart(data)
        table = self.query_one("#stats-table", DataTable)
        table.clear()
        for sev, s in data["severities"].items():
            target = f" <{_dur(s['target_seconds'])}" if s.get("target_seconds") else ""
            table.add_row(*table_row(f"{sev}{target}", s), key=f"sev:{sev}")
        table.add_row(*table_row("all", data["total"]), key="all")
        for month, s in data["months"].items():
            table.add_row(*table_row(month, s), key=f"month:{month}")

    def draw_chart(self, data: dict) -> None:
        from textual_plotext import PlotextPlot

        plot = self.query_one("#stats-chart", PlotextPlot)
        sevs, series, labels = chart_series(data)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Time to resolution against each target (hours)")
        if sevs:
            plt.multiple_bar(sevs, series, labels=labels)  # type: ignore[call-arg]
        plot.refresh()

    def action_close(self) -> None:
        self.dismiss()
