"""`hotfix-tui followup` and `hotfix-tui followups` from the shell."""

from __future__ import annotations

import json
import shlex

from gitfix import FOLDER, git, run, team


def _setup(tmp_path, clock, monkeypatch):
    _remote, alice, _bob = team(tmp_path, clock)
    monkeypatch.chdir(alice)
    return alice


def test_followup_is_added_and_listed_with_its_gh_command(tmp_path, clock, capsys, monkeypatch):
    alice = _setup(tmp_path, clock, monkeypatch)
    code, out, err = run(capsys, "followup", "Alert", "on", "$(whoami)", "--owner", "Alice Doe",
                         "--due", "2026-12-14")
    assert code == 0, err
    assert "follow-up AI-001 added" in out
    assert "- [ ] **AI-001**: Alert on $(whoami)" in (alice / FOLDER / "post-mortem.md").read_text()
    code, out, err = run(capsys, "followups", "--json")
    data = json.loads(out)
    assert [(d["incident"], d["id"], d["owner"], d["due"], d["done"]) for d in data] == [
        ("hotfix-001", "AI-001", "Alice Doe", "2026-12-14", False)]
    argv = shlex.split(data[0]["gh"])  # shell-quoted: the title stays one word, not code
    assert argv[:4] == ["gh", "issue", "create", "--title"]
    assert argv[4] == "AI-001: Alert on $(whoami)" and argv[5] == "--body"
    assert "Owner: Alice Doe" in argv[6] and f"{FOLDER}/post-mortem.md" in argv[6]
    code, out, _ = run(capsys, "followups")
    assert "hotfix-001 AI-001 [open] Alert on $(whoami)" in out
    assert "gh issue create --title 'AI-001: Alert on $(whoami)'" in out
    assert git(alice, "status", "--porcelain", "--", "README.md") == ""


def test_followups_mine_and_overdue(tmp_path, clock, capsys, monkeypatch):
    _setup(tmp_path, clock, monkeypatch)  # git user: Alice Doe <alice@example.invalid>
    run(capsys, "followup", "Mine by name", "--owner", "alice doe", "--due", "2000-01-01")
    run(capsys, "followup", "Mine by email", "--owner", "ALICE@example.invalid",
        "--due", "2999-01-01")
    run(capsys, "followup", "Not mine", "--owner", "Bob Roe", "--due", "2000-01-02")
    titles = lambda out: [d["title"] for d in json.loads(out)]  # noqa: E731
    assert titles(run(capsys, "followups", "--json", "--mine")[1]) == [
        "Mine by name", "Mine by email"]
    assert titles(run(capsys, "followups", "--json", "--overdue")[1]) == [
        "Mine by name", "Not mine"]
    assert titles(run(capsys, "followups", "--json", "--mine", "--overdue")[1]) == [
        "Mine by name"]


def test_followup_with_a_bad_date_says_how_to_write_it(tmp_path, clock, capsys, monkeypatch):
    alice = _setup(tmp_path, clock, monkeypatch)
    before = (alice / FOLDER / "post-mortem.md").read_text()
    code, out, err = run(capsys, "followup", "x", "--owner", "Ana", "--due", "friday")
    assert code == 2 and "YYYY-MM-DD" in err
    assert (alice / FOLDER / "post-mortem.md").read_text() == before


def test_followups_include_incidents_that_live_only_on_a_branch(
    tmp_path, clock, capsys, monkeypatch
):
    alice = _setup(tmp_path, clock, monkeypatch)
    run(capsys, "followup", "Here", "--owner", "Alice Doe", "--due", "2026-12-14")
    git(alice, "add", "-A")
    git(alice, "commit", "-q", "-m", "a follow-up")
    home = git(alice, "branch", "--show-current").strip()
    git(alice, "checkout", "-q", "-b", "elsewhere")
    code, out, err = run(capsys, "new", "Search is slow", "--severity", "P2", "--no-open",
                         "--no-branch")
    assert code == 0, err
    other = out.strip()
    code, _, err = run(capsys, "followup", "Add a search index alert", "--owner", "Bob Roe",
                       "--due", "2026-12-20", "--spec", other)
    assert code == 0, err
    git(alice, "add", "-A")
    git(alice, "commit", "-q", "-m", "the second incident")
    git(alice, "checkout", "-q", home)  # its folder is no longer in the work tree
    code, out, err = run(capsys, "followups", "--json")
    assert code == 0, err
    got = {(d["id"], d["title"], d["branch"]) for d in json.loads(out)}
    assert got == {("AI-001", "Here", None), ("AI-001", "Add a search index alert", "elsewhere")}
    code, out, _ = run(capsys, "followups")
    assert "(on elsewhere) AI-001 [open] Add a search index alert" in out
