"""Fix-commit candidates: the branch's recent commits minus the incident's own record commits.

Blocking git calls (callers run them in a thread); the listing runs in one GitPython Repo.
"""

from __future__ import annotations

from pathlib import Path

from hotfix_tui.core.git.gitcmd import open_repo
from hotfix_tui.core.git.gitops import CommitInfo, recent_commits, run_git
from hotfix_tui.core.git.repo import GitError


def record_only(root: Path, folder: Path, shas: list[str]) -> set[str]:
    """Those of `shas` whose changes (a merge: against its first parent) are all in `folder`."""
    if not shas:
        return set()
    try:
        rel = folder.resolve().relative_to(root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        return set()
    out = run_git(
        root,
        "log",
        "--no-walk=unsorted",
        "--format=%x1e%H",
        "--name-only",
        "--diff-merges=first-parent",
        *shas,
    )
    found = set()
    for chunk in out.stdout.split("\x1e"):
        lines = [ln for ln in chunk.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        sha, files = lines[0], lines[1:]
        if files and all(f.startswith(rel) for f in files):
            found.add(sha)
    return found


def fix_candidates(root: Path, folder: Path, limit: int = 20) -> list[CommitInfo]:
    """The branch's recent commits that could be the fix (never the incident's record)."""
    with open_repo(root):  # one Repo for the listing and the record check
        commits = recent_commits(root, limit=limit * 2)
        drop = record_only(root, folder, [c.sha for c in commits])
    return [c for c in commits if c.sha not in drop][:limit]


def parent(root: Path, sha: str) -> str | None:
    """The first parent of a commit (what `git reset --hard` goes back to), or None."""
    try:
        out = run_git(root, "rev-parse", "--verify", "--quiet", f"{sha}^1", check=False)
    except (GitError, OSError):
        return None
    value = out.stdout.strip()
    return value or None
