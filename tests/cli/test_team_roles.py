"""Roles, assignees, the commander's hand-over and status updates from the command line:
each an event of the log, shown by `status --json`, merged across clones, undoable."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta

import pytest
from gitfix import FOLDER, T0, FakeClock, git, incident, run, team

from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.sync import sync


@pytest.fixture
def setup(tmp_path, monkeypatch):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    monkeypatch.chdir(alice)
    return clock, remote, alice, bob


def status(capsys) -> dict:
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    return json.loads(out)


def kinds_logged(root) -> list[str]:
    return [e.kind for e in evlog.read_log(root / FOLDER)]


def test_status_json_names_every_role_null_until_someone_takes_it(setup, capsys):
    data = status(capsys)
    assert data["roles"] == {"commander": None, "communications": None}
    assert data["handover"] is None
    assert all(t["assignee"] is None for t in data["tasks"])


def test_role_and_assign_are_events_shown_by_status(setup, capsys):
    _, _, alice, _ = setup
    assert run(capsys, "role", "commander", "Ana")[0] == 0
    assert run(capsys, "role", "communications", "Cleo", "Park")[0] == 0
    code, out, _ = run(capsys, "assign", "T005", "Ben")
    assert code == 0 and "T005 assigned to Ben" in out
    data = status(capsys)
    assert data["roles"] == {"commander": "Ana", "communications": "Cleo Park"}
    assert next(t for t in data["tasks"] if t["id"] == "T005")["assignee"] == "Ben"
    assert kinds_logged(alice).count("role") == 2 and "assign" in kinds_logged(alice)


def test_unassign_and_role_none_clear_them(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    run(capsys, "assign", "T005", "Ben")
    assert run(capsys, "unassign", "T005")[0] == 0
    assert run(capsys, "role", "commander", "none")[0] == 0
    data = status(capsys)
    assert data["roles"]["commander"] is None
    assert next(t for t in data["tasks"] if t["id"] == "T005")["assignee"] is None


def test_an_unknown_role_is_refused_naming_the_roles(setup, capsys):
    _, _, alice, _ = setup
    code, _, err = run(capsys, "role", "scribe", "Ana")
    assert code == 2 and "commander, communications" in err and "nothing was written" in err
    assert "role" not in kinds_logged(alice)


def test_a_hand_over_needs_acceptance(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    code, out, _ = run(capsys, "handover", "Ben")
    assert code == 0 and "handing over" in out
    data = status(capsys)
    assert data["roles"]["commander"] == "Ana"
    assert data["handover"]["to"] == "Ben" and data["handover"]["since"].endswith("Z")
    _, _, alice, _ = setup
    code, out, err = run(capsys, "accept")  # Alice Doe is not Ben: Ben accepts
    assert code == 2 and "the hand-over is to Ben" in err and "--for-them" in err
    assert "accept" not in kinds_logged(alice)
    code, out, _ = run(capsys, "accept", "--for-them")
    assert code == 0 and "Ben" in out
    data = status(capsys)
    assert data["roles"]["commander"] == "Ben" and data["handover"] is None


def test_the_person_handed_to_accepts_by_their_git_name_or_email_in_any_case(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    run(capsys, "handover", "alice doe")  # git's user.name here is Alice Doe
    code, out, err = run(capsys, "accept")
    assert code == 0, err
    assert status(capsys)["roles"]["commander"] == "alice doe"


def test_accept_without_a_hand_over_is_refused(setup, capsys):
    code, _, err = run(capsys, "accept")
    assert code == 1 and "no hand-over" in err


def test_the_hand_over_keeps_the_report_and_posts_it(setup, capsys, tmp_path):
    _, _, alice, _ = setup
    posted = tmp_path / "posted.json"
    _alert_command(tmp_path, posted)
    run(capsys, "role", "commander", "Ana")
    code, _, err = run(capsys, "handover", "Ben")
    assert code == 0, err
    ev = next(e for e in evlog.read_log(alice / FOLDER) if e.kind == "handover")
    assert "# Status: hotfix-001" in ev.get("report")
    sent = json.loads(posted.read_text())
    assert sent["kind"] == "handover" and "# Status: hotfix-001" in sent["message"]


def _alert_command(tmp_path, out) -> None:
    """`alerts.command` in the user's config: the alert's JSON written to `out`."""
    from hotfix_tui.core.config.settings import config_path

    cfg = config_path()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f"alerts:\n  command: cat > {out}\n")


def test_update_with_a_message_is_recorded_restarts_the_reminder_and_is_posted(
    setup, capsys, tmp_path
):
    _, _, alice, _ = setup
    posted = tmp_path / "posted.json"
    _alert_command(tmp_path, posted)
    code, out, err = run(capsys, "update", "--message", "Degraded; pool raised to 50")
    assert code == 0, err
    assert "Stakeholder update restarts" in out
    ev = next(e for e in evlog.read_log(alice / FOLDER) if e.kind == "reminder_sent")
    assert ev.get("text") == "Degraded; pool raised to 50"
    assert ev.get("reminder") == "stakeholder-update"
    sent = json.loads(posted.read_text())
    assert sent["kind"] == "update" and sent["message"] == "Degraded; pool raised to 50"
    assert "Update sent" in (alice / FOLDER / "post-mortem.md").read_text()


def test_an_empty_update_marks_it_sent_without_text_and_posts_nothing(setup, capsys, tmp_path):
    _, _, alice, _ = setup
    posted = tmp_path / "posted.json"
    _alert_command(tmp_path, posted)
    code, out, _ = run(capsys, "update", "--message", "")
    assert code == 0 and "no text" in out
    ev = next(e for e in evlog.read_log(alice / FOLDER) if e.kind == "reminder_sent")
    assert ev.get("text") is None
    assert not posted.exists()


def test_update_print_fills_the_template_from_the_record(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    code, out, _ = run(capsys, "update", "--print")
    assert code == 0
    assert "hotfix-001" in out and "State of service:" in out and "Next update at:" in out
    assert "Next steps: T001" in out and "{" not in out


def test_update_without_a_message_opens_the_editor_on_the_filled_template(
    setup, capsys, tmp_path, monkeypatch
):
    _, _, alice, _ = setup
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^What we know: .*/What we know: bad deploy/" "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run(capsys, "update")
    assert code == 0, err
    ev = next(e for e in evlog.read_log(alice / FOLDER) if e.kind == "reminder_sent")
    assert "What we know: bad deploy" in ev.get("text") and "State of service" in ev.get("text")


def test_update_without_an_editor_says_to_give_a_message(setup, capsys, monkeypatch):
    _, _, alice, _ = setup
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run(capsys, "update")
    assert code == 2 and "--message" in err
    assert "reminder_sent" not in kinds_logged(alice)


def test_role_assign_hand_over_and_accept_are_undoable(setup):
    clock, _, alice, _ = setup
    inc = incident(alice, clock)
    inc.set_role("commander", "Ana")
    inc.assign("T005", "Ben")
    inc.handover("Ben", "report")
    inc.accept()
    assert inc.view.team().commander == "Ben"
    assert inc.undo_last() is not None  # the accept
    team_now = inc.view.team()
    assert team_now.commander == "Ana" and team_now.handover_to == "Ben"
    inc.undo_last()  # the hand-over
    assert inc.view.team().handover is None
    inc.undo_last()  # the assignment
    assert inc.view.team().assignees == {}
    inc.undo_last()  # the role
    assert inc.view.team().commander is None
    inc.redo_last()
    assert inc.view.team().commander == "Ana"


def test_roles_and_assignees_merge_across_clones(setup):
    clock, _, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    clock.advance(minutes=1)
    a.set_role("commander", "Alice Doe")
    a.assign("T003", "Alice Doe")
    clock.advance(minutes=1)
    b.set_role("communications", "Bob Roe")
    b.assign("T005", "Bob Roe")
    for root, inc in ((alice, a), (bob, b), (alice, a)):
        clock.advance(seconds=30)
        sync(root, inc.folder, inc)
    for inc in (a, b):
        inc.view.refresh()
        t = inc.view.team()
        assert t.roles == {"commander": "Alice Doe", "communications": "Bob Roe"}
        assert t.assignees == {"T003": "Alice Doe", "T005": "Bob Roe"}


def test_a_hand_over_offered_on_one_clone_is_accepted_on_the_other(setup):
    clock, _, alice, bob = setup
    a, b = incident(alice, clock), incident(bob, clock)
    a.set_role("commander", "Alice Doe")
    a.handover("Bob Roe", "report")
    sync(alice, a.folder, a)
    sync(bob, b.folder, b)
    b.view.refresh()
    assert b.view.team().handover_to == "Bob Roe"
    clock.advance(minutes=2)
    b.accept(("Bob Roe", "bob@example.invalid"))  # Bob's own git identity
    sync(bob, b.folder, b)
    sync(alice, a.folder, a)
    a.view.refresh()
    assert a.view.team().commander == "Bob Roe" and a.view.team().handover is None
    assert os.path.exists(alice / FOLDER / "events.jsonl")
    assert "accept" in git(alice, "log", "-p", "--format=", "--", FOLDER)


def test_an_update_resets_the_reminder(setup):
    from hotfix_tui.core.alerting.updates import running, send_update

    clock, _, alice, _ = setup
    inc = incident(alice, clock)  # P1: the stakeholder update every hour
    clock.advance(minutes=50)
    before = running(inc, clock())[0]
    assert before.remaining_seconds == 10 * 60
    send_update(inc, "all good", clock())
    after = running(inc, clock())[0]
    assert after.remaining_seconds == 60 * 60
    assert after.due == clock() + timedelta(hours=1)


def test_the_report_names_the_roles_the_hand_over_assignees_and_the_last_update(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    run(capsys, "assign", "T001", "Ben")
    run(capsys, "handover", "Ben")
    run(capsys, "update", "--message", "Degraded in EU\nnext update 15:00")
    code, out, _ = run(capsys, "report")
    assert code == 0
    assert "- **Incident commander**: Ana -> Ben (handing over)" in out
    assert "- **Communications lead**: nobody yet" in out
    assert "- T001 Assess severity and impact (@Ben)" in out
    assert "## Last status update (" in out
    assert "> Degraded in EU\n> next update 15:00" in out
    code, out, _ = run(capsys, "report", "--format", "json")
    data = json.loads(out)
    assert data["roles"] == {"commander": "Ana", "communications": None}
    assert data["handover"]["to"] == "Ben"
    assert data["last_update"]["text"] == "Degraded in EU\nnext update 15:00"


def test_list_names_the_commander(setup, capsys):
    run(capsys, "role", "commander", "Ana")
    run(capsys, "handover", "Ben")
    code, out, _ = run(capsys, "list")
    assert code == 0 and "IC Ana -> Ben (handing over)" in out
    code, out, _ = run(capsys, "list", "--json")
    row = next(r for r in json.loads(out) if r["id"] == "hotfix-001")
    assert row["commander"] == "Ana -> Ben (handing over)"


def test_list_names_the_commander_of_another_branch_s_copy(setup, capsys):
    _, _, alice, bob = setup
    run(capsys, "role", "commander", "Alice Doe")
    git(alice, "add", "-A")
    git(alice, "commit", "-q", "-m", "commander")
    git(alice, "switch", "-q", "main")
    code, out, _ = run(capsys, "list")
    assert code == 0 and "IC Alice Doe" in out, out


def test_a_role_and_its_undo_in_one_commit_cancel_out_in_its_subject(setup):
    from hotfix_tui.core.record import kinds

    clock, _, alice, _ = setup
    inc = incident(alice, clock)
    inc.set_role("commander", "Ana")
    inc.assign("T005", "Ben")
    inc.undo_last()
    words = kinds.commit_words(e for e in evlog.read_log(alice / FOLDER) if e.kind != "created")
    assert words == ["commander: Ana"]
