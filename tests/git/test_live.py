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
