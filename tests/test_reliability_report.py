"""docs/reliability.md must state the counts the tests actually run."""

from __future__ import annotations

from pathlib import Path

import reliability_report as rr


def test_readme_block_matches_the_tests() -> None:
    block = rr.readme_block(rr.README.read_text(encoding="utf-8"))
    assert block is not None, f"README.md has no {rr.START} block; run: {rr.COMMAND}"
    table = [ln for ln in block.splitlines() if ln.startswith("| ") and "---" not in ln]
    prefixes = rr.stable_prefixes()
    assert len(table) == len(prefixes) + 1, f"README Reliability table is stale; run: {rr.COMMAND}"
    for prefix in prefixes:
        assert any(ln.startswith(prefix) for ln in table), (
            f"README Reliability section is out of date ({prefix}); run: {rr.COMMAND}"
        )
    assert rr.COMMAND in block


def test_figures_meet_the_issue() -> None:
    s = rr.stable()
    assert s["crash_trials"] >= 200
    assert s["workflow_cases"] >= 40
    assert s["markdown_cases"] >= 25
    assert s["concurrency_rounds"] >= 20


def test_render_without_data_says_not_run() -> None:
    text = rr.render(rr.stable(), {})
    assert text.startswith(rr.START) and text.rstrip().endswith(rr.END)
    assert "not run" in text


def _run(tests: rr.Tests, nodeid: str, outcome: str, props: list | None = None) -> None:
    """Note the setup, call and teardown reports of one test the way the conftest hook does."""
    rr.note(tests, nodeid, "setup", "passed", [])
    rr.note(tests, nodeid, "call", outcome, props or [])
    rr.note(tests, nodeid, "teardown", "passed", props or [])


def test_note_folds_the_phases_of_a_test() -> None:
    tests: rr.Tests = {}
    rr.note(tests, "tests/test_faults.py::test_a", "call", "passed", [])
    rr.note(tests, "tests/test_faults.py::test_a", "teardown", "failed", [])
    rr.note(tests, "tests/test_faults.py::test_b", "setup", "skipped", [])
    rr.note(tests, "tests/test_sync.py::test_c", "call", "failed", [])  # not counted
    assert {k: v["outcome"] for k, v in tests.items()} == {
        "tests/test_faults.py::test_a": "failed",
        "tests/test_faults.py::test_b": "skipped",
    }


def test_last_run_cells_come_from_the_recorded_figures() -> None:
    s = rr.stable()
    tests: rr.Tests = {}
    ok = {"exit": 0, "traceback": False, "failed_changed_bytes": 0}
    bad = {"exit": 3, "traceback": True, "failed_changed_bytes": 5}
    _run(tests, "tests/test_hostile_input.py::test_corpus_case[a.md]", "passed", [("done", ok)])
    _run(tests, "tests/test_hostile_input.py::test_corpus_case[b.md]", "failed", [("done", bad)])
    names = [p.name for p in rr.workflow_corpus()]
    for i, name in enumerate(names):
        for loader in ("libyaml", "python"):
            outcome = "failed" if i == 0 and loader == "python" else "passed"
            _run(tests, f"tests/test_workflow.py::test_corpus_case[{loader}-{name}]", outcome)
    _run(tests, "tests/test_faults.py::test_one", "passed")
    _run(tests, "tests/test_faults.py::test_two", "failed")
    with_figures = rr.figures(tests)
    assert with_figures["markdown"]["markdown_tracebacks"] == 1
    m = {k: v for values in with_figures.values() for k, v in values.items()}
    cells = {what.split()[0]: last for what, _, last in rr.rows(s, m)}
    assert cells["Odd"] == (
        "2 command runs, 1 refused with a message, 1 tracebacks, 5 bytes changed by a failed "
        "action; 1 case failed"
    )
    n = s["workflow_cases"]
    assert cells["Broken"] == f"{n - 1} of {n} reported; 1 test failed"
    assert cells["Faults:"] == f"1 of {s['fault_tests']} passed; 1 test failed"
    tests = {}
    for name in names:
        _run(tests, f"tests/test_workflow.py::test_corpus_case[python-{name}]", "passed")
    m = rr.figures(tests)["workflow"]
    assert {what.split()[0]: last for what, _, last in rr.rows(s, m)}["Broken"] == "all reported"


def test_figures_are_written_only_for_groups_that_ran(tmp_path: Path) -> None:
    tests: rr.Tests = {}
    _run(tests, "tests/test_faults.py::test_one", "passed")
    rr.write_figures(tests, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["faults.json"]
