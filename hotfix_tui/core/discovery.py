"""Find incident and spec folders in a work tree and pick the one to open.

Which folders are spec folders is the table of layouts (`layouts.py`); this walks the disk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core import layouts
from hotfix_tui.core.layouts import (  # re-exported: the folder names are read there
    FEATURE,
    KIND_ORDER,
    MODIFICATION,
    RECORD_FILES,
    Found,
    classify,
)

if TYPE_CHECKING:
    from hotfix_tui.core.workflow.model import Workflow

__all__ = ["FEATURE", "KIND_ORDER", "MODIFICATION", "Found", "classify"]

INCIDENT_PREFIXES = ("hotfix",)


def walk(root: Path, *, record_files: bool = True) -> list[Found]:
    """Every folder a layout reads under `root/specs` (absolute), level by level; with
    `record_files`, only those holding a tasks.md or hotfix.md."""
    out: list[Found] = []
    level: list[tuple[tuple[str, ...], Path]] = [((), root / "specs")]
    while level:
        deeper: list[tuple[tuple[str, ...], Path]] = []
        for parts, d in level:
            for name, sub in _children(parts, d):
                p = (*parts, name)
                f = classify(p, sub)
                if f is not None and (not record_files or _has_files(sub)):
                    out.append(f)
                if layouts.leads_on(p):
                    deeper.append((p, sub))
        level = deeper
    return out


def _children(parts: tuple[str, ...], d: Path) -> list[tuple[str, Path]]:
    """The folders of `d` a layout may name (only the literal ones when every layout names
    the next segment literally, as `modifications`)."""
    names = layouts.literal_children(parts)
    if names is not None:
        return [(n, d / n) for n in names if (d / n).is_dir()]
    try:
        with os.scandir(d) as it:
            return [(e.name, Path(e.path)) for e in it if e.is_dir()]
    except OSError:
        return []


def find_specs(root: Path) -> list[Found]:
    """Every incident, checklist and feature folder under `root/specs` (with a tasks.md or
    hotfix.md), sorted by kind and number."""
    out = walk(root)
    out.sort(key=lambda f: (layouts.kind_rank(f.kind), f.kind, f.number, str(f.folder)))
    return out


def find_incidents(root: Path, prefixes: tuple[str, ...] = INCIDENT_PREFIXES) -> list[Found]:
    """The folders of the workflows named by `prefixes` under `root/specs`, sorted by number."""
    out = [f for f in find_specs(root) if f.prefix and f.prefix in prefixes]
    out.sort(key=lambda f: (f.number, str(f.folder)))
    return out


def _has_files(d: Path) -> bool:
    return any((d / name).exists() for name in RECORD_FILES)


def next_number(root: Path, prefix: str = "hotfix") -> int:
    """One more than the highest number of the work tree's folders that a new folder of
    `prefix` numbers after (`layouts.for_new().numbering`: today, those of `prefix`)."""
    counts = layouts.for_new().numbering
    numbers = [f.number for f in walk(root, record_files=False) if counts(f, prefix)]
    return max(numbers, default=0) + 1


def quick_status(folder: Path, root: Path | None = None) -> str:
    """The status hotfix.md says (`hotfix_fields.status`), read without loading the incident."""
    return _status(folder, folder_workflow(folder, root))


def _status(folder: Path, wf: Workflow | None) -> str:
    from hotfix_tui.core.markdown import hotfix_fields

    return hotfix_fields.status(_read(folder / "hotfix.md"), wf)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


def _progress(folder: Path, wf: Workflow | None) -> tuple[int, int] | None:
    """Settled and total tasks (`tasks_tally.progress`); None when the tally cannot say."""
    from hotfix_tui.core.markdown import hotfix_fields, tasks_tally

    doc = tasks_tally.tally(_read(folder / "tasks.md"))
    if doc is None:
        return None
    hot = _read(folder / "hotfix.md")
    sev = hotfix_fields.severity(hot, wf, doc.fields.get(hotfix_fields.SEVERITY))
    return tasks_tally.progress(doc, wf, sev)


def is_closed(folder: Path, root: Path | None = None) -> bool:
    """True when the incident is closed by its workflow's lifecycle (`lifecycle.is_closed`; a
    plain checklist by its tasks, as far as `tasks_tally` reads them)."""
    from hotfix_tui.core.workflow.lifecycle import is_closed as closed

    wf = folder_workflow(folder, root)
    plain = wf is None or not wf.statuses
    return closed(_status(folder, wf), wf, _progress(folder, wf) if plain else None)


class Ambiguous(Exception):
    """More than one incident could be meant; the message lists them."""

    def __init__(self, message: str, candidates: list[Found], open_here: bool = True) -> None:
        super().__init__(message)
        self.candidates = candidates
        self.open_here = open_here  # False: every candidate is closed


def workflow_name_for(folder: Path, tasks_text: str) -> str | None:
    """The workflow an incident folder uses: its `**Workflow**` field, else the one its layout
    names (its prefix, `modify`), else `hotfix` when it holds a hotfix.md."""
    from hotfix_tui.core.markdown.hotfix_fields import workflow_name

    named = workflow_name(tasks_text)
    if named:
        return named
    found = layouts.read_folder(folder) or classify((folder.name,))
    if found is not None and found.workflow:
        return found.workflow
    return "hotfix" if (folder / "hotfix.md").exists() else None


def has_severities(folder: Path, root: Path | None) -> bool:
    """True when the folder's workflow has severities (an incident, not a plain checklist)."""
    try:
        head = (folder / "tasks.md").read_text(encoding="utf-8-sig", errors="replace")[:4000]
    except OSError:
        head = ""
    name = workflow_name_for(folder, head)
    from hotfix_tui.core.markdown.hotfix_fields import workflow_name

    if name == "hotfix" and not workflow_name(head):
        return True  # the built-in incident workflow (the common case: no file to read)
    wf = _named_workflow(name, root)
    return wf is not None and bool(wf.severities)


def folder_workflow(folder: Path, root: Path | None) -> Workflow | None:
    """The workflow an incident folder uses, None for a plain checklist or a broken workflow."""
    try:
        head = (folder / "tasks.md").read_text(encoding="utf-8-sig", errors="replace")[:4000]
    except OSError:
        head = ""
    return _named_workflow(workflow_name_for(folder, head), root)


def _named_workflow(name: str | None, root: Path | None) -> Workflow | None:
    if not name:
        return None
    from hotfix_tui.core.workflow.files import cached_workflow

    wf = cached_workflow(name, root)
    if wf is None:
        from hotfix_tui.core.workflow.loader import WorkflowError, resolve_workflow

        try:
            wf = resolve_workflow(name, root)
        except (WorkflowError, LookupError, OSError, ValueError):
            return None
    return wf
