"""The incidents a board serves and their JSON, built from the core (the same as `status --json`).

Incidents are kept loaded and re-read only when their files change on disk (Incident.refresh).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core import events, record
from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.discovery import Found, find_incidents, is_closed
from hotfix_tui.core.incident import POSTMORTEM, Incident
from hotfix_tui.core.loading import LoadError, load_incident
from hotfix_tui.core.repo import current_branch, git_dir
from hotfix_tui.core.status_data import iso_z, status_data
from hotfix_tui.core.store import StoreError

WATCHED = ("tasks.md", "hotfix.md", "post-mortem.md", events.LOG)
LAST_EVENTS = 20
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-z]{3,20})$")
_EVENT_FIELDS = ("title", "status", "severity", "text", "note", "reason")


@dataclass(frozen=True)
class Entry:
    """One incident on the board: its key in URLs, folder, branch and load error (if any)."""

    key: str
    folder: Path
    branch: str
    error: str = ""


def _stat(p: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Board:
    """The incidents of a work tree (or one SPEC_DIR) for the web board; not thread-safe."""

    def __init__(
        self, root: Path | None, spec: Path | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.root = root
        self.spec = spec
        self.clock = clock
        self._loaded: dict[Path, Incident] = {}
        self._entries: list[Entry] = []
        self._entries_sig: object = None

    # --- which incidents --------------------------------------------------------------------

    def _found(self) -> list[Found]:
        found = find_incidents(self.root) if self.root is not None else []
        if self.spec is not None and not any(self._is_spec(f) for f in found):
            found.insert(0, Found(self.spec, "hotfix", 0, self.spec.name))
        return found

    def _is_spec(self, f: Found) -> bool:
        return self.spec is not None and f.folder.resolve() == self.spec.resolve()

    def _order(self, found: list[Found]) -> list[Found]:
        """The current incident first (SPEC_DIR, else the branch's), then open ones, then closed."""
        branch = current_branch(self.root)

        def rank(f: Found) -> tuple[int, int, str]:
            current = self._is_spec(f) if self.spec else f.branch == branch
            return (0 if current else 1 if not is_closed(f.folder) else 2, f.number, str(f.folder))

        return sorted(found, key=rank)

    def signature(self) -> tuple:
        """What changes when incidents appear, go or switch order: the folders, HEAD, the files."""
        specs = self.root / "specs" if self.root else None
        head = git_dir(self.root) if self.root else None
        dirs = []
        if specs is not None and specs.is_dir():
            dirs.append(_stat(specs))
            nested = specs / "hotfix"
            dirs.append(_stat(nested))
        return (
            tuple(dirs),
            _stat(head / "HEAD") if head else None,
            tuple(self.folder_signature(e.folder) for e in self._entries),
        )

    def folder_signature(self, folder: Path) -> tuple:
        """The stat of every file of an incident the board shows (changes when one is written)."""
        return tuple(_stat(folder / name) for name in WATCHED)

    def entries(self) -> list[Entry]:
        """The incidents with their URL keys; recomputed only when the signature changed."""
        sig = self.signature()
        if sig == self._entries_sig:
            return self._entries
        rows: list[tuple[str, Found, str, str]] = []
        for f in self._order(self._found()):
            try:
                inc = self.incident(f.folder)
                rows.append((inc.id, f, f.branch, ""))
            except LoadError as exc:
                rows.append((f.folder.name, f, f.branch, str(exc)))
        counts: dict[str, int] = {}
        for hid, *_ in rows:
            counts[hid] = counts.get(hid, 0) + 1
        out: list[Entry] = []
        used: set[str] = set()
        for hid, f, branch, err in rows:
            key = hid if counts[hid] == 1 else f"{hid}@{branch}"
            if key in used:
                key = f"{hid}@{f.folder.name}"
            used.add(key)
            out.append(Entry(key, f.folder, branch, err))
        self._entries = out
        self._entries_sig = self.signature()
        return out

    def entry(self, key: str) -> Entry | None:
        return next((e for e in self.entries() if e.key == key), None)

    def incident(self, folder: Path) -> Incident:
        """The loaded incident of a folder, re-read where its files changed; LoadError if bad."""
        inc = self._loaded.get(folder)
        if inc is None:
            inc = load_incident(folder, self.root, clock=self.clock)
            self._loaded[folder] = inc
            return inc
        try:
            inc.refresh()
        except (StoreError, OSError) as exc:
            self._loaded.pop(folder, None)
            raise LoadError(str(exc)) from exc
        return inc

    # --- JSON -------------------------------------------------------------------------------

    def list_json(self) -> list[dict[str, Any]]:
        """`GET /api/incidents`: each incident's key, URL and summary (or its load error)."""
        out = []
        for e in self.entries():
            row: dict[str, Any] = {"key": e.key, "url": f"/api/incidents/{e.key}"}
            row["board"] = f"/i/{e.key}"
            row["folder"] = self._rel(e.folder)
            if e.error:
                out.append({**row, "id": e.folder.name, "error": e.error})
                continue
            try:
                d = status_data(self.incident(e.folder))
            except LoadError as exc:
                out.append({**row, "id": e.folder.name, "error": str(exc)})
                continue
            row.update(
                id=d["id"],
                title=d["title"],
                severity=d["severity"],
                status=d["status"],
                branch=d["branch"],
                progress=d["progress"],
                sla=d["sla"],
            )
            out.append(row)
        return out

    def _rel(self, folder: Path) -> str:
        try:
            return str(folder.relative_to(self.root)) if self.root else folder.name
        except ValueError:
            return folder.name

    def status_json(self, key: str) -> dict[str, Any] | None:
        """`GET /api/incidents/<key>`: the keys of `status --json`; None for an unknown key."""
        e = self.entry(key)
        if e is None:
            return None
        try:
            return self._status(e)
        except LoadError as exc:
            return {"id": e.folder.name, "error": str(exc)}

    def _status(self, e: Entry) -> dict[str, Any]:
        """status_data with the folder relative to the repository (no server paths shown)."""
        d = status_data(self.incident(e.folder))
        d["folder"] = self._rel(e.folder)
        return d

    def board_json(self, key: str) -> dict[str, Any] | None:
        """What the page shows: the status, tasks by phase, clocks' rules and the last events."""
        e = self.entry(key)
        if e is None:
            return None
        nav = [{"key": x.key, "title": self._title(x)} for x in self.entries()]
        base = {"key": key, "incidents": nav, "now": iso_z(self.clock())}
        try:
            inc = self.incident(e.folder)
            status = self._status(e)
        except LoadError as exc:
            return {**base, "error": str(exc)}
        wf = inc.workflow
        sev = wf.severity(inc.severity) if wf else None
        times = inc.event_times()
        clock = None
        if wf is not None and sev is not None:
            start, stop = times.get(wf.clock.starts_at), times.get(wf.clock.stops_at)
            clock = {
                "start": iso_z(start) if start else None,
                "stop": iso_z(stop) if stop else None,
                "target_seconds": sev.target_seconds,
                "warnings": list(wf.clock.warnings),
            }
        wdefs = {w.id: w for w in wf.windows} if wf else {}
        windows = [
            {
                **w,
                "duration_seconds": wdefs[w["id"]].duration_seconds if w["id"] in wdefs else 0,
                "warnings": list(wdefs[w["id"]].warnings) if w["id"] in wdefs else [],
            }
            for w in status["windows"]
        ]
        phases = [
            {
                "name": p.name,
                "note": p.note,
                "done": p.done,
                "total": p.total,
                "tasks": [
                    {
                        "id": t.id or "",
                        "title": t.title,
                        "state": t.state,
                        "reason": t.skipped if t.state == "skipped" else t.reason,
                    }
                    for t in p.tasks
                ],
            }
            for p in inc.phases()
        ]
        return {
            **base,
            "status": status,
            "severity_label": sev.label if sev else "",
            "severity_color": sev.color if sev and _COLOR.match(sev.color or "") else "",
            "clock": clock,
            "windows": windows,
            "phases": phases,
            **last_events(inc),
        }

    def _title(self, e: Entry) -> str:
        if e.error:
            return e.folder.name
        try:
            return self.incident(e.folder).title
        except LoadError:
            return e.folder.name


def _describe(ev: events.Event) -> str:
    """A line for an event of the log: its kind in words, its task and its text fields."""
    parts = [ev.kind.replace("_", " ").replace(".", " ")]
    if ev.task:
        parts.append(ev.task)
    extra = [str(ev.data[k]) for k in _EVENT_FIELDS if isinstance(ev.data.get(k), str | int)]
    text = " ".join(parts)
    return f"{text}: {'; '.join(extra)}" if extra else text


def last_events(inc: Incident) -> dict[str, Any]:
    """The newest events first: from events.jsonl when the folder has one, else the post-mortem."""
    if events.log_exists(inc.folder):
        evs = events.read_log(inc.folder)[-LAST_EVENTS:]
        rows = [{"when": e.happened, "who": e.who, "text": _describe(e)} for e in reversed(evs)]
        return {"events": rows, "events_source": events.LOG}
    table = record.log_table(inc.text(POSTMORTEM))
    if table is None:
        return {"events": [], "events_source": None}
    real = [r for r in table[0] if not r.placeholder][-LAST_EVENTS:]
    rows = [
        {"when": r.time, "who": r.who, "text": f"{r.event}: {r.notes}" if r.notes else r.event}
        for r in reversed(real)
    ]
    return {"events": rows, "events_source": POSTMORTEM}
