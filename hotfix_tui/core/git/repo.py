"""Git facts the incident layer needs: repo root, branch, user name, branch creation.

The root, branch and user are read without GitPython (`status`, the first frame); creating a
branch runs in a short-lived GitPython Repo (`gitcmd.open_repo`).
"""

from __future__ import annotations

import os
from pathlib import Path

from hotfix_tui.core.git.gitcmd import GitError, open_repo, run_git

__all__ = ["GitError"]


def find_root(start: Path | None = None) -> Path | None:
    """The top of the git work tree containing `start` (default: cwd), or None."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return None


def git_dir(root: Path) -> Path | None:
    """The .git directory of a work tree, following a `gitdir:` file (worktrees)."""
    g = root / ".git"
    if g.is_dir():
        return g
    if g.is_file():
        try:
            line = g.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if line.startswith("gitdir:"):
            p = Path(line[7:].strip())
            return p if p.is_absolute() else (root / p).resolve()
    return None


def head_commit(root: Path) -> str | None:
    """The commit HEAD points at (None before the first commit), read from the files under
    `.git` like `current_branch`; `git rev-parse` where they are not plain files (reftable)."""
    g = git_dir(root)
    if g is None:
        return None
    try:
        head = (g / "HEAD").read_text(encoding="utf-8").strip()
        common = g
        if (g / "commondir").is_file():
            common = (g / (g / "commondir").read_text(encoding="utf-8").strip()).resolve()
        if not (common / "reftable").exists():
            if not head.startswith("ref: "):
                return head or None
            ref = head[5:].strip()
            for base in (g, common):
                if (base / ref).is_file():
                    return (base / ref).read_text(encoding="utf-8").strip() or None
            packed = common / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    sha, _, name = line.partition(" ")
                    if name == ref:
                        return sha
            return None
    except OSError:
        pass
    out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return out.stdout.strip() or None


def current_branch(root: Path | None) -> str | None:
    """The checked-out branch name, or None (detached HEAD, no repo)."""
    if root is None:
        return None
    g = git_dir(root)
    if g is None:
        return None
    try:
        head = (g / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def user_name(root: Path | None) -> str:
    """The git `user.name` for the log's Who column, falling back to the login name."""
    if root is not None:
        try:
            out = run_git(root, "config", "user.name", check=False, timeout=5)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
        except GitError:
            pass
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def user_identity(root: Path | None) -> tuple[str, ...]:
    """Git's `user.name` and `user.email` (those set): who "mine" means."""
    out: list[str] = []
    if root is None:
        return ()
    for key in ("user.name", "user.email"):
        try:
            got = run_git(root, "config", key, check=False, timeout=5)
        except GitError:
            continue
        if got.returncode == 0 and got.stdout.strip():
            out.append(got.stdout.strip())
    return tuple(out)


def in_progress_operation(root: Path) -> str | None:
    """The name of a merge, rebase, cherry-pick or revert in progress, else None."""
    g = git_dir(root)
    if g is None:
        return None
    for name, what in (
        ("MERGE_HEAD", "a merge"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ):
        if (g / name).exists():
            return what
    return None


def check_can_branch(root: Path, branch: str) -> None:
    """Raise GitError when `branch` cannot be created and checked out here."""
    op = in_progress_operation(root)
    if op:
        raise GitError(f"{root}: {op} is in progress; finish or abort it first, or use --no-branch")
    try:
        with open_repo(root) as repo:
            heads = [h.name for h in repo.repo.heads]
    except GitError as exc:
        raise GitError(f"{exc}; use --no-branch") from exc
    if branch in heads:
        raise GitError(
            f"branch {branch!r} already exists; check it out or pick another description"
        )
    if (git_dir(root) or root / ".git").joinpath("index.lock").exists():
        raise GitError(
            f"{root}/.git/index.lock exists: another git process is running; "
            "wait for it or remove the stale lock"
        )


def create_branch(root: Path, branch: str, start: str | None = None) -> None:
    """Create `branch` from `start` (default: HEAD) and check it out (even before a commit)."""
    with open_repo(root, write=True) as repo:
        check_can_branch(root, branch)
        try:
            repo.run("checkout", "-b", branch, *([start] if start else []))
        except GitError as exc:
            msg = str(exc).removeprefix("git checkout failed: ")
            raise GitError(f"could not create branch {branch!r}: {msg}") from exc


def ensure_excluded(root: Path | None, patterns: tuple[str, ...] = (".*.lock", ".*.tmp")) -> None:
    """Add our lock and temp file patterns to `.git/info/exclude` so git never shows them."""
    if root is None:
        return
    g = git_dir(root)
    if g is None:
        return
    path = g / "info" / "exclude"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        missing = [p for p in patterns if p not in text.splitlines()]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            sep = "" if not text or text.endswith("\n") else "\n"
            path.write_text(text + sep + "\n".join(missing) + "\n", encoding="utf-8")
    except OSError:
        pass


def rev(root: Path, ref: str) -> str | None:
    """The full SHA a ref names, or None."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}", check=False)
    return out.stdout.strip() or None if out.returncode == 0 else None


def rel_folder(root: Path, folder: Path) -> str:
    """The folder as a path relative to the repo root, with forward slashes."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError as exc:
        raise GitError(f"{folder} is not inside the repository {root}") from exc
