"""What is wrong with a workflow: a Problem (file, line, column, message) and WorkflowError.

Kept apart from the loader so a caller catches them without importing PyYAML.
"""

from __future__ import annotations

from hotfix_tui.core.frozen import frozen


@frozen
class Problem:
    """One problem found in a workflow file; line and col are 1-based, 0 when unknown."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line > 0:
            return f"{self.file}:{self.line}:{max(self.col, 1)}: {self.message}"
        return f"{self.file}: {self.message}"


class WorkflowError(Exception):
    """Raised when a workflow cannot be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
