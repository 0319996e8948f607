"""The one git layer: short-lived GitPython Repos for operations, plumbing for reads, one lock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import git as gitpython
import pytest
from gitfix import BRANCH, FOLDER, T0, FakeClock, git, incident, team

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git import gitcmd, gitops
from hotfix_tui.core.git.branches import switch_to_copy
from hotfix_tui.core.git.gitcmd import GitError, open_repo, repo_lock, run_git, run_git_bytes
from hotfix_tui.core.sync import sync
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def hot(repo: Path, clock):
    """A repo on the incident branch with the incident declared and committed."""
    wf = resolve_workflow("hotfix", repo)
    create_incident(repo, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(repo, "add", FOLDER)
    git(repo, "commit", "-q", "-m", "declare incident")
    return repo


@pytest.fixture
def repos(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of GitPython Repos opened and closed by a caller (not by `Repo.__del__` when the
    garbage collector finds a Repo left open); the real methods still run."""
    counts = {"opened": 0, "closed": 0}
    init, close = gitpython.Repo.__init__, gitpython.Repo.close

    def counting_init(self, *args, **kwargs):
        counts["opened"] += 1
        init(self, *args, **kwargs)

    def counting_close(self):
        if sys._getframe(1).f_code.co_name != "__del__":
            counts["closed"] += 1
        close(self)

    monkeypatch.setattr(gitpython.Repo, "__init__", counting_init)
    monkeypatch.setattr(gitpython.Repo, "close", counting_close)
    return counts


def git_children() -> list[str]:
    """Command lines of this process's git children still running (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and cmd.startswith("git"):
            found.append(cmd.strip())
    return found


def test_a_commit_opens_one_repo_and_closes_it(hot, clock, repos):
    inc = incident(hot, clock)
    inc.set_done("T005")

    sha = gitops.commit_incident(hot, inc.folder, None, inc)

    assert git(hot, "rev-parse", "HEAD").strip() == sha
    assert repos == {"opened": 1, "closed": 1}  # one Repo for the whole commit, not per command
    assert gitcmd._current(hot) is None
    assert git_children() == []
    assert gitops.commit_subject(hot, sha) == "hotfix-001: T005 done, root cause identified"


def test_a_sync_opens_one_repo_and_closes_it(tmp_path, repos):
    clock = FakeClock(T0)
    _remote, alice, bob = team(tmp_path, clock)
    b = incident(bob, clock)
    b.set_done("T001")
    assert sync(bob, b.folder, b).pushed
    a = incident(alice, clock)
    a.set_done("T002")
    repos.update(opened=0, closed=0)

    result = sync(alice, a.folder, a)  # commits, fetches, merges Bob's change, pushes

    assert result.ok and result.committed and result.merged and result.pushed
    assert repos == {"opened": 1, "closed": 1}
    assert git_children() == []


def test_closing_the_repo_ends_gitpythons_cat_file_processes(hot):
    with open_repo(hot) as repo:
        assert repo.repo.head.commit.message == "declare incident\n"  # read through cat-file
        assert any("cat-file" in c for c in git_children())
    assert git_children() == []


def test_a_git_command_error_becomes_a_git_error_with_gits_message(hot):
    plain = None
    try:
        run_git(hot, "rev-parse", "--verify", "no-such-ref")
    except GitError as exc:
        plain = str(exc)
    with open_repo(hot) as repo, pytest.raises(GitError) as caught:
        repo.run("rev-parse", "--verify", "no-such-ref")
    assert str(caught.value) == plain == "git rev-parse failed: Needed a single revision"
    assert isinstance(caught.value.__cause__, gitpython.GitCommandError)


def test_a_failing_command_unchecked_gives_its_status_and_output(hot):
    with open_repo(hot) as repo:
        out = repo.run("merge-base", "--is-ancestor", "HEAD", "HEAD~0", check=False)
        missing = repo.run("cat-file", "-e", "HEAD:nope", check=False)
    assert out.returncode == 0
    assert missing.returncode != 0 and "nope" in missing.stderr


def test_output_is_exact_text_and_bytes_with_input_on_stdin(hot):
    (hot / "blank.txt").write_text("two trailing newlines\n\n")
    raw = b"\x00\xffbinary\r\n\n"
    (hot / "raw.bin").write_bytes(raw)
    git(hot, "add", "blank.txt", "raw.bin")
    git(hot, "commit", "-q", "-m", "files")
    with open_repo(hot) as repo:
        text = repo.run("cat-file", "-p", "HEAD:blank.txt").stdout
        data = repo.run_bytes("cat-file", "-p", "HEAD:raw.bin").stdout
        blob = repo.run("hash-object", "-w", "--stdin", input="from stdin\n").stdout
        routed = run_git_bytes(hot, "cat-file", "-p", "HEAD:raw.bin").stdout
    assert text == run_git(hot, "cat-file", "-p", "HEAD:blank.txt").stdout
    assert text == "two trailing newlines\n\n"
    assert data == routed == raw
    assert blob == run_git(hot, "hash-object", "--stdin", input="from stdin\n").stdout
    assert git(hot, "cat-file", "-p", blob.strip()) == "from stdin\n"


def test_env_reaches_git_and_an_inherited_index_is_ignored(hot, monkeypatch):
    monkeypatch.setenv("GIT_INDEX_FILE", str(hot / "not-our-index"))
    with open_repo(hot) as repo, gitops.temp_index(hot) as env:
        assert repo.run("ls-files").stdout.splitlines()[0] == "README.md"  # the real index
        assert repo.run("ls-files", env=env).stdout == ""  # a fresh temporary one
        who = {"GIT_AUTHOR_NAME": "Env Author", "GIT_AUTHOR_EMAIL": "env@example.invalid"}
        tree = repo.run("write-tree").stdout.strip()
        sha = repo.run("commit-tree", tree, env=who, input="by env\n").stdout.strip()
        assert repo.run("log", "-1", "--format=%an", sha).stdout == "Env Author\n"
    assert not (hot / "not-our-index").exists()


def test_a_command_that_hangs_is_killed_with_a_clear_message(hot):
    git(hot, "config", "alias.hang", "!sleep 30")
    with open_repo(hot) as repo, pytest.raises(GitError, match=r"`git hang` did not answer"):
        repo.run("hang", timeout=0.5)
    assert git_children() == []


def test_not_a_repository_is_a_git_error(tmp_path):
    with pytest.raises(GitError, match="not a git repository"), open_repo(tmp_path):
        pass


def test_writers_of_one_repository_wait_for_each_other(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T005")
    done = threading.Event()

    def commit() -> None:
        gitops.commit_incident(hot, inc.folder, None, inc)
        done.set()

    lock = repo_lock(hot)
    with lock:  # another writer of this repository, e.g. the other screen's sync
        worker = threading.Thread(target=commit)
        worker.start()
        assert not done.wait(1.0)
        assert git(hot, "log", "-1", "--format=%s").strip() == "declare incident"
    worker.join(timeout=60)
    assert done.is_set()
    assert git(hot, "log", "-1", "--format=%s").startswith("hotfix-001: T005 done")


def test_concurrent_commits_never_race_on_the_index_lock(hot, clock):
    inc = incident(hot, clock)
    inc.set_done("T005")
    start = threading.Barrier(6)
    results: list[str] = []

    def commit() -> None:
        start.wait(timeout=30)
        try:
            results.append(gitops.commit_incident(hot, inc.folder, None, inc))
        except gitops.NothingToCommit:
            results.append("nothing")
        except GitError as exc:
            results.append(f"error: {exc}")

    threads = [threading.Thread(target=commit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == sorted([git(hot, "rev-parse", "HEAD").strip(), *["nothing"] * 5])


def test_switching_to_a_remote_copy_makes_a_tracking_branch(tmp_path, repos):
    clock = FakeClock(T0)
    _remote, alice, _bob = team(tmp_path, clock)
    git(alice, "switch", "-q", "main")
    git(alice, "branch", "-q", "-D", BRANCH)
    repos.update(opened=0, closed=0)

    switch_to_copy(alice, f"origin/{BRANCH}", local=False)

    assert git(alice, "branch", "--show-current").strip() == BRANCH
    assert git(alice, "rev-parse", "--abbrev-ref", "@{u}").strip() == f"origin/{BRANCH}"
    switch_to_copy(alice, "main", local=True)
    assert git(alice, "branch", "--show-current").strip() == "main"
    assert repos == {"opened": 2, "closed": 2}


def test_reads_of_status_stay_without_gitpython(hot):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hotfix_tui.core.git import branches, repo\n"
        f"root = Path({str(hot)!r})\n"
        "repo.current_branch(root); branches.list_refs(root); branches.dirty_folders(root)\n"
        "print('git' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False"
