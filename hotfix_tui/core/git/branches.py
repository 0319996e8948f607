"""Incidents on every branch, read from git objects without a checkout, and branch rules.

Numbers are unique across all local and remote-tracking branches; a record commit lands only on
its incident's branch (or one that branch was merged into).
"""

# One `git for-each-ref` lists the branches with their root trees; `git cat-file --batch` then
# reads the `specs` trees (deduplicated by tree SHA, so branches sharing a tree cost nothing) and
# any file asked for: git plumbing, without GitPython, for `list`, the overview and numbering
# (see ARCHITECTURE.md). Only `switch_to_copy` changes the repo, in a short-lived GitPython Repo.

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core import layouts
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git.gitcmd import open_repo, run_git, run_git_bytes
from hotfix_tui.core.git.repo import GitError, current_branch, rel_folder, rev
from hotfix_tui.core.layouts import RECORD_FILES, Found

if TYPE_CHECKING:
    from hotfix_tui.core.discovery import NewPlace

SCRATCH = re.compile(r"(^|/)\.[^/]*\.(lock|tmp)$")
TREE_MODE = "40000"


class WrongBranch(GitError):
    """A record commit would land on a branch that is not its incident's."""


@frozen
class Ref:
    """A local or remote-tracking branch: full ref name, commit and root tree."""

    name: str
    commit: str
    tree: str
    committed: int = 0

    @property
    def short(self) -> str:
        """`main` for a local branch, `origin/main` for a remote-tracking one."""
        return self.name.removeprefix("refs/heads/").removeprefix("refs/remotes/")

    @property
    def local(self) -> bool:
        return self.name.startswith("refs/heads/")


@frozen
class TreeEntry:
    """One entry of a git tree object."""

    mode: str
    name: str
    sha: str

    @property
    def is_tree(self) -> bool:
        return self.mode == TREE_MODE


# --- reading git objects -------------------------------------------------------------------------


def list_refs(root: Path) -> list[Ref]:
    """Every local and remote-tracking branch (symbolic refs such as origin/HEAD left out)."""
    fmt = "%(objectname)%00%(objecttype)%00%(tree)%00%(committerdate:unix)%00%(symref)%00%(refname)"
    out = run_git(root, "for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes")
    refs = []
    for line in out.stdout.splitlines():
        parts = line.split("\0")
        if len(parts) != 6 or parts[1] != "commit" or parts[4]:
            continue
        refs.append(Ref(parts[5], parts[0], parts[2], int(parts[3] or 0)))
    return refs


def read_objects(root: Path, names: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
    """(sha, type, content) for each object name (`TREE:path`, a SHA), None where missing."""
    if not names:
        return []
    if any("\n" in n for n in names):
        raise GitError("an object name holds a line break")
    proc = run_git_bytes(root, "cat-file", "--batch", input=("\n".join(names) + "\n").encode())
    if proc.returncode != 0:
        raise GitError(f"git cat-file failed: {proc.stderr.decode(errors='replace').strip()}")
    data, pos = proc.stdout, 0
    out: list[tuple[str, str, bytes] | None] = []
    for _ in names:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].decode(errors="replace").split()
        pos = nl + 1
        if len(header) != 3 or header[-1] in ("missing", "ambiguous"):
            out.append(None)
            continue
        size = int(header[2])
        out.append((header[0], header[1], data[pos : pos + size]))
        pos += size + 1
    return out


def parse_tree(content: bytes) -> list[TreeEntry]:
    """The entries of a raw tree object (`mode name\\0` and a 20-byte SHA each)."""
    entries, pos = [], 0
    while pos < len(content):
        nul = content.index(b"\0", pos)
        mode, _, name = content[pos:nul].decode(errors="replace").partition(" ")
        sha = content[nul + 1 : nul + 21].hex()
        entries.append(TreeEntry(mode, name, sha))
        pos = nul + 21
    return entries


def _layout_folders(
    root: Path, trees: Iterable[str]
) -> tuple[dict[str, list[tuple[Found, str]]], dict[str, list[TreeEntry]]]:
    """For each root tree: every folder a layout reads below its `specs` (a Found with the
    path below `specs`, and the folder's tree SHA); and the trees parsed on the way.

    The walk goes down one level per `git cat-file --batch` (each tree read once), into the
    folders some layout goes on below (`layouts.leads_on`)."""
    unique = list(dict.fromkeys(trees))
    parsed: dict[str, list[TreeEntry]] = {}
    specs_sha: dict[str, str] = {}
    for tree, obj in zip(unique, read_objects(root, [f"{t}:specs" for t in unique]), strict=True):
        if obj and obj[1] == "tree":
            specs_sha[tree] = obj[0]
            if obj[0] not in parsed:
                parsed[obj[0]] = parse_tree(obj[2])
    by_specs: dict[str, list[tuple[Found, str]]] = {s: [] for s in specs_sha.values()}
    seen: dict[tuple[str, ...], tuple[Found | None, bool]] = {}  # a name path read once
    # (specs tree, parts below specs, tree SHA) of the trees to read at this depth
    level: list[tuple[str, tuple[str, ...], str]] = [(s, (), s) for s in by_specs]
    while level:
        parsed.update(_trees(root, [t for _s, _p, t in level if t not in parsed]))
        deeper: list[tuple[str, tuple[str, ...], str]] = []
        for specs, parts, sha in level:
            for e in parsed.get(sha, []):
                if not e.is_tree:
                    continue
                p = (*parts, e.name)
                if p not in seen:
                    seen[p] = (layouts.classify(p), layouts.leads_on(p))
                found, goes_on = seen[p]
                if found is not None:
                    by_specs[specs].append((found, e.sha))
                if goes_on:
                    deeper.append((specs, p, e.sha))
        level = deeper
    return {t: by_specs.get(specs_sha.get(t, ""), []) for t in unique}, parsed


# --- numbers -------------------------------------------------------------------------------------


def used_numbers(root: Path, prefix: str = "hotfix") -> set[int]:
    """Numbers, on every local and remote-tracking branch, of the folders a new folder of
    `prefix` numbers after (`layouts.for_new().numbering`)."""
    counts = layouts.for_new().numbering
    folders, _trees_read = _layout_folders(root, [r.tree for r in list_refs(root)])
    return {f.number for held in folders.values() for f, _sha in held if counts(f, prefix)}


def next_number(root: Path, prefix: str = "hotfix") -> int:
    """One more than the highest number of `prefix` in the work tree or on any branch, and of
    every spec number spec-kit-extensions counts (`place_new`)."""
    return place_new(root, prefix).number


def place_new(root: Path, prefix: str = "hotfix") -> NewPlace:
    """Where `new` puts a folder of `prefix`: `discovery.place_new` given every branch's folders
    and names (as `git branch -a` shows them: `origin/x` as `x`)."""
    from hotfix_tui.core.discovery import place_new as place

    held: list[Found] = []
    names: list[str] = []
    with contextlib.suppress(GitError):  # not a repository: the work tree is all there is
        refs = list_refs(root)
        folders, _trees_read = _layout_folders(root, [r.tree for r in refs])
        held = [f for fs in folders.values() for f, _sha in fs]
        names = [r.short if r.local else r.short.partition("/")[2] for r in refs]
    return place(root, prefix, held, names)


# --- where a new incident branches from ----------------------------------------------------------


@frozen
class Base:
    """The commit a new incident branch starts from, and a sentence when it is not HEAD."""

    ref: str | None  # None: the current HEAD
    note: str = ""


def default_branch(root: Path) -> str | None:
    """The remote's default branch (origin/HEAD), else main or master; a short ref name."""
    out = run_git(root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False)
    candidates = [out.stdout.strip()] if out.returncode == 0 and out.stdout.strip() else []
    candidates += ["refs/heads/main", "refs/heads/master"]
    candidates += ["refs/remotes/origin/main", "refs/remotes/origin/master"]
    for ref in candidates:
        if rev(root, ref):
            return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    return None


def choose_base(root: Path, from_ref: str | None = None) -> Base:
    """`--from REF`, else HEAD, except on another incident's branch: the default branch."""
    if from_ref:
        if not rev(root, from_ref):
            raise GitError(f"--from {from_ref}: no such branch or commit in {root}")
        return Base(from_ref)
    here = current_branch(root)
    read = layouts.read_branch(here) if here else None
    if read is not None and read.incident:
        default = default_branch(root)
        if default is None:
            raise GitError(
                f"you are on {here}, another incident's branch, and this repository has no "
                "main or master branch to start from; name one with --from REF"
            )
        return Base(
            default,
            f"branched from {default}, not from {here} (another incident's branch); "
            "use --from REF to choose",
        )
    return Base(None)


def pending_incident_folders(root: Path) -> list[str]:
    """Incident folders of the work tree with uncommitted changes (new, modified or deleted)."""
    out = run_git(
        root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "specs", check=False
    )
    found: list[str] = []
    for item in out.stdout.split("\0"):
        path = item[3:] if len(item) > 3 else ""
        if not path or SCRATCH.search(path):
            continue
        holder = layouts.folder_of(path.split("/")[1:-1])
        if holder is None or holder.layout is None or not holder.layout.by_prefix:
            continue  # not a workflow's folder (a feature, a modification): stays with its branch
        folder = f"specs/{holder.folder.as_posix()}"
        if folder not in found:
            found.append(folder)
    return found


def check_nothing_carried(root: Path) -> None:
    """Refuse to switch to a new branch while another incident has uncommitted changes."""
    pending = pending_incident_folders(root)
    if pending:
        here = current_branch(root) or "the current commit"
        raise GitError(
            f"{', '.join(pending)} {'has' if len(pending) == 1 else 'have'} uncommitted "
            f"changes that would move onto the new branch; commit them on {here} first "
            f"(`hotfix-tui commit --spec {pending[0]}` or `hotfix-tui sync --spec "
            f"{pending[0]}`), or declare this incident with --no-branch"
        )


def switch_to_copy(root: Path, source: str, *, local: bool) -> None:
    """Check out the branch holding a copy (`main`, or `origin/x` through a local `x` made to
    track it); refuses while another incident has uncommitted changes."""
    with open_repo(root, write=True) as repo:
        check_nothing_carried(root)
        if local:
            repo.run("switch", "--quiet", source)
            return
        remote, _, name = source.partition("/")
        if rev(root, f"refs/heads/{name}"):
            repo.run("switch", "--quiet", name)
        else:
            repo.run("switch", "--quiet", "--track", f"{remote}/{name}")


# --- where a record commit may land --------------------------------------------------------------


def home_branch(folder: Path) -> str | None:
    """The branch an incident belongs on: hotfix.md's Branch field, else the one its workflow
    names it by (`hotfix/001-words`, a feature's `001-name`); None when no rule says."""
    from hotfix_tui.core.markdown.hotfix_fields import branch

    try:
        text = (folder / "hotfix.md").read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        text = ""
    value = branch(text)  # '' for a placeholder or `(none)`
    if value:
        return value
    found = layouts.read_folder(folder)
    # a layout without a branch of its own (a modification: its feature's branch) says nothing
    return (found.branch or None) if found is not None else None


def record_branch_problem(root: Path, folder: Path, action: str = "commit") -> str | None:
    """Why a record commit of `folder` must not land on the checked-out branch, or None."""
    # Allowed: the incident's own branch; a branch its branch was merged into (post-incident
    # work after the fix is merged); for `--no-branch` incidents, the branch they were declared
    # on. Never another incident's branch.
    here = current_branch(root)
    home = home_branch(folder)
    if here is None or home is None or here == home:
        return None
    rel = rel_folder(root, folder)
    what = f"{rel} belongs on {home}"
    fix = (
        f"switch with `git switch {home}` (your uncommitted changes to {rel} come along) "
        f"and {action} again; nothing was committed"
    )
    m, h = layouts.read_branch(here), layouts.read_branch(home)
    m = m if m is not None and m.incident else None
    h = h if h is not None and h.incident else None
    if m and h and (m.prefix, m.number) == (h.prefix, h.number):
        return None  # a copy of its own branch (`hotfix/001-…` under another name)
    if m:
        return f"{what}, but you are on {here}, another incident's branch; {fix}"
    tips = [r.commit for r in list_refs(root) if r.short == home or r.short.endswith("/" + home)]
    head = rev(root, "HEAD")
    if head is None:
        return None
    if any(_is_ancestor(root, t, head) for t in tips):
        return None  # the incident's branch was merged into this one
    tracked = run_git(root, "rev-parse", "--verify", "--quiet", f"HEAD:{rel}", check=False)
    if not tips and tracked.returncode != 0:
        fix = f"create it with `git switch -c {home}` and {action} again; nothing was committed"
    elif not tips:
        return None  # its branch is gone and its folder is on this one: merged, then deleted
    return f"{what}, which is not merged into {here}; {fix}"


def check_record_branch(root: Path, folder: Path, action: str = "commit") -> None:
    """Raise WrongBranch when a record commit of `folder` must not land on this branch."""
    problem = record_branch_problem(root, folder, action)
    if problem:
        raise WrongBranch(problem)


def _is_ancestor(root: Path, a: str, b: str) -> bool:
    return run_git(root, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


# --- every spec folder on every branch -----------------------------------------------------------


@frozen
class FolderCopy:
    """A spec folder as one commit holds it: its tree SHA and its files (name -> mode, SHA)."""

    path: str
    tree: str
    files: dict[str, tuple[str, str]]


def _trees(root: Path, shas: Iterable[str]) -> dict[str, list[TreeEntry]]:
    """Parsed tree objects by SHA, read in one batch (each SHA once)."""
    unique = list(dict.fromkeys(shas))
    out: dict[str, list[TreeEntry]] = {}
    for sha, obj in zip(unique, read_objects(root, unique), strict=True):
        if obj and obj[1] == "tree":
            out[sha] = parse_tree(obj[2])
    return out


def scan_specs(root: Path, trees: Iterable[str]) -> dict[str, dict[str, FolderCopy]]:
    """For each root tree: every spec folder (a layout's folder with a tasks.md or hotfix.md),
    by path (`specs/hotfix-001-x`)."""
    folders, parsed = _layout_folders(root, trees)
    unread = [s for held in folders.values() for _f, s in held if s not in parsed]
    parsed.update(_trees(root, unread))
    by_list: dict[int, dict[str, FolderCopy]] = {}  # root trees sharing a specs tree share this
    out: dict[str, dict[str, FolderCopy]] = {}
    for tree, held in folders.items():
        if id(held) not in by_list:
            found: dict[str, FolderCopy] = {}
            for f, fsha in held:
                files = {e.name: (e.mode, e.sha) for e in parsed.get(fsha, []) if not e.is_tree}
                if any(name in files for name in RECORD_FILES):
                    path = f"specs/{f.folder.as_posix()}"
                    found[path] = FolderCopy(path, fsha, files)
            by_list[id(held)] = found
        out[tree] = by_list[id(held)]
    return out


def last_commit_time(root: Path, ref: str, path: str) -> int:
    """Unix time of the newest commit on `ref` that touched `path` (0 when none)."""
    out = run_git(root, "log", "-1", "--format=%ct", ref, "--", path, check=False)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def dirty_folders(root: Path) -> set[str]:
    """Spec folders of the work tree with uncommitted changes (any layout)."""
    out = run_git(
        root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "specs", check=False
    )
    found: set[str] = set()
    for item in out.stdout.split("\0"):
        path = item[3:] if len(item) > 3 else ""
        if not path or SCRATCH.search(path):
            continue
        holder = layouts.folder_of(path.split("/")[1:-1])
        if holder is not None:
            found.add(f"specs/{holder.folder.as_posix()}")
    return found
