"""Upstream's incidents open as our own: a folder made by spec-kit-extensions' real
`create-hotfix.sh` (`specs/hotfix/001-words/`, tasks.md linked to hotfix.md) has the folder's id,
its description or words as title, its ticked severity, its branch, and keeps its forms.

Real repositories made with `specify init` and the extension (tests/upstream.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitfix import run
from upstream import GIT_ENV, create, fill_like_agent, git, make_upstream_repo

from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md
from hotfix_tui.core.workflow.loader import resolve_workflow

DESCRIPTION = "Checkout returns 500 for EU card payments"
TEMPLATES = Path(__file__).parents[1] / "fixtures/upstream/spec-kit-extensions-2026-04/templates"


def declared(tmp_path: Path, *, description: str = DESCRIPTION, title: str | None = None,
             severity: str | None = "P1", words: str = "Checkout returns 500") -> Path:
    """An upstream repo with one hotfix declared by the extension's own script, its User
    description filled as the agent command fills it (the title too when given), a severity
    box ticked by hand, committed on the branch the script made. Returns the folder."""
    repo = make_upstream_repo(tmp_path / "shop")
    out = create(repo, "hotfix", words)
    hotfix_md = Path(out["HOTFIX_FILE"])
    if description:
        fill_like_agent(hotfix_md, description, title or "[INCIDENT TITLE]")
    if severity:
        text = hotfix_md.read_text()
        hotfix_md.write_text(text.replace(f"[ ] {severity} (", f"[x] {severity} (", 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hotfix declared")
    return hotfix_md.parent


def listed(capsys, repo: Path) -> dict:
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 1
    return rows[0]


def test_upstreams_incident_lists_as_hotfix_001_with_its_description_and_ticked_severity(
    tmp_path, capsys, monkeypatch
):
    folder = declared(tmp_path)
    repo = folder.parents[2]
    monkeypatch.chdir(repo)
    row = listed(capsys, repo)
    assert (row["id"], row["title"], row["severity"]) == ("hotfix-001", DESCRIPTION, "P1")
    assert row["branch"] == "hotfix/001-checkout-returns-500"
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["id"], data["title"], data["severity"]) == ("hotfix-001", DESCRIPTION, "P1")
    # the Branch placeholder `hotfix/###-short-description` is shown as the folder's branch
    assert data["branch"] == "hotfix/001-checkout-returns-500"
    assert data["status"] == "Investigating"


def test_listed_from_another_branch_it_is_the_same_incident(tmp_path, capsys, monkeypatch):
    folder = declared(tmp_path)
    repo = folder.parents[2]
    git(repo, "switch", "-q", "main")
    assert not folder.exists()  # read from git objects, where tasks.md is a link blob
    monkeypatch.chdir(repo)
    row = listed(capsys, repo)
    assert (row["id"], row["title"], row["severity"]) == ("hotfix-001", DESCRIPTION, "P1")
    assert row["progress"]["total"] > 30 and row["checked_out"] is False


def test_a_filled_title_names_it_and_an_unfilled_one_gives_the_folders_words(
    tmp_path, capsys, monkeypatch
):
    folder = declared(tmp_path / "a", title="EU card checkout down")
    monkeypatch.chdir(folder.parents[2])
    assert listed(capsys, folder.parents[2])["title"] == "EU card checkout down"
    bare = declared(tmp_path / "b", description="", severity=None)
    monkeypatch.chdir(bare.parents[2])
    row = listed(capsys, bare.parents[2])
    # neither the `[INCIDENT TITLE]` placeholder nor `$ARGUMENTS`: the folder's words
    want = ("hotfix-001", "Checkout returns 500", None)
    assert (row["id"], row["title"], row["severity"]) == want


def test_setting_the_severity_ticks_one_box_and_changes_two_bytes(tmp_path, capsys, monkeypatch):
    folder = declared(tmp_path)
    monkeypatch.chdir(folder.parents[2])
    before = (folder / "hotfix.md").read_bytes()
    code, out, err = run(capsys, "severity", "P0")
    assert code == 0, err
    after = (folder / "hotfix.md").read_bytes()
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 2 and {before[i : i + 1] for i in changed} == {b" ", b"x"}
    assert after.count(b"**Severity**: [x] P0 (Critical - Service Down) | [ ] P1 (") == 1
    assert (folder / "tasks.md").is_symlink()
    assert json.loads(run(capsys, "status", "--json")[1])["severity"] == "P0"


def test_checking_a_task_keeps_the_severity_and_status_rows_and_the_post_mortems_rows(
    tmp_path, capsys, monkeypatch
):
    folder = declared(tmp_path)
    monkeypatch.chdir(folder.parents[2])
    hot_before = (folder / "hotfix.md").read_text()
    pm_before = (folder / "post-mortem.md").read_text()
    task = json.loads(run(capsys, "status", "--json")[1])["next"]["id"]
    code, out, err = run(capsys, "done", task)
    assert code == 0, err
    hot = (folder / "hotfix.md").read_text()
    for name in ("**Severity**:", "**Status**:"):
        line = next(ln for ln in hot_before.splitlines() if ln.startswith(name))
        assert line in hot.splitlines(), name
    lines_before = hot_before.splitlines()
    lines_after = hot.splitlines()
    assert len(lines_after) == len(lines_before)
    diff = [(a, b) for a, b in zip(lines_before, lines_after, strict=True) if a != b]
    assert len(diff) == 1 and diff[0][0].replace("[ ]", "[x]", 1) == diff[0][1]
    pm = (folder / "post-mortem.md").read_text().splitlines()
    for row in (ln for ln in pm_before.splitlines() if ln.startswith("| HH:MM |")):
        assert row in pm, row  # "Incident began" and the others: upstream's own rows stay
    assert (folder / "tasks.md").is_symlink()


# --- the forms of the rows, on upstream's own template ------------------------------------------


@pytest.fixture
def template() -> str:
    return (TEMPLATES / "hotfix" / "hotfix-template.md").read_text()


def test_a_status_the_row_has_no_box_for_is_shown_by_the_furthest_box_before_it(template):
    wf = resolve_workflow("hotfix", None)
    assert "Resolved" in wf.statuses and "Resolved" not in template
    done = hf.set_header(template, None, "Resolved", wf)
    assert "**Status**: [ ] Investigating | [ ] Fix Deployed | [ ] Monitoring | " \
           "[x] Post-Mortem Complete\n" in done
    assert len(done) == len(template)
    monitoring = hf.set_header(done, None, "Monitoring", wf)
    assert "[x] Monitoring | [ ] Post-Mortem Complete" in monitoring
    assert len(monitoring) == len(template)
    # the initial status is what a row with no box ticked already says: left as it is
    assert hf.set_header(template, None, "Investigating", wf) == template


def test_severity_written_into_a_checkbox_row_keeps_the_row(template):
    row = hf.severity_value(record_md.get_field(template, hf.SEVERITY) or "", "P2")
    assert row == ("[ ] P0 (Critical - Service Down) | [ ] P1 (Major - Key Feature Broken) | "
                   "[x] P2 (Significant - Workaround Available)")
    assert hf.severity_value("P1", "P2") == "P2"  # a plain value stays plain


def test_without_a_ticked_severity_status_says_how_to_start_the_clock(
    tmp_path, capsys, monkeypatch
):
    folder = declared(tmp_path, severity=None)  # create-hotfix.sh ticks no Severity box
    monkeypatch.chdir(folder.parents[2])
    code, out, err = run(capsys, "status")
    assert code == 0, err
    assert "SLA: none (no severity set: hotfix-tui severity P0|P1|P2)" in out
    code, out, err = run(capsys, "severity", "P1")
    assert code == 0, err
    assert out.strip() == "severity set to P1"
    code, out, err = run(capsys, "status")
    assert "SLA: target 4:00:00" in out


def test_a_commit_holds_the_event_log_a_plain_git_commit_left_out(tmp_path, capsys, monkeypatch):
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    repo = make_upstream_repo(tmp_path / "shop", features=("002-search",))
    folder = Path(create(repo, "hotfix", "Checkout returns 500")["HOTFIX_FILE"]).parent
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hotfix declared")
    monkeypatch.chdir(repo)
    assert run(capsys, "severity", "P1")[0] == 0  # the event log is made, untracked
    rel = folder.relative_to(repo).as_posix()
    # a teammate commits the markdown by hand with plain git, looks at main and comes back
    git(repo, "commit", "-qm", "wip", "--", f"{rel}/hotfix.md", f"{rel}/post-mortem.md")
    branch = git(repo, "branch", "--show-current").strip()
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", branch)
    code, out, err = run(capsys, "commit")
    assert code == 0, err
    committed = git(repo, "ls-tree", "-r", "--name-only", "HEAD", rel).split()
    assert f"{rel}/events.jsonl" in committed and f"{rel}/.gitattributes" in committed
    assert git(repo, "status", "--porcelain", "--", rel) == ""
