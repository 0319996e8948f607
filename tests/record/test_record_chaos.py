"""Five clones of one incident through a bare remote, in a seeded random order: actions, syncs,
plain `git pull`, a write racing a sync in the same clone, and SIGKILLed commands.

Nothing recorded is ever lost, and after at most two quiet sync rounds every clone holds the
same events and byte-identical markdown. The figures go to docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from gitfix import BRANCH, FOLDER, T0, FakeClock, clone, git, incident, team

from hotfix_tui.core.record import events
from hotfix_tui.core.sync import sync

SEED = 20261130
CLONES = 5
OPERATIONS = 120
KILLS = 6
MD = ("tasks.md", "hotfix.md", "post-mortem.md")
TASKS = ["T001", "T002", "T003", "T004", "T005", "T006", "T008", "T012", "T013", "T014"]
DATA = Path(__file__).resolve().parents[1] / ".reliability"


def _ids(root: Path) -> set[str]:
    return {e.id for e in events.read_log(root / FOLDER)}


def _files(root: Path) -> dict[str, str]:
    return {n: (root / FOLDER / n).read_text() for n in MD}


def _no_markers(root: Path) -> None:
    for n in (*MD, "events.jsonl"):
        text = (root / FOLDER / n).read_text()
        assert "<<<<<<<" not in text and ">>>>>>>" not in text, (root.name, n)


def _killed_command(root: Path, rnd: random.Random, n: int) -> None:
    """A `hotfix-tui note` killed at a random moment (before, during or after its write)."""
    env = {**os.environ, "HOTFIX_TUI_LOCK_TIMEOUT": "20"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hotfix_tui.cli",
            "note",
            rnd.choice(TASKS),
            f"killed {n}",
            "--spec",
            str(root / FOLDER),
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rnd.uniform(0.05, 0.6))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_five_clones_converge_and_lose_nothing(tmp_path, record_property):
    rnd = random.Random(SEED)
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    roots = [alice, bob]
    for i in range(CLONES - 2):
        root = clone(remote, tmp_path / f"eng{i}", f"Engineer {i}")
        git(root, "switch", "-q", BRANCH)
        roots.append(root)
    incs = [incident(r, clock) for r in roots]
    seen: set[str] = set()
    counts = {"actions": 0, "syncs": 0, "pulls": 0, "races": 0, "kills": 0, "refused": 0}
    kill_at = set(rnd.sample(range(OPERATIONS), KILLS))
    started = time.monotonic()
    for n in range(OPERATIONS):
        clock.advance(seconds=rnd.randint(1, 40))
        i = rnd.randrange(CLONES)
        root, inc = roots[i], incs[i]
        inc.view.load()
        roll = rnd.random()
        if n in kill_at:
            _killed_command(root, rnd, n)
            counts["kills"] += 1
        elif roll < 0.55:
            task = rnd.choice(TASKS)
            op = rnd.choice(["done", "undo", "note", "note", "skip"])
            try:
                if op == "done":
                    inc.set_done(task)
                elif op == "undo":
                    inc.set_done(task, False)
                elif op == "note":
                    inc.note(task, f"note {n} by {root.name}")
                elif inc.view.find(task).skip is None and not inc.view.find(task).done:
                    inc.skip(task, f"skip {n}")
            except Exception as exc:  # noqa: BLE001 - only refusals of the CLI's own rules
                assert "is done" in str(exc) or "already skipped" in str(exc), exc
                counts["refused"] += 1
            counts["actions"] += 1
        elif roll < 0.85:
            if rnd.random() < 0.25:  # a write from another window of this clone during the sync
                other = incident(root, clock)
                t = threading.Thread(target=other.note, args=(rnd.choice(TASKS), f"race {n}"))
                t.start()
                sync(root, inc.folder, inc)
                t.join(timeout=60)
                counts["races"] += 1
            else:
                sync(root, inc.folder, inc)
            counts["syncs"] += 1
        else:  # plain git, as people do: commit what is there, pull, carry on
            git(root, "add", FOLDER)
            if git(root, "status", "--porcelain", FOLDER).strip():
                git(root, "commit", "-q", "-m", f"wip {n}")
            git(root, "pull", "-q", "--no-rebase", "--no-edit")
            _no_markers(root)
            inc.repair()
            counts["pulls"] += 1
        seen |= _ids(root)
    # quiet rounds: nobody acts, everyone syncs; at most two rounds to agree
    rounds = 0
    while rounds < 4:  # a round: every clone syncs once, in the same order
        rounds += 1
        for root, inc in zip(roots, incs, strict=True):
            sync(root, inc.folder, inc)
        files = {json.dumps(_files(r), sort_keys=True) for r in roots}
        if len(files) == 1 and len({frozenset(_ids(r)) for r in roots}) == 1:
            break
    for inc in incs:  # the next command in each clone: a write killed mid-way leaves nothing
        inc.repair()
    final = _ids(alice)
    lost = seen - final
    figures = {
        "chaos_operations": OPERATIONS,
        "chaos_syncs": counts["syncs"] + CLONES * rounds,
        "chaos_pulls": counts["pulls"],
        "chaos_kills": counts["kills"],
        "chaos_races": counts["races"],
        "chaos_events": len(final),
        "chaos_lost": len(lost),
        "chaos_rounds": rounds,
        "chaos_seconds": round(time.monotonic() - started, 1),
    }
    DATA.mkdir(exist_ok=True)
    (DATA / "chaos.json").write_text(json.dumps(figures, indent=2) + "\n")
    for k, v in figures.items():
        record_property(k, v)
    assert not lost, f"{len(lost)} events lost"
    assert rounds <= 2, "the clones did not agree after two quiet sync rounds"
    for root in roots:
        _no_markers(root)
        assert _files(root) == _files(alice), root.name
        assert _ids(root) == final
        assert not [p for p in (root / FOLDER).iterdir() if p.name.endswith((".lock", ".tmp"))]
