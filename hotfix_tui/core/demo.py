"""A built-in sample incident in a scratch git repo, for `hotfix-tui demo`.

The incident started 25 minutes ago, so the clocks and the record have something to show.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from hotfix_tui.core.clocks import utc_now
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.git.gitcmd import run_git
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.resolve import workflow_named


def _git(root: Path, *args: str) -> None:
    run_git(root, *args, timeout=30)


def make_demo(where: Path | None = None, *, now: datetime | None = None) -> Path:
    """Create a scratch repo with one P1 incident part-way through Phase 1; returns its folder."""
    if where is not None:
        where.mkdir(parents=True, exist_ok=True)  # `demo --dir NEW` makes the folder
    root = Path(tempfile.mkdtemp(prefix="hotfix-demo-", dir=where))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Demo Engineer")
    _git(root, "config", "user.email", "demo@example.invalid")
    (root / "README.md").write_text("# Checkout service\n\nA scratch repo for hotfix-tui demo.\n")
    _git(root, "add", "README.md")
    _git(root, "commit", "-q", "-m", "Initial commit")
    real_now = now or utc_now()
    t0 = real_now - timedelta(minutes=25)
    wf = workflow_named("hotfix", root)
    folder = create_incident(
        root, "Checkout returns 500 errors for EU customers", "P1", wf, clock=lambda: t0
    )
    at = [t0]
    inc = Incident(folder, wf, clock=lambda: at[0], repo_root=root)
    steps: list[tuple[int, Callable[[], object]]] = [
        (2, lambda: inc.set_detection(at[0], "Error-rate alert on checkout-api (EU)")),
        (3, lambda: inc.set_done("T001", note="EU checkout only; ~18% of orders failing")),
        (4, lambda: inc.set_done("T002")),
        (9, lambda: inc.note("T003", "Reproduced with a German billing address")),
        (12, lambda: inc.set_done("T003")),
    ]
    for minutes, action in steps:
        at[0] = t0 + timedelta(minutes=minutes)
        action()
    _git(root, "add", "specs")
    _git(root, "commit", "-q", "-m", f"{inc.id}: declare incident, first response")
    return folder
