"""The git history of an incident folder: who committed what, when (newest first).

Read in a short-lived GitPython Repo (the history screen, never the first frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hotfix_tui.core.git.gitcmd import open_repo
from hotfix_tui.core.git.repo import rel_folder


@dataclass(frozen=True)
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
