"""Team sync over the git remote: commit the incident folder, fetch, merge by task, push.

When the remote cannot be reached or the push is rejected, the local commits stay for the next sync.
"""

# `sync()` never touches files outside the incident folder except through git's own two-way
# checkout (`read-tree -m -u`), which refuses rather than overwrite a local change; the user's
# staged files stay staged. The merge commit has the remote tip as a parent, so the push is a
# fast-forward. A sync runs in one short-lived GitPython Repo holding the repository's
# in-process lock (`gitcmd.open_repo(write=True)`): every `run_git(root, ...)` of the helpers
# below, and the commit of pending changes, run in that Repo.

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.clocks import Clock, utc_now
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.branches import check_record_branch
from hotfix_tui.core.git.gitcmd import GitRepo, open_repo
from hotfix_tui.core.git.gitops import (
    NothingToCommit,
    commit_incident,
    file_at,
    head_ref,
    incident_trailers,
    pending_changes,
    rel_folder,
    rev,
    run_git,
    temp_index,
)
from hotfix_tui.core.git.locks import heal_locks, heal_named_lock
from hotfix_tui.core.git.repo import GitError, in_progress_operation
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record.events import ATTRIBUTES, LOG, Event

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.model import Workflow

TASKS = "tasks.md"
MARKDOWN = (TASKS, "hotfix.md", "post-mortem.md")
NETWORK_TIMEOUT = 60
MAX_ATTEMPTS = 3


@frozen
class Arrival:
    """One log row that arrived from another engineer: who did what, when."""

    time: str
    who: str
    event: str
    notes: str

    def __str__(self) -> str:
        tail = f" ({self.notes})" if self.notes else ""
        return f"{self.time} {self.who}: {self.event}{tail}"


@dataclass
class SyncResult:
    """What a sync did; `ok` is False when something is left for the next sync."""

    ok: bool
    message: str
    remote: str = ""
    branch: str = ""
    committed: str | None = None  # SHA of the commit of pending local changes
    merged: str | None = None  # SHA of the merge commit
    fast_forward: bool = False
    pushed: bool = False
    offline: bool = False
    rejected: bool = False
    arrived: list[Arrival] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unpushed: int = 0  # local commits the remote does not have yet


def _remote_and_branch(root: Path, branch: str) -> tuple[str, str, bool]:
    """(remote, remote branch name, upstream configured?) for the checked-out branch."""
    remote = run_git(root, "config", f"branch.{branch}.remote", check=False).stdout.strip()
    merge = run_git(root, "config", f"branch.{branch}.merge", check=False).stdout.strip()
    if remote and merge and remote != ".":
        return remote, merge.removeprefix("refs/heads/"), True
    remotes = run_git(root, "remote").stdout.split()
    if "origin" in remotes:
        return "origin", branch, False
    if len(remotes) == 1:
        return remotes[0], branch, False
    if not remotes:
        raise GitError(
            f"{root}: no git remote to sync with; add one with `git remote add origin URL`"
        )
    raise GitError(
        f"{root}: several remotes ({', '.join(remotes)}) and no upstream for {branch}; "
        f"set one with `git branch --set-upstream-to REMOTE/{branch}`"
    )


def _is_ancestor(root: Path, a: str, b: str) -> bool:
    return run_git(root, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def _count(root: Path, spec: str) -> int:
    out = run_git(root, "rev-list", "--count", spec, check=False)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def _tree_files(root: Path, commit: str, rel: str) -> dict[str, str]:
    """path -> mode of the files under `rel` in a commit."""
    out = run_git(root, "ls-tree", "-r", commit, "--", rel + "/", check=False)
    files = {}
    for line in out.stdout.splitlines():
        meta, _, path = line.partition("\t")
        files[path] = meta.split()[0]
    return files


def _load(
    folder: Path, incident: Incident | None, clock: Clock, who: str | None, root: Path
) -> Incident:
    """The incident to log and commit with: a fresh load, with `incident`'s workflow if given."""
    from hotfix_tui.core.record.incident import Incident

    wf = incident.workflow if incident is not None else workflow_for(folder, root)
    return Incident(folder, wf, clock=clock, who=who, repo_root=root)


def workflow_for(folder: Path, root: Path | None) -> Workflow | None:
    """The workflow of an incident folder (None for a plain checklist or a broken workflow)."""
    from hotfix_tui.core.opening import load_workflow_for

    try:
        return load_workflow_for(folder, root)
    except Exception:  # noqa: BLE001 - a broken workflow must not stop a sync
        return None


def sync(
    root: Path,
    folder: Path,
    incident: Incident | None = None,
    *,
    clock: Clock | None = None,
    who: str | None = None,
) -> SyncResult:
    """Commit pending changes of the incident folder, fetch, merge the remote's, push.

    Raises GitError for what the user must fix first (detached HEAD, a merge in progress, no
    remote, a conflict outside the incident folder); returns a SyncResult otherwise, with
    `offline`/`rejected` set when the push must wait for the next sync.
    """
    root = Path(root)
    folder = Path(folder)
    clock = clock or (incident.clock if incident is not None else utc_now)
    if who is None and incident is not None:
        who = incident.who
    with open_repo(root, write=True) as repo:
        return _sync(repo, folder, incident, clock, who)


def _sync(
    repo: GitRepo, folder: Path, incident: Incident | None, clock: Clock, who: str | None
) -> SyncResult:
    root = repo.root
    ref = head_ref(root)
    check_record_branch(root, folder, "sync")
    branch = ref.removeprefix("refs/heads/")
    op = in_progress_operation(root)
    if op:
        raise GitError(f"{root}: {op} is in progress; finish or abort it, then sync again")
    rel = rel_folder(root, folder)
    remote, rbranch, has_upstream = _remote_and_branch(root, branch)
    result = SyncResult(ok=False, message="", remote=remote, branch=branch)
    result.warnings += heal_locks(root)  # what a killed sync or commit left behind

    for _attempt in range(MAX_ATTEMPTS):
        fetch = repo.run("fetch", "--quiet", remote, check=False, timeout=NETWORK_TIMEOUT)
        if fetch.returncode != 0:
            with _locked(root, folder):
                _commit_pending(root, folder, incident, clock, who, result)
            return _offline(root, result, remote, rbranch, fetch.stderr)
        # local writers wait from here until the work tree holds the merge (never mid-merge)
        with _locked(root, folder):
            _commit_pending(root, folder, incident, clock, who, result)
            theirs = rev(root, f"refs/remotes/{remote}/{rbranch}")
            head = rev(root, "HEAD")
            if theirs and head and theirs != head and not _is_ancestor(root, theirs, head):
                if _is_ancestor(root, head, theirs):
                    _fast_forward(root, ref, head, theirs, rel, result)
                    _after_fast_forward(root, folder, incident, clock, who, result)
                else:
                    _merge(root, ref, head, theirs, rel, folder, incident, clock, who, result)
                    _commit_pending(root, folder, incident, clock, who, result)
        head = rev(root, "HEAD")
        ahead = _count(root, f"{theirs}..HEAD") if theirs else _count(root, "HEAD")
        if not ahead:
            result.ok = True
            result.message = _summary(result, remote, rbranch, pushed=False)
            return result
        push_args = ["push", "--quiet", "--porcelain"]
        if has_upstream:
            push_args += [remote, f"HEAD:refs/heads/{rbranch}"]
        else:
            push_args += ["-u", remote, f"{branch}:refs/heads/{rbranch}"]
        push = repo.run(*push_args, check=False, timeout=NETWORK_TIMEOUT)
        if push.returncode == 0:
            result.pushed = True
            result.ok = True
            result.unpushed = 0
            result.message = _summary(result, remote, rbranch, pushed=True)
            return result
        text = push.stdout + push.stderr
        if "non-fast-forward" in text or "fetch first" in text:
            continue  # someone pushed since our fetch: fetch and merge again
        healed = heal_named_lock(text)  # a local remote's ref lock left by a killed push
        if healed is not None:
            result.warnings.append(healed)
            continue
        if "[remote rejected]" in text or "[rejected]" in text:
            return _refused(root, result, remote, rbranch, text)
        return _offline(root, result, remote, rbranch, push.stderr or push.stdout)
    result.rejected = True
    result.unpushed = _count(root, f"refs/remotes/{remote}/{rbranch}..HEAD")
    result.message = (
        f"the push to {remote}/{rbranch} was rejected {MAX_ATTEMPTS} times (others keep pushing); "
        f"your {result.unpushed} commit(s) stay local - sync again"
    )
    return result


def _refused(root: Path, result: SyncResult, remote: str, rbranch: str, text: str) -> SyncResult:
    """The remote refused the push (a hook, branch protection, permissions)."""
    result.rejected = True
    base = rev(root, f"refs/remotes/{remote}/{rbranch}")
    result.unpushed = _count(root, f"{base}..HEAD") if base else _count(root, "HEAD")
    why = next(
        (
            ln.split("[remote rejected]", 1)[-1].split("[rejected]", 1)[-1].strip(" ()")
            for ln in text.splitlines()
            if "rejected]" in ln
        ),
        "",
    )
    remote_lines = [
        ln.removeprefix("remote:").strip()
        for ln in text.splitlines()
        if ln.startswith("remote:") and ln.removeprefix("remote:").strip()
    ]
    detail = "; ".join([*remote_lines[:2], why] if why else remote_lines[:2]) or "refused"
    result.message = (
        f"{remote} refused the push to {rbranch} ({detail}); your {result.unpushed} "
        "commit(s) stay local and are pushed on the next sync once the remote accepts them"
    )
    return result


def _offline(root: Path, result: SyncResult, remote: str, rbranch: str, err: str) -> SyncResult:
    result.offline = True
    base = rev(root, f"refs/remotes/{remote}/{rbranch}")
    result.unpushed = _count(root, f"{base}..HEAD") if base else _count(root, "HEAD")
    detail = "; ".join(
        ln.removeprefix("fatal: ").removeprefix("error: ")
        for ln in (err or "").strip().splitlines()[:2]
    )
    kept = (
        f"your {result.unpushed} local commit(s) stay and are pushed on the next sync"
        if result.unpushed
        else "nothing is lost"
    )
    result.message = f"cannot reach {remote} ({detail or 'no answer'}); {kept}"
    return result


def _summary(result: SyncResult, remote: str, rbranch: str, *, pushed: bool) -> str:
    bits = []
    if result.committed:
        bits.append(f"committed {result.committed[:8]}")
    if result.arrived:
        whos = sorted({a.who for a in result.arrived})
        bits.append(f"received {len(result.arrived)} change(s) from {', '.join(whos)}")
    elif result.merged or result.fast_forward:
        bits.append("received changes")
    if result.merged:
        bits.append(f"merged as {result.merged[:8]}")
    bits.append(
        f"pushed to {remote}/{rbranch}" if pushed else f"up to date with {remote}/{rbranch}"
    )
    return "; ".join(bits)


def _checkout(root: Path, ref: str, old: str, new: str) -> None:
    """Move the work tree, the index and the branch from `old` to `new` (a two-way checkout)."""
    out = run_git(root, "read-tree", "-m", "-u", old, new, check=False)
    if out.returncode != 0:
        msg = "; ".join(
            ln.removeprefix("error: ").removeprefix("fatal: ")
            for ln in out.stderr.strip().splitlines()[:4]
        )
        raise GitError(
            f"the remote's changes touch files you changed locally ({msg}); commit or stash "
            "them, then sync again - your incident commits are kept"
        )
    try:
        run_git(root, "update-ref", "-m", "hotfix-tui sync", ref, new, old)
    except GitError:
        run_git(root, "read-tree", "-m", "-u", new, old, check=False)
        raise


def _fast_forward(
    root: Path, ref: str, head: str, theirs: str, rel: str, result: SyncResult
) -> None:
    """Move the branch to the remote tip and note the log rows that arrived with it."""
    names = (*MARKDOWN, LOG)
    before = {n: file_at(root, head, f"{rel}/{n}") for n in names}
    after = {n: file_at(root, theirs, f"{rel}/{n}") for n in names}
    _checkout(root, ref, head, theirs)
    result.fast_forward = True
    result.arrived += merge_record(before, before, after, None).arrived


@contextlib.contextmanager
def _locked(root: Path, folder: Path) -> Iterator[None]:
    """Hold the incident's lock (every writer takes it), as a GitError when it cannot be had."""
    from hotfix_tui.core.locking import LockTimeout
    from hotfix_tui.core.record.journal import incident_lock

    lock = incident_lock(root, folder)
    try:
        lock.acquire()
    except LockTimeout as exc:
        raise GitError(f"another hotfix-tui is changing {folder}; sync again in a moment") from exc
    try:
        yield
    finally:
        lock.release()


def _commit_pending(
    root: Path,
    folder: Path,
    incident: Incident | None,
    clock: Clock,
    who: str | None,
    result: SyncResult,
    *,
    arrived: bool = False,
) -> None:
    """Record hand edits, restore lines that vanished from the log, project, and commit what
    the folder has not committed yet (also files committed with conflict markers by a clone
    without the driver: never pushed as-is). With `arrived`, files came by git: always read."""
    from hotfix_tui.core.record import logkeep

    if (
        not arrived
        and not pending_changes(root, folder)
        and not _marked(folder)
        and logkeep.settled(root, folder)
    ):
        return
    inc = _load(folder, incident, clock, who, root)
    try:
        inc.repair()
    except Exception as exc:  # noqa: BLE001 - shown to the user; the sync stops here
        raise GitError(str(exc)) from exc
    result.warnings += [w for w in inc.tx.notices if w not in result.warnings]
    with contextlib.suppress(NothingToCommit):
        sha = commit_incident(root, folder, None, inc, notices=result.warnings)
        result.committed = result.committed or sha


def _marked(folder: Path) -> bool:
    """Whether a markdown file of the folder holds git conflict markers."""
    from hotfix_tui.core.git.mdmerge import has_markers
    from hotfix_tui.core.store import read_text

    for name in MARKDOWN:
        p = folder / name
        with contextlib.suppress(OSError, ValueError):
            if p.is_file() and has_markers(read_text(p).text):
                return True
    return False


def _after_fast_forward(
    root: Path,
    folder: Path,
    incident: Incident | None,
    clock: Clock,
    who: str | None,
    result: SyncResult,
) -> None:
    """The files that arrived are projected from the log that arrived (and committed if that
    changed anything, e.g. edits a teammate made without hotfix-tui)."""
    if not folder.exists():
        return
    _commit_pending(root, folder, incident, clock, who, result, arrived=True)


def _merge(
    root: Path,
    ref: str,
    head: str,
    theirs: str,
    rel: str,
    folder: Path,
    incident: Incident | None,
    clock: Clock,
    who: str | None,
    result: SyncResult,
) -> None:
    """Merge the remote tip into HEAD: events by union, markdown without markers, then every
    file projected from the merged log; committed with both tips as parents."""
    mb = run_git(root, "merge-base", head, theirs, check=False).stdout.strip() or None
    mt = run_git(
        root,
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        head,
        theirs,
        check=False,
    )
    lines = mt.stdout.splitlines()
    if mt.returncode not in (0, 1) or not lines:
        raise GitError(f"git merge-tree failed: {mt.stderr.strip()}")
    tree = lines[0].strip()
    conflicted = [p for p in lines[1:] if p.strip()]
    outside = [p for p in conflicted if not p.startswith(rel + "/")]
    if outside:
        raise GitError(
            "the remote branch changed files outside the incident folder that conflict with "
            f"yours ({', '.join(outside[:5])}); merge them with `git pull`, then sync again - "
            "your incident commits are kept"
        )
    ours_files = _tree_files(root, head, rel)
    theirs_files = _tree_files(root, theirs, rel)
    names = sorted(
        p.removeprefix(rel + "/")
        for p in {*ours_files, *theirs_files}
        if ours_files.get(p, "100644") != "120000"
        and theirs_files.get(p, "100644") != "120000"
        and "/" not in p.removeprefix(rel + "/")
    )
    unhandled = [
        p
        for p in conflicted
        if p.removeprefix(rel + "/") not in names or not _mergeable(p.removeprefix(rel + "/"))
    ]
    if unhandled:
        raise GitError(
            f"both sides changed {', '.join(unhandled[:5])} in ways hotfix-tui cannot merge; "
            "merge them with `git pull`, then sync again - your incident commits are kept"
        )

    def side(commit: str | None) -> dict[str, str | None]:
        return {n: file_at(root, commit, f"{rel}/{n}") for n in names if _mergeable(n)}

    base_f, ours_f, theirs_f = side(mb), side(head), side(theirs)
    inc = _load(folder, incident, clock, who, root)
    from hotfix_tui.core.record.credit import range_edits

    edits = [
        e
        for tip in (head, theirs)
        for n in MARKDOWN
        for e in range_edits(root, rel, n, tip, mb, inc.workflow)
    ]
    outcome = merge_record(base_f, ours_f, theirs_f, inc.workflow, edits)
    result.arrived += outcome.arrived
    with temp_index(root) as env:
        run_git(root, "read-tree", tree, env=env)
        for name, text in outcome.files.items():
            if text is None:
                continue
            blob = run_git(root, "hash-object", "-w", "--stdin", input=text).stdout.strip()
            mode = ours_files.get(f"{rel}/{name}") or theirs_files.get(f"{rel}/{name}") or "100644"
            run_git(
                root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{rel}/{name}", env=env
            )
        new_tree = run_git(root, "write-tree", env=env).stdout.strip()
    body = "\n".join(f"- {a}" for a in result.arrived)
    trailers = "\n".join(f"{k}: {v}" for k, v in incident_trailers(inc).items() if v)
    msg = f"{inc.id}: sync with {result.remote}/{result.branch}\n\n"
    msg += (body + "\n\n" if body else "") + trailers + "\n"
    sha = run_git(root, "commit-tree", new_tree, "-p", head, "-p", theirs, input=msg).stdout.strip()
    _checkout(root, ref, head, sha)
    from hotfix_tui.core.record import logkeep
    from hotfix_tui.core.record.journal import save_hashes

    logkeep.unsettle(root, folder)  # the union keeps lines a commit of theirs may have removed
    save_hashes(root, folder, {n: outcome.files.get(n) for n in MARKDOWN})
    result.merged = sha


def _mergeable(name: str) -> bool:
    return name in (*MARKDOWN, LOG, ATTRIBUTES)


@dataclass
class RecordMerge:
    """The merged folder files and the events that came from the other side."""

    files: dict[str, str | None]
    arrived: list[Arrival]


def merge_record(
    base: dict[str, str | None],
    ours: dict[str, str | None],
    theirs: dict[str, str | None],
    workflow: Workflow | None,
    edits: list[Event] | None = None,
) -> RecordMerge:
    """A pure merge of one incident folder: the union of both logs, the markdown merged without
    markers, then every file projected from the merged log (the same on every clone)."""
    from hotfix_tui.core.git.mdmerge import merge_texts
    from hotfix_tui.core.record.events import parse_log
    from hotfix_tui.core.record.projection import project, replay, row_line, rows, task_titles

    ev_o, _ = parse_log(ours.get(LOG) or "")
    ev_t, _ = parse_log(theirs.get(LOG) or "")
    merged = sorted(
        {e.id: e for e in [*ev_o, *ev_t, *(edits or [])]}.values(), key=lambda e: e.order
    )
    files: dict[str, str | None] = {}
    for name in MARKDOWN:
        if name in ours or name in theirs:
            files[name] = merge_texts(base.get(name), ours.get(name), theirs.get(name))
    # without any log (both sides on an older version) the merged text is the record
    projected = project(files, merged, workflow) if merged else files
    out: dict[str, str | None] = dict(projected)
    if merged:
        out[LOG] = "".join(e.line() for e in merged)
    attrs = ours.get(ATTRIBUTES) or theirs.get(ATTRIBUTES)
    if attrs is not None:
        out[ATTRIBUTES] = attrs
    mine = {e.id for e in ev_o}
    new_ids = {e.order for e in ev_t if e.id not in mine and not e.get("seed")}
    st = replay(merged, workflow)
    arrived = []
    for r in rows(st, workflow, task_titles(projected.get(TASKS) or "")):
        if r.order in new_ids:
            cells = record._cells(row_line(r, st)) + ["", "", "", ""]
            arrived.append(Arrival(cells[0], cells[2], cells[1], cells[3]))
    return RecordMerge(out, arrived)
