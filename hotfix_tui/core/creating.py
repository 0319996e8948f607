"""Declare a new incident: the folder with tasks.md, hotfix.md, post-mortem.md and a branch.

Nothing is written when the branch cannot be made; files are written atomically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hotfix_tui.core import layouts
from hotfix_tui.core.clocks import Clock, format_time, utc_now
from hotfix_tui.core.discovery import place_new
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.git import branches
from hotfix_tui.core.git.repo import (
    GitError,
    check_can_branch,
    create_branch,
    current_branch,
    ensure_excluded,
)
from hotfix_tui.core.markdown import hotfix_fields
from hotfix_tui.core.record import events, kinds
from hotfix_tui.core.record.incident import IncidentError
from hotfix_tui.core.store import StoreError, atomic_write
from hotfix_tui.core.workflow import template_import, templates, upstream
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
    notes: list[str] | None = None,
) -> Path:
    """Create the incident folder (and branch unless `branch` is False); returns the folder.

    The layout and number follow the repository (`place_new`); the branch starts at `base`
    (default: `branches.choose_base`, HEAD or the default branch); `notes` gets what to tell.
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
    if workflow.id in upstream.UNDER_A_FEATURE:
        why = upstream.UNDER_A_FEATURE[workflow.id]
        raise IncidentError(f"new --workflow {workflow.id}: {why}")
    prefix = workflow.folder_prefix
    place = branches.place_new(root, prefix) if git_repo else place_new(root, prefix)
    layout, num = place.layout, place.number
    words = layouts.branch_words(description)
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
    new = _New(
        title=title,
        file_id=hotfix_id,
        branch=branch_name if branch else _here(root, git_repo),
        severity=severity,
        status=status,
        now=now,
        description=description,
    )
    files = {"tasks.md": tasks}
    links: dict[str, str] = {}
    if layout.scripts:
        made, links = _as_scripts(root, workflow, new)
        files.update(made)
    else:
        files.update(_ours(root, workflow, new, slug, prefix))
    folder.mkdir(parents=True, exist_ok=False)
    try:
        for name, text in files.items():
            atomic_write(folder / name, text)
    except StoreError as exc:
        raise IncidentError(str(exc)) from exc
    for name, target in links.items():
        try:
            (folder / name).symlink_to(target)
        except OSError as exc:  # e.g. Windows without the right to make links
            (notes if notes is not None else []).append(
                f"{rel}/{name} was not linked to {target} ({exc.strerror or exc})"
            )
    if git_repo:
        ensure_excluded(root)
    record_creation(folder, root if git_repo else None, workflow, now, severity, description, clock)
    if branch and git_repo:
        try:
            create_branch(root, branch_name, base.ref if base else None)
        except GitError as exc:
            raise IncidentError(f"{exc}; the incident folder {rel} was created") from exc
    if notes is not None:
        notes.extend(place.notes)
    return folder


@frozen
class _New:
    """What a new folder's files say: title, ID, branch, severity, status, time, description."""

    title: str
    file_id: str
    branch: str
    severity: str
    status: str
    now: datetime
    description: str


def _ours(root: Path, workflow: Workflow, new: _New, slug: str, prefix: str) -> dict[str, str]:
    """hotfix.md and post-mortem.md of our own (an incident), and the other templates of the
    workflow an install holds (`bug-report-template.md` becomes `bug-report.md`)."""
    files: dict[str, str] = {}
    if workflow.severities:  # an incident: the record with its timeline; a checklist: its tasks
        files["hotfix.md"] = _our_hotfix_md(workflow, new)
        files["post-mortem.md"] = _our_post_mortem(new)
    values = dict(
        title=new.title, hotfix_id=new.file_id, slug=slug, prefix=prefix,
        description=new.description,
    )
    for tpl in template_import.record_templates(root, workflow.id):
        name = tpl.name.removesuffix("-template.md") + ".md"
        files.setdefault(
            name, template_import.fill_record(_read(tpl), date=f"{new.now:%Y-%m-%d}", **values)
        )
    return files


def _as_scripts(
    root: Path, workflow: Workflow, new: _New
) -> tuple[dict[str, str], dict[str, str]]:
    """The files spec-kit-extensions' `create-<kind>.sh` makes beside the checklist, from the
    templates installed (else shipped, else our own hotfix.md and post-mortem.md), filled; and
    the links it makes (`spec.md` to the first)."""
    kind = upstream.KINDS.get(workflow.id)
    files: dict[str, str] = {}
    for tpl_name, name in kind.templates if kind is not None else ():
        tpl = upstream.template(root, workflow.id, tpl_name)
        if tpl is not None:
            files[name] = _filled(_read(tpl), workflow, new)
    if workflow.severities:
        files.setdefault("hotfix.md", _our_hotfix_md(workflow, new))
        files.setdefault("post-mortem.md", _our_post_mortem(new))
    if kind is None:  # a team's own workflow: the templates an install holds for it
        for tpl in template_import.record_templates(root, workflow.id):
            name = tpl.name.removesuffix("-template.md") + ".md"
            files.setdefault(name, _filled(_read(tpl), workflow, new))
    if kind is not None and kind.main in files:
        main: str | None = kind.main
    else:
        main = "hotfix.md" if "hotfix.md" in files else next(iter(files), None)
    links = kind.links if kind is not None else ("spec.md",)
    return files, ({name: main for name in links} if main else {})


def _filled(text: str, workflow: Workflow, new: _New) -> str:
    return hotfix_fields.fill_template(
        text,
        title=new.title,
        file_id=new.file_id,
        branch=new.branch,
        date=f"{new.now:%Y-%m-%d}",
        description=new.description,
        severity=new.severity or None,
        status=new.status or None,
        start=(hotfix_fields.start_label(workflow), format_time(new.now)),
    )


def _our_hotfix_md(workflow: Workflow, new: _New) -> str:
    return templates.HOTFIX_MD.format(
        title=new.title,
        hotfix_id=new.file_id,
        branch=new.branch,
        severity_row=templates.severity_row(workflow, new.severity),
        status_row=templates.status_row(workflow, new.status),
        started=format_time(new.now),
        description=new.description.replace('"', "'"),
    )


def _our_post_mortem(new: _New) -> str:
    return templates.POST_MORTEM_MD.format(
        title=new.title, hotfix_id=new.file_id, date=new.now.strftime("%Y-%m-%d")
    )


def _read(tpl: Path) -> str:
    try:
        return tpl.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IncidentError(f"{tpl}: cannot read the template ({exc})") from exc


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
