"""What spec-kit-extensions' `create-<kind>.sh` scripts put in a new folder beside the checklist:
per kind the templates and the files they become, the names linked to the first (`spec.md`),
and where an install keeps the templates (today's place, then the one before 2026-03)."""

from __future__ import annotations

from pathlib import Path

from hotfix_tui.core.frozen import frozen


@frozen
class KindFiles:
    """A kind's templates as (template name, file made), and the names linked to the first."""

    templates: tuple[tuple[str, str], ...]
    links: tuple[str, ...] = ("spec.md",)

    @property
    def main(self) -> str:
        """The file `spec.md` links to (`hotfix.md`, `bug-report.md`)."""
        return self.templates[0][1]


# read from the scripts (tests/fixtures/upstream/spec-kit-extensions-2026-04/scripts/bash)
KINDS: dict[str, KindFiles] = {
    "hotfix": KindFiles(
        (("hotfix-template.md", "hotfix.md"), ("post-mortem-template.md", "post-mortem.md")),
        ("spec.md", "plan.md"),
    ),
    "bugfix": KindFiles((("bug-report-template.md", "bug-report.md"),)),
    "refactor": KindFiles(
        (("refactor-template.md", "refactor-spec.md"),
         ("testing-gaps-template.md", "testing-gaps.md"))
    ),
    "deprecate": KindFiles((("deprecation-template.md", "deprecation.md"),)),
    "modify": KindFiles((("modification-template.md", "modification-spec.md"),)),
}


# kinds whose folders `new` does not make: a modification lives under its feature
# (`specs/NNN-feature/modifications/MMM-words/`, branch `NNN-mod-MMM-words`)
UNDER_A_FEATURE = {
    "modify": "a modification lives under its feature (specs/NNN-feature/modifications/); "
    "make it with the extension's create-modification.sh, then open it with hotfix-tui",
}


def install_dirs(root: Path, kind: str) -> tuple[Path, Path]:
    """Where an install keeps a kind's templates: `templates/<kind>/`, then (before 2026-03)
    `<kind>/` under `.specify/extensions/workflows/`."""
    base = root / ".specify" / "extensions" / "workflows"
    return base / "templates" / kind, base / kind


def shipped_dir(kind: str) -> Path:
    """The copies of a kind's templates shipped with hotfix-tui (MIT, `templates/LICENSE`)."""
    from hotfix_tui.core.workflow.files import builtin_workflow_dir

    return builtin_workflow_dir() / "templates" / kind


def template(root: Path, kind: str, name: str) -> Path | None:
    """The template `name` of `kind`: the installed one (today's place, then the old one),
    else the shipped copy, else None (a hotfix's files are then hotfix-tui's own)."""
    for d in (*install_dirs(root, kind), shipped_dir(kind)):
        if (d / name).is_file():
            return d / name
    return None
