"""The incident's append-only event log (`events.jsonl`): the one source of truth of the record.

Each line is one JSON object; git merges the file by line union, readers drop duplicate ids.
"""

from __future__ import annotations

import json
import json.scanner
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hotfix_tui.core.record.event import Event as Event
from hotfix_tui.core.record.event import iso as iso
from hotfix_tui.core.record.event import parse_iso as parse_iso
from hotfix_tui.core.record.kinds import problem

LOG = "events.jsonl"
ATTRIBUTES = ".gitattributes"
# committed inside the incident folder, so that every clone merges the folder the same way
ATTRIBUTES_TEXT = (
    "# hotfix-tui: the event log merges by line union; the markdown through hotfix-tui's driver\n"
    f"{LOG} merge=union\n"
    "*.md merge=hotfix-tui\n"
)
_TICK = timedelta(microseconds=1)
# the ids of the events this process appended: a watcher tells its own writes from others'
_WRITTEN_HERE: set[str] = set()
# one JSON value at an index, at C speed (typeshed types the scanner's context as itself)
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


# The last log text read and what it held: a log only grows, so the next read parses the tail.
# (text, path, events, problems, lines)
_LAST: tuple[str, str, list[Event], list[str], int] | None = None


def parse_log(text: str, path: str = LOG) -> tuple[list[Event], list[str]]:
    """Events of a log text in recorded order (duplicate ids dropped) and problems found.

    A torn last line (no newline, not JSON: a write cut short) is ignored; other bad lines (an
    event whose times or payload its kind does not accept: `kinds.problem`) and git conflict
    markers are reported as `FILE:LINE: ...` and skipped.
    """
    global _LAST
    last = _LAST
    if last is not None and last[1] == path and text.startswith(last[0]):
        prev, _, events, problems, lines_before = last
        if len(text) == len(prev):
            return list(events), list(problems)
        if prev.endswith("\n"):  # whole lines were added: parse only them
            seen = {e.id: e for e in events}
            more, more_problems, n = _parse_lines(text[len(prev) :], path, lines_before, seen)
            merged = sorted(seen.values(), key=lambda e: e.order) if more else list(events)
            _LAST = (text, path, merged, [*problems, *more_problems], lines_before + n)
            return list(merged), [*problems, *more_problems]
    seen = {}
    _, found, n = _parse_lines(text, path, 0, seen)
    events = sorted(seen.values(), key=lambda e: e.order)
    _LAST = (text, path, events, found, n)
    return list(events), list(found)


def kept_copy(text: str) -> str:
    """The log text the last `parse_log` kept when it equals `text`, else `text`: a reader that
    holds on to the text then shares that one copy (the log grows all day)."""
    last = _LAST
    if last is not None and last[0] is not text and len(last[0]) == len(text) and last[0] == text:
        return last[0]
    return text


def _parse_lines(
    text: str, path: str, offset: int, seen: dict[str, Event]
) -> tuple[bool, list[str], int]:
    """Add the events of `text` (its first line is line `offset + 1`) to `seen` unless their id is
    there already; returns (any added, problems, lines counted)."""
    problems: list[str] = []
    added = False
    lines = text.split("\n")
    for no, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s:
            continue
        if s.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
            continue  # a merge without the union attribute: both sides' lines are kept
        try:
            obj, end = _scan(s, 0)  # what json.loads(s) reads, without its per-call layers
            if end != len(s) or not isinstance(obj, dict):
                raise ValueError("not one JSON object")
            ev = Event.from_json(obj)
        except (ValueError, KeyError, TypeError, StopIteration):
            if no == len(lines):
                continue  # torn final line
            problems.append(f"{path}:{offset + no}: not an event line (expected one JSON object)")
            continue
        wrong = problem(ev)
        if wrong is not None:
            problems.append(f"{path}:{offset + no}: {wrong}; fix the line or remove it")
            continue
        if ev.id not in seen:
            seen[ev.id] = ev
            added = True
    return added, problems, len(lines) - 1


def ids(text: str) -> set[str]:
    """The ids of a log text's event lines (another text than the log read: not kept)."""
    out: set[str] = set()
    for raw in text.split("\n"):
        try:
            obj = json.loads(raw)
        except ValueError:
            continue  # blank, torn or conflict-marker lines
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            out.add(obj["id"])
    return out


def read_log(folder: Path) -> list[Event]:
    """The events of an incident folder in recorded order ([] when there is no log)."""
    p = folder / LOG
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse_log(text, str(p))[0]


def log_exists(folder: Path) -> bool:
    return (folder / LOG).exists()


def remember_written(events: Iterable[Event]) -> None:
    """Note events as appended by this process (see `written_here`)."""
    _WRITTEN_HERE.update(e.id for e in events)


def written_here(ev: Event) -> bool:
    """Whether this process appended the event (not another process or clone)."""
    return ev.id in _WRITTEN_HERE


def append(folder: Path, events: Iterable[Event], aside: Path | None = None) -> str | None:
    """Append events to the log and fsync before returning (write-ahead of every projection).

    A torn last line is set aside first (see `set_aside_torn`); returns the message saying so."""
    events = list(events)
    data = "".join(e.line() for e in events)
    if not data:
        return None
    said = set_aside_torn(folder, aside)
    append_text(folder, data)
    remember_written(events)
    ensure_attributes(folder)
    return said


def append_text(folder: Path, data: str) -> None:
    """Append whole lines to the log (a last line without its newline gets one) and fsync."""
    p = folder / LOG
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(p, "rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    data = "\n" + data  # a whole event whose newline was cut: it stays an event
        os.write(fd, data.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_at(fd: int, n: int, offset: int) -> bytes:
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, n)


def _last_line(fd: int, size: int) -> int:
    """Where the last line of the file starts (after its last newline; 0 without one)."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        chunk = _read_at(fd, end - start, start)
        at = chunk.rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def is_event_line(raw: bytes | str) -> bool:
    """Whether a line of the log is one whole event (one JSON object with an id and a kind)."""
    try:
        obj = json.loads(raw)
        Event.from_json(obj)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return isinstance(obj, dict)


def torn_file(folder: Path, root: Path | None = None) -> Path:
    """Where this clone keeps the torn lines of a folder's log: never in the work tree."""
    from hotfix_tui.core.git.repo import find_root
    from hotfix_tui.core.record.journal import folder_key, home

    return home(root or find_root(folder), folder) / f"torn-{folder_key(folder)}.jsonl"


def set_aside_torn(folder: Path, aside: Path | None = None) -> str | None:
    """Move a torn last line of the log (no newline, not an event: a writer killed mid-line) to
    `aside` (default `torn_file`), so it is never committed; returns the message saying so."""
    p = folder / LOG
    try:
        fd = os.open(p, os.O_RDWR)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if not size or _read_at(fd, 1, size - 1) == b"\n":
            return None
        start = _last_line(fd, size)
        tail = _read_at(fd, size - start, start)
        if not tail.strip() or is_event_line(tail):
            return None
        aside = aside or torn_file(folder)
        aside.parent.mkdir(parents=True, exist_ok=True)
        with open(aside, "ab") as f:
            f.write(tail + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.ftruncate(fd, start)
        os.fsync(fd)
    finally:
        os.close(fd)
    return (
        f"{p}: its last line was cut short (a write killed mid-way) and is not an event; "
        f"set aside in {aside} (kept on this clone, never committed)"
    )


def ensure_attributes(folder: Path) -> None:
    """Write the folder's `.gitattributes` (merge rules) when it is missing."""
    p = folder / ATTRIBUTES
    if not p.exists():
        p.write_text(ATTRIBUTES_TEXT, encoding="utf-8")


class Recorder:
    """Makes events for one clone and person: unique ids, recorded times never going back."""

    def __init__(self, clone: str, who: str) -> None:
        self.clone = clone or os.urandom(4).hex()
        self.who = who
        self._seq = 0

    def make(
        self,
        kind: str,
        now: datetime,
        after: Iterable[Event] = (),
        *,
        happened: datetime | None = None,
        event_id: str | None = None,
        **data: Any,
    ) -> Event:
        """A new event recorded at `now`, or just after the newest event in `after` if later."""
        last = max((e.recorded for e in after), default="")
        recorded = iso(now)
        if last and recorded <= last:
            recorded = iso(parse_iso(last) + _TICK)
        self._seq += 1
        kind = str(kind)  # a declaration (`kinds.DONE`) or its name: the event holds the name
        eid = event_id or f"{recorded}-{self.clone}-{self._seq:04d}-{os.urandom(3).hex()}"
        clean = {k: v for k, v in data.items() if v is not None}
        when = happened or now.replace(microsecond=0)  # shown to the second; order is `recorded`
        return Event(eid, kind, recorded, iso(when), self.who, self.clone, clean)
