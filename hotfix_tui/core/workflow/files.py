"""Where workflows are found, and a disk cache of the validated ones (no PyYAML import here).

Opening an incident or `status` needs its workflow; parsing and checking the YAML (and
importing PyYAML) costs tens of milliseconds at every start, so `workflow.py` stores each
workflow it has validated, and `cached_workflow()` reads it back without the YAML.

An entry is used only for exactly the file state and the code it was made with: its key holds
the file's resolved path, mtime_ns, ctime_ns, size, inode and device, the hotfix_tui version and
the stat signatures of the modules that build workflows (model.py, workflow.py and this file).
A file modified less than 2 s before it would be stored is not cached (a later change within
the same timestamp tick could go unseen: the racy-git rule). Entries are JSON (never pickle:
nothing in them runs), checked against their key when read; an unreadable, corrupt or
mismatching entry is ignored (and replaced at the next store). The folder is
`$HOTFIX_TUI_CACHE_DIR` or the platformdirs user cache dir; `HOTFIX_TUI_NO_CACHE=1` turns the
cache off.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

from hotfix_tui import __version__
from hotfix_tui.core import userdirs as dirs
from hotfix_tui.core.workflow.model import (
    ClockDef,
    PhaseDef,
    ReminderDef,
    SeverityDef,
    Step,
    TaskDef,
    WindowDef,
    Workflow,
)

DEFAULT_WORKFLOW = "hotfix"
CACHE_FORMAT = 1
_RACY_NS = 2_000_000_000
_TYPES = {c.__name__: c for c in (Workflow, PhaseDef, TaskDef, Step, SeverityDef, ClockDef,
                                  WindowDef, ReminderDef)}
_HERE = Path(__file__).resolve().parent
_CODE = ("model.py", "loader.py", "files.py", "schema.py")


# --------------------------------------------------------------------------- discovery


def builtin_workflow_dir() -> Path:
    """The folder holding the workflows shipped with hotfix-tui."""
    # installed: hotfix_tui/workflows; a source checkout: workflows/ next to hotfix_tui
    # (plain stats first: importlib.resources costs milliseconds at every start)
    package = Path(__file__).resolve().parents[2]
    for folder in (package / "workflows", package.parent / "workflows"):
        if (folder / "hotfix.yaml").is_file():
            return folder
    try:
        from importlib.resources import files

        res = files("hotfix_tui.workflows")
        if isinstance(res, Path) and (res / "hotfix.yaml").is_file():
            return res
    except (ImportError, TypeError, ValueError, OSError):
        pass
    return package.parent / "workflows"


def user_workflow_dir() -> Path:
    """The user's own workflows folder (in the config folder, `$HOTFIX_TUI_CONFIG_DIR` or the
    platform's)."""
    return dirs.config_dir() / "workflows"


def workflow_dirs(repo_root: Path | None) -> list[Path]:
    """The folders searched for workflows, first match wins."""
    dirs = [Path(repo_root) / ".hotfix" / "workflows"] if repo_root is not None else []
    return [*dirs, user_workflow_dir(), builtin_workflow_dir()]


def find_workflows(repo_root: Path | None) -> dict[str, Path]:
    """Map workflow names (file stems) to files: repo, then user config, then built-ins."""
    found: dict[str, Path] = {}
    for folder in workflow_dirs(repo_root):
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        except OSError:
            continue
        for file in files:
            found.setdefault(file.stem, file)
    return found


def is_path(name: str) -> bool:
    """True when a workflow is named by its file rather than by name."""
    return "/" in name or os.sep in name or name.endswith((".yaml", ".yml"))


def workflow_file(name_or_path: str | None, repo_root: Path | None) -> Path | None:
    """The file a workflow name or path stands for; None for an unknown name."""
    name = name_or_path or DEFAULT_WORKFLOW
    if is_path(name):
        return Path(name).expanduser()
    return find_workflows(repo_root).get(name)


# --------------------------------------------------------------------------- disk cache


def cache_dir() -> Path:
    return dirs.cache_dir("workflows")


def _key(path: Path) -> tuple[str, os.stat_result] | None:
    """The cache key of a workflow file as it is now (and its stat), or None."""
    try:
        real = path.resolve()
        st = os.stat(real)
        code = [os.stat(_HERE / name) for name in _CODE]
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    parts = [CACHE_FORMAT, __version__, str(real), st.st_mtime_ns, st.st_ctime_ns, st.st_size,
             st.st_ino, st.st_dev, [(c.st_mtime_ns, c.st_size, c.st_ino) for c in code]]
    return json.dumps(parts), st


def _entry(key: str) -> Path:
    # Only a file name: the entry holds its whole key and is checked against it, so a collision
    # is a miss. CRC-32 and Adler-32 spare the status path OpenSSL's import (`hashlib`).
    data = key.encode("utf-8", "surrogateescape")
    return cache_dir() / f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}.json"


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"@": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = _encode(getattr(value, f.name))
        return out
    if isinstance(value, tuple):
        return {"@t": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"@d": [[k, _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "@t" in value:
            return tuple(_decode(v) for v in value["@t"])
        if "@d" in value:
            return {k: _decode(v) for k, v in value["@d"]}
        cls = _TYPES[value["@"]]
        return cls(**{k: _decode(v) for k, v in value.items() if k != "@"})
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def load_cached(path: Path) -> Workflow | None:
    """The workflow stored for `path` as it is now, or None (no entry, stale or corrupt)."""
    if not dirs.cache_on():
        return None
    found = _key(path)
    if found is None:
        return None
    key = found[0]
    try:
        data = json.loads(_entry(key).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        workflow = _decode(data["workflow"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None
    return workflow if isinstance(workflow, Workflow) else None


def store(path: Path, workflow: Workflow) -> bool:
    """Remember a workflow validated from `path`; False when not stored (never raises)."""
    if not dirs.cache_on():
        return False
    found = _key(path)
    if found is None:
        return False
    key, st = found
    now = time.time_ns()
    if now - st.st_mtime_ns < _RACY_NS:
        return False  # too fresh: a change in the same timestamp tick would go unseen
    try:
        data = {"key": key, "workflow": _encode(workflow)}
        if _decode(data["workflow"]) != workflow:
            return False
        text = json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError, KeyError):
        return False
    dest = _entry(key)
    from hotfix_tui.core.store import StoreError, atomic_write

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(dest, text)
    except (OSError, StoreError):
        return False
    return True


def cached_workflow(name_or_path: str | None, repo_root: Path | None) -> Workflow | None:
    """The cached workflow a name or path resolves to, or None (`resolve.workflow_named` then
    loads it)."""
    path = workflow_file(name_or_path, repo_root)
    return load_cached(path) if path is not None else None
