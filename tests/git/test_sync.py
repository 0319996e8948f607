"""Team sync: a bare remote and two clones (Alice and Bob) working the same incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from gitfix import BRANCH, FOLDER, T0, FakeClock, checked, git, incident, team

from hotfix_tui.cli import main
from hotfix_tui.core.git.gitops import GitError
from hotfix_tui.core.git.mdmerge import merge_texts
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.sync import sync


@pytest.fixture
def setup(tmp_path):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    return clock, remote, alice, bob


def files(root) -> dict[str, str]:
    return {n: (root / FOLDER / n).read_text() for n in ("tasks.md", "hotfix.md", "post-mortem.md")}


def no_markers(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        for mark in ("<<<<<<<", ">>>>>>>", "|||||||"):
            assert mark not in text, name


def rows(root) -> list[record.LogRow]:
    table = record.log_table((root / FOLDER / "post-mortem.md").read_text())
    assert table is not None
    return [r for r in table[0] if not r.placeholder]


@pytest.mark.parametrize("first", ["alice", "bob"])
def test_two_engineers_check_different_tasks_and_end_equal(setup, first):
    clock, remote, alice, bob = setup
    clock.advance(minutes=5)
    a = incident(alice, clock)
    a.set_done("T001")
    a.set_done("T002")
    a.note("T003", "EU cluster only")
    clock.advance(minutes=2)
    b = incident(bob, clock)
    b.set_done("T003")
    b.note("T003", "pool size 20 is too small")
    b.set_done("T004")
    clock.advance(minutes=1)
    order = [(alice, a), (bob, b), (alice, a), (bob, b)]
    if first == "bob":
        order = [(bob, b), (alice, a), (bob, b), (alice, a)]
    results = []
    for root, inc in order:
        clock.advance(seconds=30)
        results.append(sync(root, inc.folder, inc))
    assert all(r.ok for r in results), [r.message for r in results]
    # the last sync only brought the other's "Sync: received" row: nothing more to push
    assert not results[-1].pushed and results[-1].arrived == []
    fa, fb = files(alice), files(bob)
    assert fa == fb
    no_markers(fa)
    assert checked(fa["tasks.md"]) == {"T001", "T002", "T003", "T004"}
    whos = {r.who for r in rows(alice)}
    assert {"Alice Doe", "Bob Roe"} <= whos
    # both notes on T003, in time order
    t3 = fa["tasks.md"].split("**T003**")[1].split("**T004**")[0]
    assert t3.index("EU cluster only") < t3.index("pool size 20 is too small")
    # the merge commit made by the second engineer shows what arrived from the first
    second = results[1]
    assert second.merged and second.pushed
    other = "Alice Doe" if first == "alice" else "Bob Roe"
    assert {x.who for x in second.arrived} == {other}
    assert any(
        x.event.startswith("T001 done" if first == "alice" else "T003 done") for x in second.arrived
    )
    # the history is shared and pushable: both clones at the remote's tip
    tip = git(remote, "rev-parse", BRANCH).strip()
    assert git(alice, "rev-parse", "HEAD").strip() == tip
    assert git(bob, "rev-parse", "HEAD").strip() == tip
    # every commit touched only the incident's markdown: no lock or temp files, in either clone
    touched = set(git(remote, "log", "--name-only", "--format=", BRANCH).split())
    # (the event log is the truth the markdown is projected from; .gitattributes its merge rules;
    # spec.md and plan.md the links to hotfix.md the extension's script makes)
    assert touched == {"README.md"} | {
        f"{FOLDER}/{n}"
        for n in ("tasks.md", "hotfix.md", "post-mortem.md", "events.jsonl", ".gitattributes",
                  "spec.md", "plan.md")
    }
    for root in (alice, bob):
        assert git(root, "status", "--porcelain") == ""
    # the record fills itself: T001 stamped Investigation Start on Alice's side
    assert record.field_time(fa["hotfix.md"], "Investigation Start") is not None
    # rows sorted by time, no duplicates
    keys = [(r.time, r.event, r.who, r.notes) for r in rows(alice)]
    assert len(keys) == len(set(keys))
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)


def test_a_later_uncheck_wins_over_an_earlier_check(setup):
    clock, remote, alice, bob = setup
    b = incident(bob, clock)
    a = incident(alice, clock)
    clock.t = T0 + timedelta(minutes=5)
    b.set_done("T004")
    clock.t = T0 + timedelta(minutes=10)
    a.set_done("T004")
    clock.t = T0 + timedelta(minutes=20)
    b.set_done("T004", False)  # Bob unchecks it after Alice checked it
    for root, inc in ((alice, a), (bob, b), (alice, a), (bob, b)):
        sync(root, inc.folder, inc)
    assert "T004" not in checked(files(alice)["tasks.md"])
    assert files(alice) == files(bob)


def test_a_later_check_wins_over_an_earlier_uncheck(setup):
    clock, remote, alice, bob = setup
    b = incident(bob, clock)
    a = incident(alice, clock)
    clock.t = T0 + timedelta(minutes=5)
    b.set_done("T004")
    clock.t = T0 + timedelta(minutes=6)
    b.set_done("T004", False)
    clock.t = T0 + timedelta(minutes=10)
    a.set_done("T004")  # Alice checks it after Bob's uncheck
    for root, inc in ((bob, b), (alice, a), (bob, b), (alice, a)):
        sync(root, inc.folder, inc)
    assert "T004" in checked(files(bob)["tasks.md"])
    assert files(alice) == files(bob)


def test_the_later_severity_wins_and_both_changes_are_logged(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    b = incident(bob, clock)
    clock.advance(minutes=3)
    a.set_severity("P2")
    clock.advance(minutes=1)
    b.set_severity("P0")
    for root, inc in ((alice, a), (bob, b), (alice, a), (bob, b)):
        sync(root, inc.folder, inc)
    fa = files(alice)
    assert fa == files(bob)
    assert "**Severity**: P0" in fa["tasks.md"]
    assert "[x] P0" in fa["hotfix.md"] and "[x] P2" not in fa["hotfix.md"]
    events = [r.event for r in rows(alice)]
    assert "Severity changed P1 -> P2" in events and "Severity changed P1 -> P0" in events


def test_unreachable_remote_keeps_the_commit_and_retries(setup, tmp_path, capsys, monkeypatch):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    a.set_done("T001")
    url = git(alice, "remote", "get-url", "origin").strip()
    git(alice, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = sync(alice, a.folder, a)
    assert not result.ok and result.offline
    assert result.committed and result.unpushed == 1
    assert "cannot reach origin" in result.message and "next sync" in result.message
    assert git(alice, "rev-parse", "HEAD").strip() == result.committed
    monkeypatch.chdir(alice)
    code = main(["sync"])
    out, err = capsys.readouterr()
    assert code == 1 and "cannot reach origin" in err
    # back online: the same commit is pushed, nothing lost
    git(alice, "remote", "set-url", "origin", url)
    code = main(["sync"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "pushed to origin/" + BRANCH in out
    assert git(remote, "rev-parse", BRANCH).strip() == result.committed


def test_no_upstream_pushes_with_set_upstream(tmp_path):
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    git(bob, "switch", "-q", "-c", "hotfix/001-bob-copy")
    b = incident(bob, clock)
    b.set_done("T001")
    result = sync(bob, b.folder, b)
    assert result.ok and result.pushed, result.message
    assert git(bob, "config", "branch.hotfix/001-bob-copy.remote").strip() == "origin"
    assert (
        git(remote, "rev-parse", "hotfix/001-bob-copy").strip()
        == git(bob, "rev-parse", "HEAD").strip()
    )


def test_detached_head_is_refused(setup):
    clock, remote, alice, bob = setup
    git(alice, "checkout", "-q", "--detach")
    a = incident(alice, clock)
    with pytest.raises(GitError, match="detached"):
        sync(alice, a.folder, a)


def test_staged_unrelated_files_stay_staged_through_a_merge(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    b = incident(bob, clock)
    clock.advance(minutes=1)
    a.set_done("T001")
    sync(alice, a.folder, a)
    (bob / "service.py").write_text("pool = 80\n")
    git(bob, "add", "service.py")
    (bob / "README.md").write_text("# service\nwip\n")
    clock.advance(minutes=1)
    b.set_done("T002")
    result = sync(bob, b.folder, b)
    assert result.ok and result.merged
    status = git(bob, "status", "--porcelain").splitlines()
    assert "A  service.py" in status and " M README.md" in status
    assert git(bob, "diff", "--cached", "--name-only").split() == ["service.py"]
    for sha in git(bob, "rev-list", "origin/main..HEAD").split():
        for f in git(bob, "show", "--name-only", "--format=", "-m", sha).split():
            assert f.startswith(FOLDER + "/"), f
    assert checked(files(bob)["tasks.md"]) == {"T001", "T002"}


def test_sync_with_nothing_new_is_quiet(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    result = sync(alice, a.folder, a)
    assert result.ok and not result.pushed and not result.committed
    assert "up to date" in result.message


def test_sync_logs_what_arrived_and_stops_there(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    b = incident(bob, clock)
    clock.advance(minutes=4)
    a.set_done("T001")
    sync(alice, a.folder, a)
    clock.advance(minutes=1)
    r = sync(bob, b.folder, b)  # a fast-forward that brings Alice's row
    assert r.ok and r.fast_forward and [x.who for x in r.arrived] == ["Alice Doe"]
    # a sync is not an event of the incident: logging it would make every sync a change
    assert not any(x.event.startswith("Sync") for x in rows(bob))
    r2 = sync(alice, a.folder, a)
    assert r2.ok and r2.arrived == []
    r3 = sync(bob, b.folder, b)
    assert r3.ok and not r3.pushed


def test_rows_span_days_with_dates(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    clock.t = T0 + timedelta(days=1, hours=1)
    a.set_done("T001")
    assert rows(alice)[-1].time == (T0 + timedelta(days=1, hours=1)).strftime("%Y-%m-%d %H:%M:%S")


# --- the merge rules, on texts -------------------------------------------------------------------


def _hotfix(**fields: str) -> str:
    text = (
        "# Hotfix: x\n\n**Severity**: [ ] P0 (a) | [x] P1 (b) | [ ] P2 (c)\n"
        "**Status**: [x] Investigating | [ ] Fix Deployed | [ ] Monitoring\n\n"
        "**Incident Start**: 2026-11-25 14:00:00 UTC\n"
        "**Detection**: [YYYY-MM-DD HH:MM:SS UTC] - [How]\n"
        "**Commit SHA**: [git commit hash]\n\n## Verification Checklist\n\n"
        "- [ ] Incident resolved (service restored)\n"
        "- [ ] Users can access affected functionality\n"
    )
    for name, value in fields.items():
        text = record.set_field(text, name.replace("_", " "), value)
    return text


def test_fields_from_both_sides_and_a_conflict_keeps_one_line():
    base = _hotfix()
    ours = _hotfix(Commit_SHA="abc1234")
    theirs = _hotfix(Detection="2026-11-25 13:58:00 UTC - pager")
    m = merge_texts(base, ours, theirs)
    assert record.get_field(m, "Commit SHA") == "abc1234"
    assert record.get_field(m, "Detection") == "2026-11-25 13:58:00 UTC - pager"
    m = merge_texts(base, _hotfix(Commit_SHA="abc1234"), _hotfix(Commit_SHA="def5678"))
    # one line per field (the projection from the merged log then decides its value)
    assert m.count("**Commit SHA**") == 1 and "<<<<<<<" not in m


def test_checklist_boxes_from_both_sides_and_no_markers():
    base = _hotfix()
    ours = base.replace("- [ ] Incident resolved", "- [x] Incident resolved")
    theirs = base.replace("- [ ] Users can access", "- [x] Users can access")
    m = merge_texts(base, ours, theirs)
    assert "- [x] Incident resolved" in m and "- [x] Users can access" in m
    assert "<<<<<<<" not in m


def test_conflicting_prose_keeps_both_sides_without_markers():
    base = _hotfix() + "\n## Notes\nfirst\n"
    ours = base.replace("first\n", "first - ours\n")
    theirs = base.replace("first\n", "first - theirs\n")
    m = merge_texts(base, ours, theirs)
    assert "first - ours" in m and "first - theirs" in m and "<<<<<<<" not in m


def test_check_then_uncheck_on_the_side_that_pulls_second(setup):
    clock, remote, alice, bob = setup
    a = incident(alice, clock)
    b = incident(bob, clock)
    clock.t = T0 + timedelta(minutes=5)
    a.set_done("T006")
    clock.t = T0 + timedelta(minutes=10)
    b.set_done("T006")
    clock.t = T0 + timedelta(minutes=20)
    a.set_done("T006", False)  # Alice's file is back to the base text for tasks.md
    b.note("T001", "unrelated")
    for root, inc in ((bob, b), (alice, a), (bob, b), (alice, a)):
        sync(root, inc.folder, inc)
    assert "T006" not in checked(files(alice)["tasks.md"])
    assert files(alice) == files(bob)


def test_a_push_the_remote_refuses_is_reported_and_kept(setup):
    clock, remote, alice, bob = setup
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    a = incident(alice, clock)
    a.set_done("T001")
    result = sync(alice, a.folder, a)
    assert not result.ok and result.rejected and not result.offline
    assert "refused" in result.message and "branch is frozen" in result.message
    assert result.unpushed == 1
    hook.unlink()
    again = sync(alice, a.folder, a)
    assert again.ok and again.pushed
    assert git(remote, "rev-parse", BRANCH).strip() == result.committed
