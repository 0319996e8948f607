"""The summary cache of `list` and `stats`: a branch copy whose blobs are unchanged
is not read again, and any change of its files or of a workflow is seen at once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from gitfix import clone, git, run
from test_catalog import B1, F1, F2, at, team  # noqa: F401 - the shared team fixture

from hotfix_tui.core.reports import catalog

WORKFLOW = Path(__file__).resolve().parents[2] / "workflows" / "hotfix.yaml"


def _rows(capsys) -> dict[str, dict]:
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    return {r["folder"]: r for r in json.loads(out)}


def _steady(rows: dict[str, dict]) -> dict[str, dict]:
    """Rows without the figures that move with the clock."""
    out = {}
    for k, r in rows.items():
        r = dict(r)
        if r.get("sla"):
            r["sla"] = {n: v for n, v in r["sla"].items() if n in ("target_seconds", "state")}
        out[k] = r
    return out


@pytest.fixture
def reads(monkeypatch) -> list[list[str]]:
    """The folders each catalog load read from git objects."""
    seen: list[list[str]] = []
    real = catalog._open_copies

    def spy(root, items, clock, memo, **kw):  # noqa: ANN001, ANN003, ANN202
        items = list(items)
        seen.append([e.path for e, _c in items])
        return real(root, items, clock, memo, **kw)

    monkeypatch.setattr(catalog, "_open_copies", spy)
    return seen


@pytest.fixture
def bob(team, tmp_path, monkeypatch):  # noqa: F811
    remote, alice = team
    bob = clone(remote, tmp_path / "bob", "Bob Roe")
    monkeypatch.chdir(bob)
    return remote, alice, bob


def test_a_second_list_reads_no_copy_and_shows_the_same_rows(bob, capsys, reads) -> None:
    first = _rows(capsys)
    assert sorted(reads[-1]) == [F1, F2]
    second = _rows(capsys)
    assert not any(reads[1:]), reads  # nothing read from git objects the second time
    assert _steady(second) == _steady(first)
    assert second[F1]["sla"]["target_seconds"] == 3600 and second[F1]["progress"]["total"] == 26


def test_a_new_commit_on_a_branch_is_read_again(bob, capsys, reads, monkeypatch) -> None:
    remote, alice, bob_root = bob
    assert _rows(capsys)[F1]["progress"]["done"] == 0
    monkeypatch.chdir(alice)
    git(alice, "switch", "-q", B1)
    code, _out, err = run(capsys, "done", "T002")
    assert code == 0, err
    git(alice, "commit", "-qam", "T002 done")
    git(alice, "push", "-q", "origin", B1)
    monkeypatch.chdir(bob_root)
    git(bob_root, "fetch", "-q")
    reads.clear()
    after = _rows(capsys)
    assert reads == [[F1]]  # only the copy whose blobs changed
    assert after[F1]["progress"]["done"] == 1


def test_a_changed_workflow_is_seen_at_once(bob, capsys, reads) -> None:
    _remote, _alice, bob_root = bob
    assert _rows(capsys)[F1]["sla"]["target_seconds"] == 3600
    team_wf = bob_root / ".hotfix" / "workflows" / "hotfix.yaml"
    team_wf.parent.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "target: 1h," in text
    team_wf.write_text(text.replace("target: 1h,", "target: 2h,"), encoding="utf-8")
    reads.clear()
    assert _rows(capsys)[F1]["sla"]["target_seconds"] == 7200
    assert sorted(reads[-1]) == [F1, F2]


def test_stats_reads_the_same_figures_from_the_cache(bob, capsys, reads, monkeypatch) -> None:
    at(monkeypatch, "2026-11-01T12:00:00Z")

    def stats() -> dict:
        code, out, err = run(capsys, "stats", "--json")
        assert code == 0, err
        data = json.loads(out)
        data.pop("now", None)
        return data

    cold = stats()
    warm = stats()
    assert not any(reads[1:])
    assert warm == cold and len(cold["incidents"]) == 2


def test_copies_summarized_in_worker_processes_show_what_one_process_shows(
    bob, capsys, monkeypatch, tmp_path
) -> None:
    from hotfix_tui.core.reports import fanout

    _remote, _alice, bob_root = bob
    cache = bob_root / ".git" / "hotfix-tui" / "summaries.json"
    monkeypatch.setattr(fanout, "MIN_ITEMS", 10**9)  # one process
    alone = _rows(capsys)
    cache.unlink()
    opened = tmp_path / "opened-by"
    real = catalog._open

    def where(entry, *args):  # noqa: ANN001, ANN002, ANN202 - the process that loads each copy
        with opened.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(entry, *args)

    monkeypatch.setattr(catalog, "_open", where)
    monkeypatch.setattr(fanout, "MIN_ITEMS", 2)
    monkeypatch.setattr(fanout, "workers", lambda: 2)
    shared = _rows(capsys)
    assert len(set(opened.read_text().split())) == 2  # each copy loaded in its own process
    assert _steady(shared) == _steady(alone)
    assert json.loads(cache.read_text())["items"]  # and the summaries were kept
    opened.unlink()
    assert _steady(_rows(capsys)) == _steady(alone) and not opened.exists()  # warm: none read


def test_the_newest_copy_rule_reads_each_commits_time_once(
    team,  # noqa: F811
    capsys,
    monkeypatch,
) -> None:
    _remote, alice = team
    asked: list[tuple[str, str]] = []
    real = catalog.branches.last_commit_time

    def spy(root, ref, path):  # noqa: ANN001, ANN202
        asked.append((ref, path))
        return real(root, ref, path)

    monkeypatch.setattr(catalog.branches, "last_commit_time", spy)
    git(alice, "switch", "-q", B1)
    at(monkeypatch, "2026-11-01T11:00:00Z")
    code, _out, err = run(capsys, "done", "T002")
    assert code == 0, err
    git(alice, "commit", "-qam", "T002 done")  # local B1 now differs from origin/B1
    git(alice, "switch", "-q", "main")
    first = _rows(capsys)
    assert {p for _r, p in asked} == {F1} and len(asked) == 2  # B1 and origin/B1
    asked.clear()
    second = _rows(capsys)
    assert asked == []  # both times kept, by commit
    assert _steady(second) == _steady(first)
    assert first[F1]["branch"] == B1 and first[F1]["progress"]["done"] == 1
    git(alice, "switch", "-q", B1)
    at(monkeypatch, "2026-11-01T12:00:00Z")
    code, _out, err = run(capsys, "done", "T003")
    assert code == 0, err
    git(alice, "commit", "-qam", "T003 done")
    git(alice, "switch", "-q", "main")
    third = _rows(capsys)
    local = git(alice, "rev-parse", B1).strip()
    assert asked == [(local, F1)]  # only the new commit's time is read
    assert third[F1]["progress"]["done"] == 2
