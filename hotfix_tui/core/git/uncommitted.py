"""Whether an incident folder has changes git has not committed (said once on quit)."""

from __future__ import annotations

from pathlib import Path

from hotfix_tui.core.git.gitops import run_git
from hotfix_tui.core.git.repo import GitError


def uncommitted_note(root: Path | None, folder: Path, incident_id: str) -> str | None:
    """One line saying the folder has changes not committed and how to commit; None if clean."""
    if root is None:
        return None
    try:
        rel = folder.resolve().relative_to(Path(root).resolve()).as_posix()
        out = run_git(root, "status", "--porcelain", "--untracked-files=all", "--", rel)
    except (GitError, OSError, ValueError):
        return None
    changed = [ln for ln in out.stdout.splitlines() if ln.strip()]
    if not changed:
        return None
    n = len(changed)
    return (
        f"{incident_id}: {n} file{'s' if n != 1 else ''} in {rel} not committed; "
        f"commit them with: hotfix-tui commit --spec {rel}"
    )
