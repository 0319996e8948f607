"""Find incident folders in a repo (both upstream layouts) and pick the one to open.

`specs/hotfix-NNN-words/` is the original layout, `specs/hotfix/NNN-words/` the newer one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import record
from .repo import current_branch

_FLAT = re.compile(r"^(?P<prefix>[a-z][a-z0-9]*)-(?P<num>\d{3,})-(?P<words>.+)$")
_NUM = re.compile(r"^(?P<num>\d{3,})-(?P<words>.+)$")
INCIDENT_PREFIXES = ("hotfix",)


@dataclass(frozen=True)
class Found:
    """An incident folder: its path, workflow prefix, number and slug."""

    folder: Path
    prefix: str
    number: int
    words: str

    @property
    def branch(self) -> str:
        return f"{self.prefix}/{self.number:03d}-{self.words}"


def find_incidents(root: Path, prefixes: tuple[str, ...] = INCIDENT_PREFIXES) -> list[Found]:
    """Every incident folder under `root/specs`, sorted by number."""
    specs = root / "specs"
    out: list[Found] = []
    if not specs.is_dir():
        return out
    for d in specs.iterdir():
        if not d.is_dir():
            continue
        m = _FLAT.match(d.name)
        if m and m.group("prefix") in prefixes and _has_files(d):
            out.append(Found(d, m.group("prefix"), int(m.group("num")), m.group("words")))
        elif d.name in prefixes:
            for sub in d.iterdir():
                n = _NUM.match(sub.name)
                if n and sub.is_dir() and _has_files(sub):
                    out.append(Found(sub, d.name, int(n.group("num")), n.group("words")))
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


def quick_status(folder: Path) -> str:
    """The checked status in hotfix.md, read without loading the whole incident."""
    try:
        text = (folder / "hotfix.md").read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""
    checked = record.checked_options(text, "Status")
    return checked[-1] if checked else ""


def is_closed(folder: Path) -> bool:
    """True when the incident's status is Resolved."""
    return quick_status(folder).lower().startswith("resolved")


class Ambiguous(Exception):
    """More than one incident could be meant; the message lists them."""

    def __init__(self, message: str, candidates: list[Found]) -> None:
        super().__init__(message)
        self.candidates = candidates


def pick_incident(root: Path) -> Found | None:
    """The incident of the current branch, else the only open one; Ambiguous if several."""
    found = find_incidents(root)
    branch = current_branch(root)
    if branch:
        for f in found:
            if f.branch == branch:
                return f
    open_ = [f for f in found if not is_closed(f.folder)]
    if len(open_) == 1:
        return open_[0]
    if not found:
        return None
    listing = "\n".join(f"  {f.folder.relative_to(root)}" for f in (open_ or found))
    raise Ambiguous(
        f"{len(open_) or len(found)} incidents in {root}; "
        f"name one with --spec SPEC_DIR:\n{listing}",
        open_ or found,
    )


def workflow_name_for(folder: Path, tasks_text: str) -> str | None:
    """The workflow an incident folder uses: its `**Workflow**` field, else its folder prefix."""
    wf = record.get_field(tasks_text, "Workflow")
    if wf and wf.strip():
        return wf.strip()
    m = _FLAT.match(folder.name)
    if m:
        return m.group("prefix")
    if _NUM.match(folder.name) and folder.parent.name in INCIDENT_PREFIXES:
        return folder.parent.name
    return "hotfix" if (folder / "hotfix.md").exists() else None
