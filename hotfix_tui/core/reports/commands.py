"""Copy-ready commands: the rollback and branch commands with what the record knows filled in.

Pure text work (the fix's parent commit is looked up by the caller, e.g. `fix_commits.parent`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown import hotfix_fields

RESET_WARNING = (
    "drops every commit after it from the branch, and the remote needs a "
    "force-push (git push --force-with-lease)"
)
_CODE = re.compile(r"`([^`\n]+)`")
_COMMANDY = re.compile(
    r"^(git|kubectl|helm|docker|curl|make|npm|yarn|pip|python|bash|sh|ssh|"
    r"systemctl|terraform|aws|gcloud|az)\b"
)
_SHA = re.compile(r"[0-9a-f]{7,64}")
# placeholders in the templates' commands, and the value that fills each
PLACEHOLDERS = {
    "fix": ("<hotfix-commit-sha>", "[commit-sha]", "<fix-sha>", "<commit-sha>"),
    "previous": ("<previous-good-commit>", "[previous-commit]", "<previous-commit>"),
    "branch": ("<branch>", "[branch]", "hotfix/###-short-description"),
}


@frozen
class CopyCommand:
    """A command to copy: what it does, the command line, and a warning when it is dangerous."""

    label: str
    command: str
    warning: str = ""


def fill(command: str, values: dict[str, str]) -> str:
    """`command` with each known placeholder replaced by its value (unknown ones stay)."""
    for key, names in PLACEHOLDERS.items():
        value = values.get(key)
        if value:
            for name in names:
                command = command.replace(name, value)
    return command


def record_values(hotfix_text: str, branch: str = "", previous: str = "") -> dict[str, str]:
    """What the record knows: the fix commit (Commit SHA), its parent, the branch."""
    sha = hotfix_fields.commit_value(hotfix_text) or ""
    out = {"branch": branch.strip().strip("`")}
    if _SHA.fullmatch(sha):
        out["fix"] = sha
    if previous:
        out["previous"] = previous
    return {k: v for k, v in out.items() if v}


def step_commands(steps: Iterable[str], values: dict[str, str]) -> list[CopyCommand]:
    """Commands quoted in a task's steps (`like this`), placeholders filled."""
    out = []
    for step in steps:
        for m in _CODE.finditer(step):
            cmd = m.group(1).strip()
            if _COMMANDY.match(cmd):
                out.append(CopyCommand(step.strip()[:60], fill(cmd, values)))
    return out


def record_commands(values: dict[str, str]) -> list[CopyCommand]:
    """The rollback and branch commands the record can fill in."""
    out = []
    fix, prev, branch = values.get("fix"), values.get("previous"), values.get("branch")
    if fix:
        out.append(CopyCommand("Roll back the fix (a new commit undoing it)", f"git revert {fix}"))
    if prev:
        out.append(
            CopyCommand(
                "Roll back by resetting to the commit before the fix",
                f"git reset --hard {prev}",
                RESET_WARNING,
            )
        )
    if branch:
        out.append(CopyCommand("Work on the incident's branch", f"git switch {branch}"))
        out.append(CopyCommand("Publish the branch", f"git push -u origin {branch}"))
    return out
