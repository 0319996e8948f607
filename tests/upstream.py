"""Real upstream repositories for tests: spec-kit 1.x (`specify init`) with spec-kit-extensions.

The extension's scripts and templates are vendored under `tests/fixtures/upstream/` (MIT, with
its LICENSE); `specify-cli` is a test dependency, run from the test venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "upstream"
EXTENSION = FIXTURES / "spec-kit-extensions-2026-04"
TASKS_TEMPLATES = FIXTURES / "spec-kit-extensions-2025-10-tasks-templates"
GATE_WORKFLOW = FIXTURES / "spec-kit-workflow-gate-example.yml"
SCRIPTS = Path(".specify/extensions/workflows/scripts/bash")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ana",
    "GIT_AUTHOR_EMAIL": "ana@example.com",
    "GIT_COMMITTER_NAME": "Ana",
    "GIT_COMMITTER_EMAIL": "ana@example.com",
}


def specify_bin() -> str:
    """The `specify` command of the test venv (installed with the test extras)."""
    here = Path(sys.executable).parent / "specify"
    if here.exists():
        return str(here)
    found = shutil.which("specify")
    if not found:
        raise RuntimeError("specify-cli is not installed: pip install -e '.[test]'")
    return found


def _run(cmd: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True, **kw
    )


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` as Ana and return its output."""
    return _run(["git", *args], repo).stdout


def make_upstream_repo(repo: Path, *, features: tuple[str, ...] = ()) -> Path:
    """A git repo as a spec-kit team has it: `specify init`, the extension added, committed.

    `features` are spec-kit feature folders to create first (e.g. "002-search").
    """
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# shop\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    _run(
        [specify_bin(), "init", "--here", "--integration", "claude", "--script", "sh",
         "--ignore-agent-tools", "--non-interactive", "--force"],
        repo,
    )
    ext = repo.parent / f".{repo.name}-extension"
    shutil.rmtree(ext, ignore_errors=True)
    shutil.copytree(EXTENSION, ext)
    _run([specify_bin(), "extension", "add", str(ext), "--dev"], repo)
    shutil.rmtree(ext, ignore_errors=True)
    for name in features:
        folder = repo / "specs" / name
        folder.mkdir(parents=True)
        (folder / "spec.md").write_text(f"# Feature Specification: {name}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "specify init, workflows extension")
    return repo


def create(repo: Path, kind: str, description: str) -> dict[str, str]:
    """Run the extension's own `create-<kind>.sh --json` and return its JSON line."""
    script = repo / SCRIPTS / f"create-{kind}.sh"
    out = _run(["bash", str(script), "--json", description], repo).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    return dict(json.loads(line))


def fill_like_agent(hotfix_md: Path, description: str, title: str) -> None:
    """Fill the title and User description as the agent command that runs the script does."""
    text = hotfix_md.read_text()
    text = text.replace("[INCIDENT TITLE]", title, 1).replace("$ARGUMENTS", description, 1)
    hotfix_md.chmod(0o644)
    hotfix_md.write_text(text)


def run_gate_workflow(repo: Path) -> str:
    """Run the gate example workflow until it pauses at its gate; return the run id."""
    cmd = [specify_bin(), "workflow", "run", str(GATE_WORKFLOW)]
    out = _run(cmd, repo, stdin=subprocess.DEVNULL)
    for line in out.stdout.splitlines():
        if line.strip().startswith("Run ID:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no run id in: {out.stdout}")


def workflow_status(repo: Path, run_id: str) -> dict[str, object]:
    """`specify workflow status RUN --json`, parsed."""
    out = _run([specify_bin(), "workflow", "status", run_id, "--json"], repo).stdout
    return dict(json.loads(out))
