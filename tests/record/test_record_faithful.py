"""A team as it really works, in a seeded random order: three clones with hotfix-tui, one that
never installed it (plain `git pull`, markers committed as they come, boxes ticked and notes
typed by hand), an editor saving a stale buffer, `git pull --rebase`, `git revert`, and
`hotfix-tui sync` killed with its whole process group (git children included).

After quiet rounds the clones are byte-identical, every note typed is there exactly once (unless
a revert took it back), the log lost no line, Status and the timeline follow the tasks, and no
lock blocks a sync. The figures go to docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from gitfix import BRANCH, FOLDER, T0, FakeClock, clone, git, incident, team

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import events
from hotfix_tui.core.sync import sync
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.core.workflow.loader import resolve_workflow

SEED = int(os.environ.get("HOTFIX_FAITHFUL_SEED", "20261207"))
OPERATIONS = 160
MD = ("tasks.md", "hotfix.md", "post-mortem.md")
TASKS = ["T001", "T002", "T003", "T004", "T005", "T006", "T008", "T012", "T013", "T014", "T027"]
DATA = Path(__file__).resolve().parents[1] / ".reliability"
REFUSALS = ("is done", "already skipped", "changed it", "gone from the file")


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )


def _files(root: Path) -> dict[str, str]:
    return {n: (root / FOLDER / n).read_text() for n in MD}


def _ids(root: Path) -> set[str]:
    return {e.id for e in events.read_log(root / FOLDER)}


def _carol_pull(root: Path, counts: dict[str, int]) -> None:
    """A plain `git pull` without hotfix-tui's driver: conflicts are committed as they are."""
    out = _run(root, "pull", "-q", "--no-rebase", "--no-edit")
    if out.returncode != 0:
        if "CONFLICT" not in out.stdout + out.stderr:
            return  # offline, or nothing to pull
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-edit")
        counts["markers_committed"] += 1
    counts["plain_pulls"] += 1


def _carol_edit(root: Path, rnd: random.Random, n: int, typed: dict[str, str]) -> None:
    """Tick a box or type a note in tasks.md by hand, commit, push."""
    p = root / FOLDER / "tasks.md"
    text = p.read_text()
    if "<<<<<<<" in text:
        return  # she leaves the markers for the tool to settle
    task = rnd.choice(TASKS)
    lines = text.splitlines(keepends=True)
    for i, ln in enumerate(lines):
        if re.match(rf"^- \[[ x]\] \*\*{task}\*\*", ln):
            if rnd.random() < 0.5 and "- [ ]" in ln:
                lines[i] = ln.replace("- [ ]", "- [x]", 1)
            else:
                words = f"hand note {n} by carol"
                stamp = "2026-11-25 15:00:00 UTC"
                lines.insert(i + 1, "  - " + tasks_md.note_line(stamp, "Carol Poe", words) + "\n")
                typed[words] = "carol"
            break
    p.write_text("".join(lines))
    git(root, "commit", "-q", "-am", f"by hand {n}")
    _run(root, "push", "-q")


def _killed_command(root: Path, rnd: random.Random) -> None:
    """`hotfix-tui sync` or `commit`, its process group killed at a random moment."""
    env = {**os.environ, "HOTFIX_TUI_LOCK_TIMEOUT": "20"}
    command = rnd.choice(["sync", "sync", "commit"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix_tui.cli", command, "--spec", str(root / FOLDER)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(rnd.uniform(0.05, 0.8))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # the next command comes a minute later: a lock the kill left is stale by then (git locks
    # are judged by their age, 30 s, and by no git of the repository running)
    old = time.time() - 60
    for lock in (root / ".git").rglob("*.lock"):
        with contextlib.suppress(OSError):
            os.utime(lock, (old, old))


def _revert(root: Path, who: str, cancelled: set[str]) -> bool:
    """`git revert` of this clone's latest record commit (one hotfix-tui made: its notes are
    taken back). A revert of a revert is not tried: its cancellations are not lifted (README)."""
    log = git(
        root,
        "log",
        "--no-merges",
        "--diff-filter=M",
        "--format=%H%x1f%an%x1f%(trailers:key=Hotfix-Id,valueonly)%x1e",
        "-n40",
        "--",
        FOLDER,
    )
    sha = next(
        (
            parts[0]
            for rec in log.split("\x1e")
            if len(parts := rec.strip().split("\x1f")) == 3
            and parts[1] == who
            and parts[2].strip()
        ),
        None,
    )
    if sha is None:
        return False
    _stale_index_lock_removed(root)
    diff = git(root, "show", "--format=", sha, "--", f"{FOLDER}/events.jsonl")
    out = _run(root, "revert", "--no-edit", sha)
    if out.returncode != 0:
        _run(root, "revert", "--abort")
        return False
    for ln in diff.splitlines():
        if ln.startswith("+{"):
            obj = json.loads(ln[1:])
            if obj.get("kind") == "note":
                cancelled.add(str(obj.get("text")))
    return True


def _stale_index_lock_removed(root: Path) -> None:
    """What git's "index.lock: File exists ... remove the file manually" tells a person to do
    after a killed command (its group is gone, the lock a minute old: `_killed_command`)."""
    lock = root / ".git" / "index.lock"
    with contextlib.suppress(FileNotFoundError):
        if time.time() - lock.stat().st_mtime > 30:
            lock.unlink()


def _pull(root: Path, rnd: random.Random, counts: dict[str, int]) -> None:
    """A tool user's plain git: commit what is there, pull (merge or rebase)."""
    _stale_index_lock_removed(root)
    git(root, "add", FOLDER)
    if git(root, "status", "--porcelain", FOLDER).strip():
        git(root, "commit", "-q", "-m", "wip")
    rebase = rnd.random() < 0.5
    out = _run(root, "pull", "-q", "--rebase" if rebase else "--no-rebase", "--no-edit")
    if out.returncode != 0:
        _run(root, "rebase" if rebase else "merge", "--abort")
        counts["pulls_refused"] += 1
    counts["rebases" if rebase else "merges"] += 1


def test_a_team_with_plain_git_editors_reverts_and_kills_keeps_a_faithful_record(
    tmp_path, record_property
):
    rnd = random.Random(SEED)
    clock = FakeClock(T0)
    remote, alice, bob = team(tmp_path, clock)
    dave = clone(remote, tmp_path / "dave", "Dave Moe")
    git(dave, "switch", "-q", BRANCH)
    carol = clone(remote, tmp_path / "carol", "Carol Poe")  # never runs hotfix-tui
    git(carol, "switch", "-q", BRANCH)
    tools = [alice, bob, dave]
    names = {alice: "Alice Doe", bob: "Bob Roe", dave: "Dave Moe"}
    incs = {r: incident(r, clock) for r in tools}
    typed: dict[str, str] = {}  # note text -> who typed it
    cancelled: set[str] = set()  # notes a revert took back
    seen: set[str] = set()
    buffer: str | None = None  # Alice's editor buffer of tasks.md
    counts = dict.fromkeys(
        ("actions", "refused", "syncs", "kills", "merges", "rebases", "pulls_refused",
         "reverts", "editor_saves", "plain_pulls", "hand_edits", "markers_committed"), 0
    )
    started = time.monotonic()
    for n in range(OPERATIONS):
        clock.advance(seconds=rnd.randint(1, 40))
        roll = rnd.random()
        if roll < 0.12:
            if rnd.random() < 0.5:
                _carol_edit(carol, rnd, n, typed)
                counts["hand_edits"] += 1
            else:
                _carol_pull(carol, counts)
            continue
        root = rnd.choice(tools)
        inc = incs[root]
        inc.view.load()
        if roll < 0.55:
            task = rnd.choice(TASKS)
            op = rnd.choice(["done", "undo", "note", "note", "skip"])
            try:
                if op == "done":
                    inc.set_done(task)
                elif op == "undo":
                    inc.set_done(task, False)
                elif op == "note":
                    inc.note(task, f"note {n} by {root.name}")
                    typed[f"note {n} by {root.name}"] = root.name
                elif inc.view.find(task).skip is None and not inc.view.find(task).done:
                    inc.skip(task, f"skip {n}")
            except Exception as exc:  # noqa: BLE001 - only refusals of the CLI's own rules
                assert any(r in str(exc) for r in REFUSALS), exc
                counts["refused"] += 1
            counts["actions"] += 1
        elif roll < 0.72:
            if rnd.random() < 0.3:
                _killed_command(root, rnd)
                counts["kills"] += 1
            else:
                sync(root, inc.folder, inc)
            counts["syncs"] += 1
        elif roll < 0.82:
            _pull(root, rnd, counts)
        elif roll < 0.86:
            if _revert(root, names[root], cancelled):
                _run(root, "push", "-q")
                counts["reverts"] += 1
        else:  # Alice's editor: open the file, or save the buffer read some time ago
            p = alice / FOLDER / "tasks.md"
            if buffer is None:
                buffer = p.read_text()
            else:
                reworded = buffer.replace("Check monitoring", "Check the monitoring", 1)
                p.write_text(reworded if reworded != buffer else buffer + "\nEdited.\n")
                buffer = None
                incs[alice].repair()  # the next command
                counts["editor_saves"] += 1
        for r in tools:
            seen |= _ids(r)
    rounds = 0
    while rounds < 5:  # quiet rounds: the tool users sync, Carol pulls
        rounds += 1
        for r in tools:
            sync(r, incs[r].folder, incs[r])
        _carol_pull(carol, counts)
        _run(carol, "push", "-q")
        roots = [*tools, carol]
        if len({json.dumps(_files(r), sort_keys=True) for r in roots}) == 1 and len(
            {frozenset(_ids(r)) for r in roots}
        ) == 1:
            break
    final = _ids(alice)
    lost = seen - final
    text = _files(alice)["tasks.md"]
    missing = [t for t in typed if t not in cancelled and text.count(t) != 1]
    wf = resolve_workflow("hotfix", alice)
    incs[alice].view.load()
    doc = tasks_md.parse_tasks(text)
    done = [t.id for t in doc.tasks if t.done and t.id]
    hot = _files(alice)["hotfix.md"]
    figures = {
        "faithful_operations": OPERATIONS,
        **{f"faithful_{k}": v for k, v in counts.items()},
        "faithful_events": len(final),
        "faithful_notes": len(typed),
        "faithful_notes_reverted": len(cancelled & set(typed)),
        "faithful_lost": len(lost) + len(missing),
        "faithful_rounds": rounds,
        "faithful_seconds": round(time.monotonic() - started, 1),
    }
    DATA.mkdir(exist_ok=True)
    (DATA / "faithful.json").write_text(json.dumps(figures, indent=2) + "\n")
    for k, v in figures.items():
        record_property(k, v)
    assert not lost, f"{len(lost)} log lines lost"
    assert not missing, f"notes not present exactly once: {missing[:5]}"
    assert rounds <= 3, "the clones did not agree after three quiet rounds"
    for r in (*tools, carol):
        assert _files(r) == _files(alice), r.name
        for n in (*MD, "events.jsonl"):
            body = (r / FOLDER / n).read_text()
            assert "<<<<<<<" not in body and ">>>>>>>" not in body, (r.name, n)
        assert not (r / ".git" / "index.lock").exists()
    assert record.checked_options(hot, "Status")[-1] == lifecycle.reached(wf, done)
    for ev, label in wf.events.items():
        tasks = [d.id for d in wf.all_tasks() if ev in d.events]
        if not tasks or ev in ("incident_start", "detection"):
            continue
        filled = record.field_time(hot, label) is not None
        assert filled == any(t in done for t in tasks), (label, done)
    end = record.field_time(hot, "Incident End")
    reopens = [
        e.happened_at
        for e in events.read_log(alice / FOLDER)
        if e.kind == "reopen" and e.task == "T013"
    ]
    if end is not None and reopens and "T013" in done:  # nobody kept a time on purpose
        assert end >= max(reopens) - timedelta(seconds=1), (end, max(reopens))
