"""Git locks a killed command left behind: found before a sync or commit, removed when stale.

A lock is stale when it is older than 30 s and no git process of the repository runs; a lock a
running git holds is waited for (a few seconds), then reported with that process.
"""

# git takes a lock by creating `<file>.lock` exclusively and renames it over the file when done;
# a SIGKILL (of hotfix-tui and its git children) leaves the lock, and every later git that needs
# the same file fails with "Unable to create '...lock': File exists". The running git processes
# are read from /proc on Linux (comm `git`/`git-*`, its cwd or GIT_DIR inside the repository),
# elsewhere from `ps` and `lsof` (without lsof every git process counts as this repository's);
# a system where neither works never has a lock removed, only reported.

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.gitcmd import GitError
from hotfix_tui.core.git.repo import git_dir

__all__ = [
    "LIVE_WAIT",
    "STALE_AFTER",
    "GitError",
    "GitProcess",
    "git_processes",
    "heal_locks",
    "heal_named_lock",
    "heal_temp_indexes",
]

STALE_AFTER = 30.0  # seconds: no git command of ours holds a lock this long without running
# a temporary index (not its lock) outlives its git commands while the pre-commit hook runs
# (at most 5 minutes): it is litter only well after that
TEMP_INDEX_STALE_AFTER = 900.0
LIVE_WAIT = 3.0  # seconds a lock held by a running git is waited for before it is reported
_POLL = 0.05
TEMP_INDEX = "hotfix-tui-index-"  # gitops.temp_index's files in the git dir

Now = Callable[[], float]
# long-running git helpers that never hold a lock of the repository
_DAEMONS = ("fsmonitor--daemon", "credential-cache--daemon")


@frozen
class GitProcess:
    """A running git process of the repository: its pid and command line."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid}: {self.command[:80]}"


# --- which locks --------------------------------------------------------------------------------


def _common_dir(gd: Path) -> Path:
    """The git dir shared by all work trees (a linked work tree's `commondir`)."""
    try:
        rel = (gd / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return gd
    p = Path(rel)
    return p if p.is_absolute() else (gd / p).resolve()


def _dirs(root: Path) -> tuple[Path, Path]:
    gd = git_dir(root) or root / ".git"
    return gd, _common_dir(gd)


def _ref_locks(refs: Path) -> Iterator[Path]:
    stack = [refs]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
            elif e.name.endswith(".lock"):
                yield Path(e.path)


def _temp_index_files(gd: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(gd) if e.name.startswith(TEMP_INDEX)]
    except OSError:
        return []


def blocking_locks(root: Path) -> list[Path]:
    """The lock files present that a sync or commit needs free (index, HEAD, refs, config)."""
    gd, common = _dirs(root)
    names = [gd / "index.lock", gd / "HEAD.lock", common / "config.lock"]
    names.append(common / "packed-refs.lock")
    found = [p for p in names if os.path.lexists(p)]
    for refs in ("refs/heads", "refs/remotes"):  # what a commit, a fetch and a push update
        found += _ref_locks(common / refs)
    return found


# --- which git processes ------------------------------------------------------------------------


def _inside(path: str, bases: Iterable[str]) -> bool:
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in bases)


def _bases(root: Path) -> list[str]:
    """Where a git of this repository runs: every work tree sharing its refs, and the git dir."""
    gd, common = _dirs(root)
    places = [root, gd, common]
    if common.name == ".git":
        places.append(common.parent)  # the main work tree
    try:
        linked = list(os.scandir(common / "worktrees"))
    except OSError:
        linked = []
    for entry in linked:  # `worktrees/NAME/gitdir` names the linked work tree's `.git` file
        try:
            text = Path(entry.path, "gitdir").read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if text:
            places.append(Path(text).parent)
    return sorted({os.path.realpath(p) for p in places})


def _proc_processes(bases: list[str]) -> list[GitProcess]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        d = entry.path
        try:
            with open(f"{d}/stat", "rb") as f:
                stat = f.read()
            comm = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode(errors="replace")
            if not (comm == "git" or comm.startswith("git-")):
                continue
            if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] in (b"Z", b"X"):
                continue  # exited, not yet reaped: it holds nothing
            cwd = os.readlink(f"{d}/cwd")
            with open(f"{d}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
            with open(f"{d}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError):
            continue  # gone meanwhile, or another user's: not this user's repository
        if any(daemon in command for daemon in _DAEMONS):
            continue
        paths = [cwd]
        for var in (b"GIT_DIR", b"GIT_WORK_TREE"):
            if var in env:
                paths.append(os.path.realpath(os.path.join(cwd, os.fsdecode(env[var]))))
        if any(_inside(os.path.realpath(p), bases) for p in paths):
            found.append(GitProcess(int(entry.name), command or comm))
    return found


def _run(args: list[str]) -> str | None:
    """What a tool printed (lsof exits 1 when some pid has gone: its output still holds)."""
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 or out.stdout.strip() else None


def _ps_processes(bases: list[str]) -> list[GitProcess] | None:
    """Git processes from `ps`, narrowed to the repository by their cwd from `lsof`."""
    listing = _run(["ps", "-axo", "pid=,command="])
    if listing is None:
        return None
    gits: dict[int, str] = {}
    for line in listing.splitlines():
        number, _, command = line.strip().partition(" ")
        name = os.path.basename(command.strip().split(" ", 1)[0])
        if (
            number.isdigit()
            and (name == "git" or name.startswith("git-"))
            and not any(daemon in command for daemon in _DAEMONS)
        ):
            gits[int(number)] = command.strip()
    if not gits:
        return []
    cwds = _run(["lsof", "-a", "-d", "cwd", "-Fn", "-p", ",".join(map(str, gits))])
    if cwds is None:  # cannot tell where they run: every git process may be this repository's
        return [GitProcess(p, c) for p, c in gits.items()]
    found, pid = [], 0
    for line in cwds.splitlines():
        if line.startswith("p") and line[1:].isdigit():
            pid = int(line[1:])
        elif line.startswith("n") and pid in gits and _inside(os.path.realpath(line[1:]), bases):
            found.append(GitProcess(pid, gits[pid]))
    return found


def git_processes(root: Path, *, proc: bool | None = None) -> list[GitProcess] | None:
    """The running git processes whose cwd or GIT_DIR is in this repository (None: unknown).

    `proc` picks /proc (True) or ps and lsof (False); by default /proc where Linux has it."""
    bases = _bases(Path(root))
    if proc is None:
        proc = sys.platform.startswith("linux") and os.path.isdir("/proc/self")
    return _proc_processes(bases) if proc else _ps_processes(bases)


# --- judging and removing -----------------------------------------------------------------------


def _age(path: Path, now: Now) -> float | None:
    try:
        return now() - path.lstat().st_mtime
    except FileNotFoundError:
        return None


def _name(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise GitError(f"cannot remove the stale lock {path}: {exc}") from exc
    return True


def _held(root: Path, locks: list[Path], procs: list[GitProcess], waited: float) -> GitError:
    names = ", ".join(_name(root, p) for p in locks)
    who = "; ".join(str(p) for p in procs[:3]) + (
        f"; {len(procs) - 3} more" if len(procs) > 3 else ""
    )
    return GitError(
        f"{names} exists and a git process of this repository is running ({who}); waited "
        f"{waited:.0f} s for it - let it finish (or stop it), then retry"
    )


def _young(root: Path, path: Path, age: float) -> GitError:
    return GitError(
        f"{_name(root, path)} exists (made {max(age, 0):.0f} s ago): another git process may be "
        "using the repository; wait for it to finish and retry (a lock older than "
        f"{STALE_AFTER:.0f} s while no git process of the repository runs is removed by the "
        "next sync or commit)"
    )


def _unknown(root: Path, path: Path) -> GitError:
    return GitError(
        f"{_name(root, path)} exists and hotfix-tui cannot list the running processes here; if "
        "no git process is using the repository, remove it and retry"
    )


def _removed(name: str, age: float) -> str:
    return (
        f"removed {name}, left {age:.0f} s ago by a git command that was stopped "
        "(no git process of this repository is running)"
    )


def heal_locks(root: Path, *, now: Now = time.time, wait: float | None = None) -> list[str]:
    """Remove the stale locks a sync or commit needs free; returns one message per removal.

    Raises GitError naming a lock that is held by a running git (after waiting) or too young.
    """
    root = Path(root)
    notes = heal_temp_indexes(root, now=now)
    if not blocking_locks(root):
        return notes
    deadline = time.monotonic() + (LIVE_WAIT if wait is None else wait)
    while True:
        procs = git_processes(root)  # before looking at the locks: a git that ends removes its own
        present = blocking_locks(root)
        if not present:
            return notes
        if procs:
            if time.monotonic() >= deadline:
                raise _held(root, present, procs, LIVE_WAIT if wait is None else wait)
            time.sleep(_POLL)
            continue
        problem: GitError | None = None
        for path in present:
            age = _age(path, now)
            if age is None:
                continue
            if procs is None:
                problem = problem or _unknown(root, path)
            elif age < STALE_AFTER:
                problem = problem or _young(root, path, age)
            elif _remove(path):
                notes.append(_removed(_name(root, path), age))
        if problem is not None:
            raise GitError("; ".join([str(problem), *notes]))
        return notes


def heal_temp_indexes(root: Path, *, now: Now = time.time) -> list[str]:
    """Remove temporary indexes (and their locks) a killed commit left, once they are stale."""
    gd, _ = _dirs(Path(root))
    stale = []
    for path in _temp_index_files(gd):
        age = _age(path, now)
        limit = STALE_AFTER if path.name.endswith(".lock") else TEMP_INDEX_STALE_AFTER
        if age is not None and age >= limit:
            stale.append((path, age))
    if not stale or git_processes(root) != []:
        return []
    return [_removed(_name(root, p), age) for p, age in stale if _remove(p)]


_UNABLE = re.compile(r"Unable to create '([^']+\.lock)': File exists")


def _repository_of(path: Path) -> Path | None:
    """The git dir a lock file belongs to (the nearest parent holding HEAD and objects/)."""
    for d in path.parents:
        if (d / "HEAD").is_file() and (d / "objects").is_dir():
            return d
    return None


def heal_named_lock(text: str, *, now: Now = time.time) -> str | None:
    """Remove a stale lock git's output names as in the way (`Unable to create '…lock'`), of any
    local repository (a bare remote's ref after a killed push); the message, or None."""
    m = _UNABLE.search(text)
    if m is None:
        return None
    path = Path(m.group(1))
    gd = _repository_of(path)
    if gd is None:
        return None
    root = gd.parent if gd.name == ".git" else gd
    age = _age(path, now)
    if age is None or age < STALE_AFTER or git_processes(root) != []:
        return None
    return _removed(str(path), age) if _remove(path) else None
