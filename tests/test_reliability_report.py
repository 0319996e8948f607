"""README.md's Reliability section must state the counts the tests actually run."""

from __future__ import annotations

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
