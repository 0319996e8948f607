"""Render docs/reliability.md's table from the figures the test suite writes.

Run `pytest -q && python tests/reliability_report.py` (add `--print` to only print the block).
"""

# The tests write `tests/.reliability/*.json` (git-ignored): test_store.py and test_faults.py
# their own measurements, and tests/conftest.py, through `note` and `write_figures` below, the
# outcomes and `record_property` values of the tests named in RECORDED. Counts that do not vary
# between runs (trials, corpus cases, rounds) are taken from the test sources themselves, so
# that tests/test_reliability_report.py can check the README without running the slow tests; the
# "Last run" column comes from the JSON files of the last run.

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
README = ROOT / "docs" / "reliability.md"  # the generated table (README.md links to it)
DATA = TESTS / ".reliability"
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
COMMAND = "pytest -q && python tests/reliability_report.py"
# figure file -> (test module, test function or None for all of the module's tests)
RECORDED: dict[str, tuple[str, str | None]] = {
    "markdown": ("test_hostile_input.py", "test_corpus_case"),
    "workflow": ("test_workflow.py", "test_corpus_case"),
    "faults": ("test_faults.py", None),
    "record": ("test_record_truth.py", None),
    "properties": ("test_record_properties.py", None),
}
Tests = dict[str, dict[str, Any]]  # node ID -> {"outcome": ..., "properties": [(name, value)]}


def _source(module: str) -> Path:
    """A test module by its file name, wherever its feature folder is."""
    return next(TESTS.rglob(module))


def _constant(module: str, name: str) -> Any:
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(f"{module}: no constant {name}")


def _tests_in(module: str) -> int:
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    return sum(
        1 for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    )


def _yaml_keys(path: Path) -> int:
    """Top-level keys of a YAML mapping, counted without loading it."""
    return sum(1 for ln in path.read_text(encoding="utf-8").splitlines() if re.match(r"\S+:", ln))


def workflow_corpus() -> list[Path]:
    """The broken workflow files of tests/corpus/workflows."""
    wf = TESTS / "corpus" / "workflows"
    return [p for p in sorted(wf.glob("*.yaml")) if p.name != "EXPECTED.yaml"]


def stable() -> dict[str, int]:
    """Figures fixed by the test sources and corpora."""
    md = TESTS / "corpus" / "markdown"
    return {
        "crash_trials": int(_constant("test_store.py", "CRASH_TRIALS")),
        "workflow_cases": len(workflow_corpus()),
        "markdown_cases": _yaml_keys(md / "EXPECTED.yaml"),
        "markdown_committed": sum(1 for _ in md.glob("*.md")),
        "markdown_commands": len(_constant("test_hostile_input.py", "COMMANDS")),
        "concurrency_rounds": int(_constant("test_faults.py", "CONCURRENT_ROUNDS")),
        "fault_tests": _tests_in("test_faults.py"),
        "chaos_clones": int(_constant("test_record_chaos.py", "CLONES")),
        "chaos_operations": int(_constant("test_record_chaos.py", "OPERATIONS")),
        "chaos_kills": int(_constant("test_record_chaos.py", "KILLS")),
        "faithful_operations": int(_constant("test_record_faithful.py", "OPERATIONS")),
        "record_regressions": _tests_in("test_record_truth.py"),
        "record_properties": _tests_in("test_record_properties.py"),
    }


def _group(nodeid: str) -> str | None:
    """The RECORDED figure file a test's node ID belongs to, if any."""
    path, _, name = nodeid.partition("::")
    for group, (module, function) in RECORDED.items():
        if Path(path).name == module and function in (None, name.split("[", 1)[0]):
            return group
    return None


def note(
    tests: Tests, nodeid: str, when: str, outcome: str, properties: list[tuple[str, Any]]
) -> None:
    """Fold one phase's test report into `tests` (a failure in any phase fails the test)."""
    if _group(nodeid) is None:
        return
    entry = tests.setdefault(nodeid, {"outcome": None, "properties": []})
    if outcome in ("failed", "skipped") and entry["outcome"] != "failed":
        entry["outcome"] = outcome
    elif outcome == "passed" and when == "call" and entry["outcome"] is None:
        entry["outcome"] = "passed"
    if properties:
        entry["properties"] = list(properties)


def _count(entries: list[dict[str, Any]], outcome: str) -> int:
    return sum(1 for e in entries if e["outcome"] == outcome)


def figures(tests: Tests) -> dict[str, dict[str, int]]:
    """The figures of each RECORDED group that ran, from the noted outcomes and properties."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for nodeid, entry in tests.items():
        group = _group(nodeid)
        if group is not None and entry["outcome"] is not None:
            groups.setdefault(group, []).append({**entry, "nodeid": nodeid})
    out: dict[str, dict[str, int]] = {}
    if md := groups.get("markdown"):
        runs = [v for e in md for _, v in e["properties"] if isinstance(v, dict) and "exit" in v]
        out["markdown"] = {
            "markdown_cases_run": len(md),
            "markdown_cases_failed": _count(md, "failed"),
            "markdown_runs": len(runs),
            "markdown_refused": sum(1 for r in runs if r["exit"] != 0),
            "markdown_tracebacks": sum(1 for r in runs if r["traceback"]),
            "markdown_failed_changed_bytes": sum(r["failed_changed_bytes"] for r in runs),
        }
    if wf := groups.get("workflow"):
        # one test per corpus file and YAML loader; the file's name is in the node ID
        names = sorted((p.name for p in workflow_corpus()), key=len, reverse=True)
        files: dict[str, set[str]] = {}
        for e in wf:
            params = e["nodeid"].partition("[")[2]
            case = next((n for n in names if n in params), params)
            files.setdefault(case, set()).add(e["outcome"])
        out["workflow"] = {
            "workflow_files_run": sum(1 for o in files.values() if o != {"skipped"}),
            "workflow_reported": sum(
                1 for o in files.values() if "passed" in o and "failed" not in o
            ),
            "workflow_failed": _count(wf, "failed"),
        }
    if faults := groups.get("faults"):
        out["faults"] = {
            "faults_passed": _count(faults, "passed"),
            "faults_failed": _count(faults, "failed"),
            "faults_skipped": _count(faults, "skipped"),
        }
    for group in ("record", "properties"):
        if entries := groups.get(group):
            out[group] = {
                f"{group}_passed": _count(entries, "passed"),
                f"{group}_failed": _count(entries, "failed"),
            }
    return out


def write_figures(tests: Tests, folder: Path = DATA) -> None:
    """Write `folder/GROUP.json` for each RECORDED group that ran (others keep their last run)."""
    for group, values in figures(tests).items():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{group}.json").write_text(json.dumps(values, indent=2) + "\n")


def measured() -> dict[str, object]:
    """Every figure of the last run, merged from the JSON files."""
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
        f"{get('markdown_tracebacks')} tracebacks, {get('markdown_failed_changed_bytes')} bytes "
        "changed by a failed action" + _failed(m.get("markdown_cases_failed"), "case")
        if "markdown_tracebacks" in m
        else "not run"
    )
    chaos = (
        f"{get('chaos_events')} events, {get('chaos_lost')} lost; {get('chaos_syncs')} syncs, "
        f"{get('chaos_pulls')} plain pulls, {get('chaos_races')} writes racing a sync, "
        f"{get('chaos_kills')} SIGKILLs; identical after {get('chaos_rounds')} quiet round(s); "
        f"{get('chaos_seconds')} s"
        if "chaos_lost" in m
        else "not run"
    )
    faithful = (
        f"{get('faithful_actions')} actions, {get('faithful_syncs')} syncs "
        f"({get('faithful_kills')} SIGKILLed), {get('faithful_merges')} pulls and "
        f"{get('faithful_rebases')} rebases, {get('faithful_plain_pulls')} pulls without the "
        f"driver ({get('faithful_markers_committed')} with markers committed), "
        f"{get('faithful_hand_edits')} edits by hand, {get('faithful_editor_saves')} stale "
        f"editor saves, {get('faithful_reverts')} reverts; {get('faithful_events')} events, "
        f"{get('faithful_notes')} notes, lost: {get('faithful_lost')}; identical after "
        f"{get('faithful_rounds')} quiet round(s); {get('faithful_seconds')} s"
        if "faithful_lost" in m
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
            _workflow_cell(s, m),
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
            _faults_cell(s, m),
        ),
        (
            "Clones of one incident through a bare remote, in a seeded random order: actions, "
            "syncs, plain `git pull`, a write racing a sync, SIGKILLed commands; no event lost, "
            "byte-identical markdown after at most two quiet sync rounds",
            f"{s['chaos_clones']} clones x {s['chaos_operations']} operations "
            f"({s['chaos_kills']} kills)",
            chaos,
        ),
        (
            "A team as it works: three hotfix-tui clones and one that never installed it "
            "(plain `git pull`, markers committed, boxes and notes by hand), an editor saving "
            "stale buffers, `pull --rebase`, `git revert`, `sync` SIGKILLed with its git "
            "children; byte-identical clones, every note once, no log line lost, Status and "
            "timeline as the tasks say, no lock left",
            f"{s['faithful_operations']} operations",
            faithful,
        ),
        (
            "The record as a projection of the event log (hypothesis: random histories split "
            "across clones, merged in any order) and every defect found in the field",
            f"{s['record_properties']} properties, {s['record_regressions']} regressions",
            _record_cell(s, m),
        ),
    ]


def _failed(n: object, what: str) -> str:
    """`; N WHAT(s) failed` when some did, else nothing."""
    return f"; {n} {what}{'s' if n != 1 else ''} failed" if isinstance(n, int) and n else ""


def _workflow_cell(s: dict[str, int], m: dict[str, object]) -> str:
    if "workflow_reported" not in m:
        return "not run"
    reported, cases = m["workflow_reported"], s["workflow_cases"]
    text = "all reported" if reported == cases else f"{reported} of {cases} reported"
    return text + _failed(m.get("workflow_failed"), "test")


def _faults_cell(s: dict[str, int], m: dict[str, object]) -> str:
    if "faults_passed" not in m:
        return "not run"
    passed, failed, skipped = m["faults_passed"], m["faults_failed"], m.get("faults_skipped", 0)
    if passed == s["fault_tests"] and not failed:
        return "pass"
    text = f"{passed} of {s['fault_tests']} passed" + _failed(failed, "test")
    return text + (f"; {skipped} skipped" if skipped else "")


def _record_cell(s: dict[str, int], m: dict[str, object]) -> str:
    if "record_passed" not in m or "properties_passed" not in m:
        return "not run"
    total = s["record_regressions"] + s["record_properties"]
    passed = int(m["record_passed"]) + int(m["properties_passed"])  # type: ignore[call-overload]
    failed = int(m["record_failed"]) + int(m["properties_failed"])  # type: ignore[call-overload]
    return "pass" if passed >= total and not failed else f"{passed} of {total} passed" + _failed(
        failed, "test"
    )


def render(s: dict[str, int] | None = None, m: dict[str, object] | None = None) -> str:
    """The block: a note on where the figures come from, the table."""
    s = stable() if s is None else s
    m = measured() if m is None else m
    lines = [
        START,
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
    """The reliability block of README.md's text, markers included (None without one)."""
    if START not in text or END not in text:
        return None
    return text[text.index(START) : text.index(END) + len(END)]


def update(readme: Path = README) -> bool:
    """Rewrite (or append) the block; True when the file changed."""
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
        done = update()
        print("docs/reliability.md " + ("updated" if done else "already up to date"))
