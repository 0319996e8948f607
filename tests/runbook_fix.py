"""Helpers for the runbook tests: a repository whose own workflow gives tasks `run:` commands."""

from __future__ import annotations

from pathlib import Path

from gitfix import FOLDER, git, make_repo

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.files import builtin_workflow_dir
from hotfix_tui.core.workflow.loader import resolve_workflow


def workflow_with(commands: dict[str, str]) -> str:
    """The built-in hotfix workflow's text with `run:` added to the tasks named."""
    text = (builtin_workflow_dir() / "hotfix.yaml").read_text(encoding="utf-8")
    for tid, command in commands.items():
        head = f"      - id: {tid}\n"
        i = text.index(head) + len(head)
        j = text.index("\n", i) + 1  # after the title line
        text = text[:j] + f"        run: {command}\n" + text[j:]
    return text


def runbook_repo(tmp_path: Path, clock, commands: dict[str, str]) -> tuple[Path, Path]:
    """A repository with its own hotfix workflow carrying commands and an incident; (root, file)."""
    root = make_repo(tmp_path / "repo")
    wf_file = root / ".hotfix" / "workflows" / "hotfix.yaml"
    wf_file.parent.mkdir(parents=True)
    wf_file.write_text(workflow_with(commands), encoding="utf-8")
    wf = resolve_workflow("hotfix", root)
    create_incident(root, "Database connection pool exhausted causing 503s", "P1", wf, clock=clock)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "declare")
    return root, wf_file


def open_inc(root: Path, clock) -> Incident:
    return Incident(root / FOLDER, resolve_workflow("hotfix", root), clock=clock, repo_root=root)
