"""The incidents a board serves and their JSON, built from the core (the same as `status --json`).

Work-tree incidents are re-read when their files change; other branches' copies come from the
catalog (git objects) by their cached summaries, read again when the refs change; a copy is
loaded in full only for its own page, and only the latest few loaded are kept. Where the copies
of a folder hold different event logs, every view of it is their union (see catalog.Divergence).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hotfix_tui.core.alerting.reminders import incident_reminders
from hotfix_tui.core.clocks import precise_now, utc_now
from hotfix_tui.core.discovery import INCIDENT_PREFIXES, Found, find_incidents, is_closed
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.repo import GitError, current_branch, git_dir
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.opening import LoadError, load_incident
from hotfix_tui.core.record import events, kinds
from hotfix_tui.core.record.incident import HOTFIX, POSTMORTEM, TASKS, Incident
from hotfix_tui.core.record.projection import replay
from hotfix_tui.core.record.state import Timeline
from hotfix_tui.core.reports import catalog
from hotfix_tui.core.reports.divergence import Lack, merge_copies
from hotfix_tui.core.reports.report import section_lines
from hotfix_tui.core.reports.status_data import iso_z, row_json, sla_json, status_data
from hotfix_tui.core.reports.summaries import Cache, IncidentSummary
from hotfix_tui.core.speckit_runs import read_runs, runs_dir
from hotfix_tui.core.store import StoreError
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.core.workflow.model import severity_ids

WATCHED = ("tasks.md", "hotfix.md", "post-mortem.md", events.LOG)
LAST_EVENTS = 20
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-z]{3,20})$")
_EVENT_FIELDS = ("title", "status", "severity", "text", "note", "reason")
OPEN_COPIES = 16  # copies of other branches kept loaded in full (their pages were asked for)
RESOLVED_DAYS = 30  # the landing page lists incidents resolved this recently
LATE_S = 60  # an event recorded this long after it happened is marked "recorded later"
# kinds no person makes: they never say who is working an incident
_NOBODY = {kinds.ALERT, kinds.ALERT_POSTED, kinds.REVERT, kinds.TABLE, kinds.IDS}


@frozen
class Entry:
    """One incident on the board: its key in URLs, folder, branch and load error (if any).

    `other` is the catalog's entry of another branch's read-only copy, known by its summary
    (None: the work tree's incident, read live).
    """

    key: str
    folder: Path
    branch: str
    error: str = ""
    hid: str = ""
    branches: tuple[str, ...] = ()
    checked_out: bool = True
    other: catalog.Entry | None = None
    remote: bool = False


def _copy_key(c: catalog.Entry) -> str:
    """A branch copy's identity: its path, its files' blob ids and the other logs merged into it
    (its path alone if unknown)."""
    return c.view_key


def _stat(p: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Board:
    """The incidents of a work tree (or one SPEC_DIR) for the web board; not thread-safe."""

    def __init__(
        self,
        root: Path | None,
        spec: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
        *,
        every_branch: bool = True,
        fetch_interval: float = 0.0,
    ) -> None:
        self.root = root
        self.spec = spec
        self.clock = clock
        # the time the page ticks by, to the millisecond (the default clock is cut to seconds)
        self.precise = precise_now if clock is utc_now else clock
        self.every_branch = every_branch and root is not None
        self.fetch_interval = fetch_interval  # seconds between background fetches; 0: none
        self._loaded: dict[Path, Incident] = {}
        self._entries: list[Entry] = []
        self._entries_sig: object = None
        self._catalog: catalog.Catalog | None = None
        self._catalog_read: datetime | None = None
        self._catalog_gen = 0
        self._refs_sig: object = None
        # copies loaded in full, by their blob ids, oldest first (see `_copy`)
        self._opened: OrderedDict[str, tuple[catalog.Entry, Incident]] = OrderedDict()
        self._lock = threading.Lock()  # `_opened`: copies are loaded in threads
        self.pinned: set[str] = set()  # keys of the pages open now (kept loaded)
        self.fetch_error = ""
        self._branch: str | None = None
        self._held: dict[str, catalog.Entry] = {}  # the catalog's entry of each folder
        # work-tree incidents merged with their other copies' logs: folder -> (key, view, lacks)
        self._merged: dict[Path, tuple[object, Incident, list[Lack]]] = {}
        self._runs: tuple[object, list[dict[str, Any]]] = ((), [])  # spec-kit runs, by stat

    def server_ms(self) -> int:
        """The server's time now in milliseconds since the epoch (the pages set their clocks
        by it)."""
        return _ms(self.precise())

    # --- spec-kit's workflow runs -----------------------------------------------------------

    def runs_signature(self) -> tuple:
        """The stat of the runs folder and of each run's state.json (changes when one moves)."""
        if self.root is None:
            return ()
        base = runs_dir(self.root)
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return ()
        return (_stat(base), tuple((n, _stat(base / n / "state.json")) for n in names))

    def runs_json(self) -> list[dict[str, Any]]:
        """`GET /api/runs`: spec-kit's workflow runs, waiting gates first (oldest first), each
        with the incidents it names and their board keys; read again only when one changed."""
        if self.root is None:
            return []
        sig = (self.runs_signature(), self.signature())
        if self._runs[0] == sig:
            return self._runs[1]
        keys = {self._rel(e.folder): e.key for e in self.entries()}
        out = []
        for r in read_runs(self.root, list(keys)):
            row = r.data(self.root)
            row["incident_keys"] = [keys[f] for f in r.incidents if f in keys]
            out.append(row)
        self._runs = (sig, out)
        return out

    # --- other branches (the catalog) -------------------------------------------------------

    def refs_signature(self) -> tuple:
        """The stat of HEAD, packed-refs, FETCH_HEAD and every file and folder under refs/."""
        g = git_dir(self.root) if self.root else None
        if g is None:
            return ()
        common = g
        with contextlib.suppress(OSError):
            common = (g / (g / "commondir").read_text(encoding="utf-8").strip()).resolve()
        out: list[object] = [_stat(g / "HEAD")]
        out += [_stat(common / n) for n in ("packed-refs", "FETCH_HEAD")]
        todo = [common / "refs"]
        while todo:
            d = todo.pop()
            out.append((str(d), _stat(d)))
            try:
                with os.scandir(d) as it:
                    for e in it:
                        if e.is_dir(follow_symlinks=False):
                            todo.append(Path(e.path))
                        else:
                            out.append((e.name, _stat(Path(e.path))))
            except OSError:
                continue
        return tuple(out)

    def refs_changed(self) -> bool:
        """True when a branch moved, appeared or went since the catalog was read (cheap stats)."""
        return self.every_branch and self.refs_signature() != self._refs_sig

    def reload_catalog(self) -> None:
        """Read every branch's incidents again (git work: run it in a thread, not on a request).

        Copies are read by their summaries (`.git/hotfix-tui/summaries.json`, shared with `list`):
        only copies whose files changed since they were last summarized are read from git."""
        if self.root is None:
            return
        sig = self.refs_signature()
        try:
            cache = Cache(self.root)
            cat = catalog.load(self.root, clock=self.clock, summaries=cache)
            cache.save()
        except (GitError, OSError) as exc:
            cat = catalog.Catalog([], None)
            self.fetch_error = str(exc)
        self._catalog, self._catalog_read, self._refs_sig = cat, self.clock(), sig
        self._held = {c.path: c for c in cat.entries}
        self._catalog_gen += 1

    def fetch_if_due(self) -> bool:
        """Run the read-only `git fetch` when the interval has passed; True when one ran."""
        if self.root is None or not catalog.fetch_due(self.root, self.fetch_interval, self.clock()):
            return False
        try:
            catalog.fetch(self.root)
            self.fetch_error = ""
        except GitError as exc:
            self.fetch_error = str(exc)
        return True

    def _other_branches(self) -> list[catalog.Entry]:
        if not self.every_branch:
            return []
        if self._catalog is None:
            self.reload_catalog()
        return self._catalog.entries if self._catalog else []

    def as_of(self, e: Entry) -> str | None:
        """How fresh a copy from another branch is: the last fetch for a remote-tracking branch,
        else when the branches were read; None for the work tree."""
        if e.other is None and not e.error or e.checked_out:
            return None
        cat = self._catalog
        when = cat.as_of if e.remote and cat is not None else self._catalog_read
        return iso_z(when) if when else None

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
        return sorted(found, key=self._rank)

    def _rank(self, f: Found) -> tuple[int, int, str]:
        current = self._is_spec(f) if self.spec else f.branch == self._branch
        rank = 0 if current else 1 if not is_closed(f.folder, self.root) else 3
        return (rank, f.number, str(f.folder))

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
            tuple(self.folder_signature(e.folder) for e in self._entries if e.other is None),
            self._catalog_gen,
            self.runs_signature(),
        )

    def folder_signature(self, folder: Path) -> tuple:
        """The stat of every file of an incident the board shows (changes when one is written)."""
        return tuple(_stat(folder / name) for name in WATCHED)

    def entries(self) -> list[Entry]:
        """The incidents with their URL keys; recomputed only when the signature changed."""
        others = self._other_branches()
        sig = self.signature()
        if sig == self._entries_sig:
            return self._entries
        self._branch = current_branch(self.root)
        by_path = {e.path: e for e in others}
        rows: list[tuple[tuple[int, int, str], Entry]] = []
        shown: set[str] = set()
        for f in self._found():
            rel = self._rel(f.folder)
            shown.add(rel)
            held = by_path.get(rel)
            held_by = tuple(held.branches) if held else ()
            try:
                hid, err = self.incident(f.folder).id, ""
            except LoadError as exc:
                hid, err = f.folder.name, str(exc)
            rows.append((self._rank(f), Entry("", f.folder, f.branch, err, hid, held_by)))
        for c in others:
            if c.path in shown or c.source == catalog.WORK_TREE or self.root is None:
                continue
            if c.kind not in INCIDENT_PREFIXES:  # incidents only, as in the work tree
                continue
            fig = c.figures
            hid = fig.id if fig is not None else Path(c.path).name
            closed = fig is not None and lifecycle.closed(fig)
            e = Entry(
                "",
                self.root / c.path,
                c.source,
                c.error or ("" if fig is not None else "cannot be read"),
                hid,
                tuple(c.branches),
                False,
                c,
                c.remote,
            )
            rows.append(((3 if closed else 2, c.number, c.path), e))
        rows.sort(key=lambda r: r[0])
        counts: dict[str, int] = {}
        for _r, e in rows:
            counts[e.hid] = counts.get(e.hid, 0) + 1
        out: list[Entry] = []
        used: set[str] = set()
        for _r, e in rows:
            key = e.hid if counts[e.hid] == 1 else f"{e.hid}@{e.branch}"
            if key in used:
                key = f"{e.hid}@{e.folder.name}"
            used.add(key)
            out.append(replace(e, key=key))
        self._entries = out
        self._entries_sig = self.signature()
        return out

    def entry(self, key: str) -> Entry | None:
        """The entry of a key; `<id>@<branch>` also finds a copy by any branch that holds it."""
        found = self.entries()
        hit = next((e for e in found if e.key == key), None)
        if hit is None and "@" in key:
            hid, _at, branch = key.partition("@")
            hit = next((e for e in found if e.hid == hid and branch in e.branches), None)
        return hit

    def _inc(self, e: Entry) -> Incident:
        """The incident of an entry: the read-only copy (loaded now if it is not), or the work
        tree's read live; either with the logs of the folder's other copies merged in."""
        if e.error:
            raise LoadError(e.error)
        if e.other is None:
            return self._work_view(e)[0]
        return self._copy(e.other)

    def diverged(self, e: Entry) -> list[Lack]:
        """Which copies of the entry's folder lack which events of what it shows."""
        if e.error:
            return []
        if e.other is None:
            return self._work_view(e)[1]
        return e.other.diverged

    def _work_view(self, e: Entry) -> tuple[Incident, list[Lack]]:
        """The work tree's incident, live, and what the other branches' copies lack of it; where
        they hold events it lacks, a read-only view of the union (made again when its files or
        the branches change)."""
        inc = self.incident(e.folder)
        held = self._held.get(self._rel(e.folder)) if self.every_branch else None
        div = held.divergence if held is not None else None
        if held is None or div is None or not div.events:
            self._merged.pop(e.folder, None)
            return inc, []
        key = (self.folder_signature(e.folder), self._catalog_gen)
        kept = self._merged.get(e.folder)
        if kept is not None and kept[0] == key:
            return kept[1], kept[2]
        live = {ev.id for ev in inc.view.events}
        more = any(ev.id not in live for evs in div.events.values() for ev in evs)
        # nothing to add: the live incident as it is (merging nothing leaves it unchanged)
        view = load_incident(e.folder, self.root, clock=self.clock) if more else inc
        lacks = div.lacks_of(merge_copies(view, div.own_log, div.events), held.branches)
        self._merged[e.folder] = (key, view, lacks)
        return view, lacks

    def _copy(self, c: catalog.Entry) -> Incident:
        """A copy loaded in full from its branch, kept by its files' blob ids (a new reading of
        the branches reuses it while they are unchanged); beyond `OPEN_COPIES`, the least
        recently asked for that no open page shows are let go (their summaries stay)."""
        if self.root is None:
            raise LoadError(c.error or "cannot be read")
        key = _copy_key(c)
        with self._lock:
            held = self._opened.get(key)
            if held is not None:
                self._opened[key] = (c, held[1])
                self._opened.move_to_end(key)
                c.incident = held[1]
                self._trim()  # (pages may have closed since)
                return held[1]
        try:
            inc = catalog.open_copy(self.root, c, self.clock)  # git and files: outside the lock
        except (GitError, OSError) as exc:  # (git went away, the scratch folder failed...)
            raise LoadError(f"cannot read {c.path} from {c.source}: {exc}") from exc
        if inc is None:
            raise LoadError(c.error or "cannot be read")
        with self._lock:
            self._opened[key] = (c, inc)
            self._opened.move_to_end(key)
            self._trim()
        return inc

    def _trim(self) -> None:
        shown = {_copy_key(e.other) for e in self._entries if e.other and e.key in self.pinned}
        for key in list(self._opened):
            if len(self._opened) <= max(OPEN_COPIES, len(shown)):
                break
            if key in shown:
                continue
            old, _inc = self._opened.pop(key)
            if old.summary is not None:  # (with no summary, the incident is all there is)
                old.incident = None

    def unloaded_copy(self, key: str) -> Entry | None:
        """The entry of `key` when it is another branch's copy not loaded yet: load it with
        `load_copy` in a thread (git work), before asking for its page."""
        e = self.entry(key)
        if e is None or e.other is None or e.error or e.other.incident is not None:
            return None
        with self._lock:
            if _copy_key(e.other) in self._opened:
                return None
        return e

    def load_copy(self, e: Entry) -> None:
        """Load an entry's branch copy (errors show on its page); safe in a thread."""
        if e.other is not None:
            with contextlib.suppress(LoadError):
                self._copy(e.other)

    def _figures(self, e: Entry) -> Incident | IncidentSummary:
        """What the list shows of an entry: a copy's summary (not loaded), else the incident."""
        fig = e.other.figures if e.other is not None and not e.error else None
        return fig if fig is not None else self._inc(e)

    def incident(self, folder: Path) -> Incident:
        """The loaded incident of a folder, re-read where its files changed; LoadError if bad."""
        inc = self._loaded.get(folder)
        if inc is None:
            inc = load_incident(folder, self.root, clock=self.clock)
            self._loaded[folder] = inc
            return inc
        try:
            inc.view.refresh()
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
            row.update(self._where(e))
            if e.error:
                out.append({**row, "id": e.folder.name, "error": e.error})
                continue
            try:
                fig = self._figures(e)
            except LoadError as exc:
                out.append({**row, "id": e.folder.name, "error": str(exc)})
                continue
            row.update(
                row_json(fig, self.clock()),
                branch=fig.branch_field or None,
                diverged=[lack.data() for lack in self.diverged(e)],
            )
            out.append(row)
        return out

    def _where(self, e: Entry) -> dict[str, Any]:
        """Where the shown copy comes from: the work tree (live) or a branch (read-only)."""
        return {
            "source": "work tree" if e.other is None and e.checked_out else e.branch,
            "branches": list(e.branches),
            "checked_out": e.checked_out,
            "read_only": not e.checked_out,
            "as_of": self.as_of(e),
        }

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
        d = status_data(self._inc(e))
        d["folder"] = self._rel(e.folder)
        d["diverged"] = [lack.data() for lack in self.diverged(e)]
        return d

    def board_json(self, key: str) -> dict[str, Any] | None:
        """What the page shows: the status, tasks by phase, clocks' rules and the last events."""
        e = self.entry(key)
        if e is None:
            return None
        nav = [
            {"key": x.key, "title": self._title(x), "where": "" if x.checked_out else x.branch}
            for x in self.entries()
        ]
        now = self.clock()
        base = {
            "key": key, "incidents": nav, "now": iso_z(now), "now_ms": self.server_ms(),
            "runs": self.runs_json(), **self._where(e),
        }
        try:
            inc = self._inc(e)
            status = self._status(e)
        except LoadError as exc:
            return {**base, "error": str(exc)}
        wf = inc.workflow
        sev = wf.severity(inc.severity) if wf else None
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
                        "assignee": t.assignee,
                        "choice": None if t.choice is None else {
                            "options": list(t.choice.options), "value": t.choice.value,
                        },
                        "notes": [
                            {"time": n.time, "who": n.who or "", "text": n.text}
                            for n in t.notes
                            if n.kind == "note"
                        ],
                    }
                    for t in inc.view.rows(p.index)
                ],
            }
            for p in inc.view.phases()
        ]
        hotfix = inc.view.text(HOTFIX)
        found = hf.detection(hotfix, wf)
        return {
            **base,
            "status": status,
            "diverged_lines": [lack.text() for lack in self.diverged(e)],
            "severity_label": sev.label if sev else "",
            "severity_color": sev.color if sev and _COLOR.match(sev.color or "") else "",
            "clock": clock_json(inc),
            "windows": windows,
            "phases": phases,
            "reminders": reminders(inc, now),
            "who": working(inc),
            "current": current(inc),
            "impact": section_lines(hotfix, "Impact"),
            "detection": None if found is None else {"at": iso_z(found[0]), "how": found[1]},
            "commander": inc.view.team().commander_words() or None,
            "status_line": status_line(inc),
            **last_events(inc),
        }

    # --- the landing page: every incident as a tile, urgent first ---------------------------

    def overview_json(self) -> dict[str, Any]:
        """The landing page: open incidents as tiles, breached first then least time left, and
        the incidents resolved in the last RESOLVED_DAYS days, latest first."""
        now = self.clock()
        open_: list[tuple[tuple[int, float], dict[str, Any]]] = []
        resolved: list[tuple[str, dict[str, Any]]] = []
        for e in self.entries():
            tile = self._tile(e, now)
            sla, clock = tile.get("sla"), tile.get("clock")
            stop = clock.get("stop") if clock else None
            if tile.get("closed") or stop:
                if stop and now - datetime.fromisoformat(stop) <= timedelta(days=RESOLVED_DAYS):
                    resolved.append((stop, tile))
                continue
            running = sla is not None and sla["state"] not in ("not-started", "met", "missed")
            rank = (0, float(sla["remaining_seconds"])) if running and sla else (1, 0.0)
            open_.append((rank, tile))
        open_.sort(key=lambda r: r[0])
        resolved.sort(key=lambda r: r[0], reverse=True)
        return {
            "now": iso_z(now),
            "now_ms": self.server_ms(),
            "open": [t for _r, t in open_],
            "resolved": [t for _r, t in resolved],
            "resolved_days": RESOLVED_DAYS,
            "runs": self.runs_json(),
        }

    def _tile(self, e: Entry, now: datetime) -> dict[str, Any]:
        """One incident's tile: severity, title, state, clock, progress, next task and who is
        working it (these two only where the incident is loaded: the work tree's, or a copy a
        page asked for)."""
        row: dict[str, Any] = {"key": e.key, "board": f"/i/{e.key}", **self._where(e)}
        try:
            fig = self._figures(e) if not e.error else None
        except LoadError as exc:
            return {**row, "id": e.folder.name, "title": e.folder.name, "error": str(exc)}
        if fig is None:
            return {**row, "id": e.folder.name, "title": e.folder.name, "error": e.error}
        wf = fig.workflow
        sev = wf.severity(fig.severity) if wf else None
        done, total = fig.progress()
        inc = fig if isinstance(fig, Incident) else (e.other.incident if e.other else None)
        nxt = inc.view.next_open() if inc is not None else None
        return {
            **row,
            "id": fig.id,
            "title": fig.title,
            "severity": fig.severity,
            "severity_label": sev.label if sev else "",
            "severity_color": sev.color if sev and _COLOR.match(sev.color or "") else "",
            "status": fig.status,
            "closed": lifecycle.closed(fig),
            "clock": clock_json(fig),
            "sla": sla_json(fig, now),
            "progress": {"done": done, "total": total},
            "next": None if nxt is None else {"id": nxt.id or nxt.key, "title": nxt.title},
            "who": working(inc) if inc is not None else None,
            "commander": getattr(fig, "commander", None) or (
                inc.view.team().commander_words() if inc is not None else None) or None,
            "current": current(inc) if inc is not None else None,
        }

    def _title(self, e: Entry) -> str:
        if e.error:
            return e.folder.name
        try:
            return self._figures(e).title
        except LoadError:
            return e.folder.name


def _ms(t: datetime) -> int:
    """A time in milliseconds since the epoch (what the page sets its clock by)."""
    return round(t.timestamp() * 1000)


def clock_json(inc: Incident | IncidentSummary) -> dict[str, Any] | None:
    """The resolution clock's rules for the page to tick: start, stop, target and warnings."""
    wf = inc.workflow
    sev = wf.severity(inc.severity) if wf else None
    if wf is None or sev is None:
        return None
    times = inc.event_times()
    start, stop = times.get(wf.clock.starts_at), times.get(wf.clock.stops_at)
    return {
        "start": iso_z(start) if start else None,
        "stop": iso_z(stop) if stop else None,
        "target_seconds": sev.target_seconds,
        "warnings": list(wf.clock.warnings),
    }


def _acts(ev: events.Event) -> bool:
    """True for an event a person made (not a seed of the folder's first reading, no alert)."""
    return bool(ev.who) and ev.who != "System" and not ev.get("seed") and ev.kind not in _NOBODY


def working(inc: Incident) -> str | None:
    """Who is working the incident: the last person who acted on it (None: nobody yet)."""
    acted = [ev for ev in inc.view.events if _acts(ev)]
    return max(acted, key=lambda ev: ev.order).who if acted else None


def current(inc: Incident) -> dict[str, Any]:
    """The one line a viewer reads first: the latest stakeholder update's text when one was
    recorded, else the status and the next task."""
    line = status_line(inc)
    if line is not None:
        return {**line, "update": True}
    nxt = inc.view.next_open()
    then = f"next: {nxt.id or nxt.key} {nxt.title}" if nxt else "every task is settled"
    return {"text": f"{inc.status or 'No status'} · {then}", "update": False}


def _describe(ev: events.Event) -> str:
    """A line for an event of the log: its kind's words (`kinds.describe`) and its text fields."""
    text = kinds.describe(ev)
    extra = [str(ev.data[k]) for k in _EVENT_FIELDS if isinstance(ev.data.get(k), str | int)]
    return f"{text}: {'; '.join(extra)}" if extra else text


def _log(inc: Incident) -> list[events.Event] | None:
    """The incident's events (its log as read, with any other copies' merged in); None if it
    has no log."""
    if inc.view.events or events.log_exists(inc.folder):
        return list(inc.view.events)
    return None


def status_line(inc: Incident) -> dict[str, Any] | None:
    """The latest status update sent with its text (`U`, `hotfix-tui update`): the board's
    current status line; None before the first."""
    from hotfix_tui.core.record.team import latest_update

    ev = latest_update(inc.view.events)
    if ev is None:
        return None
    return {"text": ev.get("text"), "who": ev.who, "at": iso_z(ev.happened_at)}


def reminders(inc: Incident, now: datetime) -> list[dict[str, Any]]:
    """The running reminders (next stakeholder update, ...): when each is due, soonest first."""
    return [
        {
            "id": r.id,
            "label": r.label,
            "due": iso_z(r.due),
            "remaining_seconds": r.remaining_seconds,
            "interval_seconds": r.interval_seconds,
            "task": r.task,
        }
        for r in incident_reminders(inc, now, _log(inc) or [])
    ]


def readable(inc: Incident) -> list[dict[str, Any]]:
    """Every event of the log as a sentence in its kind's words ("Ana checked T002 Notify
    incident commander", "Severity raised to P0"), newest happened first; `late` marks one
    recorded well after it happened (a corrected start time)."""
    wf = inc.workflow
    st = replay(inc.view.events, wf)
    t = Timeline(st, wf, tasks_md_titles(inc))
    order = severity_ids(wf)
    out: list[tuple[datetime, tuple[str, str], dict[str, Any]]] = []
    for ev in st.events:
        kind = kinds.KINDS.get(ev.kind)
        was = t.sev
        line = kinds.of(ev).timeline(t, ev)
        if kind is None:  # a kind this version does not know: its name and fields
            text = _describe(ev)
        elif line is None:
            continue
        else:
            text = _sentence(kind, t, ev, line[1], was, order)
        rev = st.reverted.get(ev.id)
        if rev is not None:
            text += f" (reverted in {str(rev.get('commit') or '')[:7]} by {rev.who})"
        late = (ev.recorded_at - ev.happened_at).total_seconds() > LATE_S
        row = {"when": ev.happened, "who": ev.who, "text": text, "kind": ev.kind,
               "recorded": ev.recorded, "late": late}
        out.append((ev.happened_at, ev.order, row))
    out.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r for _w, _o, r in out]


def tasks_md_titles(inc: Incident) -> Callable[[str], str]:
    """The titles of the incident's tasks by ID or key (the timeline's words name them)."""
    return tasks_md.titles(inc.view.text(TASKS))


def _sentence(
    kind: kinds.Kind,
    t: Timeline,
    ev: events.Event,
    cells: tuple[str, str, str],
    was: str | None,
    order: tuple[str, ...],
) -> str:
    """An event's timeline row as a sentence: who did what to which task; a severity raised or
    lowered; else the row's words and its notes."""
    what, _who, notes = cells
    deed = getattr(kind, "deed", "") or getattr(kind, "verb", "")
    if deed and ev.task and not ev.get("undo"):
        text = f"{ev.who} {deed} {t.label(ev)}{t.title(ev)}".strip()
        return f"{text}: {notes}" if notes else text
    new = ev.get("value")
    if ev.kind == kinds.SEVERITY and not ev.get("undo") and isinstance(new, str):
        old = ev.get("old") or was
        if old in order and new in order and old != new:
            way = "raised" if order.index(new) < order.index(old) else "lowered"
            return f"Severity {way} to {new}"
        return f"Severity set to {new}"
    return f"{what}: {notes}" if notes else what


def last_events(inc: Incident) -> dict[str, Any]:
    """The newest events first (by when they happened): from events.jsonl when the folder has
    one, else the post-mortem."""
    log = _log(inc)
    if log is not None:
        return {"events": readable(inc)[:LAST_EVENTS], "events_source": events.LOG}
    table = record.log_table(inc.view.text(POSTMORTEM))
    if table is None:
        return {"events": [], "events_source": None}
    real = [r for r in table[0] if not r.placeholder][-LAST_EVENTS:]
    rows = [
        {"when": r.time, "who": r.who, "text": f"{r.event}: {r.notes}" if r.notes else r.event}
        for r in reversed(real)
    ]
    return {"events": rows, "events_source": POSTMORTEM}
