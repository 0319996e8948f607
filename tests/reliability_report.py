"""Render README.md's "Reliability" section from the figures the test suite writes.

    pytest -q && python tests/reliability_report.py        # rewrite the block in README.md
    python tests/reliability_report.py --print              # only print it

The tests write `tests/.reliability/*.json` (git-ignored). Counts that do not vary between runs
(trials, corpus cases, rounds) are taken from the test sources themselves, so that
tests/test_reliability_report.py can check the README without running the slow tests; the
measured part (seconds, outcomes) comes from the JSON files of the last run.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
README = ROOT / "README.md"
DATA = TESTS / ".reliability"
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
COMMAND = "pytest -q && python tests/reliability_report.py"


def _constant(module: str, name: str) -> int:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return int(ast.literal_eval(node.value))
    raise LookupError(f"{module}: no constant {name}")


def _tests_in(module: str) -> int:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    return sum(
        1 for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    )


def _yaml_keys(path: Path) -> int:
    return sum(1 for ln in path.read_text(encoding="utf-8").splitlines() if re.match(r"\S+:", ln))


def stable() -> dict[str, int]:
    """Figures fixed by the test sources and corpora."""
    wf = TESTS / "corpus" / "workflows"
    md = TESTS / "corpus" / "markdown"
    return {
        "crash_trials": _constant("test_store.py", "CRASH_TRIALS"),
        "workflow_cases": sum(1 for p in wf.glob("*.yaml") if p.name != "EXPECTED.yaml"),
        "markdown_cases": _yaml_keys(md / "EXPECTED.yaml"),
        "markdown_committed": sum(1 for _ in md.glob("*.md")),
        "markdown_commands": 4,
        "concurrency_rounds": _constant("test_faults.py", "CONCURRENT_ROUNDS"),
        "fault_tests": _tests_in("test_faults.py"),
    }


def measured() -> dict[str, object]:
    out: dict[str, object] = {}
    for f in sorted(DATA.glob("*.json")):
        try:
            out.update(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


def rows(s: dict[str, int], m: dict[str, object]) -> list[tuple[str, str, str]]:
    """(what is tested, cases, last run) for each line of the table."""

    def get(key: str, fmt: str = "{}") -> str:
        return fmt.format(m[key]) if key in m else "not run"

    crash = (
        f"{get('crash_failures')} torn files; old kept {get('crash_kept_old')}, new seen "
        f"{get('crash_saw_new')}; {get('crash_file_bytes')} B file; {get('crash_seconds')} s"
        if "crash_trials" in m
        else "not run"
    )
    conc = (
        f"{get('concurrency_landed')} of {2 * s['concurrency_rounds']} writes landed; "
        f"{get('concurrency_seconds')} s"
        if "concurrency_landed" in m
        else "not run"
    )
    md = (
        f"{get('markdown_runs')} command runs, {get('markdown_refused')} refused with a message, "
        "0 tracebacks, 0 bytes changed by a failed action"
        if "markdown_runs" in m
        else "not run"
    )
    n_md, n_commit = s["markdown_cases"], s["markdown_committed"]
    return [
        (
            "SIGKILL while writing: the file is always the old or the new version and parses",
            f"{s['crash_trials']} trials",
            crash,
        ),
        (
            "Broken workflow YAML (syntax, types, cycles, tags, alias bombs, 10 MB): "
            "`FILE:LINE:COL:` problems, no exception",
            f"{s['workflow_cases']} files",
            "all reported",
        ),
        (
            "Odd tasks.md / hotfix.md (non-UTF-8, binary, NUL, 100 000 tasks, 1 MB line, "
            "fences, CRLF/BOM, escapes, markup) through `status`, `done`, `note`, `list`",
            f"{n_md} files ({n_commit} committed, {n_md - n_commit} generated) x "
            f"{s['markdown_commands']} commands",
            md,
        ),
        (
            "Two `hotfix-tui done`/`undo` processes on different tasks of one file at once",
            f"{s['concurrency_rounds']} rounds",
            conc,
        ),
        (
            "Faults: symlinks out of the repo, external edits merged by task ID, task gone, "
            "held lock, disk full, read-only file, git faults for `new`, no repo",
            f"{s['fault_tests']} tests",
            "pass" if m else "not run",
        ),
    ]


def render(s: dict[str, int] | None = None, m: dict[str, object] | None = None) -> str:
    s = stable() if s is None else s
    m = measured() if m is None else m
    lines = [
        START,
        "## Reliability",
        "",
        "Generated from the test suite's figures (`tests/.reliability/`); regenerate with",
        f"`{COMMAND}`. A test fails when the counts here drift from the tests.",
        "",
        "| What is tested | Cases | Last run |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {what} | {cases} | {last} |" for what, cases, last in rows(s, m)]
    lines.append(END)
    return "\n".join(lines) + "\n"


def stable_prefixes() -> list[str]:
    """The part of each table row that must match the tests exactly: `| what | cases |`."""
    return [f"| {what} | {cases} |" for what, cases, _ in rows(stable(), {})]


def readme_block(text: str) -> str | None:
    if START not in text or END not in text:
        return None
    return text[text.index(START) : text.index(END) + len(END)]


def update(readme: Path = README) -> bool:
    """Rewrite (or append) the block; True when README.md changed."""
    text = readme.read_text(encoding="utf-8")
    block = render().rstrip("\n")
    old = readme_block(text)
    new = text.replace(old, block) if old else text.rstrip("\n") + "\n\n" + block + "\n"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if "--print" in sys.argv[1:]:
        print(render(), end="")
    else:
        print("README.md updated" if update() else "README.md already up to date")
