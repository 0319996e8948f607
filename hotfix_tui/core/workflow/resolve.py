"""A workflow by name or path: its validated copy from the disk cache, else loaded from YAML.

Reads of an incident call this: PyYAML and the validator are imported only on a cache miss.
"""

from __future__ import annotations

from pathlib import Path

from hotfix_tui.core.workflow.files import cached_workflow
from hotfix_tui.core.workflow.model import Workflow


def workflow_named(name_or_path: str | None, repo_root: Path | None) -> Workflow:
    """The workflow a name or path resolves to (see `loader.resolve_workflow`, which it calls
    only when the cache has no entry); WorkflowError when it is unknown or invalid."""
    cached = cached_workflow(name_or_path, repo_root)
    if cached is not None:
        return cached
    from hotfix_tui.core.workflow.loader import resolve_workflow

    return resolve_workflow(name_or_path, repo_root)
