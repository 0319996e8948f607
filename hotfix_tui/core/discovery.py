"""Find incident and spec folders in a work tree and pick the one to open.

Which folders are spec folders is the table of layouts (`layouts.py`); this walks the disk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core import layouts
from hotfix_tui.core.frozen import frozen
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
    """The number `new` gives a folder of `prefix` in the work tree (`place_new`)."""
    return place_new(root, prefix).number


@frozen
class NewPlace:
    """Where `new` puts a folder: its layout, its number, and what to tell about the number."""

    layout: layouts.Layout
    number: int
    notes: tuple[str, ...] = ()


# spec-kit-extensions numbers globally (`get_global_highest_number`): every folder to depth 2
# under specs/ whose name starts with digits, every branch `NNN-…` or `word/NNN…`
_GLOBAL_BRANCH = (re.compile(r"([0-9]{3})-"), re.compile(r"[a-z]+/([0-9]+)"))
_LEADING_DIGITS = re.compile(r"[0-9]+")
MAX_DIGITS = 3  # a number of more digits (`release/2026-q1`) is no spec number: set aside


def global_number(name: str, branch: bool) -> str | None:
    """The digits upstream's global numbering reads in a folder or branch name, or None."""
    if not branch:
        m = _LEADING_DIGITS.match(name)
        return m.group(0) if m else None
    for rule in _GLOBAL_BRANCH:
        if m := rule.match(name):
            return m.group(1)
    return None


def _digit_folders(root: Path) -> list[str]:
    """The folders to depth 2 under `root/specs` whose names start with digits (relative)."""
    out: list[str] = []
    level = [("", root / "specs")]
    for _depth in range(2):
        deeper = []
        for rel, d in level:
            try:
                with os.scandir(d) as it:
                    subs = [e for e in it if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue
            for e in subs:
                name = f"{rel}{e.name}"
                if _LEADING_DIGITS.match(e.name):
                    out.append(f"specs/{name}")
                deeper.append((f"{name}/", Path(e.path)))
        level = deeper
    return out


def place_new(
    root: Path,
    prefix: str = "hotfix",
    branch_folders: Iterable[Found] = (),
    branch_names: Iterable[str] = (),
) -> NewPlace:
    """The layout and number of a new folder of `prefix`, given the work tree and the folders
    and names of the branches: the layout by the table's `new` rules, the number one more than
    the highest of ours (the folders its layout numbers after) and upstream's global rule."""
    found = [*walk(root, record_files=False), *branch_folders]
    layout = layouts.for_new({f.layout.name for f in found if f.layout is not None})
    highest = max((f.number for f in found if layout.numbering(f, prefix)), default=0)
    ignored: list[str] = []
    names = [(n.rpartition("/")[2], n, False) for n in _digit_folders(root)]
    names += [(n, n, True) for n in branch_names]
    for name, shown, is_branch in names:
        digits = global_number(name, is_branch)
        if digits is None:
            continue
        if len(digits.lstrip("0")) > MAX_DIGITS:
            ignored.append(shown)
            continue
        highest = max(highest, int(digits))
    notes: tuple[str, ...] = ()
    if ignored:
        shown = ", ".join(dict.fromkeys(ignored))
        notes = (
            f"numbered {highest + 1:03d}, ignoring the number in {shown}: a number of 4 or "
            "more digits is no spec number (spec-kit-extensions' scripts would number after it)",
        )
    return NewPlace(layout, highest + 1, notes)


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
    from hotfix_tui.core.workflow.problems import WorkflowError
    from hotfix_tui.core.workflow.resolve import workflow_named

    try:
        return workflow_named(name, root)
    except (WorkflowError, LookupError, OSError, ValueError):
        return None
