"""Incidents on other branches than the work tree's, and joining one (switching to its branch).

A teammate on a fresh clone is pointed at the incident already declared, never at `new`.
"""

# The branches are read as `list` reads them (reports/catalog.py, its summary cache); the switch
# is branches.switch_to_copy. "Open" is the lifecycle's (`lifecycle.closed`).

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.clocks import Clock, utc_now
from hotfix_tui.core.errors import EXIT_FAIL, EXIT_NOT_FOUND, UserError
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.repo import GitError, current_branch

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.reports.catalog import Entry
    from hotfix_tui.core.reports.summaries import IncidentSummary

NEW_HINT = 'hotfix-tui new "what broke" --severity P1'


@frozen
class Elsewhere:
    """An incident folder that is not in the work tree, and the branch holding it."""

    id: str  # hotfix-001
    number: int
    path: str  # specs/hotfix-001-words
    title: str
    severity: str
    status: str
    source: str  # the branch to take it from: `hotfix/001-words` or `origin/hotfix/001-words`
    local: bool  # `source` is a local branch (else a remote-tracking one)
    open: bool
    figures: Incident | IncidentSummary | None = field(default=None, compare=False, repr=False)

    @property
    def branch(self) -> str:
        """The local branch a switch lands on (made to track `source` when it is remote)."""
        return self.source if self.local else self.source.partition("/")[2]

    @property
    def switch(self) -> str:
        """The git command that joins it (git makes the tracking branch itself)."""
        return f"git switch {self.branch}"

    def describe(self) -> str:
        """Two lines: what the incident is, then where it is and the command to run."""
        head = f"  {self.id}  {self.severity or '-'}  {self.status or '-'}  {self.title}"
        return f"{head}\n    on {self.source}: {self.switch}"


def incidents_elsewhere(root: Path, clock: Clock = utc_now) -> list[Elsewhere]:
    """Every incident on a local or remote-tracking branch whose folder is not in the work tree
    (open or not), by number; [] when git cannot list the branches."""
    from hotfix_tui.core.reports import catalog
    from hotfix_tui.core.reports.summaries import Cache
    from hotfix_tui.core.workflow.lifecycle import closed

    cache = Cache(root)
    try:
        cat = catalog.load(root, clock=clock, summaries=cache)
    except GitError:
        return []
    cache.save()
    head = current_branch(root)
    out = []
    for e in cat.entries:
        fig = e.figures
        if e.checked_out or e.source == catalog.WORK_TREE or fig is None or not fig.severity:
            continue  # here already, unreadable, or a checklist (no severity: not an incident)
        source, local = _source(e)
        if local and source == head:
            continue  # the checked-out branch's copy, deleted in the work tree: nothing to join
        out.append(
            Elsewhere(
                fig.id or Path(e.path).name,
                e.number,
                e.path,
                fig.title,
                fig.severity or "",
                fig.status,
                source,
                local,
                not closed(fig),
                fig,
            )
        )
    out.sort(key=lambda x: (x.number, x.path))
    return out


def open_elsewhere(root: Path, clock: Clock = utc_now) -> list[Elsewhere]:
    """The open incidents of `incidents_elsewhere`."""
    return [x for x in incidents_elsewhere(root, clock) if x.open]


def _source(e: Entry) -> tuple[str, bool]:
    """The branch to join an entry from: its own branch (local, else remote), else the one
    whose copy is shown."""
    from hotfix_tui.core.layouts import classify

    found = classify(e.path.split("/")[1:])
    home = found.branch if found is not None else ""
    if home and home in e.branches:
        return home, True
    remote = next((b for b in e.branches if b.partition("/")[2] == home), None) if home else None
    if remote:
        return remote, False
    return e.source, e.local_source


def not_here(root: Path, fallback: str | None = None) -> UserError:
    """The error for a work tree without an open incident: the incidents open on other branches
    with the `git switch` to run, else `fallback` (or how to declare one)."""
    open_ = open_elsewhere(root)
    if not open_:
        return UserError(
            fallback or f"no incident in {root}/specs; declare one with: {NEW_HINT}",
            EXIT_NOT_FOUND,
        )
    where = current_branch(root) or "a detached HEAD"
    n = len(open_)
    lines = [
        f"no open incident in this work tree (on {where}); "
        + ("one is open on another branch:" if n == 1 else f"{n} are open on other branches:")
    ]
    lines += [x.describe() for x in open_]
    lines.append(
        f"join it with: hotfix-tui join {open_[0].id}"
        if n == 1
        else "join one with: hotfix-tui join ID"
    )
    if fallback:
        lines.append(f"(or, for this work tree: {fallback})")
    return UserError("\n".join(lines), EXIT_NOT_FOUND)


def fetch(root: Path) -> str | None:
    """Fetch every remote (remote-tracking branches only); a warning when it failed, else None."""
    from hotfix_tui.core.reports import catalog

    try:
        catalog.fetch(root)
    except GitError as exc:
        return f"could not fetch, so other branches are as of the last fetch: {exc}"
    return None


def choose(root: Path, ident: str | None, clock: Clock = utc_now) -> Elsewhere:
    """The incident `join` switches to: the one named (open or not), else the only open one;
    UserError (exit 3) listing them when none or several fit."""
    every = incidents_elsewhere(root, clock)
    if ident is None:
        open_ = [x for x in every if x.open]
        if len(open_) == 1:
            return open_[0]
        if not open_:
            raise UserError(_nothing_to_join(root), EXIT_NOT_FOUND)
        listing = "\n".join(x.describe() for x in open_)
        raise UserError(
            f"{len(open_)} incidents are open on other branches:\n{listing}\n"
            "join one with: hotfix-tui join ID",
            EXIT_NOT_FOUND,
        )
    matches = [x for x in every if _names(x, ident)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listing = "\n".join(x.describe() for x in matches)
        raise UserError(f"{ident} names {len(matches)} incidents:\n{listing}", EXIT_NOT_FOUND)
    here = _here(root, ident)
    if here:
        raise UserError(
            f"{ident} is in this work tree already ({here}); "
            "open it with: hotfix-tui, or: hotfix-tui status",
            EXIT_NOT_FOUND,
        )
    known = "\n".join(x.describe() for x in every)
    raise UserError(
        f"no incident {ident} on another branch"
        + (f"; these are:\n{known}" if known else " (after the last fetch: `git fetch`)"),
        EXIT_NOT_FOUND,
    )


def _names(x: Elsewhere, ident: str) -> bool:
    q = ident.strip().strip("/").lower()
    if q.isdigit():
        return int(q) == x.number
    return q in (x.id.lower(), x.path.lower(), Path(x.path).name.lower(), x.branch.lower(),
                 x.source.lower())


def _here(root: Path, ident: str) -> str | None:
    """The work tree's folder an ID names, as a relative path, or None."""
    from hotfix_tui.core.discovery import find_specs

    q = ident.strip().strip("/").lower()
    for f in find_specs(root):
        rel = f.folder.relative_to(root).as_posix()
        if q in (f.id.lower(), f.folder.name.lower(), rel.lower()) or (
            q.isdigit() and int(q) == f.number
        ):
            return rel
    return None


def _nothing_to_join(root: Path) -> str:
    from hotfix_tui.core.discovery import find_incidents, is_closed

    if any(not is_closed(f.folder, root) for f in find_incidents(root)):
        return "no open incident on another branch to join; the one here is open (hotfix-tui)"
    return f"no open incident on any branch (as of the last fetch); declare one with: {NEW_HINT}"


def join(root: Path, target: Elsewhere) -> None:
    """Switch the work tree to the target's branch (a local branch tracking the remote one is
    made when needed); UserError (exit 1) when git refuses, nothing changed."""
    from hotfix_tui.core.git.branches import switch_to_copy

    try:
        switch_to_copy(root, target.source, local=target.local)
    except (GitError, OSError) as exc:
        raise UserError(f"could not switch to {target.branch}: {exc}", EXIT_FAIL) from exc
