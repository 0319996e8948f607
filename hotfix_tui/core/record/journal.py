"""Where the record's bookkeeping lives outside the work tree: the incident lock, the hashes of
the last projection written, the clone id; plus reads that never see a half-written file."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.git.gitcmd import run_git, run_git_bytes
from hotfix_tui.core.git.repo import git_dir
from hotfix_tui.core.hashing import sha1, sha256
from hotfix_tui.core.locking import FileLock

if TYPE_CHECKING:
    from hotfix_tui.core.workflow.model import Workflow

FILES = ("tasks.md", "hotfix.md", "post-mortem.md")
_LOCKS: dict[str, FileLock] = {}


def _key(folder: Path) -> str:
    real = os.path.realpath(folder)
    name = Path(real).name
    return f"{name}-{sha256(real.encode()).hexdigest()[:10]}"


def folder_key(folder: Path) -> str:
    """The name this clone's files about a folder carry (its name and a hash of its real path)."""
    return _key(folder)


def home(root: Path | None, folder: Path) -> Path:
    """The tool's own folder for this repository: `.git/hotfix-tui`, else the user state dir."""
    g = git_dir(root) if root is not None else None
    if g is not None:
        return g / "hotfix-tui"
    from hotfix_tui.core.config.settings import state_dir

    return state_dir() / "records"


def lock_file(root: Path | None, folder: Path) -> Path:
    return home(root, folder) / "locks" / (_key(folder) + ".lock")


def incident_lock(root: Path | None, folder: Path, timeout: float | None = None) -> FileLock:
    """The incident's lock (one per folder, re-entrant in a thread); held by every writer."""
    from hotfix_tui.core.store import lock_timeout

    path = lock_file(root, folder)
    lock = _LOCKS.get(str(path))
    if lock is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path, timeout=lock_timeout() if timeout is None else timeout)
        _LOCKS[str(path)] = lock
    return lock


def keeps(root: Path | None, folder: Path) -> bool:
    """Whether this clone keeps any projection at all (a fresh clone or a copy does not): when
    not, there is no kept view or hash to look up, and no file name to hash for it."""
    return (home(root, folder) / "projections").is_dir()


def _hash_file(root: Path | None, folder: Path) -> Path:
    return home(root, folder) / "projections" / (_key(folder) + ".json")


def text_hash(text: str) -> str:
    return sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


HISTORY = 32  # the projections kept per file: the bases a hand edit is merged against


def _texts_dir(root: Path | None, folder: Path) -> Path:
    return home(root, folder) / "texts" / _key(folder)


def _read_index(root: Path | None, folder: Path) -> dict[str, Any]:
    """{"last": {name: hash}, "history": {name: [hash, newest first]}} (an older file held the
    last texts themselves: they are read as such)."""
    try:
        data = json.loads(_hash_file(root, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"last": {}, "history": {}}
    if not isinstance(data, dict):
        return {"last": {}, "history": {}}
    if "last" in data and isinstance(data.get("last"), dict):
        hist = data.get("history")
        return {"last": dict(data["last"]), "history": dict(hist) if isinstance(hist, dict) else {}}
    return {"last": {}, "history": {}, "texts": {str(k): str(v) for k, v in data.items()}}


def _text_at(root: Path | None, folder: Path, digest: str) -> str | None:
    try:
        data = (_texts_dir(root, folder) / digest).read_bytes()
    except OSError:
        return None
    return data.decode("utf-8", errors="surrogateescape")


def load_projection(root: Path | None, folder: Path) -> dict[str, str]:
    """The files as the last projection wrote them here ({} when never written here)."""
    index = _read_index(root, folder)
    if "texts" in index:
        return dict(index["texts"])
    out = {}
    for name, digest in index["last"].items():
        text = _text_at(root, folder, str(digest))
        if text is not None:
            out[str(name)] = text
    return out


def load_hashes(root: Path | None, folder: Path) -> dict[str, str]:
    """Hashes of the files as the last projection wrote them ({} when never written here)."""
    index = _read_index(root, folder)
    if "texts" in index:
        return {n: text_hash(t) for n, t in index["texts"].items()}
    return {str(n): str(h) for n, h in index["last"].items()}


def candidates(root: Path | None, folder: Path, name: str) -> list[str]:
    """The texts of `name` kept here, newest first: projections written and files seen on disk
    (an editor's buffer may be any of them)."""
    index = _read_index(root, folder)
    if "texts" in index:
        return [index["texts"][name]] if name in index["texts"] else []
    out = []
    for digest in index["history"].get(name, []):
        text = _text_at(root, folder, str(digest))
        if text is not None:
            out.append(text)
    return out


def save_hashes(root: Path | None, folder: Path, texts: dict[str, str | None]) -> None:
    """Keep the projection just written: a later difference from it is an edit by hand."""
    remember(root, folder, texts, last=True)


def remember(
    root: Path | None, folder: Path, texts: dict[str, str | None], *, last: bool = False
) -> None:
    """Keep `texts` among the recent texts of each file (the last `HISTORY`, by content hash);
    with `last`, they are the projection just written."""
    index = _read_index(root, folder)
    if "texts" in index:  # an older file: its texts join the history
        old = {n: t for n, t in index["texts"].items()}
        index = {"last": {}, "history": {}}
        _add(root, folder, index, old, last=True)
    try:
        _add(root, folder, index, {n: t for n, t in texts.items() if t is not None}, last=last)
        p = _hash_file(root, folder)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
        os.replace(tmp, p)
    except OSError:
        return  # only an optimisation: without it an edit is judged against the log alone
    _prune(root, folder, index)


def _add(
    root: Path | None, folder: Path, index: dict[str, Any], texts: dict[str, str], *, last: bool
) -> None:
    d = _texts_dir(root, folder)
    d.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        digest = text_hash(text)
        p = d / digest
        if not p.exists():
            tmp = d / f".{digest}.{os.getpid()}.tmp"
            tmp.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            os.replace(tmp, p)
        hist = [h for h in index["history"].get(name, []) if h != digest]
        index["history"][name] = [digest, *hist][:HISTORY]
        if last:
            index["last"][name] = digest


def _prune(root: Path | None, folder: Path, index: dict[str, Any]) -> None:
    """Remove the kept texts no file's history names any more."""
    keep = {h for hist in index["history"].values() for h in hist} | set(index["last"].values())
    try:
        with os.scandir(_texts_dir(root, folder)) as it:
            for e in it:
                if e.name not in keep and not e.name.startswith("."):
                    with contextlib.suppress(OSError):
                        os.unlink(e.path)
    except OSError:
        pass


def _view_file(root: Path | None, folder: Path) -> Path:
    return home(root, folder) / "projections" / (_key(folder) + ".view.json")


_CODE_KEY: str | None = None


def code_key() -> str:
    """This install's version and the size and mtime of every core module: a projection made by
    other code is never taken for this code's."""
    global _CODE_KEY
    if _CODE_KEY is None:
        from hotfix_tui import __version__

        core = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
        parts = [__version__, *sorted(_module_stats(core, ""))]
        _CODE_KEY = sha256("\n".join(parts).encode()).hexdigest()
    return _CODE_KEY


def _module_stats(folder: str, rel: str) -> list[str]:
    """`path:size:mtime` of every .py file under `folder` (os.scandir: a tenth of rglob's cost)."""
    out: list[str] = []
    with os.scandir(folder) as it:
        for e in it:
            if e.is_dir(follow_symlinks=False) and e.name != "__pycache__":
                out += _module_stats(e.path, f"{rel}{e.name}/")
            elif e.name.endswith(".py"):
                st = e.stat()
                out.append(f"{rel}{e.name}:{st.st_size}:{st.st_mtime_ns}")
    return out


def view_key(log_text: str, workflow: Workflow | None) -> str:
    """What a projection was made from: the log's text, the workflow and the code."""
    wf = workflow.digest if workflow is not None else text_hash(repr(workflow))
    parts = (text_hash(log_text), wf, code_key())
    return sha256("\n".join(parts).encode()).hexdigest()


def save_view(root: Path | None, folder: Path, key: str, texts: dict[str, str | None]) -> None:
    """Keep that the files `texts` are the projection of what `key` names (see `view_key`)."""
    p = _view_file(root, folder)
    data = {
        "key": key,
        "files": {n: text_hash(t) if t is not None else None for n, t in texts.items()},
    }
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, p)
    except OSError:
        pass  # only an optimisation: without it the files are projected again


def is_view(root: Path | None, folder: Path, key: str, texts: dict[str, str | None]) -> bool:
    """True when `texts` are what the projection kept under `key` wrote: projecting them again
    would give them back unchanged (a projection is its own fixpoint)."""
    try:
        data = json.loads(_view_file(root, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or data.get("key") != key:
        return False
    files = {n: text_hash(t) if t is not None else None for n, t in texts.items()}
    return data.get("files") == files


def clone_id(root: Path | None, folder: Path) -> str:
    """A random id for this clone, kept in `.git/hotfix-tui/clone`."""
    p = home(root, folder) / "clone"
    try:
        value = p.read_text(encoding="utf-8").strip()
        if value:
            return value
    except OSError:
        pass
    value = os.urandom(4).hex()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(value + "\n", encoding="utf-8")
    except OSError:
        pass
    return value


def read_stable(path: Path, tries: int = 8) -> str | None:
    """A file's text, read again while it changes under us (git or an editor mid-write)."""
    from hotfix_tui.core.store import read_text

    last: str | None = None
    for attempt in range(tries):
        try:
            st1 = os.stat(path)
        except FileNotFoundError:
            if attempt + 1 < tries and _busy(path):
                time.sleep(0.05)
                continue
            return None
        text = read_text(path).text
        try:
            st2 = os.stat(path)
        except FileNotFoundError:
            time.sleep(0.05)
            continue
        same = (st1.st_ino, st1.st_size, st1.st_mtime_ns) == (
            st2.st_ino,
            st2.st_size,
            st2.st_mtime_ns,
        )
        if same and (text or st2.st_size == 0) and not (not text and _busy(path)):
            return text
        last = text
        time.sleep(0.05)
    return last


def _busy(path: Path) -> bool:
    """True while git is changing the work tree (its index lock exists)."""
    for d in (path.parent, *path.parents):
        g = d / ".git"
        if g.exists():
            gd = git_dir(d)
            return gd is not None and (gd / "index.lock").exists()
    return False


def git_blob_id(text: str) -> str:
    data = text.encode("utf-8", errors="surrogateescape")
    return sha1(b"blob %d\0" % len(data) + data).hexdigest()


def index_blobs(root: Path, rels: list[str]) -> dict[str, str]:
    """The blob ids of paths in the index (what the last checkout, merge or commit left)."""
    out = run_git(root, "ls-files", "-s", "--", *rels, check=False)
    blobs: dict[str, str] = {}
    for line in out.stdout.splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) >= 3 and parts[2] == "0":
            blobs[path] = parts[1]
    return blobs


def last_commit(root: Path, rel: str, tip: str = "HEAD") -> tuple[str, int, str, int] | None:
    """(sha, number of parents, author, author time) of the last commit that touched `rel`."""
    out = run_git(root, "log", "-1", "--format=%H%x1f%P%x1f%an%x1f%at", tip, "--", rel, check=False)
    parts = out.stdout.strip().split("\x1f")
    if out.returncode != 0 or len(parts) != 4:
        return None
    return parts[0], len(parts[1].split()), parts[2], int(parts[3] or 0)


GIT_TEXTS = 16  # recent commits of a file whose texts are bases for a hand edit


def committed_texts(root: Path, rel: str, count: int = GIT_TEXTS) -> list[str]:
    """The texts of `rel` in the last `count` commits from HEAD that touched it, newest first
    (one `git cat-file --batch` for all of them)."""
    from hotfix_tui.core.git.branches import read_objects
    from hotfix_tui.core.git.repo import GitError

    out = run_git(root, "rev-list", f"-n{count}", "HEAD", "--", rel, check=False)
    shas = out.stdout.split() if out.returncode == 0 else []
    try:
        objs = read_objects(root, [f"{sha}:{rel}" for sha in shas])
    except GitError:
        return []
    texts: list[str] = []
    for obj in objs:
        if obj is not None:
            text = obj[2].decode("utf-8", errors="surrogateescape")
            if text not in texts:
                texts.append(text)
    return texts


def show(root: Path, commit: str, rel: str) -> str | None:
    out = run_git_bytes(root, "show", f"{commit}:{rel}")
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", errors="surrogateescape")
