"""The one place git runs: every git command of hotfix-tui goes through these functions.

Plumbing as subprocesses: importing GitPython costs ~0.2 s, more than `status` takes in all.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

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


def _run(
    root: Path | str | None,
    args: Sequence[str],
    env: dict[str, str] | None,
    data: str | bytes | None,
    text: bool,
    timeout: float,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
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
        raise GitError(
            f"`git {' '.join(list(args)[:2])}` did not answer within {int(timeout)} s"
        ) from exc


def run_git(
    root: Path | str | None,
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    check: bool = True,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run git in `root` with text output; a failure raises GitError with git's own message."""
    out = _run(root, args, env, input, True, timeout)
    assert isinstance(out.stdout, str)
    if check and out.returncode != 0:
        raise GitError(git_message(args, out))
    return out


def run_git_bytes(
    root: Path | str | None,
    *args: str,
    input: bytes | None = None,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run git with bytes in and out (object contents); the caller checks the exit status."""
    return _run(root, args, None, input, False, timeout)  # type: ignore[return-value]


def spawn_git(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start git in the background (a read-only fetch) without waiting for it."""
    return subprocess.Popen(
        ["git", *args],
        cwd=root,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def git_message(args: Sequence[str], out: subprocess.CompletedProcess[str]) -> str:
    """git's own error, short: `git ARG failed: ...`."""
    text = (out.stderr or out.stdout or "").strip()
    lines = [ln.removeprefix("fatal: ").removeprefix("error: ") for ln in text.splitlines() if ln]
    return f"git {args[0]} failed: " + ("; ".join(lines[:4]) or f"exit {out.returncode}")


def checkout_new_branch(root: Path, branch: str, start: str | None = None) -> None:
    """`git checkout -b BRANCH [START]` through GitPython (a short-lived Repo, closed after)."""
    import git  # GitPython, imported on first use: `status` and the first frame never need it

    repo = git.Repo(root)
    try:
        repo.git.checkout("-b", branch, *([start] if start else []))
    except git.GitCommandError as exc:
        msg = (exc.stderr or str(exc)).strip().removeprefix("stderr:").strip(" '")
        raise GitError(f"could not create branch {branch!r}: {msg}") from exc
    finally:
        repo.close()
