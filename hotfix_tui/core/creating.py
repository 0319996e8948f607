"""Declare a new incident: the folder with tasks.md, hotfix.md, post-mortem.md and a branch.

Nothing is written when the branch cannot be made; files are written atomically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hotfix_tui.core import layouts
from hotfix_tui.core.clocks import Clock, format_time, utc_now
from hotfix_tui.core.discovery import next_number
from hotfix_tui.core.git import branches
from hotfix_tui.core.git.repo import (
    GitError,
    check_can_branch,
    create_branch,
    current_branch,
    ensure_excluded,
)
from hotfix_tui.core.record import events, kinds
from hotfix_tui.core.record.incident import IncidentError, folder_words
from hotfix_tui.core.store import StoreError, atomic_write
from hotfix_tui.core.workflow import template_import, templates
from hotfix_tui.core.workflow.model import Workflow
from hotfix_tui.core.workflow.render import render_tasks_md


def create_incident(
    root: Path,
    description: str,
    severity: str | None,
    workflow: Workflow,
    *,
    title: str | None = None,
    branch: bool = True,
    clock: Clock = utc_now,
    git_repo: bool = True,
    base: branches.Base | None = None,
) -> Path:
    """Create the incident folder (and branch unless `branch` is False); returns the folder.

    The branch starts at `base` (default: `branches.choose_base`, HEAD or the default branch).
    """
    description = " ".join(description.split())
    if not description:
        raise IncidentError("the description is empty; say in a few words what is broken")
    sev_ids = [s.id for s in workflow.severities]
    severity = (severity or "").upper()
    if sev_ids and severity not in sev_ids:
        raise IncidentError(f"unknown severity {severity!r}; use one of {', '.join(sev_ids)}")
    if not sev_ids and severity:
        raise IncidentError(f"the {workflow.id} workflow has no severities; drop the severity")
    prefix, layout = workflow.folder_prefix, layouts.for_new()
    num = branches.next_number(root, prefix) if git_repo else next_number(root, prefix)
    words = folder_words(description)
    slug = f"{num:03d}-{words}"
    folder = root / "specs" / layout.folder_path(prefix, num, words)
    branch_name = layout.branch_name(workflow.branch_prefix, num, words)
    hotfix_id = layouts.folder_id(prefix, num)
    title = " ".join((title or description).split())
    if branch and git_repo:
        try:
            check_can_branch(root, branch_name)
            branches.check_nothing_carried(root)
            base = base or branches.choose_base(root)
        except GitError as exc:
            raise IncidentError(str(exc)) from exc
    now = clock()
    status = workflow.initial_status or (workflow.statuses[0] if workflow.statuses else "")
    rel = folder.relative_to(root).as_posix()
    tasks = render_tasks_md(
        workflow,
        title=title,
        hotfix_id=hotfix_id,
        severity=severity,
        input_path=f"{rel}/hotfix.md",
        folder=rel,
    )
    if workflow.id != "hotfix":
        tasks = tasks.replace(
            f"**Severity**: {severity}\n",
            f"**Severity**: {severity}\n**Workflow**: {workflow.id}\n",
            1,
        )
    hotfix = templates.HOTFIX_MD.format(
        title=title,
        hotfix_id=hotfix_id,
        branch=branch_name if branch else _here(root, git_repo),
        severity_row=templates.severity_row(workflow, severity),
        status_row=templates.status_row(workflow, status),
        started=format_time(now),
        description=description.replace('"', "'"),
    )
    pm = templates.POST_MORTEM_MD.format(
        title=title, hotfix_id=hotfix_id, date=now.strftime("%Y-%m-%d")
    )
    files = {"tasks.md": tasks}
    if sev_ids:  # an incident: the record with its timeline; a checklist has only its tasks
        files.update({"hotfix.md": hotfix, "post-mortem.md": pm})
    values = dict(
        title=title, hotfix_id=hotfix_id, slug=slug, prefix=prefix, description=description
    )
    for tpl in template_import.record_templates(root, workflow.id):
        name = tpl.name.removesuffix("-template.md") + ".md"
        try:
            text = tpl.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise IncidentError(f"{tpl}: cannot read the template ({exc})") from exc
        files.setdefault(name, template_import.fill_record(text, date=f"{now:%Y-%m-%d}", **values))
    folder.mkdir(parents=True, exist_ok=False)
    try:
        for name, text in files.items():
            atomic_write(folder / name, text)
    except StoreError as exc:
        raise IncidentError(str(exc)) from exc
    if git_repo:
        ensure_excluded(root)
    record_creation(folder, root if git_repo else None, workflow, now, severity, description, clock)
    if branch and git_repo:
        try:
            create_branch(root, branch_name, base.ref if base else None)
        except GitError as exc:
            raise IncidentError(f"{exc}; the incident folder {rel} was created") from exc
    return folder


def _here(root: Path, git_repo: bool) -> str:
    """hotfix.md's Branch for `--no-branch`: the current branch, else a placeholder that
    `hotfix_fields.branch` reads as no branch (never a name a command could use)."""
    if not git_repo:
        return "[no branch: not a git repository]"
    return current_branch(root) or "[no branch: declared on a detached HEAD]"


def record_creation(
    folder: Path,
    root: Path | None,
    workflow: Workflow,
    now: datetime,
    severity: str,
    description: str,
    clock: Clock = utc_now,
) -> None:
    """Start the folder's event log with the declaration, then project it into the files."""
    from hotfix_tui.core.git.repo import user_name
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.record.journal import clone_id
    from hotfix_tui.core.record.projection import placeholder_rows

    rec = events.Recorder(clone_id(root, folder), user_name(root))
    pm = folder / "post-mortem.md"
    table = placeholder_rows(pm.read_text(encoding="utf-8")) if pm.exists() else []
    created = rec.make(
        kinds.CREATED, now, severity=severity, description=description, placeholders=table
    )
    events.append(folder, [created])
    Incident(folder, workflow, clock=clock, repo_root=root).repair()
