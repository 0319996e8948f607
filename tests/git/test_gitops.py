"""Commits of the incident folder only, on real repositories (never a mocked git)."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from gitfix import FOLDER, T0, git, incident, run

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git import gitops
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def hot(repo, clock):
    """A repo on the incident branch with the incident declared and committed."""
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(repo, "add", FOLDER)
    git(repo, "commit", "-q", "-m", "declare incident")
    return repo


def changed_files(root, rev="HEAD") -> list[str]:
    return git(root, "show", "--name-only", "--format=", rev).split()


def test_commit_only_the_folder_and_keep_staged_files_staged(hot, clock):
    (hot / "app.py").write_text("print('fix')\n")
    git(hot, "add", "app.py")  # staged by the user, must stay staged and uncommitted
    (hot / "README.md").write_text("# service\nlocal edit\n")  # unstaged edit
    (hot / "scratch.txt").write_text("untracked\n")
    clock.advance(minutes=12)
    inc = incident(hot, clock)
    inc.set_done("T005")
    before_head = git(hot, "rev-parse", "HEAD").strip()

    sha = gitops.commit_incident(hot, inc.folder, None, inc)

    assert git(hot, "rev-parse", "HEAD").strip() == sha
    assert git(hot, "rev-parse", "HEAD~1").strip() == before_head
    assert set(changed_files(hot)) == {
        f"{FOLDER}/events.jsonl",  # the truth the three files are projected from
        f"{FOLDER}/tasks.md",
        f"{FOLDER}/hotfix.md",
        f"{FOLDER}/post-mortem.md",
    }
    status = git(hot, "status", "--porcelain").splitlines()
    assert "A  app.py" in status
    assert " M README.md" in status
    assert "?? scratch.txt" in status
    assert not [s for s in status if FOLDER in s]
    assert git(hot, "diff", "--cached", "--name-only").split() == ["app.py"]
    msg = git(hot, "log", "-1", "--format=%B")
    subject = msg.splitlines()[0]
    assert subject == "hotfix-001: T005 done, root cause identified"
    assert "Hotfix-Id: hotfix-001" in msg
    assert "Severity: P1" in msg
    assert "SLA-Elapsed: 0:12:00" in msg
    assert git(hot, "log", "-1", "--format=%an").strip() == "Ana Lyst"


def test_message_lists_each_change_since_the_last_commit(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T001")
    inc.note("T003", "errors only on the EU cluster")
    gitops.commit_incident(hot, inc.folder, None, inc)
    clock.advance(minutes=3)
    inc.set_severity("P0")
    gitops.commit_incident(hot, inc.folder, None, inc)
    msg = git(hot, "log", "-1", "--format=%B")
    assert msg.splitlines()[0] == "hotfix-001: severity P0"
    assert "Severity: P0" in msg
    first = git(hot, "log", "-1", "--skip=1", "--format=%B")
    assert first.startswith("hotfix-001: T001 done, note on T003, investigation started")
    assert "errors only on the EU cluster" in first


def test_nothing_to_commit(hot, clock, capsys, monkeypatch):
    inc = incident(hot, clock)
    with pytest.raises(gitops.NothingToCommit):
        gitops.commit_incident(hot, inc.folder, None, inc)
    monkeypatch.chdir(hot)
    code, out, err = run(capsys, "commit")
    assert code == 0 and "nothing to commit" in out


def test_detached_head_says_to_check_out_a_branch(hot, clock, capsys, monkeypatch):
    inc = incident(hot, clock)
    inc.set_done("T001")
    git(hot, "checkout", "-q", "--detach")
    head = git(hot, "rev-parse", "HEAD").strip()
    with pytest.raises(gitops.DetachedHead, match="check out a branch first"):
        gitops.commit_incident(hot, inc.folder, None, inc)
    monkeypatch.chdir(hot)
    code, out, err = run(capsys, "commit", "--spec", FOLDER)
    assert code == 1 and "detached" in err and "check out a branch" in err
    assert git(hot, "rev-parse", "HEAD").strip() == head


def test_repo_without_commits_gets_the_root_commit(tmp_path, clock):
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Fresh Start")
    git(root, "config", "user.email", "f@example.invalid")
    (root / "other.txt").write_text("not ours\n")
    git(root, "add", "other.txt")
    wf = resolve_workflow("hotfix", root)
    folder = create_incident(
        root, "Database connection pool down", "P2", wf, clock=clock, branch=False
    )
    inc = incident(root, clock, folder.relative_to(root).as_posix())
    sha = gitops.commit_incident(root, folder, None, inc)
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(root, "rev-parse", "HEAD").strip() == sha
    files = git(root, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert "other.txt" not in files and all(f.startswith("specs/") for f in files)
    assert "A  other.txt" in git(root, "status", "--porcelain").splitlines()


def test_failing_pre_commit_hook_commits_nothing_and_loses_nothing(hot, clock, capsys, monkeypatch):
    hook = hot / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint: trailing whitespace in tasks.md' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    inc = incident(hot, clock)
    inc.set_done("T001")
    tasks_before = (inc.folder / "tasks.md").read_text()
    head = git(hot, "rev-parse", "HEAD").strip()
    with pytest.raises(gitops.HookFailed, match="trailing whitespace"):
        gitops.commit_incident(hot, inc.folder, None, inc)
    assert git(hot, "rev-parse", "HEAD").strip() == head
    assert (inc.folder / "tasks.md").read_text() == tasks_before
    monkeypatch.chdir(hot)
    code, out, err = run(capsys, "commit")
    assert code == 1 and "pre-commit hook refused" in err and "nothing was committed" in err
    hook.write_text("#!/bin/sh\nexit 0\n")
    code, out, err = run(capsys, "commit")
    assert code == 0, err


def test_index_lock_is_reported(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T001")
    lock = hot / ".git" / "index.lock"
    lock.write_text("")
    try:
        with pytest.raises(gitops.GitError, match="index.lock exists"):
            gitops.commit_incident(hot, inc.folder, None, inc)
    finally:
        lock.unlink()
    gitops.commit_incident(hot, inc.folder, None, inc)


def test_recent_commits_of_the_branch_only(hot, clock):
    (hot / "pool.py").write_text("size = 50\n")
    git(hot, "add", "pool.py")
    git(hot, "commit", "-q", "-m", "Raise the pool size to 50")
    (hot / "pool.py").write_text("size = 80\n")
    git(hot, "add", "pool.py")
    git(hot, "commit", "-q", "-m", "Raise the pool size to 80")
    inc = incident(hot, clock)
    inc.set_done("T001")
    gitops.commit_incident(hot, inc.folder, None, inc)  # a record commit: not a fix candidate
    commits = gitops.recent_commits(hot)
    assert [c.subject for c in commits] == [
        "Raise the pool size to 80",
        "Raise the pool size to 50",
        "declare incident",
    ]
    assert "init" not in [c.subject for c in commits]  # on main, the base branch
    assert gitops.resolve_commit(hot, "2", commits).subject == "Raise the pool size to 50"
    assert gitops.resolve_commit(hot, commits[0].sha[:9]).sha == commits[0].sha
    with pytest.raises(gitops.GitError, match="no commit"):
        gitops.resolve_commit(hot, "deadbeef")
    assert len(gitops.recent_commits(hot, include_record=True)) == 4


def test_auto_commit_setting_commits_after_every_cli_action(hot, capsys, monkeypatch):
    cfg = os.environ["HOTFIX_TUI_CONFIG_DIR"]
    os.makedirs(cfg, exist_ok=True)
    with open(os.path.join(cfg, "config.yaml"), "w") as fh:
        fh.write("auto_commit: true\n")
    monkeypatch.chdir(hot)
    count = int(git(hot, "rev-list", "--count", "HEAD"))
    code, out, err = run(capsys, "done", "T001")
    assert code == 0, err
    code, out, err = run(capsys, "note", "T002", "paged the DBA")
    assert code == 0, err
    assert int(git(hot, "rev-list", "--count", "HEAD")) == count + 2
    assert git(hot, "log", "-1", "--format=%s").strip() == "hotfix-001: note on T002"
    assert git(hot, "status", "--porcelain", "--", FOLDER) == ""


def test_auto_commit_off_by_default(hot, capsys, monkeypatch):
    monkeypatch.chdir(hot)
    count = git(hot, "rev-list", "--count", "HEAD")
    assert run(capsys, "done", "T001")[0] == 0
    assert git(hot, "rev-list", "--count", "HEAD") == count


def test_cli_commit_prints_the_subject(hot, capsys, monkeypatch):
    monkeypatch.chdir(hot)
    assert run(capsys, "done", "T001")[0] == 0
    code, out, err = run(capsys, "commit")
    assert code == 0, err
    assert "hotfix-001: T001 done, investigation started" in out


def test_sla_elapsed_trailer_uses_the_injected_clock(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    clock.t = T0 + timedelta(hours=1, minutes=2, seconds=3)
    inc = incident(repo, clock)
    inc.set_done("T001")
    gitops.commit_incident(repo, inc.folder, None, inc)
    assert "SLA-Elapsed: 1:02:03" in git(repo, "log", "-1", "--format=%B")
