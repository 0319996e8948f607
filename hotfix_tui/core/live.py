"""The live team view: what teammates pushed to the incident's branch, merged into the open
incident folder without a checkout (the log's union and its projections, under the lock).

`incoming()` fetches and reads git objects only (run it in a thread); `take_in()` writes the
folder through the record's own transaction, never HEAD, the index or a file outside the folder,
and only while it holds the locks a sync or commit holds (else it skips: the next interval reads
again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.git.gitops import file_at, head_ref, rel_folder, rev, run_git
from hotfix_tui.core.git.repo import GitError
from hotfix_tui.core.record.events import ATTRIBUTES, LOG, Event, parse_log
from hotfix_tui.core.sync import (
    MARKDOWN,
    NETWORK_TIMEOUT,
    Arrival,
    _remote_and_branch,
    merge_record,
)

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.model import Workflow


@dataclass
class Incoming:
    """What the remote branch holds for the folder that this clone's files do not."""

    remote: str = ""
    branch: str = ""
    tip: str = ""  # the remote tip read
    head: str = ""  # our HEAD it was read against (a sync since then makes it stale)
    events: list[Event] = field(default_factory=list)  # theirs, not in our log yet
    base: dict[str, str | None] = field(default_factory=dict)  # markdown at the merge base
    theirs: dict[str, str | None] = field(default_factory=dict)  # markdown at their tip
    arrived: list[Arrival] = field(default_factory=list)
    blocked: str = ""  # why it cannot be merged here ("" when it can): `S` merges it
    error: str = ""  # the fetch failed (offline): nothing to say on screen

    @property
    def count(self) -> int:
        return len(self.arrived) or len(self.events)

    def banner(self) -> str:
        """`Ben: 3 changes on origin — S to sync` (several names joined)."""
        whos = sorted({a.who for a in self.arrived if a.who}) or sorted(
            {e.who for e in self.events if e.who}
        )
        who = ", ".join(whos) or "others"
        return f"{who}: {self.count} changes on {self.remote} — S to sync"


def fetch(root: Path, remote: str, branch: str) -> str:
    """Fetch the one branch into its remote-tracking ref; git's error ("" when it worked)."""
    out = run_git(
        root,
        "fetch",
        "--quiet",
        "--no-tags",
        remote,
        f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}",
        check=False,
        timeout=NETWORK_TIMEOUT,
    )
    return "" if out.returncode == 0 else (out.stderr.strip() or "git fetch failed")


def incoming(
    root: Path, folder: Path, workflow: Workflow | None, *, do_fetch: bool = True
) -> Incoming:
    """Fetch the incident's branch and read what arrived for the folder (no write here)."""
    root, folder = Path(root), Path(folder)
    try:
        ref = head_ref(root)
        remote, rbranch, _ = _remote_and_branch(root, ref.removeprefix("refs/heads/"))
    except GitError as exc:  # detached HEAD (a GitError), no remote: nothing to fetch
        return Incoming(error=str(exc))
    res = Incoming(remote=remote, branch=rbranch)
    tracking = f"refs/remotes/{remote}/{rbranch}"
    before = rev(root, tracking)
    if do_fetch:
        res.error = fetch(root, remote, rbranch)
        if res.error:
            return res
    theirs = rev(root, tracking)
    head = rev(root, "HEAD")
    if not theirs or not head or theirs == head or _ancestor(root, theirs, head):
        return res
    res.tip, res.head = theirs, head
    rel = rel_folder(root, folder)
    mb = run_git(root, "merge-base", head, theirs, check=False).stdout.strip()
    ours_log = _read(folder / LOG)
    have = {e.id for e in parse_log(ours_log or "")[0]}
    their_log = file_at(root, theirs, f"{rel}/{LOG}")
    res.events = [e for e in parse_log(their_log or "")[0] if e.id not in have]
    res.base = {n: file_at(root, mb or None, f"{rel}/{n}") for n in MARKDOWN}
    res.theirs = {n: file_at(root, theirs, f"{rel}/{n}") for n in MARKDOWN}
    if mb:
        from hotfix_tui.core.record.credit import range_edits

        edits = [e for n in MARKDOWN for e in range_edits(root, rel, n, theirs, mb, workflow)]
        res.events += [e for e in {x.id: x for x in edits}.values() if e.id not in have]
    ours = {n: _read(folder / n) for n in MARKDOWN}
    ours[LOG] = ours_log
    tx = dict(res.theirs)
    tx[LOG] = their_log
    res.arrived = merge_record(dict(res.base), ours, tx, workflow, res.events).arrived
    res.blocked = _blocked(root, rel, mb, {before, *_seen_tips(root, tracking)} - {None}, theirs)
    return res


def _seen_tips(root: Path, tracking: str) -> list[str]:
    """The remote tips this clone fetched before (the tracking ref's reflog, newest first)."""
    out = run_git(root, "log", "-g", "--format=%H", "-n", "20", tracking, "--", check=False)
    return out.stdout.split() if out.returncode == 0 else []


def _blocked(root: Path, rel: str, mb: str, seen: set[str | None], theirs: str) -> str:
    """Why the remote's changes cannot be merged into the folder here ("" when they can)."""
    if not mb:
        return "the remote branch shares no history with yours"
    for tip in seen:  # a tip we had, that the remote no longer has: history rewritten
        if tip and tip != theirs and _ancestor(root, tip, "HEAD") and not _ancestor(
            root, tip, theirs
        ):
            return "the remote branch rewrote its history"
    out = run_git(root, "diff", "--name-only", "--no-renames", mb, theirs, "--", rel + "/")
    names = [p.removeprefix(rel + "/") for p in out.stdout.splitlines() if p.strip()]
    odd = [n for n in names if n not in (*MARKDOWN, LOG, ATTRIBUTES)]
    if odd:
        return f"the remote changed {', '.join(odd[:3])}, which only a sync merges"
    return ""


def take_in(inc: Incident, came: Incoming) -> list[Event] | None:
    """Merge `came` into the folder under the locks a sync or commit holds (the repository's
    and the incident's): their events appended (by id, never twice), their markdown merged
    three-way, every file projected; the events added. None when a write or sync holds a lock,
    or one ran since `came` was read (HEAD moved): nothing is written, read again next time."""
    from hotfix_tui.core.git.gitcmd import repo_lock
    from hotfix_tui.core.locking import LockTimeout
    from hotfix_tui.core.record.journal import incident_lock

    if came.blocked or not came.tip:
        return []
    root = inc.repo_root
    if root is None:
        return []
    repo = repo_lock(root)
    if not repo.acquire(blocking=False):  # a sync or commit of this process runs
        return None
    try:
        lock = incident_lock(root, inc.folder)
        try:
            lock.acquire(timeout=0)
        except LockTimeout:  # a write, or another process's sync, holds the folder
            return None
        try:
            if came.head and rev(root, "HEAD") != came.head:
                return None  # a sync or commit ran since it was read
            return _merge_in(inc, came)
        finally:
            lock.release()
    finally:
        repo.release()


def _merge_in(inc: Incident, came: Incoming) -> list[Event]:
    """Their events and markdown into the folder through the record's transaction."""
    from hotfix_tui.core.git.mdmerge import merge_texts

    def build(base: list[Event], _make: object) -> list[Event]:
        have = {e.id for e in base}
        return [e for e in came.events if e.id not in have]

    def three_way(name: str) -> Callable[[str], str]:
        def fn(text: str) -> str:
            return merge_texts(came.base.get(name), text, came.theirs.get(name)) or text

        return fn

    edits = {
        n: three_way(n)
        for n in MARKDOWN
        if came.theirs.get(n) is not None and came.theirs.get(n) != came.base.get(n)
    }
    return inc.tx.transact(build, edits=edits)


def _ancestor(root: Path, a: str, b: str) -> bool:
    return run_git(root, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
