"""Open an incident folder with its workflow, for every front end (CLI, TUI, web board).

Problems are raised as LoadError with a `FILE:LINE:COL` message; front ends decide how to show it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.clocks import Clock
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.workflow.model import Workflow

if TYPE_CHECKING:
    from hotfix_tui.core.discovery import Found


class LoadError(Exception):
    """The incident or its workflow cannot be loaded; the message says where and what to fix."""


def load_workflow_for(folder: Path, root: Path | None) -> Workflow | None:
    """The workflow of an incident folder, or None for a plain checklist."""
    from hotfix_tui.core.discovery import workflow_name_for

    tasks = folder / "tasks.md"
    try:
        head = (
            tasks.read_text(encoding="utf-8-sig", errors="replace")[:4000] if tasks.exists() else ""
        )
    except OSError:
        head = ""
    name = workflow_name_for(folder, head)
    if name is None:
        return None
    if "/" in name or os.sep in name or name.endswith((".yaml", ".yml")):
        name = str(_workflow_path(folder, root, name, head))
    from hotfix_tui.core.workflow.problems import WorkflowError
    from hotfix_tui.core.workflow.resolve import workflow_named

    try:
        return workflow_named(name, root)
    except WorkflowError as exc:
        where = _workflow_at(folder, head)
        if where is None and unknown_workflow(exc, name):
            return None  # a prefix that names no workflow (bugfix-001-...): a plain checklist
        lines = [str(p) for p in exc.problems]
        if where and exc.problems and exc.problems[0].file == name:  # named by tasks.md
            lines[0] = f"{where}: {lines[0].removeprefix(name + ': ')}"
        raise LoadError("\n".join(lines)) from exc
    except (KeyError, LookupError, FileNotFoundError):
        return workflow_named("hotfix", root)


def unknown_workflow(exc: Exception, name: str) -> bool:
    """True when a WorkflowError says only that no workflow has this name."""
    problems = getattr(exc, "problems", [])
    return len(problems) == 1 and problems[0].message.startswith(f"unknown workflow '{name}'")


def _workflow_at(folder: Path, head: str) -> str | None:
    """`FOLDER/tasks.md:LINE:COL` of the `**Workflow**:` field in the head of tasks.md."""
    from hotfix_tui.core.markdown.hotfix_fields import WORKFLOW

    for i, line in enumerate(head.splitlines(), 1):
        col = line.find(f"**{WORKFLOW}**")
        if col >= 0:
            return f"{folder / 'tasks.md'}:{i}:{col + 1}"
    return None


def _workflow_path(folder: Path, root: Path | None, name: str, head: str) -> Path:
    """A `**Workflow**:` path from tasks.md, relative to the folder and inside the repository.

    The path comes from file contents, so one leading out of the repository (or, outside a
    repository, out of the incident folder) is refused; `--workflow` on the command line is not.
    """
    from hotfix_tui.core.store import StoreError, ensure_inside

    path = Path(name).expanduser()
    if not path.is_absolute():
        path = folder / path
    try:
        ensure_inside(root or folder, path)
    except StoreError as exc:
        where = _workflow_at(folder, head) or f"{folder / 'tasks.md'}"
        raise LoadError(
            f"{where}: the **Workflow** path {name!r} is outside the repository; "
            "name a workflow (e.g. hotfix) or a YAML file inside the repository"
        ) from exc
    return path


def load_incident(folder: Path, root: Path | None, *, clock: Clock | None = None) -> Incident:
    """The incident in `folder` with its workflow; LoadError when a file or workflow is bad."""
    from hotfix_tui.core.store import StoreError

    wf = load_workflow_for(folder, root)
    try:
        if clock is not None:
            return Incident(folder, wf, repo_root=root, clock=clock)
        return Incident(folder, wf, repo_root=root)
    except (IncidentError, StoreError) as exc:
        raise LoadError(str(exc)) from exc


def repo_root(cwd: Path | None = None) -> Path | None:
    """The top of the git work tree holding `cwd` (default: the current folder), or None."""
    from hotfix_tui.core.git.repo import find_root

    return find_root(cwd)


def pick_incident(root: Path) -> Found | None:
    """The folder of the current branch, else the only open incident; Ambiguous if several.

    Only folders whose workflow has severities count as incidents here (not checklists).
    """
    from hotfix_tui.core.discovery import Ambiguous, find_specs, has_severities, is_closed
    from hotfix_tui.core.git.repo import current_branch

    specs = find_specs(root)
    branch = current_branch(root)
    if branch:
        for f in specs:
            if f.branch == branch:
                return f
    found = [f for f in specs if has_severities(f.folder, root)]
    open_ = [f for f in found if not is_closed(f.folder, root)]
    if len(open_) == 1:
        return open_[0]
    if not found:
        return None
    listing = "\n".join(f"  {f.folder.relative_to(root)}" for f in (open_ or found))
    raise Ambiguous(
        f"{len(open_) or len(found)} incidents in {root}; "
        f"name one with --spec SPEC_DIR:\n{listing}",
        open_ or found,
        open_here=bool(open_),
    )


def has_open_incident(root: Path) -> bool:
    """True when the work tree has an incident to work on (the branch's, or an open one)."""
    from hotfix_tui.core.discovery import Ambiguous

    try:
        return pick_incident(root) is not None
    except Ambiguous as exc:
        return exc.open_here


def resolve_folder(spec: str | None, root: Path | None) -> Path:
    """The incident folder a command works on: SPEC_DIR, the branch's, or the only open one."""
    from hotfix_tui.core.discovery import Ambiguous
    from hotfix_tui.core.errors import EXIT_NOT_FOUND, UserError

    if spec:
        p = Path(spec).expanduser()
        if not p.is_absolute():
            p = Path.cwd() / p
        if p.is_file():
            p = p.parent
        if not p.is_dir():
            raise UserError(f"{spec}: no such incident folder", EXIT_NOT_FOUND)
        return p.resolve()
    if root is None:
        raise UserError(
            "not inside a git repository: run this in your repo, or name the folder with --spec",
            EXIT_NOT_FOUND,
        )
    try:
        found = pick_incident(root)
    except Ambiguous as exc:
        if exc.open_here:
            raise UserError(str(exc), EXIT_NOT_FOUND) from exc
        from hotfix_tui.core.joining import not_here  # (off the way of a command that works)

        raise not_here(root, str(exc)) from exc  # only closed ones here: name the open ones
    if found is None:
        from hotfix_tui.core.joining import not_here

        raise not_here(root)  # the incidents open on other branches, else how to declare one
    return found.folder


def open_incident(spec: str | None, *, clock: Clock | None = None) -> Incident:
    """Load the incident a command names (see resolve_folder) with its workflow."""
    from hotfix_tui.core.errors import EXIT_INPUT, UserError

    root = repo_root(Path(spec).resolve()) if spec else repo_root()
    folder = resolve_folder(spec, root)
    root = root or repo_root(folder)
    try:
        return load_incident(folder, root, clock=clock)
    except LoadError as exc:
        raise UserError(str(exc), EXIT_INPUT) from exc
