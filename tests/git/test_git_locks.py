"""Git locks left by a killed command: removed by the next sync or commit once they are stale
(older than 30 s, no git process of the repository running), waited for while a git holds them.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gitfix import BRANCH, FOLDER, T0, FakeClock, git, team

from hotfix_tui.cli import main
from hotfix_tui.core.git import locks
from hotfix_tui.core.sync import sync

STALE_LOCKS = [
    "index.lock",
    "HEAD.lock",
    f"refs/heads/{BRANCH}.lock",
    f"refs/remotes/origin/{BRANCH}.lock",
]


@pytest.fixture
def setup(tmp_path, monkeypatch):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    monkeypatch.chdir(alice)
    return remote, alice, bob


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def left_lock(root: Path, name: str, age: float) -> Path:
    """A lock file as a killed git leaves it, last changed `age` seconds ago."""
    path = root / ".git" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def notes_of(root: Path) -> str:
    return (root / FOLDER / "tasks.md").read_text()


@pytest.mark.parametrize("name", STALE_LOCKS)
def test_stale_lock_is_removed_by_the_next_sync(setup, capsys, name):
    remote, alice, bob = setup
    # a commit of Bob's on the remote: Alice's sync fetches it and merges
    assert run(capsys, "note", "T005", "eu-1 only", "--spec", str(bob / FOLDER))[0] == 0
    assert sync(bob, bob / FOLDER).pushed
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    lock = left_lock(alice, name, 60)
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert f".git/{name}" in err and "removed" in err
    assert not lock.exists()
    assert "pushed to origin/" + BRANCH in out
    # the note reached the other clone
    assert sync(bob, bob / FOLDER).ok
    assert "pool exhausted on eu-1" in notes_of(bob)


def test_stale_lock_is_removed_by_the_next_commit(setup, capsys):
    remote, alice, bob = setup
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    lock = left_lock(alice, "index.lock", 60)
    code, out, err = run(capsys, "commit")
    assert code == 0, err
    assert ".git/index.lock" in err and "removed" in err
    assert not lock.exists()
    assert git(alice, "status", "--porcelain", "--", FOLDER) == ""


def test_temporary_index_left_by_a_killed_commit_is_removed(setup, capsys):
    remote, alice, bob = setup
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    index = left_lock(alice, "hotfix-tui-index-k1ll3d", 1000)
    lock = left_lock(alice, "hotfix-tui-index-k1ll3d.lock", 60)
    young = left_lock(alice, "hotfix-tui-index-h00k", 60)  # a pre-commit hook may still read it
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert ".git/hotfix-tui-index-k1ll3d.lock" in err
    assert not lock.exists() and not index.exists()
    assert young.exists()


def test_fresh_lock_is_left_alone_and_reported(setup, capsys):
    remote, alice, bob = setup
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    lock = left_lock(alice, "index.lock", 5)
    code, out, err = run(capsys, "sync")
    assert code == 1
    assert ".git/index.lock" in err and "exists" in err and "30 s" in err
    assert lock.exists()
    lock.unlink()
    assert run(capsys, "sync")[0] == 0


@pytest.fixture
def live_git(setup):
    """A git process of Alice's repository that keeps running (a `git cat-file --batch`)."""
    remote, alice, bob = setup
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=alice,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


def test_lock_of_a_running_git_is_not_removed_and_names_the_process(
    setup, live_git, capsys, monkeypatch
):
    remote, alice, bob = setup
    monkeypatch.setattr(locks, "LIVE_WAIT", 0.5)
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    lock = left_lock(alice, "index.lock", 60)
    code, out, err = run(capsys, "sync")
    assert code == 1
    assert ".git/index.lock" in err and f"pid {live_git.pid}" in err and "cat-file" in err
    assert lock.exists()


def test_lock_of_a_running_git_is_waited_for(setup, live_git, capsys):
    remote, alice, bob = setup
    assert run(capsys, "note", "T004", "pool exhausted on eu-1")[0] == 0
    lock = left_lock(alice, "index.lock", 60)
    done = threading.Timer(0.5, lock.unlink)  # the git that holds it finishes
    done.start()
    try:
        code, out, err = run(capsys, "sync")
    finally:
        done.join()
    assert code == 0, err
    assert "pushed to origin/" + BRANCH in out and "removed" not in err


def test_git_process_in_another_work_tree_of_the_repository_is_found(tmp_path):
    from gitfix import make_repo

    root = make_repo(tmp_path / "repo")
    git(root, "worktree", "add", "-q", "-b", "other", str(tmp_path / "other"))
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=tmp_path / "other", stdin=subprocess.PIPE
    )
    try:  # it may hold the refs both work trees share
        found = locks.git_processes(root)
        assert found is not None and [p.pid for p in found] == [proc.pid]
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def test_age_is_measured_against_the_given_clock(tmp_path):
    from gitfix import make_repo

    root = make_repo(tmp_path / "repo")
    lock = left_lock(root, "index.lock", 0)
    mtime = lock.stat().st_mtime
    with pytest.raises(locks.GitError, match="index.lock"):
        locks.heal_locks(root, now=lambda: mtime + 29)
    assert lock.exists()
    notes = locks.heal_locks(root, now=lambda: mtime + 31)
    assert not lock.exists()
    assert len(notes) == 1 and ".git/index.lock" in notes[0]


@pytest.mark.parametrize("proc", [True, False], ids=["proc", "ps-lsof"])
def test_git_processes_of_the_repository_are_found(setup, live_git, proc):
    remote, alice, bob = setup
    if proc and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    if not proc and not (shutil.which("ps") and shutil.which("lsof")):
        pytest.skip("no ps or lsof here")
    found = locks.git_processes(alice, proc=proc)
    assert found is not None
    assert [p.pid for p in found] == [live_git.pid]
    assert "cat-file --batch" in found[0].command
    assert locks.git_processes(bob, proc=proc) == []


def test_git_process_run_elsewhere_with_git_dir_is_found(setup, tmp_path):
    remote, alice, bob = setup
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=tmp_path,
        env={**os.environ, "GIT_DIR": str(alice / ".git")},
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        found = locks.git_processes(alice, proc=True)
        assert found is not None and [p.pid for p in found] == [proc.pid]
        assert locks.git_processes(bob, proc=True) == []
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


# --- a real SIGKILL of a whole `hotfix-tui sync` (git children included) -------------------------

SEED = 20261201
# where the sync is killed: while git holds the locks of a ref transaction (git's
# reference-transaction hook, state "prepared", stops there until the kill) of the refs named,
# in Alice's clone or in the remote's receive-pack; or after a random delay
KILL_POINTS = ["refs/remotes/", "refs/heads/", "remote refs/heads/", "delay"]
HOOK = """#!/bin/sh
[ "$1" = prepared ] || exit 0
want=$(cat "$KILL_AT" 2>/dev/null) || exit 0
grep -q "$want" || exit 0
touch "$KILL_AT.reached"
sleep 60
"""


def _arm(repo_git_dir: Path, kill_at: Path) -> None:
    hook = repo_git_dir / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(HOOK.replace("$KILL_AT", str(kill_at)))
    hook.chmod(0o755)


def _killed_sync(root: Path, point: str, kill_at: Path, rnd: random.Random) -> None:
    """`hotfix-tui sync` in its own process group, the whole group SIGKILLed at `point`."""
    reached = Path(f"{kill_at}.reached")
    if point != "delay":
        kill_at.write_text(point.removeprefix("remote "))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix_tui.cli", "sync"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if point == "delay":
        time.sleep(rnd.uniform(0.1, 0.8))
    else:
        deadline = time.monotonic() + 20
        while not reached.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reached.exists(), f"the sync never reached {point}"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    kill_at.unlink(missing_ok=True)
    reached.unlink(missing_ok=True)


def _git_locks(*dirs: Path) -> list[Path]:
    return [p for d in dirs for p in d.rglob("*.lock") if "hotfix-tui" not in p.parts]


def _age_all(paths: list[Path]) -> None:
    """The time passing after a kill: every lock left is a minute old."""
    then = time.time() - 60
    for p in paths:
        os.utime(p, (then, then))


def test_sync_killed_at_any_point_heals_and_converges(setup, capsys, tmp_path):
    remote, alice, bob = setup
    rnd = random.Random(SEED)
    points = rnd.sample(KILL_POINTS, len(KILL_POINTS))
    left = 0
    for n, point in enumerate(points):
        kill_at = tmp_path / f"kill-at-{n}"
        _arm(alice / ".git", kill_at)
        _arm(remote, kill_at)
        # the remote moved on (Bob), Alice wrote a note: her sync fetches, merges, pushes
        assert run(capsys, "note", "T005", f"bob {n}", "--spec", str(bob / FOLDER))[0] == 0
        assert sync(bob, bob / FOLDER).pushed
        assert run(capsys, "note", "T004", f"note {n} from a killed sync")[0] == 0
        _killed_sync(alice, point, kill_at, rnd)
        locks_left = _git_locks(alice / ".git", remote)
        if point != "delay":
            assert locks_left, point  # the kill did leave git's locks behind
        left += len(locks_left)
        _age_all(locks_left)
        code, out, err = run(capsys, "sync")
        assert code == 0, (point, err)
        for lock in locks_left:
            assert f"removed {lock.relative_to(alice) if alice in lock.parents else lock}" in err
        assert not _git_locks(alice / ".git", remote)
    assert left >= 3
    assert sync(bob, bob / FOLDER).ok
    text = notes_of(bob)
    for n in range(len(points)):
        assert text.count(f"note {n} from a killed sync") == 1
        assert text.count(f"bob {n}") == 1
    assert notes_of(alice) == text
