"""Edits a commit carried without events (a teammate editing by hand, plain git), credited to
the commit's author and time, with ids fixed by the commit: every clone makes the same events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core.record import journal, kinds
from hotfix_tui.core.record.events import LOG, Event, iso, parse_log
from hotfix_tui.core.record.reconcile import detect, signature, stale_maker
from hotfix_tui.core.workflow.model import Workflow

MARKDOWN = ("tasks.md", "hotfix.md", "post-mortem.md")
Credit = tuple[str, int, str, int]  # the last commit touching a file: sha, parents, author, time


def commit_event_id(sha: str, tail: str) -> str:
    """The id of an event credited to commit `sha`: `git-<sha12>-<tail>`, the same on every
    clone."""
    return f"git-{sha[:12]}-{tail}"


def commit_event(
    kind: str, sha: str, tail: str, author: str, when: datetime, **data: Any
) -> Event:
    """The one maker of commit-credited events: recorded at the commit's time, by its author,
    clone `git`, id `commit_event_id(sha, tail)`; `happened` in `data` (default: `when`)."""
    happened = data.pop("happened", None) or when
    clean = {k: v for k, v in data.items() if v is not None}
    eid = commit_event_id(sha, tail)
    return Event(eid, str(kind), iso(when), iso(happened), author, "git", clean)


def credited(
    sha: str, author: str, when: datetime, name: str, seen: list[Event] | None = None
) -> Callable[..., Event]:
    """A maker of a commit's hand edits of file `name` (`git-<sha>-<file>-<n>`); with `seen`
    (the log the commit had), each names what of its fact that log held (causal order)."""
    count = [0]

    def make(kind: str, happened: datetime | None = None, **data: Any) -> Event:
        count[0] += 1
        if seen is not None:
            kinds.stamp_saw(kind, data, seen)
        tail = f"{name}-{count[0]:03d}"
        return commit_event(kind, sha, tail, author, when, happened=happened, **data)

    return make


def commit_edits(
    root: Path, rel: str, name: str, commit: Credit, wf: Workflow | None, depth: int = 0
) -> list[Event]:
    """What commit `commit` changed by hand in file `name` of folder `rel`: its file against
    its own log, less what its parent's file already said (only this commit's changes). For a
    merge, the same for the last commit touching the file on each side since the merge base."""
    sha, parents, author, at = commit
    if parents > 1:
        return _merge_edits(root, rel, name, sha, wf, depth)
    files = {n: journal.show(root, sha, f"{rel}/{n}") for n in MARKDOWN}
    log = journal.show(root, sha, f"{rel}/{LOG}")
    evs, _ = parse_log(log or "")
    if not evs or files.get(name) is None:
        return []
    make = credited(sha, author, datetime.fromtimestamp(at, UTC), name, evs)
    found = detect(files, evs, wf, {name}, make)
    before = journal.show(root, f"{sha}^", f"{rel}/{name}") if parents else None
    if found and before is not None:
        seen = {signature(e) for e in detect({**files, name: before}, evs, wf, {name}, stale_maker)}
        found = [e for e in found if signature(e) not in seen]
    return found


RANGE_LIMIT = 40  # commits looked at for hand edits, newest first


def range_edits(
    root: Path, rel: str, name: str, tip: str, since: str | None, wf: Workflow | None
) -> list[Event]:
    """Hand edits of file `name` in every commit since `since` up to `tip` (the newest
    RANGE_LIMIT without `since`): each commit's own changes, credited to it, so that several
    commits of a teammate without hotfix-tui each count, whoever merges them."""
    from hotfix_tui.core.git.gitcmd import run_git

    spec = f"{since}..{tip}" if since else tip
    out = run_git(
        root,
        "log",
        "--no-merges",
        f"-n{RANGE_LIMIT}",
        "--format=%H%x1f%P%x1f%an%x1f%at%x1f%(trailers:key=Hotfix-Id,valueonly)%x1e",
        spec,
        "--",
        f"{rel}/{name}",
        check=False,
    )
    found: dict[str, Event] = {}
    for rec in reversed(out.stdout.split("\x1e")):
        parts = rec.strip("\n").split("\x1f")
        if len(parts) < 5 or parts[4].strip():
            continue  # not a commit, or one hotfix-tui made (its edits are events already)
        sha, parents, author, at = parts[0], parts[1].split(), parts[2], int(parts[3] or 0)
        for e in commit_edits(root, rel, name, (sha, len(parents), author, at), wf):
            found.setdefault(e.id, e)
    return list(found.values())


def _merge_edits(
    root: Path, rel: str, name: str, sha: str, wf: Workflow | None, depth: int
) -> list[Event]:
    from hotfix_tui.core.git.gitcmd import run_git

    if depth > 8:
        return []
    out = run_git(root, "rev-list", "--parents", "-n", "1", sha, check=False).stdout.split()
    tips = out[1:]
    if len(tips) < 2:
        return []
    mb = run_git(root, "merge-base", *tips, check=False).stdout.strip()
    found: list[Event] = []
    for tip in tips:
        side = journal.last_commit(root, f"{rel}/{name}", tip)
        if side is None:
            continue
        if mb and run_git(
            root, "merge-base", "--is-ancestor", side[0], mb, check=False
        ).returncode == 0:
            continue  # the file was not changed on this side since the merge base
        found += commit_edits(root, rel, name, side, wf, depth + 1)
    return list({e.id: e for e in found}.values())
