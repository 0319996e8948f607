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
from dataclasses import dataclass
from pathlib import Path

from hotfix_tui.core.git.gitcmd import open_repo, run_git, run_git_bytes
from hotfix_tui.core.git.repo import GitError, current_branch, rel_folder, rev

FLAT = re.compile(r"^(?P<prefix>[a-z][a-z0-9]*)-(?P<num>\d{3,})-(?P<words>.+)$")
NESTED = re.compile(r"^(?P<num>\d{3,})-(?P<words>.+)$")
INCIDENT_BRANCH = re.compile(r"^(?P<prefix>[a-z][a-z0-9]*)/(?P<num>\d{3,})-(?P<words>.+)$")
SCRATCH = re.compile(r"(^|/)\.[^/]*\.(lock|tmp)$")
TREE_MODE = "40000"


class WrongBranch(GitError):
    """A record commit would land on a branch that is not its incident's."""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


def specs_folders(root: Path, trees: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each root tree: incident folder path (`specs/hotfix-001-x`) -> its tree SHA.

    Both layouts are read: `specs/PREFIX-NNN-words/` and `specs/PREFIX/NNN-words/`.
    """
    unique = list(dict.fromkeys(trees))
    specs = read_objects(root, [f"{t}:specs" for t in unique])
    parsed: dict[str, list[TreeEntry]] = {}
    for obj in specs:
        if obj and obj[1] == "tree" and obj[0] not in parsed:
            parsed[obj[0]] = parse_tree(obj[2])
    nested_wanted = {
        e.sha for entries in parsed.values() for e in entries if e.is_tree and _nested_parent(e)
    }
    nested = dict(zip(nested_wanted, read_objects(root, list(nested_wanted)), strict=True))
    result: dict[str, dict[str, str]] = {}
    for tree, obj in zip(unique, specs, strict=True):
        folders: dict[str, str] = {}
        for e in parsed.get(obj[0], []) if obj and obj[1] == "tree" else []:
            if not e.is_tree:
                continue
            if FLAT.match(e.name):
                folders[f"specs/{e.name}"] = e.sha
            if _nested_parent(e) and (sub := nested.get(e.sha)) and sub[1] == "tree":
                for s in parse_tree(sub[2]):
                    if s.is_tree and NESTED.match(s.name):
                        folders[f"specs/{e.name}/{s.name}"] = s.sha
        result[tree] = folders
    return result


def _nested_parent(e: TreeEntry) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9]*", e.name))


# --- numbers -------------------------------------------------------------------------------------


def folder_number(path: str, prefix: str) -> int | None:
    """The incident number of a folder path of `prefix`'s workflow, in either layout."""
    parts = path.strip("/").split("/")
    m = FLAT.match(parts[-1])
    if m and m.group("prefix") == prefix and len(parts) == 2:
        return int(m.group("num"))
    n = NESTED.match(parts[-1])
    if n and len(parts) == 3 and parts[1] == prefix:
        return int(n.group("num"))
    return None


def used_numbers(root: Path, prefix: str = "hotfix") -> set[int]:
    """Numbers of `prefix` folders on every local and remote-tracking branch."""
    refs = list_refs(root)
    nums: set[int] = set()
    for folders in specs_folders(root, [r.tree for r in refs]).values():
        for path in folders:
            num = folder_number(path, prefix)
            if num is not None:
                nums.add(num)
    return nums


def next_number(root: Path, prefix: str = "hotfix") -> int:
    """One more than the highest number of `prefix` in the work tree or on any branch."""
    from hotfix_tui.core.discovery import next_number as work_tree_next

    best = work_tree_next(root, prefix) - 1
    with contextlib.suppress(GitError):  # not a repository: the work tree is all there is
        best = max([best, *used_numbers(root, prefix)])
    return best + 1


# --- where a new incident branches from ----------------------------------------------------------


@dataclass(frozen=True)
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
    if here and INCIDENT_BRANCH.match(here):
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
        parts = path.split("/")
        folder = None
        if len(parts) >= 3 and FLAT.match(parts[1]):
            folder = "/".join(parts[:2])
        elif len(parts) >= 4 and NESTED.match(parts[2]):
            folder = "/".join(parts[:3])
        if folder and folder not in found:
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
    from hotfix_tui.core.discovery import MODIFICATION, classify
    from hotfix_tui.core.markdown.hotfix_fields import branch

    try:
        text = (folder / "hotfix.md").read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        text = ""
    value = branch(text)  # '' for a placeholder or `(none)`
    if value:
        return value
    parts = folder.parts
    if "specs" not in parts:
        return None
    below = parts[len(parts) - 1 - parts[::-1].index("specs") + 1 :]
    found = classify(below)
    if found is None or found.kind == MODIFICATION:
        return None  # a modification lives on its feature's branch, whichever that is
    return found.branch or None


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
    m, h = INCIDENT_BRANCH.match(here), INCIDENT_BRANCH.match(home)
    if m and h and (m["prefix"], int(m["num"])) == (h["prefix"], int(h["num"])):
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


@dataclass(frozen=True)
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
    """For each root tree: every spec folder with a tasks.md or hotfix.md, by path.

    The layouts of discovery.classify: `PREFIX-NNN-words`, `PREFIX/NNN-words`, `NNN-name`
    and `NNN-name/modifications/NNN-words`, all under `specs/`.
    """
    from hotfix_tui.core.discovery import classify

    unique = list(dict.fromkeys(trees))
    specs_sha: dict[str, str] = {}
    for tree, obj in zip(unique, read_objects(root, [f"{t}:specs" for t in unique]), strict=True):
        if obj and obj[1] == "tree":
            specs_sha[tree] = obj[0]
    level1 = _trees(root, specs_sha.values())
    # candidates: (parts below specs, tree SHA); parents to open one level further down
    cand: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    parents: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for sha, entries in level1.items():
        for e in entries:
            if not e.is_tree:
                continue
            cand.setdefault(sha, []).append(((e.name,), e.sha))
            if NESTED.match(e.name) or re.fullmatch(r"[a-z][a-z0-9]*", e.name):
                parents.setdefault(sha, []).append(((e.name,), e.sha))
    level2 = _trees(root, [s for ps in parents.values() for _p, s in ps])
    mods: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for sha, ps in parents.items():
        for parts, psha in ps:
            for e in level2.get(psha, []):
                if not e.is_tree:
                    continue
                if NESTED.match(parts[0]) and e.name == "modifications":
                    mods.setdefault(sha, []).append(((*parts, e.name), e.sha))
                elif not NESTED.match(parts[0]):
                    cand[sha].append(((*parts, e.name), e.sha))
    level3 = _trees(root, [s for ms in mods.values() for _p, s in ms])
    for sha, ms in mods.items():
        for parts, msha in ms:
            cand[sha] += [((*parts, e.name), e.sha) for e in level3.get(msha, []) if e.is_tree]
    kept = {sha: [(p, s) for p, s in cs if classify(p) is not None] for sha, cs in cand.items()}
    rest = [s for cs in kept.values() for _p, s in cs if s not in level2]
    folder_trees = {**level2, **_trees(root, rest)}
    by_specs: dict[str, dict[str, FolderCopy]] = {}
    for sha, cs in kept.items():
        found: dict[str, FolderCopy] = {}
        for parts, fsha in cs:
            files = {e.name: (e.mode, e.sha) for e in folder_trees.get(fsha, []) if not e.is_tree}
            if "tasks.md" in files or "hotfix.md" in files:
                path = "specs/" + "/".join(parts)
                found[path] = FolderCopy(path, fsha, files)
        by_specs[sha] = found
    return {t: by_specs.get(specs_sha.get(t, ""), {}) for t in unique}


def last_commit_time(root: Path, ref: str, path: str) -> int:
    """Unix time of the newest commit on `ref` that touched `path` (0 when none)."""
    out = run_git(root, "log", "-1", "--format=%ct", ref, "--", path, check=False)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def dirty_folders(root: Path) -> set[str]:
    """Spec folders of the work tree with uncommitted changes (any layout)."""
    from hotfix_tui.core.discovery import classify

    out = run_git(
        root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "specs", check=False
    )
    found: set[str] = set()
    for item in out.stdout.split("\0"):
        path = item[3:] if len(item) > 3 else ""
        if not path or SCRATCH.search(path):
            continue
        parts = path.split("/")[1:-1]
        for n in range(len(parts), 0, -1):
            if classify(parts[:n]) is not None:
                found.add("specs/" + "/".join(parts[:n]))
                break
    return found
