"""What the tool says is what happened: an unskip is a change that undoes, and an incident
declared on a detached HEAD never names a branch `(none)` in its record or its commands."""

from __future__ import annotations

import pytest
from gitfix import git, run

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.discovery import find_incidents
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.reports.commands import record_commands, record_values
from hotfix_tui.core.reports.report import build_report, render_markdown
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors", "P1", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def test_unskip_returns_a_change_whose_undo_skips_again_with_the_old_reason(inc):
    inc.skip("T009", "nobody awake")
    change = inc.unskip("T009")
    assert change is not None and "T009" in change.label
    assert inc.view.find("T009").skip is None
    assert inc.undo_last() == change.undone == "T009 skipped again: nobody awake"
    skip = inc.view.find("T009").skip
    assert skip is not None and skip.text == "nobody awake"
    assert inc.view.task_view(inc.view.find("T009")).state == "skipped"


def test_unskip_of_a_task_that_is_not_skipped_changes_nothing(inc):
    before = inc.view.path("tasks.md").read_text()
    assert inc.unskip("T009") is None
    assert inc.view.path("tasks.md").read_text() == before
    assert inc.history == []


def test_new_without_a_branch_on_a_detached_head_never_writes_or_prints_none(
    repo, monkeypatch, capsys
):
    git(repo, "checkout", "-q", "--detach")
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Disk full", "-s", "P2", "--no-branch", "--no-open")
    assert code == 0, err
    assert "(none)" not in out + err
    (found,) = find_incidents(repo)
    hotfix = (found.folder / "hotfix.md").read_text(encoding="utf-8")
    assert "(none)" not in hotfix
    assert "detached" in record.get_field(hotfix, "Branch")
    inc = Incident(found.folder, resolve_workflow("hotfix", repo), repo_root=repo)
    assert inc.branch_field == ""  # no branch to name
    commands = record_commands(record_values(hotfix, inc.branch_field))
    assert not any("(none)" in c.command or "detached" in c.command for c in commands)
    assert not any(c.command.startswith("git push") for c in commands)
    for argv in (["status"], ["status", "--json"], ["report"]):
        code, out, err = run(capsys, *argv, "--spec", str(found.folder))
        assert code == 0, err
        assert "(none)" not in out and "detached" not in out, argv
    assert "(none)" not in render_markdown(build_report(inc))


def test_a_record_that_says_branch_none_gives_no_command_with_it(inc):
    path = inc.view.path("hotfix.md")
    text = path.read_text(encoding="utf-8")
    old = record.get_field(text, "Branch")
    path.write_text(text.replace(f"**Branch**: {old}", "**Branch**: `(none)`"), encoding="utf-8")
    inc.view.refresh()
    assert inc.branch_field == ""
    commands = record_commands(record_values(path.read_text(encoding="utf-8"), inc.branch_field))
    assert not any("(none)" in c.command for c in commands)
