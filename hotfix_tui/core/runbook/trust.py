"""Which repository workflows this user trusted to run commands, by their exact bytes.

A workflow in the repository (`.hotfix/workflows/`, or any path not the user's own) is
content anyone with push access can change: its `run:` commands run only once this user
trusted the very bytes that are parsed. The trusted text is kept in the user's state dir
(`settings.state_dir()/trust/`) so a changed file shows its diff. Built-in workflows and the
user's own (config dir) need no trust.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from hotfix_tui.core.config.settings import state_dir
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.hashing import sha256
from hotfix_tui.core.store import StoreError, atomic_write
from hotfix_tui.core.workflow.files import builtin_workflow_dir, user_workflow_dir
from hotfix_tui.core.workflow.loader import WorkflowError, load_workflow_bytes
from hotfix_tui.core.workflow.model import Workflow


def trust_dir() -> Path:
    """Where trusted workflow contents are kept."""
    return state_dir() / "trust"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def needs_trust(path: Path) -> bool:
    """Whether a workflow file's commands need this user's trust (not built-in, not the user's)."""
    return not (_inside(path, builtin_workflow_dir()) or _inside(path, user_workflow_dir()))


def _entry(path: Path) -> Path:
    return trust_dir() / (sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".json")


@frozen
class Reading:
    """A workflow file read once: its bytes, their hash, what they parse to, and the trust."""

    path: Path
    data: bytes
    sha: str
    workflow: Workflow
    needs_trust: bool
    trusted_sha: str  # the hash trusted before ('' for never)
    trusted_text: str  # the text trusted before ('' for never)

    @property
    def trusted(self) -> bool:
        return not self.needs_trust or self.trusted_sha == self.sha

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def commands(self) -> list[tuple[str, str]]:
        """(task id, command) of every task that carries `run:`."""
        return [(t.id, t.run) for t in self.workflow.all_tasks() if t.run]

    def diff(self) -> str:
        """The unified diff from the content trusted before ('' when none or unchanged)."""
        if not self.trusted_sha or self.trusted_sha == self.sha:
            return ""
        return "".join(difflib.unified_diff(
            self.trusted_text.splitlines(keepends=True), self.text.splitlines(keepends=True),
            "trusted", "now",
        ))


def _trusted(path: Path) -> tuple[str, str]:
    try:
        data = json.loads(_entry(path).read_text(encoding="utf-8"))
        return str(data["sha256"]), str(data["text"])
    except (OSError, ValueError, KeyError, TypeError):
        return "", ""


def read(path: Path) -> Reading:
    """Read a workflow file's bytes once and parse those bytes; WorkflowError if invalid."""
    real = Path(os.path.realpath(path))  # resolved once: the file read is the file judged
    try:
        data = real.read_bytes()
    except OSError as exc:
        from hotfix_tui.core.workflow.loader import Problem

        raise WorkflowError([Problem(str(path), 0, 0, f"cannot read: {exc.strerror}")]) from exc
    wf = load_workflow_bytes(data, str(path))
    need = needs_trust(real)
    sha, text = _trusted(path) if need else ("", "")
    return Reading(Path(path), data, sha256(data).hexdigest(), wf, need, sha, text)


def trust(reading: Reading) -> None:
    """Remember that this user trusts the content read (its hash and its text)."""
    dest = _entry(reading.path)
    payload = {"path": str(reading.path.resolve()), "sha256": reading.sha, "text": reading.text}
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(dest, json.dumps(payload))
    except (OSError, StoreError) as exc:
        raise OSError(f"cannot keep the trust in {dest}: {exc}") from exc
