"""Faults through the action layer and the CLI: symlinks, concurrent writers, external edits,
held locks, a full disk, read-only files and git trouble. Each ends in a clear message, a
documented exit status and no lost byte.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gitfix import FakeClock, git

from hotfix_tui.cli import main
from hotfix_tui.core import locking, store
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.workflow.loader import resolve_workflow

RELIABILITY = Path(__file__).resolve().parents[1] / ".reliability"
CONCURRENT_ROUNDS = 28  # 14 rounds checking all 28 tasks pairwise, 14 unchecking them
CLI = [sys.executable, "-m", "hotfix_tui.cli"]


def new_incident(root: Path, clock: FakeClock | None = None, *, git_repo: bool = True) -> Path:
    wf = resolve_workflow("hotfix", root)
    kw = {"clock": clock} if clock else {}
    return create_incident(root, "Checkout broken", "P1", wf, branch=False, git_repo=git_repo, **kw)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".md"}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


# --- path safety ----------------------------------------------------------------------------


def test_symlink_outside_the_repo_is_refused(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = new_incident(repo)
    outside = tmp_path / "outside.md"
    outside.write_bytes((folder / "tasks.md").read_bytes())
    (folder / "tasks.md").unlink()
    (folder / "tasks.md").symlink_to(outside)
    before = outside.read_bytes()
    monkeypatch.chdir(repo)
    for argv in (["status", str(folder)], ["done", "T001", "--spec", str(folder)]):
        code, _, err = cli(capsys, *argv)
        assert code == 2
        assert f"{folder}/tasks.md (a symlink) resolves to {outside}, outside {repo}" in err
        assert "refusing to touch a file outside the repository" in err
    assert outside.read_bytes() == before and (folder / "tasks.md").is_symlink()


def test_symlink_inside_the_repo_is_written_through(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Newer upstream layout: the checklist lives in a shared file that tasks.md links to.
    folder = new_incident(repo)
    shared = repo / "specs" / "shared-checklist.md"
    (folder / "tasks.md").rename(shared)
    (folder / "tasks.md").symlink_to(os.path.relpath(shared, folder))
    monkeypatch.chdir(repo)
    code, out, err = cli(capsys, "done", "T001", "--spec", str(folder))
    assert code == 0, err
    assert (folder / "tasks.md").is_symlink()
    assert "- [x] **T001**" in shared.read_text()


def test_incident_refuses_a_file_that_escapes_after_loading(repo: Path, tmp_path: Path) -> None:
    folder = new_incident(repo)
    inc = Incident(folder, resolve_workflow("hotfix", repo), repo_root=repo, who="T")
    outside = tmp_path / "evil.md"
    outside.write_bytes((folder / "tasks.md").read_bytes())
    (folder / "tasks.md").unlink()
    (folder / "tasks.md").symlink_to(outside)  # swapped for a link between read and write
    with pytest.raises(IncidentError, match="outside the repository"):
        inc.set_done("T001")
    assert "- [x]" not in outside.read_text()


def test_non_git_folder_works_with_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    folder = new_incident(plain, git_repo=False)
    monkeypatch.chdir(plain)
    code, out, _ = cli(capsys, "status", "--json", str(folder))
    assert code == 0 and json.loads(out)["id"] == "hotfix-001"
    code, _, err = cli(capsys, "done", "T001", "--spec", str(folder))
    assert code == 0, err
    assert "- [x] **T001**" in (folder / "tasks.md").read_text()
    code, _, err = cli(capsys, "status")
    assert code == 3 and "not inside a git repository" in err and "--spec" in err


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_two_processes_on_different_tasks_both_land(repo: Path) -> None:
    folder = new_incident(repo)
    rounds = CONCURRENT_ROUNDS
    ids = [f"T{i:03d}" for i in range(1, 29)]
    landed = 0
    start = time.monotonic()
    for r in range(rounds):
        a, b = ids[2 * (r % 14)], ids[2 * (r % 14) + 1]
        verb, box, logged = ("done", "x", "done") if r < 14 else ("undo", " ", "reopened")
        procs = [
            subprocess.Popen([*CLI, verb, t, "--spec", str(folder)], cwd=repo,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for t in (a, b)
        ]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            assert "Traceback" not in err
        text = (folder / "tasks.md").read_text()
        for t in (a, b):
            assert f"- [{box}] **{t}**" in text, f"round {r}: {verb} {t} lost"
            landed += 1
        pm = (folder / "post-mortem.md").read_text()
        assert f"{a} {logged}" in pm and f"{b} {logged}" in pm
    elapsed = time.monotonic() - start
    RELIABILITY.mkdir(parents=True, exist_ok=True)
    (RELIABILITY / "concurrency.json").write_text(json.dumps({
        "concurrency_rounds": rounds,
        "concurrency_processes": 2,
        "concurrency_landed": landed,
        "concurrency_seconds": round(elapsed, 1),
    }, indent=2) + "\n")
    assert landed == 2 * rounds


def test_external_edit_is_merged_by_task_id(repo: Path, clock: FakeClock) -> None:
    folder = new_incident(repo, clock)
    inc = Incident(folder, resolve_workflow("hotfix", repo), repo_root=repo, who="T", clock=clock)
    path = folder / "tasks.md"
    # an editor adds a line at the top and checks T003, after we read the file
    edited = path.read_text().replace("- [ ] **T003**", "- [x] **T003**")
    edited = edited.replace("## Phase 1:", "> edited in vim\n\n## Phase 1:", 1)
    path.write_text(edited)
    inc.set_done("T002")
    text = path.read_text()
    assert "> edited in vim" in text and "- [x] **T003**" in text and "- [x] **T002**" in text
    assert text.replace("- [x] **T002**", "- [ ] **T002**") == edited
    assert inc.view.doc.task("T003").done  # our view follows the file


def test_task_gone_from_the_file_is_refused(repo: Path, clock: FakeClock) -> None:
    folder = new_incident(repo, clock)
    inc = Incident(folder, resolve_workflow("hotfix", repo), repo_root=repo, who="T", clock=clock)
    path = folder / "tasks.md"
    theirs = "\n".join(ln for ln in path.read_text().split("\n") if "**T004**" not in ln)
    path.write_text(theirs)
    others = {n: (folder / n).read_bytes() for n in ("hotfix.md", "post-mortem.md")}
    with pytest.raises(IncidentError) as e:
        inc.set_done("T004")
    assert str(e.value) == (
        f"{path}: task T004 is gone from the file on disk (someone else changed it); "
        "nothing was written"
    )
    assert path.read_text() == theirs
    assert {n: (folder / n).read_bytes() for n in others} == others


def test_lock_held_past_the_timeout(repo: Path) -> None:
    folder = new_incident(repo)
    before = snapshot(folder)
    env = {**os.environ, store.LOCK_TIMEOUT_ENV: "0.3"}
    from hotfix_tui.core.record.journal import lock_file

    with locking.FileLock(lock_file(repo, folder)):  # held by this process, not the CLI's
        start = time.monotonic()
        proc = subprocess.run([*CLI, "done", "T001", "--spec", str(folder)], cwd=repo,
                              capture_output=True, text=True, timeout=60, env=env)
        elapsed = time.monotonic() - start
    assert proc.returncode == 1 and elapsed < 20
    assert proc.stderr.startswith(f"hotfix-tui: another hotfix-tui is changing {folder}")
    assert "held for more than 0.3s" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(folder) == before


# --- disk full, read-only ---------------------------------------------------------------------


def test_disk_full_through_the_cli(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = new_incident(repo)
    before = snapshot(folder)
    monkeypatch.chdir(repo)

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "write", full)
    code, _, err = cli(capsys, "done", "T001", "--spec", str(folder))
    monkeypatch.undo()
    assert code == 1
    # the event log is written first (write-ahead): nothing after it is attempted
    assert f"could not write {folder}/events.jsonl: no space left on the device" in err
    assert "(the file was not changed)" in err
    assert snapshot(folder) == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_read_only_file_through_the_cli(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = new_incident(repo)
    before = snapshot(folder)
    monkeypatch.chdir(repo)
    target = folder / "tasks.md"
    if _chattr("+i", target):  # real: immutable even for root
        try:
            code, _, err = cli(capsys, "done", "T001", "--spec", str(folder))
        finally:
            _chattr("-i", target)
    else:  # simulated: the rename fails as on a read-only mount
        def refuse(src: str, dst: str) -> None:
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(store.os, "replace", refuse)
        code, _, err = cli(capsys, "done", "T001", "--spec", str(folder))
        monkeypatch.undo()
    assert code == 1
    assert f"could not write {target}" in err and "(the file was not changed)" in err
    assert "permission denied" in err or "read-only" in err
    assert snapshot(folder) == before


# --- git faults for `new` ---------------------------------------------------------------------


def _new(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "new", "Checkout broken", "-s", "P1", "--no-open", *extra)


def test_new_outside_a_git_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    code, _, err = _new(capsys)
    assert code == 2 and "not inside a git repository" in err and "--no-branch" in err
    assert list(plain.iterdir()) == []
    code, out, err = _new(capsys, "--no-branch")
    assert code == 0, err
    assert (Path(out.strip()) / "tasks.md").is_file()


def test_new_before_the_first_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Ana Lyst")
    git(root, "config", "user.email", "ana@example.invalid")
    monkeypatch.chdir(root)
    code, out, err = _new(capsys)
    assert code == 0, err
    assert git(root, "symbolic-ref", "--short", "HEAD").strip() == "hotfix/001-checkout-broken"
    assert (Path(out.strip()) / "tasks.md").is_file()


def test_new_on_a_detached_head(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git(repo, "checkout", "-q", "--detach")
    monkeypatch.chdir(repo)
    code, _, err = _new(capsys)
    assert code == 0, err
    assert git(repo, "branch", "--show-current").strip() == "hotfix/001-checkout-broken"


def test_new_during_a_merge(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "f.txt").write_text("base\n")
    git(repo, "add", "f.txt")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "f.txt").write_text("other\n")
    git(repo, "commit", "-qam", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "f.txt").write_text("main\n")
    git(repo, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "other"], cwd=repo, capture_output=True)
    assert (repo / ".git" / "MERGE_HEAD").exists()
    monkeypatch.chdir(repo)
    code, _, err = _new(capsys)
    assert code == 1 and "a merge is in progress" in err and "finish or abort it" in err
    assert not (repo / "specs").exists()
    assert "<<<<<<<" in (repo / "f.txt").read_text()  # the user's conflict is untouched


def test_new_while_the_index_is_locked(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    monkeypatch.chdir(repo)
    code, _, err = _new(capsys)
    assert code == 1 and "index.lock exists" in err and "another git process" in err
    assert not (repo / "specs").exists()
    assert lock.exists()  # never removed behind the other process's back
    lock.unlink()
    assert _new(capsys)[0] == 0
