"""Pilot tests of spec-kit's workflow runs in the TUI: the overview lists a run paused at its gate,
and answering it (confirmed) resumes the run through the real `specify` in a worker."""

from __future__ import annotations

from pathlib import Path

from conftest import settle_until as settle
from conftest import static_texts as texts
from textual.widgets import Tree
from upstream import (
    GATE_WORKFLOW,
    _run,
    make_upstream_repo,
    run_gate_workflow,
    specify_bin,
    workflow_status,
)

from hotfix_tui.core.config.settings import Settings
from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow
from hotfix_tui.tui.app import HotfixApp
from hotfix_tui.tui.screens.overview import OverviewScreen
from hotfix_tui.tui.screens.record_dialogs import ConfirmScreen
from hotfix_tui.tui.screens.runs import GateScreen

SIZE = (160, 40)


def team_app(repo: Path, clock) -> HotfixApp:
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Payments API timing out", "P1", wf, clock=clock)
    inc = Incident(folder, wf, clock=clock, repo_root=repo)
    return HotfixApp(inc, root=repo, clock=clock, settings=Settings(fetch_interval=0),
                     watch=False)




def run_leaf(screen: OverviewScreen, run_id: str):
    tree = screen.query_one(Tree)
    for group in tree.root.children:
        for leaf in group.children:
            if getattr(leaf.data, "run_id", None) == run_id:
                return leaf
    return None


async def test_the_overview_lists_a_paused_gate_and_answering_it_resumes_the_run(
    tmp_path, clock
):
    repo = make_upstream_repo(tmp_path / "shop")
    run_id = run_gate_workflow(repo)
    app = team_app(repo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        await settle(pilot, app, lambda: run_leaf(screen, run_id) is not None)
        tree = screen.query_one(Tree)
        first = tree.root.children[0]  # a person is waited for: the runs come first
        assert str(first.label) == "spec-kit workflow runs  1 (1 waiting at a gate)"
        label = run_leaf(screen, run_id).label.plain
        assert f"⏸ {run_id}" in label and "gate-demo" in label and "paused" in label
        assert "at review: Approve the rollback? [approve/reject]" in label

        tree.move_cursor(run_leaf(screen, run_id))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GateScreen)
        assert "Gate review: Approve the rollback?" in texts(app.screen)
        await pilot.press("enter")  # the first option: approve
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert f"gate 'review' of workflow run {run_id}" in question and "'approve'" in question
        await pilot.press("y")
        await settle(pilot, app, lambda: any("the run is completed" in str(n.message)
                                             for n in app._notifications))
        assert app.screen is screen
        assert workflow_status(repo, run_id)["status"] == "completed"
        await settle(pilot, app, lambda: "completed" in run_leaf(screen, run_id).label.plain)
        assert str(tree.root.children[-1].label).startswith("spec-kit workflow runs  1 (0 ")
        logs = list((repo / ".git/hotfix-tui/runs").glob(f"{run_id}-*.log"))
        assert len(logs) == 1
        assert f"workflow resume {run_id} --input verdict=approve --json" in logs[0].read_text()


async def test_a_gate_without_verdict_input_shows_the_command_to_copy(tmp_path, clock):
    repo = make_upstream_repo(tmp_path / "shop")
    workflow = tmp_path / "prompt-only.yml"
    workflow.write_text(
        GATE_WORKFLOW.read_text(encoding="utf-8").replace("    verdict_input: verdict\n", ""),
        encoding="utf-8",
    )
    out = _run([specify_bin(), "workflow", "run", str(workflow)], repo, stdin=-3).stdout
    run_id = next(x for x in out.splitlines() if "Run ID:" in x).split(":", 1)[1].strip()
    app = team_app(repo, clock)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")  # the oldest gate waiting, from the incident screen
        await pilot.pause()
        assert isinstance(app.screen, GateScreen)
        shown = texts(app.screen)
        assert "declares no verdict_input" in shown
        assert f"cd {repo} && specify workflow resume {run_id}" in shown
        await pilot.press("y")
        assert copied == [f"cd {repo} && specify workflow resume {run_id}"]
    assert workflow_status(repo, run_id)["status"] == "paused"


async def test_w_without_a_waiting_gate_says_so(tmp_path, clock):
    repo = make_upstream_repo(tmp_path / "shop")
    app = team_app(repo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, GateScreen)
        said = [str(n.message) for n in app._notifications]
        assert said[-1] == "no spec-kit workflow run waits at a gate (0 run(s) in " \
            ".specify/workflows/runs)"
