"""The one place git runs: every git command of hotfix-tui goes through this module.

Operations that change the repo run in a short-lived GitPython Repo (`open_repo`); hot read paths
call git plumbing (`run_git`) without importing GitPython (see ARCHITECTURE.md).
"""

# `open_repo` makes its Repo the one every `run_git(root, ...)` of the same thread and root uses
# until it closes, so helpers shared with the read paths run inside the operation's Repo too.
# Writers of one repository take its in-process lock (`repo_lock`), so two threads never race
# on `.git/index.lock` or a ref.

from __future__ import annotations

import locale
import os
from _thread import allocate_lock
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

if TYPE_CHECKING:
    import subprocess
    import threading

    import git

GIT_TIMEOUT = 60


class GitError(Exception):
    """A git operation could not be done; the message says why and what to do."""


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment git runs in: no prompts, C locale, our index only when asked."""
    env = dict(os.environ)
    env.pop("GIT_INDEX_FILE", None)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10")
    if extra:
        env.update(extra)
    return env


# --- one repository open per operation ----------------------------------------------------------

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = allocate_lock()  # `threading` itself is imported by the first writer (~1 ms)
_OPEN: ContextVar[Mapping[str, GitRepo] | None] = ContextVar("hotfix_tui_open_repos", default=None)


def _key(root: Path | str) -> str:
    return os.path.realpath(root)


def repo_lock(root: Path | str) -> threading.RLock:
    """The in-process lock of one repository, held by every operation that writes to it."""
    import threading

    key = _key(root)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


class GitRepo:
    """A GitPython Repo open for one operation; its commands raise GitError with git's message."""

    def __init__(self, root: Path, repo: git.Repo) -> None:
        self.root = root
        self.repo = repo

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        check: bool = True,
        timeout: float = GIT_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        """Run `git ARGS` with text out exactly as git wrote it (as `subprocess` text mode)."""
        data = input.encode(_ENCODING) if input is not None else None
        code, out, err = self._execute(args, env, data, check, timeout)
        import subprocess

        return subprocess.CompletedProcess(["git", *args], code, _text(out), _text(err))

    def run_bytes(
        self, *args: str, input: bytes | None = None, timeout: float = GIT_TIMEOUT
    ) -> subprocess.CompletedProcess[bytes]:
        """Run `git ARGS` with bytes in and out; the caller checks the exit status."""
        code, out, err = self._execute(args, None, input, False, timeout)
        import subprocess

        return subprocess.CompletedProcess(["git", *args], code, out, os.fsencode(err))

    def _execute(
        self,
        args: Sequence[str],
        env: dict[str, str] | None,
        data: bytes | None,
        check: bool,
        timeout: float,
    ) -> tuple[int, bytes, str]:
        import git

        command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args]
        # these keywords always give (status, stdout bytes, stderr text); the overloads of
        # `execute` cannot say so
        execute = cast("Callable[..., tuple[int, bytes, str]]", self.repo.git.execute)
        with _stdin(data) as stdin:
            try:
                code, out, err = execute(
                    command,
                    istream=stdin,
                    env=self._env(env),
                    with_extended_output=True,
                    with_exceptions=check,
                    stdout_as_string=False,
                    strip_newline_in_stdout=False,
                    kill_after_timeout=timeout,
                )
            except git.GitCommandNotFound as exc:
                raise GitError("git is not installed or not on PATH") from exc
            except git.GitCommandError as exc:
                if _timed_out(exc.status, exc.stderr):
                    raise GitError(_timeout_message(args, timeout)) from exc
                msg = git_message(args, _field(exc.stderr), _field(exc.stdout), exc.status)
                raise GitError(msg) from exc
        if _timed_out(code, err):
            raise GitError(_timeout_message(args, timeout))
        return code, out, err

    def _env(self, extra: dict[str, str] | None) -> dict[str, str]:
        # GitPython starts from os.environ and cannot drop a variable: a GIT_INDEX_FILE we
        # inherited (run from a hook) is pointed back at the repository's own index instead.
        env = clean_env(extra)
        if "GIT_INDEX_FILE" not in env and "GIT_INDEX_FILE" in os.environ:
            env["GIT_INDEX_FILE"] = os.path.join(self.repo.git_dir, "index")
        return env


_ENCODING = locale.getpreferredencoding(False)


def _text(raw: bytes | str) -> str:
    """Bytes as `subprocess` text mode gives them: decoded, with universal newlines."""
    text = raw if isinstance(raw, str) else raw.decode(_ENCODING, "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _stdin(data: bytes | None) -> Iterator[BinaryIO | None]:
    """A file git reads its standard input from (GitPython's `istream` needs a real file)."""
    if data is None:
        yield None
        return
    import tempfile

    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        yield cast(BinaryIO, f)


def _field(value: object) -> str:
    """GitPython's `\\n  stderr: '...'` decoration taken off again."""
    text = str(value or "")
    for name in ("stderr", "stdout"):
        head = f"\n  {name}: '"
        if text.startswith(head) and text.endswith("'"):
            return text[len(head) : -1]
    return text


def _timed_out(status: object, stderr: object) -> bool:
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else _field(stderr)
    return status != 0 and text.startswith("Timeout: the command")


def _timeout_message(args: Sequence[str], timeout: float) -> str:
    return f"`git {' '.join(list(args)[:2])}` did not answer within {int(timeout)} s"


@contextmanager
def open_repo(root: Path | str, *, write: bool = False) -> Iterator[GitRepo]:
    """A GitPython Repo for one operation, closed on exit; `write` holds the repository's lock.

    Opened again inside an operation on the same root (same thread), the open one is reused.
    """
    lock = repo_lock(root) if write else None
    if lock is not None:
        lock.acquire()
    try:
        key = _key(root)
        opened = _OPEN.get() or {}
        current = opened.get(key)
        if current is not None:
            yield current
            return
        try:
            import git  # GitPython, imported on first use: `status` and the first frame skip it
        except ImportError as exc:  # GitPython refuses to load when it finds no git
            raise GitError(f"git is not installed or not on PATH ({exc})") from exc
        try:
            repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise GitError(f"{root}: not a git repository") from exc
        wrapped = GitRepo(Path(root), repo)
        token = _OPEN.set({**opened, key: wrapped})
        try:
            yield wrapped
        finally:
            _OPEN.reset(token)
            repo.close()
    finally:
        if lock is not None:
            lock.release()


def _current(root: Path | str | None) -> GitRepo | None:
    """The Repo an operation of this thread holds open for `root`, if any."""
    opened = _OPEN.get()
    if not opened or root is None:
        return None
    return opened.get(_key(root))


# --- plumbing: hot read paths and the merge driver, no GitPython ------------------------------


def _run(
    root: Path | str | None,
    args: Sequence[str],
    env: dict[str, str] | None,
    data: str | bytes | None,
    text: bool,
    timeout: float,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    import subprocess  # (on the first git command: `status` runs none)

    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            env=clean_env(env),
            input=data,
            capture_output=True,
            text=text,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(_timeout_message(args, timeout)) from exc


def run_git(
    root: Path | str | None,
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    check: bool = True,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run git in `root` with text output; a failure raises GitError with git's own message.

    Inside `open_repo(root)` it runs in that Repo; elsewhere as a plain subprocess.
    """
    repo = _current(root)
    if repo is not None:
        return repo.run(*args, env=env, input=input, check=check, timeout=timeout)
    out = _run(root, args, env, input, True, timeout)
    assert isinstance(out.stdout, str)
    if check and out.returncode != 0:
        raise GitError(git_message(args, out.stderr, out.stdout, out.returncode))
    return out


def run_git_bytes(
    root: Path | str | None,
    *args: str,
    input: bytes | None = None,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run git with bytes in and out (object contents); the caller checks the exit status."""
    repo = _current(root)
    if repo is not None:
        return repo.run_bytes(*args, input=input, timeout=timeout)
    return _run(root, args, None, input, False, timeout)  # type: ignore[return-value]


def spawn_git(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start git in the background (a read-only fetch) without waiting for it."""
    import subprocess

    return subprocess.Popen(
        ["git", *args],
        cwd=root,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def git_message(args: Sequence[str], stderr: str, stdout: str = "", code: object = None) -> str:
    """git's own error, short: `git ARG failed: ...`."""
    text = (stderr or stdout or "").strip()
    lines = [ln.removeprefix("fatal: ").removeprefix("error: ") for ln in text.splitlines() if ln]
    return f"git {args[0]} failed: " + ("; ".join(lines[:4]) or f"exit {code}")
