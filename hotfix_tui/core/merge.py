"""Task-aware three-way merge of an incident's files (base = merge base, ours, theirs).

Skeletons merge line by line with `git merge-file --union`; the slots they leave merge by rule.
"""

# Each file is split into a skeleton (the text with checkbox marks blanked, field values emptied,
# notes and log rows taken out) and its slots (marks, values, notes, rows). The skeletons are
# merged line by line with `git merge-file` (union on a conflict, so no marker is ever written and
# no line is lost); the slots are merged by rule:
#
# - a task's checkbox: the latest done/reopened event in the post-mortem log rows either side
#   added wins; without such rows a plain three-way choice, and checked wins when no base exists;
# - notes and skip marks of a task: kept from both sides (a line removed on one side is removed),
#   in time order; log rows likewise, sorted by time, without duplicates;
# - severity: a one-sided change stands; when both changed, the higher severity wins (logged);
#   status: when both changed, the one further along the lifecycle wins;
# - other fields: a filled value beats a placeholder; two different filled values keep ours and
#   log theirs in the Notes column.

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import TypeVar

from . import record, tasks_md
from .clocks import parse_time

_T = TypeVar("_T")

TASKS, HOTFIX, POSTMORTEM = "tasks.md", "hotfix.md", "post-mortem.md"
ROWS_SENTINEL = "<!-- hotfix-tui: log rows -->"
_BOX_LINE = re.compile(r"\[[ xX]\]")
_NOTE_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\*\*(?:Note|Skipped)\*\*\s+\(")
_TASK_EVENT = re.compile(r"^(?P<id>[A-Za-z]+-?\d+) (?P<verb>done|reopened)\b")
DEFAULT_SEVERITIES = ("P0", "P1", "P2")


@dataclass
class MergeOutcome:
    """The merged texts, the rows to log about the merge, and what arrived from the other side."""

    files: dict[str, str | None]
    log: list[tuple[str, str]] = field(default_factory=list)  # (event, notes)
    arrived: list[record.LogRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Rules:
    """Severity and status order used to settle conflicting header values."""

    severities: tuple[str, ...] = DEFAULT_SEVERITIES
    statuses: tuple[str, ...] = ()
    day: datetime | None = None  # the incident start: the date of `HH:MM:SS` log rows


# --- line merge ---------------------------------------------------------------------------------


def merge_lines(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    """Three-way merge of texts with `git merge-file`; on a conflict both sides' lines are kept."""
    if ours == theirs or base == theirs:
        return ours, True
    if base == ours:
        return theirs, True
    with tempfile.TemporaryDirectory(prefix="hotfix-tui-merge-") as d:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = os.path.join(d, name)
            with open(p, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            paths.append(p)
        out = subprocess.run(
            ["git", "merge-file", "-p", *paths], capture_output=True, timeout=60, check=False
        )
        if out.returncode == 0:
            return out.stdout.decode("utf-8"), True
        out = subprocess.run(
            ["git", "merge-file", "-p", "--union", *paths],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if out.returncode < 0 or out.returncode > 127:
            return ours, False
        return out.stdout.decode("utf-8"), False


# --- small helpers ------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return tasks_md.split_lines(text)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def three_way(b: _T, o: _T, t: _T, *, no_base: Callable[[_T, _T], _T] | None = None) -> _T:
    """The plain three-way choice; `no_base(o, t)` decides when both changed."""
    if o == t:
        return o
    if o == b:
        return t
    if t == b:
        return o
    return no_base(o, t) if no_base else o


def _keep_set(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Items in both sides or added by one; an item of base removed by either side is dropped."""
    b, o, t = set(base), set(ours), set(theirs)
    out: list[str] = []
    for item in ours + theirs:
        if item in out:
            continue
        if (item in o and item in t) or (item not in b):
            out.append(item)
    return out


def row_time(cell: str, day: datetime | None, last: datetime | None) -> datetime | None:
    """The time of a log row: `YYYY-MM-DD HH:MM[:SS]`, or `HH:MM[:SS]` on the incident's day."""
    full = parse_time(cell)
    if full is not None:
        return full
    m = re.match(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?", cell or "")
    if not m:
        return last
    d = (day or datetime(1970, 1, 1, tzinfo=UTC)).date()
    try:
        t = time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    except ValueError:
        return last
    return datetime.combine(d, t, tzinfo=UTC)


# --- log rows -------------------------------------------------------------------------------------


def _row_key(r: record.LogRow) -> tuple[str, str, str, str]:
    return (r.time, r.event, r.who, r.notes)


def rows_of(text: str | None) -> list[record.LogRow]:
    table = record.log_table(text or "")
    return table[0] if table else []


def added_rows(base: str | None, side: str | None) -> list[record.LogRow]:
    """Real rows a side has that the base does not."""
    seen = {_row_key(r) for r in rows_of(base)}
    return [r for r in rows_of(side) if not r.placeholder and _row_key(r) not in seen]


def merge_rows(
    base: list[record.LogRow],
    ours: list[record.LogRow],
    theirs: list[record.LogRow],
    day: datetime | None,
) -> list[record.LogRow]:
    """Rows of both sides, real ones sorted by time, then the placeholders left; no duplicates."""
    by_key: dict[tuple[str, str, str, str], record.LogRow] = {}
    for r in ours + theirs:
        by_key.setdefault(_row_key(r), r)
    keep = _keep_set(
        [str(_row_key(r)) for r in base],
        [str(_row_key(r)) for r in ours],
        [str(_row_key(r)) for r in theirs],
    )
    keys = {str(k): k for k in by_key}
    rows = [by_key[keys[k]] for k in keep]
    real = [r for r in rows if not r.placeholder]
    ph = [r for r in rows if r.placeholder]
    last: datetime | None = None
    keyed = []
    for i, r in enumerate(real):
        t = row_time(r.time, day, last)
        last = t or last
        keyed.append((t or datetime.min.replace(tzinfo=UTC), i, r))
    keyed.sort(key=lambda x: (x[0], x[1]))
    return [r for _, _, r in keyed] + ph


def task_events(
    rows: list[record.LogRow], day: datetime | None
) -> dict[str, tuple[datetime, bool]]:
    """The latest done/reopened event per task ID in a list of rows."""
    out: dict[str, tuple[datetime, bool]] = {}
    last = None
    for r in rows:
        t = row_time(r.time, day, last)
        last = t or last
        m = _TASK_EVENT.match(r.event)
        if m and t is not None:
            prev = out.get(m.group("id"))
            if prev is None or t >= prev[0]:
                out[m.group("id")] = (t, m.group("verb") == "done")
    return out


# --- header values ------------------------------------------------------------------------------


def _filled(value: str | None) -> bool:
    if value is None:
        return False
    opts = record.checkbox_options(value)
    if opts:
        return any(checked for _, checked, _ in opts)
    return not record.is_placeholder(value)


def _severity_of(value: str, order: tuple[str, ...]) -> str | None:
    v = value.strip()
    if v in order:
        return v
    checked = [label for label, c, _ in record.checkbox_options(value) if c]
    for key in order:
        if any(label == key or label.startswith(key + " ") for label in checked):
            return key
    return None


def _status_rank(value: str, statuses: tuple[str, ...]) -> int:
    checked = [label.lower() for label, c, _ in record.checkbox_options(value) if c]
    rank = -1
    for i, s in enumerate(statuses):
        if any(label.startswith(s.lower()) for label in checked):
            rank = i
    return rank


def decide_field(
    name: str,
    b: str | None,
    o: str | None,
    t: str | None,
    rules: Rules,
    out: MergeOutcome,
    logged: set[str],
) -> str | None:
    """The merged value of one `**Name**: value` field (see the module docstring)."""
    if o == t or t is None:
        return o
    if o is None:
        return t
    if o == b:
        return t
    if t == b:
        return o
    if name == "Severity":
        so, st = _severity_of(o, rules.severities), _severity_of(t, rules.severities)
        if so and st:
            win = o if rules.severities.index(so) <= rules.severities.index(st) else t
            if "Severity" not in logged:
                logged.add("Severity")
                out.log.append(
                    (
                        f"Severity merged: {so} (ours) and {st} (theirs) -> "
                        f"{min(so, st, key=rules.severities.index)}",
                        "the higher severity wins",
                    )
                )
            return win
    if name == "Status" and rules.statuses:
        return o if _status_rank(o, rules.statuses) >= _status_rank(t, rules.statuses) else t
    if _filled(o) and not _filled(t):
        return o
    if _filled(t) and not _filled(o):
        return t
    key = f"field:{name}"
    if key not in logged:
        logged.add(key)
        out.log.append((f"Merge kept our {name}", f"theirs: {t.strip()}"))
    return o


# --- record files (hotfix.md, post-mortem.md) ---------------------------------------------------


@dataclass
class _Split:
    skeleton: str
    fields: dict[str, str]
    boxes: dict[tuple[str, int], tuple[bool, ...]]
    rows: list[record.LogRow]


def _split_record(text: str) -> _Split:
    flds = record.fields(text)
    field_lines = {f.line for f in flds.values()}
    table = record.log_table(text)
    row_lines: set[int] = set()
    rows: list[record.LogRow] = []
    if table:
        rows = table[0]
        row_lines = {r.line for r in rows}
    out: list[str] = []
    boxes: dict[tuple[str, int], tuple[bool, ...]] = {}
    seen: dict[str, int] = {}
    by_line = {f.line: f for f in flds.values()}
    fence = ""
    sentinel_done = False
    for i, raw in enumerate(_lines(text)):
        body = _body(raw)
        eol = raw[len(body) :]
        stripped = body.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence == stripped[:3] else (fence or stripped[:3])
        if i in row_lines:
            if not sentinel_done:
                out.append(ROWS_SENTINEL + (eol or "\n"))
                sentinel_done = True
            continue
        if i in field_lines:
            f = by_line[i]
            # empty the value, keep the rest of the line
            start = body.find("**" + f.name + "**:")
            vstart = start + len(f.name) + 5
            if vstart < len(body) and body[vstart] in " \t":
                vstart += 1
            out.append(body[:vstart] + eol)
            continue
        if not fence and _BOX_LINE.search(body):
            key_line = _BOX_LINE.sub("[ ]", body)
            n = seen.get(key_line, 0)
            seen[key_line] = n + 1
            boxes[(key_line, n)] = tuple(m.group(0)[1] in "xX" for m in _BOX_LINE.finditer(body))
            out.append(key_line + eol)
            continue
        out.append(raw)
    if table and not sentinel_done:  # a table with a header and no rows yet
        lines = out
        insert = table[2] - (len(row_lines))
        lines.insert(insert, ROWS_SENTINEL + _newline(text))
    return _Split("".join(out), {n: f.value for n, f in flds.items()}, boxes, rows)


def _merge_boxes(
    b: tuple[bool, ...] | None, o: tuple[bool, ...] | None, t: tuple[bool, ...] | None
) -> tuple[bool, ...]:
    """The checkbox marks of one line (several boxes possible) merged mark by mark."""
    n = max(len(x) for x in (o, t) if x is not None)
    res = []
    for i in range(n):
        bi = b[i] if b is not None and i < len(b) else None
        oi = o[i] if o is not None and i < len(o) else None
        ti = t[i] if t is not None and i < len(t) else None
        if oi is None:
            res.append(bool(ti))
        elif ti is None:
            res.append(bool(oi))
        elif bi is None:
            res.append(oi or ti)
        else:
            res.append(three_way(bi, oi, ti))
    return tuple(res)


def merge_record(
    base: str | None,
    ours: str,
    theirs: str,
    rules: Rules,
    out: MergeOutcome,
    logged: set[str],
    extra_rows: list[tuple[str, str, str, str]] | None = None,
) -> str:
    """Merge hotfix.md or post-mortem.md (fields, checkbox lines, the log table, the prose)."""
    sb, so, st = _split_record(base or ""), _split_record(ours), _split_record(theirs)
    skel, clean = merge_lines(sb.skeleton, so.skeleton, st.skeleton)
    if not clean:
        out.warnings.append("both sides edited the same lines; both versions were kept")
    nl = _newline(ours)
    # fields: fill values into the merged skeleton
    fl = record.fields(skel)
    for name in reversed(sorted(fl, key=lambda n: fl[n].start)):
        f = fl[name]
        value = decide_field(
            name,
            sb.fields.get(name) if base is not None else None,
            so.fields.get(name),
            st.fields.get(name),
            rules,
            out,
            logged,
        )
        if value is None:
            continue
        skel = skel[: f.start] + value + skel[f.end :]
    # checkbox lines
    lines = _lines(skel)
    seen: dict[str, int] = {}
    fence = ""
    for i, raw in enumerate(lines):
        body = _body(raw)
        stripped = body.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence == stripped[:3] else (fence or stripped[:3])
            continue
        if fence or body.startswith(ROWS_SENTINEL) or not _BOX_LINE.search(body):
            continue
        if _BOX_LINE.sub("[ ]", body) != body and record.fields(body):
            continue
        n = seen.get(body, 0)
        seen[body] = n + 1
        key = (body, n)
        if key not in so.boxes and key not in st.boxes:
            continue
        marks = _merge_boxes(
            sb.boxes.get(key) if base is not None else None,
            so.boxes.get(key),
            st.boxes.get(key),
        )
        it = iter(marks)
        new = _BOX_LINE.sub(lambda _m, it=it: "[x]" if next(it, False) else "[ ]", body)
        lines[i] = new + raw[len(body) :]
    skel = "".join(lines)
    # log rows
    if ROWS_SENTINEL in skel:
        merged = merge_rows(sb.rows, so.rows, st.rows, rules.day)
        texts = [
            record.format_row(*_row_key(r))
            if r not in so.rows and r not in st.rows
            else _raw_row(r, so, st, ours, theirs)
            for r in merged
        ]
        skel = skel.replace(ROWS_SENTINEL + nl, "".join(t + nl for t in texts), 1)
        skel = skel.replace(ROWS_SENTINEL, nl.join(texts), 1)
    return skel


def _raw_row(r: record.LogRow, so: _Split, st: _Split, ours: str, theirs: str) -> str:
    src = ours if any(x is r for x in so.rows) else theirs
    return _body(_lines(src)[r.line])


# --- tasks.md -------------------------------------------------------------------------------------


@dataclass
class _TasksSplit:
    skeleton: str
    done: dict[str, bool]
    notes: dict[str, list[str]]  # task key -> note lines (raw, without line ending)
    severity: str | None


def _split_tasks(text: str) -> _TasksSplit:
    doc = tasks_md.parse_tasks(text)
    owner: dict[int, str] = {}
    for t in doc.tasks:
        for i in range(t.line + 1, t.end_line + 1):
            owner[i] = t.key
    chars = list(text)
    for t in doc.tasks:
        if t.check_offset >= 0:
            chars[t.check_offset] = " "
    sev = doc.fields.get("Severity")
    severity = None
    if sev is not None:
        severity = sev.value
        for k in range(sev.start, sev.end):
            chars[k] = "\0"
    blank = "".join(chars).replace("\0", "")
    lines = _lines(blank)
    out: list[str] = []
    notes: dict[str, list[str]] = {}
    for i, raw in enumerate(lines):
        body = _body(raw)
        if i in owner and _NOTE_LINE.match(body):
            notes.setdefault(owner[i], []).append(body)
            continue
        out.append(raw)
    return _TasksSplit("".join(out), {t.key: t.done for t in doc.tasks}, notes, severity)


def _note_time(line: str) -> datetime:
    m = re.search(r"\*\*(?:Note|Skipped)\*\*\s+\(([^,()]*)", line)
    t = parse_time(m.group(1)) if m else None
    return t or datetime.min.replace(tzinfo=UTC)


def merge_tasks(
    base: str | None,
    ours: str,
    theirs: str,
    rules: Rules,
    out: MergeOutcome,
    logged: set[str],
    events: dict[str, tuple[datetime, bool]],
) -> str:
    """Merge tasks.md: checkboxes by the latest logged event, notes from both sides."""
    sb = _split_tasks(base or "") if base is not None else None
    so, st = _split_tasks(ours), _split_tasks(theirs)
    skel, clean = merge_lines(sb.skeleton if sb else "", so.skeleton, st.skeleton)
    if not clean:
        out.warnings.append("tasks.md: both sides edited the same lines; both versions were kept")
    doc = tasks_md.parse_tasks(skel)
    # severity header
    sev = doc.fields.get("Severity")
    if sev is not None:
        value = decide_field(
            "Severity", sb.severity if sb else None, so.severity, st.severity, rules, out, logged
        )
        if value is not None:
            skel = skel[: sev.start] + value + skel[sev.end :]
            doc = tasks_md.parse_tasks(skel)
    # checkboxes
    chars = list(skel)
    for t in doc.tasks:
        if t.check_offset < 0:
            continue
        b = sb.done.get(t.key) if sb else None
        o, th = so.done.get(t.key), st.done.get(t.key)
        ev = events.get(t.id or "") if t.id else None
        if ev is not None and (o != th or b is None or o != b):
            done = ev[1]
        elif o is None or th is None:
            done = bool(o or th)
        elif b is None:
            done = o or th
        else:
            done = three_way(b, o, th)
        chars[t.check_offset] = "x" if done else " "
    skel = "".join(chars)
    doc = tasks_md.parse_tasks(skel)
    # notes: insert after each task's last line, bottom-up
    lines = _lines(skel)
    nl = doc.newline
    for t in sorted(doc.tasks, key=lambda x: x.end_line, reverse=True):
        kept = _keep_set(
            (sb.notes.get(t.key, []) if sb else []),
            so.notes.get(t.key, []),
            st.notes.get(t.key, []),
        )
        if not kept:
            continue
        kept.sort(key=_note_time)
        at = t.end_line + 1
        if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += nl
        lines[at:at] = [n + nl for n in kept]
    return "".join(lines)


# --- the incident -------------------------------------------------------------------------------


def merge_incident(
    base: dict[str, str | None],
    ours: dict[str, str | None],
    theirs: dict[str, str | None],
    rules: Rules | None = None,
) -> MergeOutcome:
    """Merge the incident files of both sides; `files` has every name of either side."""
    rules = rules or Rules()
    out = MergeOutcome(files={})
    logged: set[str] = set()
    if rules.day is None:
        for side in (ours, theirs):
            t = record.field_time(side.get(HOTFIX) or "", "Incident Start")
            if t is not None:
                rules.day = t
                break
    pm_b, pm_o, pm_t = base.get(POSTMORTEM), ours.get(POSTMORTEM), theirs.get(POSTMORTEM)
    ours_new = added_rows(pm_b, pm_o)
    theirs_new = added_rows(pm_b, pm_t)
    ours_keys = {_row_key(r) for r in ours_new}
    out.arrived = [r for r in theirs_new if _row_key(r) not in ours_keys]
    events = task_events(
        sorted(
            ours_new + theirs_new,
            key=lambda r: row_time(r.time, rules.day, None) or datetime.min.replace(tzinfo=UTC),
        ),
        rules.day,
    )
    ours_ev = task_events(ours_new, rules.day)
    theirs_ev = task_events(theirs_new, rules.day)
    names = [n for n in (HOTFIX, TASKS, POSTMORTEM) if n in ours or n in theirs]
    names += [n for n in {*ours, *theirs} if n not in names]
    for name in names:
        b, o, t = base.get(name), ours.get(name), theirs.get(name)
        if o is None or t is None:
            out.files[name] = o if t is None else t  # one side has it: never drop it
            continue
        if o == t:
            out.files[name] = o
            continue
        # in tasks.md a side that checked and unchecked a task (text unchanged) still counts
        if t == b and (name != TASKS or not theirs_ev):
            out.files[name] = o
            continue
        if o == b and (name != TASKS or not ours_ev):
            out.files[name] = t
            continue
        if name == TASKS:
            out.files[name] = merge_tasks(b, o, t, rules, out, logged, events)
        elif name in (HOTFIX, POSTMORTEM):
            out.files[name] = merge_record(b, o, t, rules, out, logged)
        else:
            merged, clean = merge_lines(b or "", o, t)
            if not clean:
                out.warnings.append(f"{name}: both sides edited the same lines; both kept")
            out.files[name] = merged
    return out
