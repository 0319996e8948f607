"""Find incident and spec folders in a repo (every spec-kit layout) and pick the one to open.

`specs/hotfix-NNN-words/` is the original layout, `specs/hotfix/NNN-words/` the newer one;
features are `specs/NNN-name/`, their modifications `specs/NNN-name/modifications/NNN-words/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotfix_tui.core.workflow.model import Workflow

_FLAT = re.compile(r"^(?P<prefix>[a-z][a-z0-9]*)-(?P<num>\d{3,})-(?P<words>.+)$")
_NUM = re.compile(r"^(?P<num>\d{3,})-(?P<words>.+)$")
_WORD = re.compile(r"^[a-z][a-z0-9]*$")
INCIDENT_PREFIXES = ("hotfix",)
FEATURE, MODIFICATION = "feature", "modification"
KIND_ORDER = ("hotfix", "bugfix", "refactor", "deprecate", MODIFICATION, FEATURE)


@dataclass(frozen=True)
class Found:
    """A spec folder: its path, workflow prefix, number, slug and kind (hotfix, feature, ...)."""

    folder: Path
    prefix: str
    number: int
    words: str
    kind: str = ""

    @property
    def branch(self) -> str:
        """The branch its workflow names it by (`hotfix/001-x`; a feature's `001-x`)."""
        if self.kind in (FEATURE, MODIFICATION):
            return f"{self.number:03d}-{self.words}" if self.kind == FEATURE else ""
        return f"{self.prefix}/{self.number:03d}-{self.words}"


def classify(rel_parts: tuple[str, ...] | list[str]) -> Found | None:
    """A folder path below `specs/` (its parts) as a Found with a relative folder, or None."""
    parts = list(rel_parts)
    if len(parts) == 1:
        m = _FLAT.match(parts[0])
        if m:
            p = m.group("prefix")
            return Found(Path(*parts), p, int(m.group("num")), m.group("words"), p)
        n = _NUM.match(parts[0])
        if n:
            return Found(Path(*parts), "", int(n.group("num")), n.group("words"), FEATURE)
    elif len(parts) == 2 and re.fullmatch(r"[a-z][a-z0-9]*", parts[0]):
        n = _NUM.match(parts[1])
        if n:
            p = parts[0]
            return Found(Path(*parts), p, int(n.group("num")), n.group("words"), p)
    elif len(parts) == 3 and parts[1] == "modifications" and _NUM.match(parts[0]):
        n = _NUM.match(parts[2])
        if n:
            return Found(Path(*parts), "", int(n.group("num")), n.group("words"), MODIFICATION)
    return None


def find_specs(root: Path) -> list[Found]:
    """Every incident, checklist and feature folder under `root/specs` (with a tasks.md or
    hotfix.md), sorted by kind and number."""
    specs = root / "specs"
    out: list[Found] = []
    if not specs.is_dir():
        return out
    for d in _subdirs(specs):
        candidates: list[tuple[str, ...]] = [(d.name,)]
        if _NUM.match(d.name):
            candidates += [(d.name, "modifications", m.name) for m in _subdirs(d / "modifications")]
        elif re.fullmatch(r"[a-z][a-z0-9]*", d.name):
            candidates += [(d.name, sub.name) for sub in _subdirs(d)]
        for parts in candidates:
            f = classify(parts)
            if f is not None and _has_files(specs.joinpath(*parts)):
                out.append(Found(specs.joinpath(*parts), f.prefix, f.number, f.words, f.kind))
    out.sort(key=lambda f: (_kind_rank(f.kind), f.kind, f.number, str(f.folder)))
    return out


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _subdirs(d: Path) -> list[Path]:
    try:
        return [p for p in d.iterdir() if p.is_dir()]
    except OSError:
        return []


def find_incidents(root: Path, prefixes: tuple[str, ...] = INCIDENT_PREFIXES) -> list[Found]:
    """The folders of the workflows named by `prefixes` under `root/specs`, sorted by number."""
    out = [f for f in find_specs(root) if f.prefix and f.prefix in prefixes]
    out.sort(key=lambda f: (f.number, str(f.folder)))
    return out


def _has_files(d: Path) -> bool:
    return (d / "tasks.md").exists() or (d / "hotfix.md").exists()


def next_number(root: Path, prefix: str = "hotfix") -> int:
    """The highest existing incident number of a prefix plus one."""
    specs = root / "specs"
    best = 0
    if specs.is_dir():
        for d in specs.iterdir():
            m = _FLAT.match(d.name)
            if m and m.group("prefix") == prefix:
                best = max(best, int(m.group("num")))
        nested = specs / prefix
        if nested.is_dir():
            for sub in nested.iterdir():
                n = _NUM.match(sub.name)
                if n:
                    best = max(best, int(n.group("num")))
    return best + 1


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
    """The workflow an incident folder uses: its `**Workflow**` field, else its folder prefix."""
    from hotfix_tui.core.markdown.hotfix_fields import workflow_name

    named = workflow_name(tasks_text)
    if named:
        return named
    m = _FLAT.match(folder.name)
    if m:
        return m.group("prefix")
    if _NUM.match(folder.name) and folder.parent.name == "modifications":
        return "modify"
    parent = folder.parent.name
    if _NUM.match(folder.name) and folder.parent.parent.name == "specs" and _WORD.match(parent):
        return parent
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
