"""Git operations on an incident: commits of the incident folder only, and the fix-commit list.

Every function here is blocking and safe to call from a thread worker.
"""

# Commits are built with plumbing on a temporary index (`read-tree HEAD`, `add` the folder,
# `write-tree`, `commit-tree`, `update-ref` with the old value) so that nothing else of the work
# tree and nothing the user had staged is ever committed, and the user's index keeps every other
# entry exactly as it was. A commit runs in one short-lived GitPython Repo holding the
# repository's in-process lock (`gitcmd.open_repo(write=True)`).

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from hotfix_tui.core.clocks import Clock, SlaReading, format_duration
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.branches import check_record_branch
from hotfix_tui.core.git.gitcmd import GitError, open_repo, run_git
from hotfix_tui.core.git.gitcmd import clean_env as _clean_env
from hotfix_tui.core.git.locks import heal_locks
from hotfix_tui.core.git.repo import git_dir, in_progress_operation, rel_folder, rev
from hotfix_tui.core.markdown import record_md as record


class Committed(Protocol):
    """What a commit reads of its incident: the id, severity and clock of its trailers, and what
    changed for its subject (the record words its events: gitops knows no event kind)."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> str | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def clock(self) -> Clock: ...
    def sla(self, now: datetime | None = None) -> SlaReading | None: ...
    def commit_words(self, committed: Callable[[str], str | None]) -> list[str]: ...


class AutoCommitted(Committed, Protocol):
    """An incident whose actions a listener commits: its folder, repository and listeners."""

    @property
    def folder(self) -> Path: ...
    @property
    def repo_root(self) -> Path | None: ...
    @property
    def listeners(self) -> list[Callable[[Any, str], None]]: ...


__all__ = [
    "AutoCommitted",
    "CommitInfo",
    "Committed",
    "DetachedHead",
    "GitError",
    "HookFailed",
    "NETWORK_TIMEOUT",
    "NothingToCommit",
    "SCRATCH_EXCLUDES",
    "attach_auto_commit",
    "auto_commit_enabled",
    "base_branch",
    "build_message",
    "commit_incident",
    "commit_paths",
    "commit_subject",
    "file_at",
    "head_ref",
    "incident_message",
    "incident_trailers",
    "new_rows",
    "pending_changes",
    "recent_commits",
    "rel_folder",
    "resolve_commit",
    "rev",
    "run_git",
    "run_pre_commit",
    "sync_index",
    "temp_index",
]

NETWORK_TIMEOUT = 30


# Lock and temp files the store keeps next to the markdown are never committed.
SCRATCH_GLOBS = (".*.lock", ".*.tmp")  # a writer's lock and temp files: never committed
SCRATCH_EXCLUDES = tuple(f":(exclude,glob)**/{g}" for g in SCRATCH_GLOBS)


class NothingToCommit(GitError):
    """The incident folder has no change since the last commit."""


class DetachedHead(GitError):
    """HEAD is not on a branch."""


class HookFailed(GitError):
    """The repository's pre-commit hook refused the commit."""


@frozen
class CommitInfo:
    """One commit, as the fix-commit picker shows it."""

    sha: str
    short: str
    subject: str
    author: str
    date: datetime


# --- running git ------------------------------------------------------------------------------


def head_ref(root: Path) -> str:
    """The full name of the checked-out branch; DetachedHead when there is none."""
    out = run_git(root, "symbolic-ref", "-q", "HEAD", check=False)
    ref = out.stdout.strip()
    if out.returncode != 0 or not ref:
        raise DetachedHead(
            f"{root}: HEAD is detached (not on a branch); check out a branch first, "
            "e.g. `git switch -c hotfix/NNN-words`, then commit again"
        )
    return ref


@contextmanager
def temp_index(root: Path) -> Iterator[dict[str, str]]:
    """An env pointing GIT_INDEX_FILE at a fresh temporary index inside .git."""
    gd = git_dir(root) or root / ".git"
    fd, name = tempfile.mkstemp(prefix="hotfix-tui-index-", dir=gd)
    os.close(fd)
    os.unlink(name)  # git wants to create it itself (an empty file is not a valid index)
    try:
        yield {"GIT_INDEX_FILE": name}
    finally:
        for p in (name, name + ".lock"):
            with suppress(FileNotFoundError):
                os.unlink(p)


# --- reading history --------------------------------------------------------------------------


def base_branch(root: Path, branch: str | None = None) -> str | None:
    """The branch a hotfix branch came from: the remote's default branch, else main/master."""
    candidates = []
    out = run_git(root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False)
    if out.returncode == 0 and out.stdout.strip():
        candidates.append(out.stdout.strip())
    candidates += [
        "refs/heads/main",
        "refs/heads/master",
        "refs/remotes/origin/main",
        "refs/remotes/origin/master",
        "refs/heads/develop",
        "refs/heads/trunk",
    ]
    own = {f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"} if branch else set()
    for ref in candidates:
        if ref not in own and rev(root, ref):
            return ref
    return None


def recent_commits(
    root: Path, limit: int = 20, branch: str | None = None, *, include_record: bool = False
) -> list[CommitInfo]:
    """Recent commits of the hotfix branch that are not on its base branch, newest first.

    Record commits (a `Hotfix-Id:` trailer) are left out unless `include_record`.
    """
    # The fix is the code change, so the tool's own record commits are not offered. On the base
    # branch itself, or when no base is known, the branch's latest commits are listed.
    with open_repo(root):
        return _recent_commits(root, limit, branch, include_record)


def _recent_commits(
    root: Path, limit: int, branch: str | None, include_record: bool
) -> list[CommitInfo]:
    if branch is None:
        try:
            branch = head_ref(root).removeprefix("refs/heads/")
        except DetachedHead:
            branch = None
    tip = f"refs/heads/{branch}" if branch else "HEAD"
    if rev(root, tip) is None:
        return []
    base = base_branch(root, branch)
    args = [
        "log",
        f"--max-count={max(limit * 3, limit)}",
        "--format=%H%x1f%h%x1f%an%x1f%ct%x1f%s%x1f%B%x1e",
        tip,
    ]
    if base:
        args += ["--not", base]
    out = run_git(root, *args)
    commits: list[CommitInfo] = []
    for chunk in out.stdout.split("\x1e"):
        parts = chunk.strip("\n").split("\x1f")
        if len(parts) < 6:
            continue
        sha, short, author, ts, subject, body = parts[:6]
        if not include_record and re.search(r"^Hotfix-Id:", body, re.M):
            continue
        when = datetime.fromtimestamp(int(ts), UTC)
        commits.append(CommitInfo(sha, short, subject, author, when))
        if len(commits) >= limit:
            break
    return commits


def resolve_commit(root: Path, ref: str, choices: Sequence[CommitInfo] = ()) -> CommitInfo:
    """A commit from a number in `choices` (1-based), a SHA or a unique prefix."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) <= 3 and choices:
        n = int(ref)
        if 1 <= n <= len(choices):
            return choices[n - 1]
        raise GitError(f"no commit number {n}; pick 1-{len(choices)}")
    if not re.fullmatch(r"[0-9a-fA-F]{4,64}", ref):
        raise GitError(f"{ref!r} is not a commit SHA, a SHA prefix or a number from the list")
    with open_repo(root) as repo:
        out = repo.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if out.returncode != 0:
            amb = repo.run("rev-parse", "--disambiguate=" + ref, check=False)
            many = [s for s in amb.stdout.split() if s]
            if len(many) > 1:
                raise GitError(f"{ref} is ambiguous ({len(many)} objects); give more digits")
            raise GitError(f"no commit {ref} in this repository")
        sha = out.stdout.strip()
        info = repo.run("show", "-s", "--format=%H%x1f%h%x1f%an%x1f%ct%x1f%s", sha).stdout
    full, short, author, ts, subject = info.strip().split("\x1f", 4)
    return CommitInfo(full, short, subject, author, datetime.fromtimestamp(int(ts), UTC))


# --- commit message ---------------------------------------------------------------------------

def file_at(root: Path, commit: str | None, path: str) -> str | None:
    """A file's text in a commit, or None when it is not there."""
    if not commit:
        return None
    out = run_git(root, "cat-file", "-p", f"{commit}:{path}", check=False)
    return out.stdout if out.returncode == 0 else None


def new_rows(before: str | None, after: str) -> list[record.LogRow]:
    """Log rows of `after` that `before` does not have (matched by their four cells)."""
    old = record.log_table(before or "")
    seen: dict[tuple[str, str, str, str], int] = {}
    if old:
        for r in old[0]:
            k = (r.time, r.event, r.who, r.notes)
            seen[k] = seen.get(k, 0) + 1
    table = record.log_table(after)
    out = []
    for r in table[0] if table else []:
        k = (r.time, r.event, r.who, r.notes)
        if seen.get(k):
            seen[k] -= 1
            continue
        if not r.placeholder:
            out.append(r)
    return out


def build_message(
    incident_id: str,
    parts: Sequence[str],
    rows: Sequence[record.LogRow],
    trailers: dict[str, str],
    summary: str | None = None,
) -> str:
    """`<id>: <what changed>` (`parts`, as the record words them), a body with the log rows,
    and the trailers."""
    if summary:
        subject = summary if summary.startswith(incident_id) else f"{incident_id}: {summary}"
    else:
        what = ""
        for i, p in enumerate(parts):
            cand = (what + ", " if what else "") + p
            if len(cand) > 60 and what:
                what += f" and {len(parts) - i} more"
                break
            what = cand
        subject = f"{incident_id}: {what or 'update incident record'}"
    lines = [subject, ""]
    if rows:
        for r in rows:
            who = f" ({r.who})" if r.who else ""
            note = f" - {r.notes}" if r.notes else ""
            lines.append(f"- {r.time} {r.event}{who}{note}")
        lines.append("")
    lines += [f"{k}: {v}" for k, v in trailers.items() if v]
    return "\n".join(lines) + "\n"


def incident_trailers(incident: Committed | None) -> dict[str, str]:
    """`Hotfix-Id`, `Severity` and `SLA-Elapsed` for an incident (empty values are dropped)."""
    if incident is None:
        return {}
    sla = incident.sla()
    elapsed = ""
    if sla is not None and sla.state != "not-started":
        elapsed = format_duration(sla.elapsed_seconds)
    elif incident.started_at is not None:
        elapsed = format_duration((incident.clock() - incident.started_at).total_seconds())
    return {"Hotfix-Id": incident.id, "Severity": incident.severity or "", "SLA-Elapsed": elapsed}


# --- committing -------------------------------------------------------------------------------


def _hooks_dir(root: Path) -> Path:
    # core.hooksPath and linked worktrees included (GitPython's run_commit_hook misses the latter)
    out = run_git(root, "rev-parse", "--git-path", "hooks", check=False)
    p = Path(out.stdout.strip() or ".git/hooks")
    return p if p.is_absolute() else root / p


def run_pre_commit(root: Path, env: dict[str, str]) -> None:
    """Run the repository's pre-commit hook (if executable) on the commit's temporary index.

    The hook is the user's program, not git: it runs as a subprocess in git's environment."""
    hook = _hooks_dir(root) / "pre-commit"
    if not (hook.is_file() and os.access(hook, os.X_OK)):
        return
    try:
        out = subprocess.run(
            [str(hook)],
            cwd=root,
            env=_clean_env(env),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except OSError as exc:
        raise HookFailed(
            f"the pre-commit hook {hook} could not run ({exc}); nothing was committed"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise HookFailed(
            f"the pre-commit hook {hook} ran over 5 minutes; nothing was committed"
        ) from exc
    if out.returncode != 0:
        text = (out.stdout + out.stderr).strip().splitlines()
        detail = "; ".join(text[-5:]) or f"exit {out.returncode}"
        raise HookFailed(
            f"the pre-commit hook refused the commit ({detail}); nothing was committed and "
            "your files are unchanged - fix what it reports and commit again"
        )


def pending_changes(root: Path, folder: Path) -> bool:
    """True when the incident folder differs from HEAD (modified, new or deleted files)."""
    rel = rel_folder(root, folder)
    out = run_git(
        root, "status", "--porcelain", "--untracked-files=all", "--", rel, *SCRATCH_EXCLUDES
    )
    return bool(out.stdout.strip())


def _head_or_none(root: Path) -> str | None:
    return rev(root, "HEAD")


def commit_paths(
    root: Path,
    paths: Sequence[str],
    message: str,
    *,
    run_hooks: bool = True,
    notices: list[str] | None = None,
) -> str:
    """Commit the working-tree state of `paths` on top of HEAD without touching anything else.

    Raises DetachedHead off a branch and NothingToCommit when the paths match HEAD already.
    """
    # Makes the root commit in a repo with no commits yet. The user's index keeps its other
    # entries; the committed paths are left clean. Git locks a killed command left are removed
    # first (`locks.heal_locks`), each with a message added to `notices`.
    with open_repo(root, write=True) as repo:
        ref = head_ref(root)
        op = in_progress_operation(root)
        if op:
            raise GitError(f"{root}: {op} is in progress; finish or abort it first, then commit")
        healed = heal_locks(root)
        if notices is not None:
            notices += healed
        parent = _head_or_none(root)
        with temp_index(root) as env:
            if parent:
                repo.run("read-tree", parent, env=env)
            # not `add -A -- paths :(exclude)…`: git 2.39 then adds no untracked file at all
            repo.run("add", "-A", "--", *paths, env=env)
            scratch = [f":(glob){p}/**/{g}" for p in paths for g in SCRATCH_GLOBS]
            repo.run("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *scratch, env=env)
            tree = repo.run("write-tree", env=env).stdout.strip()
            if parent:
                old_tree = repo.run("rev-parse", f"{parent}^{{tree}}").stdout.strip()
                if old_tree == tree:
                    raise NothingToCommit(
                        f"nothing to commit: {', '.join(paths)} unchanged since the last commit"
                    )
            elif not repo.run("ls-files", env=env).stdout.strip():
                raise NothingToCommit(f"nothing to commit: {', '.join(paths)} has no files")
            if run_hooks:
                run_pre_commit(root, env)
            args = ["commit-tree", tree]
            if parent:
                args += ["-p", parent]
            sha = repo.run(*args, input=message).stdout.strip()
        subject = message.splitlines()[0] if message else ""
        repo.run("update-ref", "-m", f"commit: {subject}", ref, sha, parent or "")
        sync_index(root, paths)
    return sha


def sync_index(root: Path, paths: Sequence[str]) -> None:
    """Make the real index match HEAD for `paths` only (other staged entries stay staged)."""
    # the commit is made either way; on failure only `git status` shows the folder as
    # modified until the next git command refreshes the index
    with open_repo(root, write=True) as repo, contextlib.suppress(GitError):
        repo.run("reset", "-q", "HEAD", "--", *paths)


def commit_subject(root: Path, sha: str) -> str:
    """The subject line of a commit (what `git log --format=%s` shows), as said after a commit."""
    with open_repo(root) as repo:
        return repo.run("log", "-1", "--format=%s", sha).stdout.strip()


def commit_incident(
    root: Path,
    folder: Path,
    message_summary: str | None = None,
    incident: Committed | None = None,
    *,
    run_hooks: bool = True,
    notices: list[str] | None = None,
) -> str:
    """Commit the incident folder only; returns the new commit's SHA (stale git locks removed
    are said in `notices`).

    Raises NothingToCommit, DetachedHead, HookFailed, WrongBranch (another incident's branch)
    or GitError.
    """
    # The message says what changed, from the events added since the last commit
    # (`hotfix-001: T005 done, root cause identified`), lists the post-mortem rows added, and
    # has `Hotfix-Id`, `Severity` and `SLA-Elapsed` trailers.

    root = Path(root)
    rel = rel_folder(root, folder)
    with open_repo(root, write=True):  # one Repo and the repository's lock for all of it
        head_ref(root)
        check_record_branch(root, folder, "commit")
        if not pending_changes(root, folder):
            raise NothingToCommit(f"nothing to commit: {rel} is unchanged since the last commit")
        message = incident_message(root, folder, incident, message_summary)
        return commit_paths(root, [rel], message, run_hooks=run_hooks, notices=notices)


def incident_message(
    root: Path, folder: Path, incident: Committed | None = None, summary: str | None = None
) -> str:
    """The commit message for the incident folder's changes since HEAD (its subject says what
    the incident's `commit_words` say of them)."""
    rel = rel_folder(root, folder)
    head = _head_or_none(root)
    pm_after = _read(folder / "post-mortem.md")
    rows = new_rows(file_at(root, head, f"{rel}/post-mortem.md"), pm_after or "")

    def committed(name: str) -> str | None:
        return file_at(root, head, f"{rel}/{name}")

    parts = incident.commit_words(committed) if incident is not None else []
    inc_id = incident.id if incident is not None else folder.name
    return build_message(inc_id, parts, rows, incident_trailers(incident), summary)


def _read(p: Path) -> str | None:
    try:
        return p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


# --- auto-commit ------------------------------------------------------------------------------


def auto_commit_enabled() -> bool:
    """The `auto_commit` setting of the config file (False when unset or unreadable)."""
    from hotfix_tui.core.config.settings import load_settings

    return bool(load_settings().auto_commit)


def attach_auto_commit(
    incident: AutoCommitted, on_error: Callable[[str], None] | None = None
) -> None:
    """Commit the incident folder after every action of `incident` (a synchronous listener).

    Attaching again replaces the previous auto-commit listener (one commit per action).
    """
    # Failures never undo the action: they are passed to `on_error` (the file change stays
    # and the next commit or sync picks it up).
    root = incident.repo_root

    def listener(inc: AutoCommitted, label: str) -> None:
        if root is None:
            return
        notices: list[str] = []
        try:
            commit_incident(root, inc.folder, None, inc, notices=notices)
        except NothingToCommit:
            pass
        except GitError as exc:
            notices.append(str(exc))
        if on_error:
            for text in notices:  # a failure, or a stale git lock removed
                on_error(f"auto-commit: {text}")

    listener.hotfix_auto_commit = True  # type: ignore[attr-defined]
    incident.listeners[:] = [
        f for f in incident.listeners if not getattr(f, "hotfix_auto_commit", False)
    ]
    incident.listeners.append(listener)
