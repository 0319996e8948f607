"""What `list` and `stats` need of an incident on another branch, cached by its files' blob ids.

A copy whose blobs and workflows are unchanged since the last run is not read again.
"""

# The cache lives in `.git/hotfix-tui/summaries.json`: {"env": fingerprint, "items": {key: ...},
# "times": {"commit:folder": unix time}} (the times the newest-copy rule compares).
# A key is the folder path and every blob id of the copy; the fingerprint covers the package
# version and every workflow file that could be chosen, so a changed rule rebuilds them all.

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.clocks import Clock, SlaReading, utc_now, workflow_sla
from hotfix_tui.core.hashing import sha1

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.model import Workflow

VERSION = 6  # 2: the hotfix.md branch field; 3: `(none)` read as no branch; 4: what each log
# lacks of a merged view; 5: id, title and branch from the folder, a kind's own record; 6: the
# commander
FILE = "summaries.json"
MAX_ITEMS = 20_000
# what a summary keeps on disk (the workflow and the clock are attached when it is read)
STORED = frozenset(
    {"id", "title", "severity", "status", "done", "total", "times"}
    | {"workflow_source", "workflow_stamp", "resolved_severity", "branch", "lacks", "commander"}
    | {"leads", "assignees"}
)


@dataclass
class IncidentSummary:
    """The figures of one incident, as `list` and `stats` read them from an Incident."""

    id: str
    title: str
    severity: str | None
    status: str
    done: int
    total: int
    times: dict[str, str]  # workflow event -> ISO time
    workflow_source: str | None  # the YAML file of the incident's workflow, None for a checklist
    workflow_stamp: str  # size and mtime of that file when the summary was made
    resolved_severity: str | None = None  # the severity when the clock last stopped
    branch: str = ""  # hotfix.md's Branch field (`Incident.branch_field`)
    # a merged view of copies whose logs differ: log blob id -> what that log lacks
    # (`divergence.Missing.data()` each); {} for one copy
    lacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    commander: str = ""  # who commands, `Ana -> Ben (handing over)` (`Team.commander_words`)
    leads: list[str] = field(default_factory=list)  # the commander and who takes over
    assignees: dict[str, str] = field(default_factory=dict)  # task key -> who it is assigned to
    workflow: Workflow | None = None
    clock: Clock = utc_now

    def progress(self) -> tuple[int, int]:
        return self.done, self.total

    @property
    def branch_field(self) -> str:
        """hotfix.md's Branch field, as `Incident.branch_field` reads it."""
        return self.branch

    def event_times(self) -> dict[str, datetime]:
        return {k: datetime.fromisoformat(v) for k, v in self.times.items()}

    def sla(self, now: datetime | None = None) -> SlaReading | None:
        """The resolution clock, computed as `Incident.sla` computes it."""
        return workflow_sla(self.workflow, self.severity, self.event_times(), now or self.clock())

    def data(self) -> dict[str, Any]:
        """The stored fields (asdict would deep-copy the whole workflow only to drop it)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name in STORED}
        out["times"] = dict(self.times)
        out["lacks"] = {k: list(v) for k, v in self.lacks.items()}
        out["leads"] = list(self.leads)
        out["assignees"] = dict(self.assignees)
        return out


def stamp(source: str | None) -> str:
    """The size and mtime of a workflow file ('' for none, '-' when it cannot be read)."""
    if source is None:
        return ""
    try:
        st = os.stat(source)
    except OSError:
        return "-"
    return f"{st.st_size}-{st.st_mtime_ns}"


def summarize(inc: Incident) -> IncidentSummary | None:
    """The summary of a loaded incident (None when its workflow has no file to find it by)."""

    wf = inc.workflow
    if wf is not None and not wf.source:
        return None
    done, total = inc.progress()
    return IncidentSummary(
        id=inc.id,
        title=inc.title,
        severity=inc.severity,
        status=inc.status,
        done=done,
        total=total,
        times={k: v.isoformat() for k, v in inc.event_times().items()},
        workflow_source=wf.source if wf else None,
        workflow_stamp=stamp(wf.source if wf else None),
        resolved_severity=severity_at_resolution(inc, wf) if wf is not None else None,
        branch=inc.branch_field,
        commander=inc.view.team().commander_words(),
        leads=inc.view.team().leads,
        assignees=dict(inc.view.team().assignees),
        workflow=wf,
        clock=inc.clock,
    )


def copy_key(path: str, files: dict[str, tuple[str, str]]) -> str:
    """The key of a folder copy: its path and every (name, mode, blob id) it holds."""
    h = sha1(path.encode("utf-8", "surrogateescape"))
    for name in sorted(files):
        mode, sha = files[name]
        h.update(f"\0{name}\0{mode}\0{sha}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def fingerprint(root: Path) -> str:
    """The code (version and every core module's stats: `journal.code_key`) and the workflow files
    any incident could use (paths and stats)."""
    from hotfix_tui.core.record.journal import code_key
    from hotfix_tui.core.workflow.files import find_workflows

    parts = [f"v{VERSION}", code_key()]
    for name, p in sorted(find_workflows(root).items()):
        try:
            st = p.stat()
            parts.append(f"{name}\0{p}\0{st.st_size}\0{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}\0{p}\0-")
    return sha1("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class Cache:
    """The summaries of one repository, read at the start of a run and written at its end."""

    def __init__(self, root: Path) -> None:
        from hotfix_tui.core.record.journal import home

        self.path = home(root, root) / FILE
        self.env = fingerprint(root)
        self.items: dict[str, dict[str, Any]] = {}
        self.used: set[str] = set()
        # "commit:folder" -> time of the newest commit touching the folder in that commit's history
        self.times: dict[str, int] = {}
        self.used_times: set[str] = set()
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("env") == self.env:
                items = data.get("items")
                self.items = items if isinstance(items, dict) else {}
                times = data.get("times")
                if isinstance(times, dict):
                    self.times = {k: v for k, v in times.items() if type(v) is int and v > 0}
        except (OSError, ValueError):
            pass
        self._workflows: dict[str, Workflow | None] = {}

    def get(self, key: str, clock: Clock) -> IncidentSummary | None:
        raw = self.items.get(key)
        if not isinstance(raw, dict):
            return None
        try:
            summary = IncidentSummary(**raw)
            if summary.workflow_stamp != stamp(summary.workflow_source):
                return None
            summary.workflow = self._workflow(summary.workflow_source)
            summary.event_times()  # the times parse
        except (TypeError, ValueError, OSError):
            return None
        if summary.workflow_source is not None and summary.workflow is None:
            return None
        summary.clock = clock
        self.used.add(key)
        return summary

    def _workflow(self, source: str | None) -> Workflow | None:
        if source is None:
            return None
        if source not in self._workflows:
            from hotfix_tui.core.workflow.problems import WorkflowError
            from hotfix_tui.core.workflow.resolve import workflow_named

            try:
                self._workflows[source] = workflow_named(source, None)
            except WorkflowError:
                self._workflows[source] = None
        return self._workflows[source]

    def put(self, key: str, summary: IncidentSummary) -> None:
        self.adopt(key, summary.data(), summary.clock)

    def adopt(self, key: str, data: dict[str, Any], clock: Clock) -> IncidentSummary | None:
        """Keep a summary's stored fields (`IncidentSummary.data`); the summary as `get` reads it
        (None when its workflow cannot be read back, and then nothing is kept)."""
        self.items[key] = data
        summary = self.get(key, clock)
        if summary is None:
            del self.items[key]
            self.used.discard(key)
            return None
        self.changed = True
        return summary

    def commit_time(self, commit: str, folder: str, read: Callable[[], int]) -> int:
        """The time of the newest commit touching `folder` in `commit`'s history (`read()` when
        not kept: history is fixed by the commit id; an unknown time, 0, is not kept)."""
        key = f"{commit}:{folder}"
        found = self.times.get(key)
        if found is None:
            found = read()
            if found <= 0:
                return found
            self.times[key] = found
            self.changed = True
        self.used_times.add(key)
        return found

    def save(self) -> None:
        """Write the cache (only the entries of this run) when something new was added."""
        if (
            not self.changed
            and len(self.used) == len(self.items)
            and len(self.used_times) == len(self.times)
        ):
            return
        keep = {k: v for k, v in self.items.items() if k in self.used}
        if len(keep) > MAX_ITEMS:
            keep = dict(list(keep.items())[:MAX_ITEMS])
        times = {k: v for k, v in self.times.items() if k in self.used_times}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            data = {"env": self.env, "items": keep, "times": times}
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # only an optimisation: the next run reads the copies again


def severity_at_resolution(inc: Incident, wf: Workflow) -> str | None:
    """The severity when the clock last stopped (replayed from the event log); None if open."""
    from hotfix_tui.core.record.kinds import DONE
    from hotfix_tui.core.record.projection import replay
    from hotfix_tui.core.workflow.lifecycle import clock_stoppers

    stops = {d.id for d in clock_stoppers(wf)}
    last = max(
        (i for i, e in enumerate(inc.view.events) if e.kind == DONE and e.task in stops),
        default=None,
    )
    task = inc.view.doc.task(inc.view.events[last].task or "") if last is not None else None
    if last is None or task is None or not task.done:
        return None
    return replay(inc.view.events[: last + 1], wf).severity
