"""Every incident and spec of the repository: the work tree and every branch, keyed by folder.

A folder on several branches is read once, from the copy with the newest commit touching it;
where the copies' event logs differ, it shows their union and says which branch lacks what.
"""

# Copies on other branches are read from git objects (branches.scan_specs) into a scratch
# folder and loaded like any incident folder; nothing of the work tree is written.

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from subprocess import Popen
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.clocks import Clock, utc_now
from hotfix_tui.core.discovery import find_specs, workflow_name_for
from hotfix_tui.core.git import branches
from hotfix_tui.core.git.branches import FolderCopy
from hotfix_tui.core.git.gitcmd import spawn_git
from hotfix_tui.core.git.gitops import run_git
from hotfix_tui.core.git.repo import GitError, current_branch, git_dir
from hotfix_tui.core.layouts import classify, kind_rank
from hotfix_tui.core.reports.divergence import Lack, Missing, merge_copies
from hotfix_tui.core.reports.summaries import copy_key

if TYPE_CHECKING:
    from hotfix_tui.core.record.events import Event
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.reports.summaries import Cache, IncidentSummary
    from hotfix_tui.core.workflow.model import Workflow

WORK_TREE = "work tree"
MAX_FILE_BYTES = 8 * 1024 * 1024
LOG = "events.jsonl"


@dataclass
class Divergence:
    """Copies of a folder whose event log differs from the shown copy's (compared by blob id)."""

    own: list[str]  # the copies whose log is the shown one's (the work tree: its branch's name)
    own_log: str  # the shown copy's log blob id ("" for the work tree's, read live)
    others: dict[str, list[str]]  # every other log's blob id -> the copies holding it
    events: dict[str, list[Event]] = field(default_factory=dict)  # those logs, once read
    lacks: list[Lack] = field(default_factory=list)  # once merged: which copy lacks what

    def key(self, path: str, files: dict[str, tuple[str, str]]) -> str:
        """The merged view's key in the summary cache: the shown copy's and the other logs."""
        from hotfix_tui.core.hashing import sha1

        parts = [copy_key(path, files), *sorted(self.others)]
        return sha1("\0".join(parts).encode()).hexdigest()

    def lacks_of(self, by_log: dict[str, list[Missing]], order: list[str]) -> list[Lack]:
        """What each copy lacks (`by_log`: by log blob id, `merge_copies`), copies in `order`."""
        named = [(b, by_log.get(self.own_log, [])) for b in self.own]
        named += [(b, by_log.get(log, [])) for log, held in self.others.items() for b in held]
        rank = {b: i for i, b in enumerate(order)}
        named.sort(key=lambda bm: (rank.get(bm[0], len(rank)), bm[0]))
        return [Lack(b, tuple(m)) for b, m in named if m]

    def settle(self, by_log: dict[str, list[Missing]], order: list[str]) -> None:
        """Keep what each copy lacks (see `lacks_of`)."""
        self.lacks = self.lacks_of(by_log, order)


@dataclass
class Entry:
    """One folder: where its shown copy comes from, the branches holding it, and its incident."""

    path: str  # `specs/hotfix-001-x`, the key
    kind: str
    number: int
    source: str  # WORK_TREE or the short name of the branch whose copy is shown
    branches: list[str] = field(default_factory=list)
    checked_out: bool = False
    incident: Incident | None = None
    error: str | None = None
    local_source: bool = True
    summary: IncidentSummary | None = None  # instead of `incident`, from the summary cache
    copy: FolderCopy | None = None  # the branch copy shown (see `open_copy`)
    divergence: Divergence | None = None  # other copies whose logs differ (merged into the view)

    @property
    def diverged(self) -> list[Lack]:
        """Which copies lack which events of the view (empty: every copy holds the same log)."""
        return self.divergence.lacks if self.divergence is not None else []

    @property
    def view_key(self) -> str:
        """What the view is made of: a branch copy's blob ids, and the other logs merged in."""
        if self.copy is None:
            return self.path
        if self.divergence is not None:
            return self.divergence.key(self.path, self.copy.files)
        return copy_key(self.path, self.copy.files)

    @property
    def figures(self) -> Incident | IncidentSummary | None:
        """The loaded incident, else its cached summary (both answer what list and stats ask)."""
        return self.incident if self.incident is not None else self.summary

    @property
    def remote(self) -> bool:
        """True when the copy shown comes from a remote-tracking branch (as fresh as a fetch)."""
        return self.source != WORK_TREE and not self.local_source


@dataclass
class Catalog:
    """The entries, and the time of the last fetch (None: never fetched or no remote)."""

    entries: list[Entry]
    as_of: datetime | None


def last_fetch(root: Path) -> datetime | None:
    """When remote-tracking branches were last fetched (FETCH_HEAD, else the clone's
    packed-refs), or None."""
    g = git_dir(root)
    for name in ("FETCH_HEAD", "packed-refs"):
        try:
            return datetime.fromtimestamp((g / name).stat().st_mtime, UTC) if g else None
        except OSError:
            continue
    return None


def fetch(root: Path, timeout: float = 60) -> datetime | None:
    """A read-only `git fetch` of every remote (remote-tracking branches only); its time.

    Returns None when there is no remote; raises GitError when the fetch fails.
    """
    remotes = run_git(root, "remote").stdout.split()
    if not remotes:
        return None
    run_git(root, "fetch", "--quiet", "--all", "--prune", "--no-tags", timeout=timeout)
    return last_fetch(root)


def has_remote(root: Path) -> bool:
    """True when the repository has at least one remote."""
    out = run_git(root, "remote", check=False)
    return bool(out.stdout.split())


def workflow_for(
    folder: Path, head: str, root: Path | None, memo: dict[str, Any] | None = None
) -> Workflow | None:
    """The folder's workflow; None for a plain checklist (a prefix that names no workflow).

    Raises WorkflowError for a workflow that is named but broken or unknown.
    """
    from hotfix_tui.core.markdown.hotfix_fields import workflow_name

    name = workflow_name_for(folder, head)
    if name is None:
        return None
    if "/" in name or os.sep in name or name.endswith((".yaml", ".yml")):
        from hotfix_tui.core.store import ensure_inside

        path = Path(name) if Path(name).is_absolute() else folder / name
        ensure_inside(root or folder, path)
        name = str(path)
    named = "**Workflow**" in head and workflow_name(head) is not None
    memo = {} if memo is None else memo
    key: Any = (name, named)
    if key not in memo:
        memo[key] = _resolve(name, named, root)
    found = memo[key]
    if isinstance(found, Exception):
        raise found
    from hotfix_tui.core.workflow.model import Workflow as _Workflow

    return found if isinstance(found, _Workflow) else None


def _resolve(name: str, named: bool, root: Path | None) -> Workflow | None | Exception:
    from hotfix_tui.core.workflow.problems import WorkflowError
    from hotfix_tui.core.workflow.resolve import workflow_named

    try:
        return workflow_named(name, root)
    except WorkflowError as exc:
        p = exc.problems
        if not named and len(p) == 1 and p[0].message.startswith(f"unknown workflow '{name}'"):
            return None
        return exc


def load(
    root: Path, *, clock: Clock = utc_now, here: bool = False, summaries: Cache | None = None
) -> Catalog:
    """Every spec folder of the work tree and (unless `here`) of every branch, loaded.

    With `summaries`, a branch copy whose blobs were summarized before gets only its summary.
    A folder whose copies hold different event logs shows their union (see `Divergence`)."""
    work = {f.folder.relative_to(root).as_posix(): f for f in find_specs(root)}
    copies: dict[str, list[tuple[branches.Ref, branches.FolderCopy]]] = {}
    head = current_branch(root)
    dirty: set[str] = set()
    if not here:
        try:
            refs = branches.list_refs(root)
            scanned = branches.scan_specs(root, [r.tree for r in refs])
            dirty = branches.dirty_folders(root)
        except GitError:
            refs, scanned = [], {}
        for ref in refs:
            for path, copy in scanned.get(ref.tree, {}).items():
                copies.setdefault(path, []).append((ref, copy))
    memo: dict[str, Any] = {}
    entries: list[Entry] = []
    to_read: list[tuple[Entry, branches.FolderCopy]] = []
    for path in sorted({*work, *copies}):
        found = work.get(path) or classify(path.split("/")[1:])
        if found is None:
            continue
        held = copies.get(path, [])
        entry = Entry(
            path,
            found.kind,
            found.number,
            WORK_TREE,
            branches=sorted({r.short for r, _c in held}, key=lambda b: ("/" in b, b)),
            checked_out=path in work,
        )
        chosen = _newest(root, path, held, head, summaries)
        on_head = next((c for r, c in held if r.local and r.short == head), None)
        work_log = _work_log_id(root / path) if path in work and held else None
        use_work = path in work and (
            chosen is None
            or path in dirty
            or on_head is None
            or on_head.tree == chosen[1].tree
            or _log_id(chosen[1]) not in (None, work_log)  # to be merged: the work tree's view
        )
        if not use_work and chosen is not None:
            entry.source = chosen[0].short
            entry.local_source = chosen[0].local
            entry.copy = chosen[1]
            entry.divergence = _divergence(held, head, _log_id(chosen[1]), work=False)
            to_read.append((entry, chosen[1]))
        else:
            _open(entry, root / path, root, clock, None, memo)
            if held and entry.incident is not None:
                entry.divergence = _divergence(held, head, work_log, work=True)
                if entry.divergence is not None and work_log in entry.divergence.others:
                    # the branches holding the work tree's log as it is now (it may grow)
                    entry.divergence.events[work_log] = list(entry.incident.view.events)
        entries.append(entry)
    if summaries is not None:
        unread = []
        for entry, copy in to_read:
            entry.summary = summaries.get(entry.view_key, clock)
            if entry.summary is None:
                unread.append((entry, copy))
        to_read = unread
    if to_read:  # (a copy whose logs differ is merged there, see `_merge_logs`)
        _open_copies(root, to_read, clock, memo, summaries=summaries)
    for entry in entries:
        if entry.divergence is not None and entry.summary is not None:
            kept = entry.summary.lacks
            by_log = {k: [Missing.from_data(m) for m in v] for k, v in kept.items()}
            entry.divergence.settle(by_log, entry.branches)
    _merge(root, [e for e in entries if e.divergence is not None and e.copy is None])
    entries.sort(key=lambda e: (kind_rank(e.kind), e.kind, e.number, e.path))
    return Catalog(entries, last_fetch(root) if not here else None)


def open_copy(root: Path, entry: Entry, clock: Clock = utc_now) -> Incident | None:
    """The whole incident of an entry known by its summary (read from its branch copy once,
    with the other copies' logs merged in); None, with `entry.error` saying why, when it cannot
    be read."""
    if entry.incident is None and entry.copy is not None:
        _open_copies(root, [(entry, entry.copy)], clock, {})
    return entry.incident


def _log_id(copy: branches.FolderCopy) -> str | None:
    """The blob id of a copy's event log (None: a plain copy, no log)."""
    found = copy.files.get(LOG)
    return found[1] if found is not None and found[0] in ("100644", "100755") else None


def _work_log_id(folder: Path) -> str | None:
    """The blob id git would give the work tree's event log (None: no log)."""
    from hotfix_tui.core.hashing import sha1

    try:
        data = (folder / LOG).read_bytes()
    except OSError:
        return None
    return sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _divergence(
    held: list[tuple[branches.Ref, branches.FolderCopy]],
    head: str | None,
    own_log: str | None,
    *,
    work: bool,
) -> Divergence | None:
    """The copies whose event log differs from the shown copy's (`own_log`); None when they all
    hold the same log, or a branch copy shown has none (a plain folder keeps the newest copy).

    With `work`, the shown copy is the work tree's, read live: named by the checked-out branch
    (whose committed copy it stands for, uncommitted events and all), and every other copy with
    a log is compared with it (the web board's live view: its log may grow); None when no other
    copy has a log."""
    if own_log is None and not work:
        return None
    own: list[str] = []
    others: dict[str, list[str]] = {}
    for ref, copy in held:
        if work and ref.local and ref.short == head:
            continue
        log = _log_id(copy)
        if log == own_log and not work:
            own.append(ref.short)
        elif log is not None:
            others.setdefault(log, []).append(ref.short)
    if not others:
        return None
    if work:
        return Divergence([head or WORK_TREE], "", others)
    return Divergence(own, own_log or "", others)


def _merge(root: Path, items: list[Entry]) -> None:
    """Merge into each work-tree entry the logs of its other copies (read in one batch) and say
    what each copy lacks (the other logs' events are kept for the web board's live view)."""
    wanted = [
        log
        for e in items
        if e.divergence
        for log in e.divergence.others
        if log not in e.divergence.events
    ]
    unique = list(dict.fromkeys(wanted))
    blobs = {
        sha: obj[2]
        for sha, obj in zip(unique, branches.read_objects(root, unique), strict=True)
        if obj is not None
    }
    for e in items:
        if e.incident is not None and e.divergence is not None:
            _merge_logs(e.incident, e.divergence, e.path, blobs, e.branches)


def _merge_logs(
    inc: Incident, div: Divergence, path: str, blobs: dict[str, bytes], order: list[str]
) -> dict[str, list[Missing]]:
    """Merge the other logs (from `blobs`) into `inc`; keep and return what each log lacks."""
    from hotfix_tui.core.record.events import parse_log

    for log in div.others:
        if log not in div.events and log in blobs:
            text = blobs[log].decode("utf-8", errors="replace")
            div.events[log] = parse_log(text, f"{path}/{LOG}")[0]
    by_log = merge_copies(inc, div.own_log, div.events)
    div.settle(by_log, order)
    return by_log


def _newest(
    root: Path,
    path: str,
    held: list[tuple[branches.Ref, branches.FolderCopy]],
    head: str | None,
    summaries: Cache | None = None,
) -> tuple[branches.Ref, branches.FolderCopy] | None:
    """The copy with the newest commit touching the folder (the checked-out branch, then local
    branches, win ties; identical trees cost no `git log`, nor a time kept in `summaries`)."""
    if not held:
        return None
    order = sorted(
        held,
        key=lambda rc: (not (rc[0].local and rc[0].short == head), not rc[0].local, rc[0].short),
    )
    reps: dict[str, tuple[branches.Ref, branches.FolderCopy]] = {}
    for rc in order:
        reps.setdefault(rc[1].tree, rc)
    if len(reps) == 1:
        return order[0]

    def when(ref: branches.Ref) -> int:
        if summaries is None:
            return branches.last_commit_time(root, ref.name, path)
        return summaries.commit_time(
            ref.commit, path, lambda: branches.last_commit_time(root, ref.commit, path)
        )

    timed = [(when(r), i, (r, c)) for i, (r, c) in enumerate(reps.values())]
    return max(timed, key=lambda t: (t[0], -t[1]))[2]


def _open_copies(
    root: Path,
    items: Iterable[tuple[Entry, branches.FolderCopy]],
    clock: Clock,
    memo: dict[str, Any],
    summaries: Cache | None = None,
) -> None:
    """Read the copies' files in one batch into a scratch folder and load each.

    With `summaries`, each copy is summarized (in forked workers when there are many, each
    reading the files of its share) and the entry keeps only its summary, which goes into the
    cache."""
    items = list(items)
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # memory, where there is one
    with tempfile.TemporaryDirectory(prefix="hotfix-tui-copies-", dir=shm) as tmp:
        if summaries is None:
            blobs = _read_blobs(root, items)
            for entry, copy in items:
                folder = _write_copy(Path(tmp), entry.path, copy, blobs)
                _open(entry, folder, root, clock, root / entry.path, memo)
                if entry.incident is not None and entry.divergence is not None:
                    div = entry.divergence
                    _merge_logs(entry.incident, div, entry.path, blobs, entry.branches)
            return
        from hotfix_tui.core.reports.fanout import fan_out_shares
        from hotfix_tui.core.reports.summary_scan import scan_summary

        def summary_of(
            item: tuple[Entry, branches.FolderCopy], blobs: dict[str, bytes]
        ) -> tuple[Any, str | None]:
            entry, copy = item
            real = root / entry.path
            data = scan_summary(
                entry.path,
                copy.files,
                blobs,
                MAX_FILE_BYTES,
                lambda head: workflow_for(real, head, root, memo),
            )
            if data is not None:  # a plain copy: read from its blobs, no Incident
                return data, None
            probe = Entry(entry.path, entry.kind, entry.number, entry.source)
            folder = _write_copy(Path(tmp), entry.path, copy, blobs)
            _open(probe, folder, root, clock, root / entry.path, memo)
            div = entry.divergence
            if probe.incident is None or div is None:
                return _summary_data(probe), probe.error
            # copies whose logs differ: the summary of their union, and what each log lacks
            mine = Divergence(div.own, div.own_log, div.others)
            by_log = _merge_logs(probe.incident, mine, entry.path, blobs, [])
            data = _summary_data(probe)
            if data is not None:
                data["lacks"] = {k: [m.data() for m in v] for k, v in by_log.items()}
            return data, probe.error

        def summaries_of(
            share: list[tuple[Entry, branches.FolderCopy]],
        ) -> list[tuple[Any, str | None]]:
            blobs = _read_blobs(root, share)
            return [summary_of(item, blobs) for item in share]

        made = fan_out_shares(summaries_of, items)
        whole = []
        for (entry, copy), (data, error) in zip(items, made, strict=True):
            if data is not None:
                entry.summary = summaries.adopt(entry.view_key, data, clock)
            if entry.summary is None:  # no summary to keep: the incident itself, as without
                entry.error = error
                if error is None:
                    whole.append((entry, copy))
        blobs = _read_blobs(root, whole)
        for entry, copy in whole:
            folder = _write_copy(Path(tmp), entry.path, copy, blobs)
            _open(entry, folder, root, clock, root / entry.path, memo)
            if entry.incident is not None and entry.divergence is not None:
                _merge_logs(entry.incident, entry.divergence, entry.path, blobs, entry.branches)


def _read_blobs(root: Path, items: list[tuple[Entry, branches.FolderCopy]]) -> dict[str, bytes]:
    """The contents of the copies' files and of the other logs to merge into them (one
    `git cat-file --batch`), by blob id."""
    wanted = [
        sha
        for _e, copy in items
        for name, (mode, sha) in copy.files.items()
        if mode in ("100644", "100755", "120000") and not name.startswith(".")
    ]
    wanted += [log for e, _c in items if e.divergence for log in e.divergence.others]
    unique = list(dict.fromkeys(wanted))
    return {
        sha: obj[2]
        for sha, obj in zip(unique, branches.read_objects(root, unique), strict=True)
        if obj is not None
    }


def _summary_data(entry: Entry) -> dict[str, Any] | None:
    """What the cache stores of a loaded copy (None: unreadable, or a workflow without a file)."""
    from hotfix_tui.core.reports.summaries import summarize

    made = summarize(entry.incident) if entry.incident is not None else None
    return made.data() if made is not None else None


def _write_copy(tmp: Path, path: str, copy: branches.FolderCopy, blobs: dict[str, bytes]) -> Path:
    """The copy's files written under `tmp` (links only to a sibling file); its folder."""
    folder = Path(tmp, path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (mode, sha) in copy.files.items():
        data = blobs.get(sha)
        if data is None or len(data) > MAX_FILE_BYTES or "/" in name:
            continue
        if mode == "120000":
            target = data.decode(errors="replace")
            if "/" not in target and target in copy.files and not (folder / name).is_symlink():
                os.symlink(target, folder / name)
            continue
        (folder / name).write_bytes(data)
    return folder


def _open(
    entry: Entry, folder: Path, root: Path, clock: Clock, real: Path | None, memo: dict[str, Any]
) -> None:
    """Load the incident of `folder` into `entry` (errors name the real folder)."""
    from hotfix_tui.core.record.incident import Incident, IncidentError
    from hotfix_tui.core.store import StoreError
    from hotfix_tui.core.workflow.problems import WorkflowError

    try:
        head = (folder / "tasks.md").read_text(encoding="utf-8-sig", errors="replace")[:4000]
    except OSError:
        head = ""
    try:
        wf = workflow_for(real or folder, head, root, memo)
        entry.incident = Incident(folder, wf, clock=clock, repo_root=None if real else root)
    except WorkflowError as exc:
        entry.error = "\n".join(str(p) for p in exc.problems)
    except (IncidentError, StoreError, OSError, UnicodeDecodeError, ValueError) as exc:
        entry.error = str(exc)
    if entry.error and real is not None:
        entry.error = entry.error.replace(str(folder), str(real))


def fetch_due(root: Path, interval: float, now: datetime) -> bool:
    """True when a background fetch is due: a remote exists and the last fetch is older than
    `interval` seconds (0 turns fetching off)."""
    if interval <= 0 or not has_remote(root):
        return False
    last = last_fetch(root)
    return last is None or (now - last).total_seconds() >= interval


def fetch_in_background(root: Path) -> Popen[bytes]:
    """Start a read-only `git fetch` of every remote that outlives the command; not waited on."""
    return spawn_git(root, "fetch", "--quiet", "--all", "--prune", "--no-tags")
