"""The real upstream repositories the tests build: spec-kit 1.x with today's extension."""

from __future__ import annotations

from pathlib import Path

from upstream import create, make_upstream_repo, run_gate_workflow, workflow_status


def test_upstream_repo_numbers_globally_and_links_tasks_to_hotfix(tmp_path: Path) -> None:
    repo = make_upstream_repo(tmp_path / "shop", features=("002-search",))
    out = create(repo, "hotfix", "Checkout returns 500 errors")
    assert out["HOTFIX_NUM"] == "003"
    folder = repo / "specs" / "hotfix" / "003-checkout-returns-500-errors"
    assert (folder / "tasks.md").is_symlink()
    assert (folder / "tasks.md").readlink() == Path("hotfix.md")
    assert "**Hotfix ID**: hotfix-###" in (folder / "hotfix.md").read_text()


def test_gate_workflow_pauses_at_its_gate(tmp_path: Path) -> None:
    repo = make_upstream_repo(tmp_path / "shop")
    run = run_gate_workflow(repo)
    status = workflow_status(repo, run)
    assert status["status"] == "paused"
    assert status["gate"]["step_id"] == "review"  # type: ignore[index]
