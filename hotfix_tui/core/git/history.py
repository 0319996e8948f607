"""The git history of an incident folder: who committed what, when (newest first), and which
commits removed lines of a file (what the record's log keeper asks after a `git revert`).

Read in a short-lived GitPython Repo (the history screen, never the first frame).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.gitcmd import open_repo, run_git_bytes
from hotfix_tui.core.git.repo import rel_folder


@frozen
class FolderCommit:
    """One commit that touched the folder."""

    sha: str
    short: str
    author: str
    when: datetime
    subject: str


def folder_log(root: Path, folder: Path, limit: int = 50) -> list[FolderCommit]:
    """The latest commits of HEAD that touched `folder`, newest first (empty before any)."""
    rel = rel_folder(root, folder)
    with open_repo(root) as repo:
        if repo.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
            return []
        out = repo.run(
            "log",
            f"--max-count={limit}",
            "--format=%H%x1f%h%x1f%an%x1f%at%x1f%s%x1e",
            "HEAD",
            "--",
            rel,
        )
    commits = []
    for chunk in out.stdout.split("\x1e"):
        parts = chunk.strip("\n").split("\x1f")
        if len(parts) == 5:
            sha, short, author, ts, subject = parts
            commits.append(
                FolderCommit(sha, short, author, datetime.fromtimestamp(int(ts), UTC), subject)
            )
    return commits


@frozen
class Removal:
    """A commit whose own diff of a file removed lines (`added`: the lines it added)."""

    sha: str
    author: str
    when: datetime
    removed: tuple[str, ...]
    added: tuple[str, ...]


def line_removals(root: Path, rel: str, since: str | None, tip: str = "HEAD") -> list[Removal]:
    """The commits of `tip` not in `since` (all of them without it) whose diff of the file `rel`
    removes lines, oldest first; merges are left out (their diff is not their own)."""
    spec = f"{since}..{tip}" if since else tip
    out = run_git_bytes(
        root,
        "log",
        "--reverse",
        "--no-merges",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--format=%x1e%H%x1f%an%x1f%at",
        spec,
        "--",
        rel,
    )
    if out.returncode != 0:
        return []
    found = []
    for chunk in out.stdout.decode("utf-8", errors="surrogateescape").split("\x1e")[1:]:
        head, _, diff = chunk.partition("\n")
        parts = head.split("\x1f")
        if len(parts) != 3:
            continue
        removed: list[str] = []
        added: list[str] = []
        in_hunk = False
        for line in diff.split("\n"):
            if line.startswith("diff --git "):
                in_hunk = False
            elif line.startswith("@@"):
                in_hunk = True
            elif in_hunk and line.startswith("-"):
                removed.append(line[1:])
            elif in_hunk and line.startswith("+"):
                added.append(line[1:])
        if removed:
            when = datetime.fromtimestamp(int(parts[2] or 0), UTC)
            found.append(Removal(parts[0], parts[1], when, tuple(removed), tuple(added)))
    return found
