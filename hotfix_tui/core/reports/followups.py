"""Follow-ups (post-mortem action items) across the incidents of the work tree and of every
branch: who owns them, which are overdue, and the `gh issue create` that files each (never run)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from hotfix_tui.core.discovery import find_specs
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown import action_items

POSTMORTEM = "post-mortem.md"


@frozen
class Followup:
    """One action item of one incident's post-mortem."""

    incident: str
    folder: str  # relative to the repository root
    ref: str
    title: str
    owner: str
    due: str
    done: bool
    branch: str | None = None  # where it was read: None for the work tree, else the branch

    def due_date(self) -> date | None:
        try:
            return date.fromisoformat(self.due)
        except ValueError:
            return None

    def overdue(self, today: date) -> bool:
        """Open and past its due date."""
        due = self.due_date()
        return not self.done and due is not None and due < today

    def gh_command(self) -> str:
        """The copy-ready `gh issue create` that files it, shell-quoted (never run here)."""
        body = (f"Follow-up {self.ref} of incident {self.incident}.\n\n"
                f"Owner: {self.owner or '(none)'}\nDue: {self.due or '(none)'}\n"
                f"Post-mortem: {self.folder}/{POSTMORTEM}"
                + (f" (branch {self.branch})" if self.branch else ""))
        return shlex.join(["gh", "issue", "create", "--title", f"{self.ref}: {self.title}",
                           "--body", body])

    def data(self, today: date) -> dict[str, Any]:
        """As `followups --json` gives it."""
        return {"incident": self.incident, "folder": self.folder, "id": self.ref,
                "title": self.title, "owner": self.owner or None, "due": self.due or None,
                "done": self.done, "overdue": self.overdue(today), "branch": self.branch,
                "gh": self.gh_command()}


def of_text(text: str, incident: str, folder: str, branch: str | None = None) -> list[Followup]:
    """The action items (not the template's placeholder) of one post-mortem text."""
    return [Followup(incident, folder, it.ref, it.title, it.owner, it.due, it.done, branch)
            for it in action_items.parse(text) if not it.placeholder]


def collect(root: Path, *, here: bool = False) -> list[Followup]:
    """Every action item of every incident folder of the work tree and (unless `here`) of the
    incidents that live only on branches, each read from its branch's newest copy."""
    out: list[Followup] = []
    work: set[str] = set()
    for found in find_specs(root):
        rel = found.folder.relative_to(root).as_posix()
        work.add(rel)
        try:
            text = (found.folder / POSTMORTEM).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        out += of_text(text, found.id, rel)
    return out if here else out + _on_branches(root, work)


def _on_branches(root: Path, skip: set[str]) -> list[Followup]:
    """The action items of the folders not in the work tree, from the newest branch holding each
    (a local branch before its remote-tracking copy)."""
    from hotfix_tui.core.git import branches
    from hotfix_tui.core.git.gitcmd import GitError
    from hotfix_tui.core.layouts import classify

    try:
        refs = branches.list_refs(root)
        scanned = branches.scan_specs(root, [r.tree for r in refs])
    except GitError:
        return []
    newest: dict[str, tuple[branches.Ref, str]] = {}
    for ref in sorted(refs, key=lambda r: (r.committed, r.local)):
        for path, copy in scanned.get(ref.tree, {}).items():
            blob = copy.files.get(POSTMORTEM)
            if path not in skip and blob is not None:
                newest[path] = (ref, blob[1])
    paths = sorted(newest)
    try:
        blobs = branches.read_objects(root, [newest[p][1] for p in paths])
    except GitError:
        return []
    out: list[Followup] = []
    for path, obj in zip(paths, blobs, strict=True):
        found = classify(path.split("/")[1:])
        if obj is None or found is None:
            continue
        text = obj[2].decode("utf-8", errors="replace")
        out += of_text(text, found.id, path, newest[path][0].short)
    return out


def identities(root: Path) -> set[str]:
    """git's user.name and user.email here, case-folded (who "mine" means)."""
    from hotfix_tui.core.git.repo import user_identity

    return {who.casefold() for who in user_identity(root)}


def is_mine(item: Followup, who: set[str]) -> bool:
    """The owner is my name or email (case-insensitively), or names my email inside it."""
    owner = item.owner.strip().casefold()
    return bool(owner) and (owner in who or any("@" in w and w in owner for w in who))


def select(items: Iterable[Followup], *, who: set[str] | None = None,
           today: date | None = None) -> list[Followup]:
    """The items owned by `who` (when given) and overdue on `today` (when given)."""
    return [i for i in items if (who is None or is_mine(i, who))
            and (today is None or i.overdue(today))]
