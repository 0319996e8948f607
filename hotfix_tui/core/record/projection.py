"""The record as a pure function of the event log: replay the events, then project the markdown.

Only what the events decide is written (checkboxes, notes, skips, fields, timeline rows); the rest
of each file, the text people wrote, is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import attrgetter

from hotfix_tui.core.clocks import format_time, parse_time
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import causal, kinds
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.kinds import CREATED, DONE, FIX_COMMIT, REOPEN, REVERT, SKIP
from hotfix_tui.core.record.state import Replay, Row, State, TaskState, Timeline
from hotfix_tui.core.workflow import lifecycle
from hotfix_tui.core.workflow.lifecycle import is_closed
from hotfix_tui.core.workflow.model import Workflow, severity_ids

TASKS = "tasks.md"
HOTFIX = "hotfix.md"
POSTMORTEM = "post-mortem.md"

# Placeholder rows of the post-mortem timeline that a recorded event replaces.
EVENT_ROWS: dict[str, str] = {
    "incident_start": "Incident began",
    "detection": "First detection",
    "investigation_start": "Investigation started",
    "root_cause_identified": "Root cause identified",
    "fix_deployed": "Fix deployed",
    "incident_end": "Verification complete",
}
CLOSED_ROW = "Incident closed"  # the placeholder row a final status replaces

FollowupItem = tuple[str, str, str, str]  # ref, title, owner, due
DroppedItem = tuple[str, str, str, str, str]  # ... and the placeholder it had replaced
_ORDER = attrgetter("recorded", "id")  # Event.order, without a call per event


def reverted(events: Sequence[Event]) -> dict[str, Event]:
    """The ids of the events a `revert` event cancels (a revert cancelled in turn cancels none)."""
    reverts = [e for e in events if e.kind == REVERT]
    if not reverts:
        return {}
    named = {str(e.get("ref")) for e in reverts}
    return {str(e.get("ref")): e for e in reverts if e.id not in named}


def replay(events: Iterable[Event], wf: Workflow | None) -> State:
    """Apply events in recorded order, each by its kind's rule (`kinds.py`), each fact settled
    in causal order. Status and the timeline are derived from the tasks' effective states."""
    r = Replay(wf)
    st = r.st
    get = kinds.KINDS.get
    ordered = sorted(events, key=_ORDER)
    st.reverted = cancelled = reverted(ordered)
    ids = kinds.pinned(e for e in ordered if e.kind == kinds.IDS and e.id not in cancelled)
    if ids:
        ordered = [kinds.renamed(e, ids) for e in ordered]
    for ev in ordered:
        st.events.append(ev)
        if cancelled and (ev.id in cancelled or ev.kind == REVERT):
            continue  # kept for the timeline, decides nothing
        if ev.get("placeholders") is not None:
            st.placeholders = [str(x) for x in ev.get("placeholders")]
        ref = ev.task
        ts = None
        if ref is not None:
            ts = st.tasks.setdefault(ref, TaskState())
            ts.touched = True
        kind = get(ev.kind)
        if kind is not None:
            kind.apply(r, ev, ts)
    for fact, heads in r.front.heads.items():
        if not fact.startswith("task:"):
            continue
        ts = st.tasks.setdefault(fact[5:], TaskState())
        best, lost = kinds.settle_task(heads)
        ts.decided_by = best
        ts.done = best is not None and best.kind == DONE
        ts.skip = best if best is not None and best.kind == SKIP else None
        if ts.done and any(h.kind == REOPEN for h in heads):
            ts.done_at = best.happened_at if best else None  # never a time from before a reopen
        elif ts.done:
            ts.done_at = min(r.done_time[h.id] for h in heads if h.kind == DONE)
        for skip in lost:  # a skip overruled by a concurrent change: its reason stays a note
            ts.notes[skip.id] = kinds.overruled_skip(skip)
    sev_heads = r.front.heads.get(kinds.SEVERITY)
    if sev_heads:
        won = causal.settle_severity(sev_heads, list(severity_ids(wf)))
        st.severity = won.get("value") if won is not None else st.severity
    status_heads = r.front.heads.get(kinds.STATUS) or []
    _settle_status(st, wf, status_heads, r.last_task_change, r.created_status)
    return st


def one_task(events: Iterable[Event], wf: Workflow | None, ref: str) -> TaskState:
    """What the events say of one task: the replay of its own events (by its key or an old id
    pinned to it, and the reverts and pins), which is what the whole replay says of it (no rule
    of a task reads another task's events)."""
    evs = list(events)
    olds = {old for old, new in kinds.pinned(evs).items() if new == ref}
    mine = [e for e in evs if e.kind in (REVERT, kinds.IDS) or e.task == ref or e.task in olds]
    return replay(mine, wf).task(ref)


def _settle_status(
    st: State,
    wf: Workflow | None,
    heads: list[Event],
    last_task_change: tuple[str, str] | None,
    created: str | None,
) -> None:
    """Status is what the done tasks reach, unless a later manual status (not contradicted by
    the tasks) is in force; a task change after it recomputes."""
    latest = max(heads, key=_ORDER) if heads else None
    done = [ref for ref, ts in st.tasks.items() if ts.done]
    if wf is None or not wf.statuses:
        st.status = (latest.get("value") if latest is not None else None) or created
        return
    derived = lifecycle.reached(wf, done)
    st.status = derived
    if latest is None or (last_task_change is not None and last_task_change > latest.order):
        return
    value = str(latest.get("value") or "")
    if value not in wf.statuses:
        return
    why = "" if latest.get("seed") else lifecycle.contradiction(wf, value, done)
    if why:
        st.status_refused = f"the status {value} set by {latest.who or 'someone'}: {why}"
        return
    st.status = value
    if value != derived:
        st.status_set = latest


# --- facts derived from the state -----------------------------------------------------------


def event_times(st: State, wf: Workflow | None) -> dict[str, datetime]:
    """The time of each workflow event: start, detection, and the done tasks that record one."""
    out: dict[str, datetime] = {}
    start_ev = wf.clock.starts_at if wf else "incident_start"
    if st.start is not None:
        out[start_ev] = st.start
        out.setdefault("incident_start", st.start)
    if st.detection is not None:
        out["detection"] = st.detection[0]
    if wf is None:
        return out
    for ref, ts in st.tasks.items():
        d = wf.task(ref)
        if d is None or not ts.done or ts.done_at is None:
            continue
        for ev in d.events:
            if ev in out and ev not in ("incident_start", "detection"):
                out[ev] = min(out[ev], ts.done_at)
            elif ev not in out:
                out[ev] = ts.done_at
    return out


# --- tasks.md -------------------------------------------------------------------------------


_NO_STATE = TaskState()  # what the events say of a task they never name (never changed)


def note_text(ev: Event) -> str:
    """The sub-item text a note or skip event projects to."""
    stamp = ev.get("stamp") or format_time(ev.happened_at)
    who = ev.get("by", ev.who)
    make = tasks_md.skip_line if ev.kind == SKIP else tasks_md.note_line
    return make(stamp, who or None, ev.get("text") or ev.get("note") or "")


_SUB_RE = re.compile(r"^( *)[-*+] \*\*(?:Note|Skipped)\*\* \(")


def _is_sub(body: str, indent: int) -> bool:
    """A note or skip sub-item line at a task's child indent."""
    m = _SUB_RE.match(body)
    return m is not None and len(m.group(1)) == indent


def _noted(doc: tasks_md.TasksDoc, line: int, end: int) -> bool:
    """Whether a line of a task's sub-items (lines line+1..end) looks like a note or skip."""
    starts = doc.line_starts
    seg = doc.text[starts[line + 1] : starts[end + 1] if end + 1 < len(starts) else None]
    return "**Note**" in seg or "**Skipped**" in seg


def _to_project(doc: tasks_md.TasksDoc, st: State) -> Iterable[tasks_md.Task]:
    """The tasks of `doc` that `project_tasks` must look at: all of a parsed doc; of one made
    from columns (its tasks not made yet), only those whose checkbox, title, notes or skip may
    differ from the state, so that the others are never made."""
    if doc.tasks_made:
        yield from doc.tasks
        return
    cols = tasks_md.doc_data(doc)[6]
    keys, ids, titles, dones, lines, ends = (cols[i] for i in (0, 1, 2, 3, 4, 11))
    noted = set(tasks_md.doc_data(doc)[8][0])  # tasks with a note or skip in the file
    get = st.tasks.get
    by_line = line_states(st)
    for i, key in enumerate(keys):
        ts = get(ids[i] or key) or get(key) or by_line.get(lines[i]) or _NO_STATE
        if (
            not ts.notes
            and ts.skip is None
            and dones[i] == ts.done
            and not (ts.title and titles[i] and titles[i] != ts.title)
            and (ends[i] == lines[i] or (i not in noted and not _noted(doc, lines[i], ends[i])))
        ):
            continue  # what the loop of project_tasks would skip without a change
        yield doc.task_at(i)


def line_states(st: State) -> dict[int, TaskState]:
    """The states of tasks named `L<n>` (an older version's key, not pinned by an `ids` event),
    by the 0-based line they name in the text being projected."""
    out = {}
    for ref, ts in st.tasks.items():
        m = tasks_md._LINE_KEY_RE.fullmatch(ref)
        if m is not None:
            out[int(m.group(1)) - 1] = ts
    return out


def task_state(st: State, task: tasks_md.Task, by_line: dict[int, TaskState]) -> TaskState:
    """What the events say of a task: by its ID or key, else by the `L<n>` of its line."""
    get = st.tasks.get
    return get(task.id or task.key) or get(task.key) or by_line.get(task.line) or _NO_STATE


def _start(line_starts: Sequence[int], i: int) -> int:
    """Where line i starts in the text, a BOM included (the parse starts line 0 after it)."""
    return line_starts[i] if i else 0


def project_tasks(text: str, st: State, severity_field: bool = True) -> str:
    """tasks.md with each task's checkbox, notes and skip mark as the events say."""
    doc = tasks_md.parse_tasks(text)
    if not doc.task_count and hf.SEVERITY not in doc.fields and not doc.choices:
        return text
    lines = list(doc.lines)
    starts = doc.line_starts  # where each line starts (line 0: after a BOM, see _start)
    delete: set[int] = set()
    insert: dict[int, list[str]] = {}
    checks: dict[str, bool] = {}  # checkboxes changed (key -> done)
    retitled = False
    edited: list[str] = []  # keys of the tasks whose sub-items change
    by_line = line_states(st)
    for task in _to_project(doc, st):
        ts = task_state(st, task, by_line)
        if ts.title and task.title and task.title != ts.title:
            i = task.line
            at = lines[i].rfind(task.title)
            if at >= 0:
                lines[i] = lines[i][:at] + ts.title + lines[i][at + len(task.title) :]
                retitled = True
        if task.check_offset >= 0 and task.done != ts.done:
            i = task.line
            off = task.check_offset - _start(starts, i)
            ln = lines[i]
            lines[i] = ln[:off] + ("x" if ts.done else " ") + ln[off + 1 :]
            checks[task.key] = ts.done
        if not ts.notes and ts.skip is None:
            if task.end_line == task.line:
                continue  # no sub-item lines in the file and none wanted
            if not task.notes and task.skip is None and not _noted(doc, task.line, task.end_line):
                continue  # none wanted, and no line of its sub-items looks like one
        subs = sorted([*ts.notes.values(), *([ts.skip] if ts.skip else [])], key=lambda e: e.order)
        indent = task.child_indent if task.child_indent is not None else task.content_indent
        want: list[str] = []  # the lines wanted, without their indent
        written: list[str] = []  # ... and as written
        for e in subs:
            first, *more = note_text(e).split("\n")
            want += ["- " + first, *more]
            written += [" " * indent + "- " + first, *(" " * (indent + 2) + m for m in more)]
        # a note or skip spans one line per line of its text
        subs_now = (*task.notes, *([task.skip] if task.skip else []))
        known = {n.line: n.text.count("\n") for n in subs_now}
        mine_lines: list[int] = []
        have: list[str] = []
        i = task.line + 1
        while i <= task.end_line:
            if i in known or _is_sub(tasks_md._body(lines[i]), indent):
                span = min(known.get(i, 0), task.end_line - i)
                mine_lines += range(i, i + span + 1)
                have.append("-" + tasks_md._body(lines[i]).lstrip(" ")[1:])
                have += (tasks_md._body(lines[j]).lstrip(" ") for j in range(i + 1, i + span + 1))
                i += span + 1
            else:
                i += 1
        if have == want:
            continue
        mine = set(mine_lines)
        delete |= mine
        last = max(
            (i for i in range(task.line, task.end_line + 1) if i not in mine), default=task.line
        )
        while last > task.line and not tasks_md._body(lines[last]).strip():
            last -= 1
        insert.setdefault(last, []).extend(written)
        edited.append(task.key)
    for c in doc.choices:  # a group set by an event: that option's box ticked, the others not
        chosen = st.choices.get(c.key)
        if chosen is None:
            continue
        for opt, ticked, off, i in zip(c.options, c.ticked, c.offsets, c.lines, strict=True):
            if ticked != (opt == chosen):
                at = off - _start(starts, i)
                lines[i] = lines[i][:at] + ("x" if opt == chosen else " ") + lines[i][at + 1 :]
                retitled = True  # a group's box: the text is parsed again
    if severity_field and st.severity and hf.SEVERITY in doc.fields:
        f = doc.fields[hf.SEVERITY]
        value = hf.severity_value(f.value, st.severity)  # in the field's own form
        if value != f.value and f.value.strip() != st.severity:
            i = f.line
            a, b = f.start - _start(starts, i), f.end - _start(starts, i)
            lines[i] = lines[i][:a] + value + lines[i][b:]
            retitled = True  # not a task's checkbox: the text must be parsed again
    if not delete and not insert:
        if not checks and not retitled:
            return text
        out_text = "".join(lines)
        if checks and not retitled:
            # only checkboxes changed: their doc is the parse of the new text, made without one
            done = doc.with_checks(checks)
            if done.text == out_text:
                tasks_md.remember(done)
        return out_text
    nl = doc.newline
    if len(edited) == 1 and not checks and not retitled:
        spliced = _splice(doc, edited[0], lines, delete, insert)
        if spliced is not None:
            return spliced
    out: list[str] = []
    for i, ln in enumerate(lines):
        if i not in delete:
            out.append(ln)
        extra = insert.get(i)
        if extra:
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += nl
            out.extend(x + nl for x in extra)
            if i == len(lines) - 1 and not ln.endswith(("\n", "\r")):
                out[-1] = out[-1][: -len(nl)]
    return "".join(out)


def _splice(
    doc: tasks_md.TasksDoc,
    key: str,
    lines: list[str],
    delete: set[int],
    insert: dict[int, list[str]],
) -> str | None:
    """The new text of one task's changed sub-items as one splice of lines (its parse derived
    from `doc`, see `tasks_md.splice`); None when a line involved has no line ending."""
    a = min([*delete, *(i + 1 for i in insert)])
    b = max([*(i + 1 for i in delete), *(i + 1 for i in insert)])
    if not all(ln.endswith(("\n", "\r")) for ln in lines[a - 1 : b]):
        return None
    mid: list[str] = []
    for i in range(a - 1, b):
        if i >= a and i not in delete:
            mid.append(lines[i])
        mid.extend(x + doc.newline for x in insert.get(i, ()))
    while a < b and mid and mid[0] == lines[a]:  # only what differs is spliced
        a += 1
        mid.pop(0)
    while a < b and mid and mid[-1] == lines[b - 1]:
        b -= 1
        mid.pop()
    return tasks_md.splice(doc, key, a, b, mid)


# --- hotfix.md ------------------------------------------------------------------------------


def project_hotfix(text: str, st: State, wf: Workflow | None) -> str:
    """hotfix.md with Severity, Status, the timeline fields and the fix commit as the events say."""
    if not text:
        return text
    text = hf.set_header(text, st.severity, st.status, wf)
    flds = record.fields(text)
    times = event_times(st, wf)
    start_label = hf.start_label(wf)
    for ev, label in hf.timeline(wf).items():
        if not label or label not in flds:
            continue
        if label == start_label and "start" not in st.touched:
            continue  # no event names the start: what the file says stays
        if ev == "detection" and st.detection is not None:
            text = hf.set_detection(text, label, *st.detection)
        else:
            text = hf.set_time(text, label, times.get(ev))
    text = _resolution(text, st, wf, times)
    if "fix" in st.touched:
        text = hf.set_commit(text, st.fix[0] if st.fix else None)
        if st.fix:
            text = rollback(text, st, "## Rollback")
    return text


def rollback(text: str, st: State, section: str) -> str:
    """The `git revert` line of a rollback section names the recorded fix commit."""
    from hotfix_tui.core.record.fill import fill_rollback

    if st.fix is None:
        return text
    sha = st.fix[0]
    olds = {str(e.get("sha")) for e in st.events if e.kind == FIX_COMMIT and e.get("sha")}
    for old in sorted(olds - {sha}) or [""]:
        text = fill_rollback(text, sha, previous=old, section=section)
    return text


def _resolution(text: str, st: State, wf: Workflow | None, times: dict[str, datetime]) -> str:
    """Total Duration and SLA Breach follow the clock: filled once it stops, placeholders before."""
    if wf is None:
        return text
    start, end = times.get(wf.clock.starts_at), times.get(wf.clock.stops_at)
    sev = wf.severity(st.severity)
    secs = (end - start).total_seconds() if start is not None and end is not None else None
    return hf.set_resolution(text, secs, sev.target_seconds if sev is not None else None)


# --- post-mortem.md -------------------------------------------------------------------------


def rows(st: State, wf: Workflow | None, titles: Callable[[str], str]) -> list[Row]:
    """One timeline row for every event, in its kind's words (seeded state events excepted:
    their rows are seeded); an event a commit reverted says so."""
    out: list[Row] = []
    t = Timeline(st, wf, titles)
    of = kinds.of
    for ev in st.events:
        line = of(ev).timeline(t, ev)
        if line is None:
            continue
        when, cells = line
        rev = st.reverted.get(ev.id)
        if rev is not None:
            sha = str(rev.get("commit") or "")[:7]
            cells = (f"{cells[0]} (reverted in {sha} by {rev.who})", *cells[1:])
        out.append(
            Row(when, ev.order, (cells[0], cells[1], cells[2], ""), ev.get("time"), ev.get("raw"))
        )
    out.sort(key=lambda r: (r.when, r.order))
    return out


def row_line(r: Row, st: State) -> str:
    """The table line of a projected row."""
    if r.raw:
        return r.raw
    time = r.time_cell if r.time_cell is not None else record.log_time(r.when, st.start)
    return record.format_row(time, *r.cells[:3])


def replaced_placeholders(st: State, wf: Workflow | None) -> set[str]:
    """Names of the template's placeholder rows that recorded events have replaced: `Incident
    began` by the creation's row only, the others by a time some event (not a seed: the
    folder's own rows stay) gave."""
    names: set[str] = set()
    if any(e.kind == CREATED for e in st.events):
        names.add(EVENT_ROWS["incident_start"])
    times = event_times(st, wf)
    seeded = _seeded_times(st, wf)
    for ev in times:
        if ev in EVENT_ROWS and ev != "incident_start" and ev not in seeded:
            names.add(EVENT_ROWS[ev])
    if is_closed(st.status, wf):
        names.add(CLOSED_ROW)
    return {n.lower() for n in names}


def _seeded_times(st: State, wf: Workflow | None) -> set[str]:
    """The workflow events whose times only seeds gave (what the folder said before its log)."""
    out: set[str] = set()
    latest = {e.kind: e for e in st.events if e.kind == kinds.DETECTION}
    det = latest.get(kinds.DETECTION)
    if st.detection is not None and det is not None and det.get("seed"):
        out.add("detection")
    if wf is None:
        return out
    given: set[str] = set()
    for ref, ts in st.tasks.items():
        d = wf.task(ref)
        if d is None or not ts.done:
            continue
        by_seed = ts.decided_by is not None and bool(ts.decided_by.get("seed"))
        (out if by_seed else given).update(d.events)
    return out - given


def project_postmortem(
    text: str, st: State, wf: Workflow | None, titles: Callable[[str], str]
) -> str:
    """post-mortem.md with the timeline table's rows projected from the events."""
    table = record.log_table(text)
    if table is None:
        return text
    found, header, end = table
    lines = record.iter_lines(text)
    first = header + 1
    if (
        first < len(lines)
        and set(lines[first][1].strip()) <= set("|-: ")
        and lines[first][1].strip()
    ):
        first += 1
    gone = replaced_placeholders(st, wf)
    template = (
        st.placeholders
        if st.placeholders is not None
        else [lines[r.line][1] for r in found if r.placeholder]
    )
    placeholders = [ln for ln in template if _row_event(ln).lower() not in gone]
    body = [row_line(r, st) for r in rows(st, wf, titles)]
    new_rows = body + placeholders
    old_rows = [lines[i][1] for i in range(first, end)]
    if new_rows == old_rows:
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    start_off = lines[first][0] if first < len(lines) else len(text)
    end_off = lines[end][0] if end < len(lines) else len(text)
    tail = text[start_off:end_off]
    block = "".join(r + nl for r in new_rows)
    if end >= len(lines) and not tail.endswith(("\n", "\r")) and block:
        block = block[: -len(nl)]
    if first >= len(lines) and text and not text.endswith(("\n", "\r")):
        block = nl + block
    return text[:start_off] + block + text[end_off:]


def _row_event(line: str) -> str:
    cells = record._cells(line) + ["", ""]
    return cells[1]


def placeholder_rows(text: str) -> list[str]:
    """The template's placeholder rows of a post-mortem timeline table, as lines."""
    table = record.log_table(text)
    if table is None:
        return []
    lines = record.iter_lines(text)
    return [lines[r.line][1] for r in table[0] if r.placeholder]


def task_titles(tasks_text: str) -> Callable[[str], str]:
    """A lookup of task titles by ID or key in a tasks.md text."""
    return tasks_md.titles(tasks_text)


# The last projections made: (file texts, event ids, workflow) -> the projected files.
_PROJECTED: list[tuple[tuple[object, ...], Workflow | None, dict[str, str | None]]] = []
_PROJECTED_MAX = 4


def project(
    files: dict[str, str | None],
    events: Iterable[Event],
    wf: Workflow | None,
    linked: bool = False,
) -> dict[str, str | None]:
    """Every file of the folder as the events say; a missing file stays missing. `linked`:
    tasks.md is hotfix.md (upstream's symlink), one text projected as both.

    The same files and events give the same result, which is kept for the next call."""
    evs = list(events)
    ids = tuple(e.id for e in evs)
    key = (tuple(sorted(files.items())), ids, linked)
    for k, w, out in _PROJECTED:
        if w is wf and k == key:
            return dict(out)
    out = _project(files, evs, wf, linked)
    _remember((key, wf, out))
    # the projection is its own fixpoint: projecting what it wrote changes nothing
    _remember(((tuple(sorted(out.items())), ids, linked), wf, out))
    return dict(out)


def _remember(entry: tuple[tuple[object, ...], Workflow | None, dict[str, str | None]]) -> None:
    _PROJECTED.append(entry)
    del _PROJECTED[:-_PROJECTED_MAX]


def _project(
    files: dict[str, str | None], events: Iterable[Event], wf: Workflow | None, linked: bool
) -> dict[str, str | None]:
    st = replay(events, wf)
    out = dict(files)
    tasks = files.get(TASKS)
    if tasks is not None:
        out[TASKS] = rollback(project_tasks(tasks, st), st, "")
    hot = files.get(HOTFIX)
    if linked and out.get(TASKS) is not None and hot is not None:
        # one file: its boxes as the tasks are, then its fields on that text
        out[TASKS] = out[HOTFIX] = project_hotfix(out[TASKS] or "", st, wf)
    elif hot is not None:
        out[HOTFIX] = project_hotfix(hot, st, wf)
    pm = files.get(POSTMORTEM)
    if pm is not None:
        pm = project_postmortem(pm, st, wf, task_titles(out.get(TASKS) or ""))
        out[POSTMORTEM] = project_followups(pm, st)
    return out


def followups(st: State) -> tuple[list[FollowupItem], list[DroppedItem]]:
    """The follow-ups the log adds and the ones dropped since, as (ref, title, owner, due);
    a ref two clones both took goes to the earlier recorded, the later gets the next free."""
    made: list[Event] = []
    drops: list[Event] = []
    for e in st.events:  # in recorded order
        if e.kind == kinds.FOLLOWUP and e.id not in st.reverted and e.get("ref"):
            (drops if e.get("drop") else made).append(e)
    def dropped(e: Event) -> bool:
        return any(d.get("ref") == e.get("ref") and d.get("title") == e.get("title")
                   and d.order > e.order for d in drops)

    live = [e for e in made if not dropped(e)]  # a dropped item holds no ref (a redo takes it)
    proposed = [str(e.get("ref")) for e in live]
    taken: set[str] = set()
    kept: list[FollowupItem] = []
    gone: list[DroppedItem] = []
    for e in made:
        item = (str(e.get("ref")), str(e.get("title") or ""), str(e.get("owner") or ""),
                str(e.get("due") or ""))
        if dropped(e):
            gone.append((*item, str(e.get("holder") or "")))
            continue
        ref = item[0]
        if ref in taken:
            from hotfix_tui.core.markdown import action_items  # (only with follow-ups)

            ref = action_items.next_ref([*taken, *proposed])
        taken.add(ref)
        kept.append((ref, *item[1:]))
    return kept, gone


def project_followups(text: str, st: State) -> str:
    """post-mortem.md with the log's follow-ups written under `## Action Items`."""
    kept, dropped = followups(st)
    if not kept and not dropped:
        return text
    from hotfix_tui.core.markdown import action_items  # (a log without follow-ups: never)

    return action_items.place(text, kept, dropped)


def parse_row_time(cell: str, day: datetime | None, last: datetime | None) -> datetime | None:
    """The time of a row's Time cell (`HH:MM[:SS]` on the start's day, or a full date)."""
    full = parse_time(cell)
    if full is not None:
        return full
    import re

    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*", cell or "")
    if not m or day is None:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    t = day.replace(hour=h, minute=mi, second=s, microsecond=0)
    if last is not None and t < last and (last - t).total_seconds() > 12 * 3600:
        from datetime import timedelta

        t += timedelta(days=1)
    return t
