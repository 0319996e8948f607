"""The live team view's core: a teammate's pushed changes merged into the folder without a
checkout (core/live.py), then a normal sync; two real clones through a bare remote."""

from __future__ import annotations

import gitfix
from gitfix import git

from hotfix_tui.core import live
from hotfix_tui.core import sync as core_sync
from hotfix_tui.core.record.events import parse_log


def test_hand_edits_a_teammate_pushed_arrive_beside_local_uncommitted_ones(tmp_path, clock):
    _remote, alice, bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    inc.set_done("T001")  # Alice's change, not committed
    head = git(alice, "rev-parse", "HEAD")
    # Bob, without hotfix-tui: ticks T003 by hand and adds a line to the post-mortem
    folder = bob / gitfix.FOLDER
    tasks = folder / "tasks.md"
    tasks.write_text(tasks.read_text().replace("- [ ] **T003**", "- [x] **T003**"))
    pm = folder / "post-mortem.md"
    pm.write_text(pm.read_text() + "\nBob: the pool size was halved by the last deploy.\n")
    git(bob, "commit", "-qam", "tick T003, a note")
    git(bob, "push", "-q")

    came = live.incoming(alice, inc.folder, inc.workflow)
    assert not came.blocked and came.events
    live.take_in(inc, came)
    text = (inc.folder / "tasks.md").read_text()
    assert "- [x] **T003**" in text and "- [x] **T001**" in text
    assert "pool size was halved" in (inc.folder / "post-mortem.md").read_text()
    assert git(alice, "rev-parse", "HEAD") == head
    assert not live.incoming(alice, inc.folder, inc.workflow).events  # nothing twice
    # the sync afterwards merges without duplicating an event or a line
    assert core_sync.sync(alice, inc.folder, inc).ok
    log = (inc.folder / "events.jsonl").read_text()
    ids = [e.id for e in parse_log(log)[0]]
    assert len([ln for ln in log.splitlines() if ln.strip()]) == len(set(ids))
    assert (inc.folder / "post-mortem.md").read_text().count("pool size was halved") == 1
    assert "- [x] **T003**" in (inc.folder / "tasks.md").read_text()


def _hold_commits(root, held, go) -> None:
    """A pre-commit hook that says it runs (`held`) and waits until `go` exists: a real sync
    stopped while it holds the incident's and the repository's locks."""
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"touch '{held}'\n"
        f"n=0; while [ ! -f '{go}' ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done\n"
    )
    hook.chmod(0o755)


def _folder_bytes(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_take_in_skips_while_a_sync_holds_the_lock_and_loses_no_event(tmp_path, clock):
    import threading

    _remote, alice, bob = gitfix.team(tmp_path, clock)
    inc = gitfix.incident(alice, clock)
    inc.set_done("T001")  # Alice's change, not committed (no auto_commit)
    theirs = gitfix.incident(bob, clock)
    theirs.set_done("T003")
    theirs.note("T003", "pool size halved by the last deploy")
    git(bob, "add", "-A")
    git(bob, "commit", "-qm", "T003 done")
    git(bob, "push", "-q")
    came = live.incoming(alice, inc.folder, inc.workflow)
    assert came.events and not came.blocked

    held, go = tmp_path / "held", tmp_path / "go"
    _hold_commits(alice, held, go)
    synced: list[object] = []
    syncer = gitfix.incident(alice, clock)  # the sync's own incident object, as `hotfix-tui sync`
    worker = threading.Thread(
        target=lambda: synced.append(core_sync.sync(alice, syncer.folder, syncer)), daemon=True
    )
    worker.start()
    try:
        for _ in range(600):  # the hook runs inside the sync's commit
            if held.exists() or not worker.is_alive():
                break
            threading.Event().wait(0.05)
        assert held.exists(), synced
        before = _folder_bytes(inc.folder)
        took: list[object] = []
        taker = threading.Thread(target=lambda: took.append(live.take_in(inc, came)), daemon=True)
        taker.start()
        taker.join(10)
        assert took == [None]  # busy: nothing taken in, tried again at the next interval
        assert _folder_bytes(inc.folder) == before  # nothing written during the sync
    finally:
        go.touch()
        worker.join(60)
    assert synced and synced[0].ok
    # what was read before the sync is stale now: taking it in writes nothing
    before = _folder_bytes(inc.folder)
    assert not live.take_in(inc, came)
    assert _folder_bytes(inc.folder) == before
    # the next interval reads again: nothing left to take, no event lost or doubled
    again = live.incoming(alice, inc.folder, inc.workflow)
    assert not again.events
    log = (inc.folder / "events.jsonl").read_text()
    evs = parse_log(log)[0]
    assert len(evs) == len({e.id for e in evs})
    mine = {e.id for e in parse_log((theirs.folder / "events.jsonl").read_text())[0]}
    assert mine <= {e.id for e in evs}
    text = (inc.folder / "tasks.md").read_text()
    assert "- [x] **T001**" in text and "- [x] **T003**" in text
    assert "pool size halved" in text
