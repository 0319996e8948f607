"""The log never loses a line: each clone keeps every event line it has seen (under
`.git/hotfix-tui/seen/`), and a line that vanished from `events.jsonl` is appended again.

When a commit's own diff removed it (a `git revert`, a committed hand deletion), a `revert` event
credited to that commit's author cancels it, with an id made from the commit and the event, so
every clone makes the same one; lines lost to rewritten history (reset, amend, force-push) are
only restored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix_tui.core.hashing import sha256
from hotfix_tui.core.record import journal
from hotfix_tui.core.record.credit import commit_event, commit_event_id
from hotfix_tui.core.record.events import LOG, Event
from hotfix_tui.core.record.kinds import REVERT


@dataclass
class Restored:
    """What a check of the log found: events to append (restored lines, then revert events)."""

    events: list[Event] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(e.line() for e in self.events)


def _files(root: Path | None, folder: Path) -> tuple[Path, Path, Path]:
    """The seen lines, their ids (one a line) and the state of the last check, per branch: a
    line another branch's copy holds never vanished from this one (a `git switch` is not a loss)."""
    from hotfix_tui.core.git.repo import current_branch

    branch = current_branch(root) or "HEAD"
    tag = sha256(branch.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    base = str(journal.home(root, folder) / "seen" / f"{journal.folder_key(folder)}-{tag}")
    return Path(base + ".jsonl"), Path(base + ".ids"), Path(base + ".state.json")


def log_sig(folder: Path) -> list[int] | None:
    """The log file's size, mtime and inode: a change of any says someone else changed it."""
    try:
        st = os.stat(folder / LOG)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _head(root: Path | None) -> str:
    if root is None:
        return ""
    from hotfix_tui.core.git.repo import head_commit

    return head_commit(root) or ""


def _state(root: Path | None, folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_files(root, folder)[2].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def settled(root: Path | None, folder: Path) -> bool:
    """Nothing changed the log since this clone last checked it (a stat): a `git revert`,
    `reset`, `pull` or `checkout` of it rewrites the file; a commit of ours leaves it alone."""
    st = _state(root, folder)
    return st is not None and st.get("sig") == log_sig(folder)


def unsettle(root: Path | None, folder: Path) -> None:
    """Have the next write check the log and the commits since the last check in full (after a
    merge that kept lines one side's commit removed, the file may be unchanged)."""
    st = _state(root, folder)
    if st is not None:
        _save(root, folder, {**st, "sig": None})


def _save(root: Path | None, folder: Path, state: dict[str, Any]) -> None:
    p = _files(root, folder)[2]
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f"{p.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, p)
    except OSError:
        pass  # the next write checks the log in full


def revert_id(sha: str, ref: str) -> str:
    """The id of the event cancelling event `ref` removed by commit `sha` (the same everywhere)."""
    return commit_event_id(sha, _revert_tail(ref))


def _revert_tail(ref: str) -> str:
    digest = sha256(ref.encode("utf-8", "surrogateescape")).hexdigest()
    return f"revert-{digest[:12]}"


def _read_ids(root: Path | None, folder: Path) -> set[str]:
    try:
        text = _files(root, folder)[1].read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return set()
    return set(text.split("\n")) - {""}


def _add(root: Path | None, folder: Path, events: Iterable[Event]) -> None:
    """Keep events as seen (their lines, then their ids: a line without its id is seen again)."""
    keep = [e for e in events if "\n" not in e.id and "\r" not in e.id]
    if not keep:
        return
    lines, ids, _ = _files(root, folder)
    try:
        lines.parent.mkdir(parents=True, exist_ok=True)
        for path, data in (
            (lines, "".join(e.line() for e in keep)),
            (ids, "".join(e.id + "\n" for e in keep)),
        ):
            with open(path, "a", encoding="utf-8", errors="surrogateescape") as f:
                f.write(data)
    except OSError:
        pass  # without it a vanished line is not known to have been here


def _forget(root: Path | None, folder: Path) -> None:
    for p in _files(root, folder):
        p.unlink(missing_ok=True)


def _seen_events(root: Path | None, folder: Path, wanted: set[str]) -> dict[str, Event]:
    """The kept events with the ids `wanted`."""
    out: dict[str, Event] = {}
    try:
        with open(_files(root, folder)[0], encoding="utf-8", errors="surrogateescape") as f:
            for raw in f:
                ev = _event(raw)
                if ev is not None and ev.id in wanted and ev.id not in out:
                    out[ev.id] = ev
    except OSError:
        pass
    return out


def _event(raw: str) -> Event | None:
    try:
        obj = json.loads(raw)
        return Event.from_json(obj) if isinstance(obj, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def check(root: Path | None, folder: Path, events: list[Event]) -> Restored:
    """Under the incident's lock, with the log's `events`: what vanished from it since this clone
    last saw it, to append again, and the revert events of the commits that removed lines."""
    st = _state(root, folder)
    if st is not None and st.get("sig") == log_sig(folder):
        return Restored()
    if not events:  # no log (removed, or a folder of an earlier version): a new one starts
        _forget(root, folder)
        return Restored()
    head = _head(root)
    seen = _read_ids(root, folder)
    ids = {e.id for e in events}
    _add(root, folder, (e for e in events if e.id not in seen))
    vanished = seen - ids
    out = Restored()
    reverts: list[Event] = []
    from_diff: dict[str, Event] = {}
    since = st.get("head") if st is not None else None
    if root is not None and head and since != head:
        from hotfix_tui.core.git.history import line_removals

        rel = (folder / LOG).resolve().relative_to(root.resolve()).as_posix()
        known = {e.id for e in events if e.kind == REVERT}
        for rm in line_removals(root, rel, since or None):
            added = {ev.id for raw in rm.added if (ev := _event(raw)) is not None}
            gone = [ev for raw in rm.removed if (ev := _event(raw)) is not None]
            mine = []
            for ev in gone:
                rid = revert_id(rm.sha, ev.id)
                if ev.id in added or rid in known:
                    continue
                known.add(rid)
                tail = _revert_tail(ev.id)
                mine.append(
                    commit_event(REVERT, rm.sha, tail, rm.author, rm.when, ref=ev.id, commit=rm.sha)
                )
                if ev.id not in ids:
                    vanished.add(ev.id)
                    from_diff.setdefault(ev.id, ev)
            if mine:
                reverts += mine
                out.messages.append(
                    f"{len(mine)} event(s) of the log were removed by commit {rm.sha[:7]} "
                    f"({rm.author}): kept, and shown as reverted in {rm.sha[:7]} by {rm.author}"
                )
    if vanished:
        found = {**from_diff, **_seen_events(root, folder, vanished)}
        back = sorted(found.values(), key=lambda e: e.order)
        out.events += back
        if back:
            out.messages.insert(
                0,
                f"{folder / LOG}: {len(back)} event line(s) had vanished from the log (a git "
                "revert, reset or hand edit); appended again - the log only grows",
            )
    out.events += sorted(reverts, key=lambda e: e.order)
    _add(root, folder, (e for e in out.events if e.id not in seen))
    return out


def remember(
    root: Path | None, folder: Path, final: list[Event], new: list[Event], expected: int
) -> None:
    """After a write: keep the events it appended as seen and the log's state as checked.

    `expected` is the number of events the log holds if no one else appended meanwhile."""
    _add(root, folder, new)
    if len(final) != expected:  # another writer appended too: keep what it wrote as well
        seen = _read_ids(root, folder)
        _add(root, folder, (e for e in final if e.id not in seen))
    _save(root, folder, {"sig": log_sig(folder), "head": _head(root)})
