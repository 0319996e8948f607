"""Turn what the files say into events: a first log seeded from a folder, and hand edits.

A fact in a file that differs from the projection of the log becomes an event, never reverted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hotfix_tui.core.clocks import parse_time
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.events import Event
from hotfix_tui.core.record.projection import (
    HOTFIX,
    POSTMORTEM,
    TASKS,
    event_times,
    line_states,
    note_text,
    parse_row_time,
    placeholder_rows,
    replay,
    row_line,
    rows,
    task_state,
    task_titles,
)
from hotfix_tui.core.workflow.model import Workflow

# make(kind, happened=None, **data) -> Event, with the who/when/id the caller decides
Make = Callable[..., Event]


def fact_key(ev: Event) -> tuple[str, ...]:
    """The fact an event decides: two events with one key compete, the latest wins."""
    k = ev.kind
    if kinds.of(ev).fact == kinds.TASK:
        return ("task", ev.task or "")
    if k in (kinds.NOTE, kinds.UNNOTE):
        return ("note", ev.task or "", str(ev.get("text") or ""))
    if k == kinds.ROW:
        return ("row", str(ev.get("time") or ""), str(ev.get("event") or ""))
    return (k,)


def _severity(files: dict[str, str | None], wf: Workflow | None) -> str | None:
    f = tasks_md.parse_tasks(files.get(TASKS) or "").fields.get(hf.SEVERITY)
    return hf.severity(files.get(HOTFIX) or "", wf, f.value if f else None)


def _other_times(wf: Workflow) -> dict[str, str]:
    """The timeline fields (event -> label) a task carries: all but the start and detection."""
    return {
        ev: label
        for ev, label in wf.events.items()
        if label and ev not in ("detection", wf.clock.starts_at)
    }


def _note_data(n: tasks_md.Note) -> dict[str, Any]:
    return {"text": n.text, "stamp": n.time, "by": n.who or ""}


def seed(files: dict[str, str | None], wf: Workflow | None, make: Make) -> list[Event]:
    """Events that say what a folder without a log says, so projecting them changes nothing."""
    out: list[Event] = []
    hot = files.get(HOTFIX) or ""
    table = placeholder_rows(files.get(POSTMORTEM) or "")
    if table:
        out.append(make(kinds.TABLE, placeholders=table, seed=True))
    sev = _severity(files, wf)
    if sev:
        out.append(make(kinds.SEVERITY, value=sev, seed=True))
    status = hf.checked_status(hot, wf)
    if status:
        out.append(make(kinds.STATUS, value=status, seed=True))
    start = hf.start_time(hot, wf)
    if start is not None:
        out.append(make(kinds.START, happened=start, seed=True))
    det = hf.detection(hot, wf)
    if det is not None:
        out.append(make(kinds.DETECTION, happened=det[0], how=det[1], seed=True))
    doc = tasks_md.parse_tasks(files.get(TASKS) or "")
    field_times = hf.field_times(hot, _other_times(wf)) if wf is not None else {}
    covered: set[str] = set()
    for task in doc.tasks:
        ref = task.id or task.key
        if task.done:
            d = wf.task(ref) if wf and task.id else None
            times = [field_times[e] for e in (d.events if d else ()) if e in field_times]
            covered |= set(d.events if d else ())
            at = min(times) if times else start
            out.append(make(kinds.DONE, task=ref, happened=at, seed=True))
        subs = sorted([*task.notes, *([task.skip] if task.skip else [])], key=lambda n: n.line)
        for n in subs:
            kind = kinds.SKIP if n is task.skip else kinds.NOTE
            out.append(
                make(kind, task=ref, happened=parse_time(n.time), seed=True, **_note_data(n))
            )
    for c in doc.choices:
        if c.value is not None:
            out.append(make(kinds.CHOICE, group=c.key, value=c.value, seed=True))
    if wf is not None:
        for ev, t in field_times.items():
            if ev in covered:
                continue
            carrier = next((d.id for d in wf.all_tasks() if ev in d.events), None)
            if carrier and doc.task(carrier) is not None:
                out.append(make(kinds.DONE, task=carrier, happened=t, at_given=True, seed=True))
    sha = hf.commit_sha(hot)
    if sha:
        out.append(make(kinds.FIX_COMMIT, sha=sha, seed=True))
    out += _row_events(files.get(POSTMORTEM) or "", start, make, set(), seed=True)
    return out


def _row_events(
    text: str, start: datetime | None, make: Make, known: set[tuple[str, ...]], *, seed: bool
) -> list[Event]:
    table = record.log_table(text)
    if table is None:
        return []
    found, _h, _e = table
    lines = record.iter_lines(text)
    out: list[Event] = []
    last = start
    for r in found:
        if r.placeholder:
            continue
        key = (r.time, r.event, r.who, r.notes)
        if key in known:
            continue
        when = parse_row_time(r.time, start, last) or last
        if seed and when is not None and last is not None and when < last:
            when = last  # a seeded table keeps its order, byte for byte
        last = when or last
        data: dict[str, Any] = {
            "event": r.event,
            "by": r.who,
            "notes": r.notes,
            "time": r.time,
            "raw": lines[r.line][1],
        }
        if seed:
            data["seed"] = True
        out.append(make(kinds.ROW, happened=when, **data))
    return out


def detect(
    files: dict[str, str | None],
    events: list[Event],
    wf: Workflow | None,
    names: set[str],
    make: Make,
) -> list[Event]:
    """Events for what the files in `names` say that the log does not (edits made by hand):
    only kinds a person can make by hand (their declaration's `by_hand`)."""
    make = _by_hand(make)
    new: list[Event] = []
    st = replay(events, wf)
    if TASKS in names and files.get(TASKS) is not None:
        new += _task_edits(files[TASKS] or "", st, make)
    if HOTFIX in names and files.get(HOTFIX):
        st = replay([*events, *new], wf) if new else st
        new += _record_edits(files, files[HOTFIX] or "", st, wf, make)
    if POSTMORTEM in names and files.get(POSTMORTEM):
        st = replay([*events, *new], wf)
        titles = task_titles(files.get(TASKS) or "")
        known = set()
        for r in rows(st, wf, titles):
            cells = record._cells(row_line(r, st)) + ["", "", "", ""]
            known.add(tuple(cells[:4]))
        new += _row_events(files[POSTMORTEM] or "", st.start, make, known, seed=False)
    return new


def _by_hand(make: Make) -> Make:
    """`make`, refusing a kind whose declaration says no person makes it by hand."""

    def checked(kind: str, happened: datetime | None = None, **data: Any) -> Event:
        decl = kinds.KINDS.get(kind)
        if decl is None or not decl.by_hand:
            raise ValueError(f"a hand edit made a {kind} event, not one a person makes by hand")
        return make(kind, happened, **data)

    return checked


def _task_edits(text: str, st: Any, make: Make) -> list[Event]:
    out: list[Event] = []
    doc = tasks_md.parse_tasks(text)
    by_line = line_states(st)
    for task in doc.tasks:
        ref = task.id or task.key
        ts = task_state(st, task, by_line)
        if task.check_offset >= 0 and task.done != ts.done:
            out.append(make(kinds.DONE if task.done else kinds.REOPEN, task=ref, hand=True))
        want = {note_text(e): e for e in ts.notes.values()}
        have = {f"{tasks_md.note_line(n.time, n.who, n.text)}": n for n in task.notes}
        for line, n in have.items():
            if line not in want:
                at = parse_time(n.time)
                out.append(make(kinds.NOTE, task=ref, happened=at, hand=True, **_note_data(n)))
        for line, e in want.items():
            if line not in have:
                out.append(make(kinds.UNNOTE, task=ref, ref=e.id, text=e.get("text"), hand=True))
        if task.skip is not None and not task.done:
            line = tasks_md.skip_line(task.skip.time, task.skip.who, task.skip.text)
            if ts.skip is None or note_text(ts.skip) != line:
                out.append(
                    make(kinds.SKIP,
                        task=ref,
                        happened=parse_time(task.skip.time),
                        hand=True,
                        **_note_data(task.skip),
                    )
                )
        elif task.skip is None and ts.skip is not None and not task.done:
            out.append(make(kinds.UNSKIP, task=ref, hand=True))
    for c in doc.choices:
        value = _chosen(c, st.choices.get(c.key))
        if value is not None:
            out.append(make(kinds.CHOICE, group=c.key, value=value, hand=True))
    return out


def _chosen(c: tasks_md.Choice, now: str | None) -> str | None:
    """The value a group's boxes say when it differs from the log's (`now`): the box ticked
    besides the log's value (a person ticks the new one first), "" when none is; else None."""
    ticked = [o for o, t in zip(c.options, c.ticked, strict=True) if t]
    if now is None:
        return ticked[0] if ticked else None
    if ticked == [now] or (not ticked and not now):
        return None
    other = [o for o in ticked if o != now]
    return other[0] if other else ("" if not ticked else None)


def _record_edits(
    files: dict[str, str | None], hot: str, st: Any, wf: Workflow | None, make: Make
) -> list[Event]:
    out: list[Event] = []
    sev = hf.checked_severity(hot, wf)
    if sev and sev != st.severity:
        out.append(make(kinds.SEVERITY, value=sev, hand=True))
    status = hf.checked_status(hot, wf)
    if status and status != st.status:
        out.append(make(kinds.STATUS, value=status, hand=True))
    start = hf.start_time(hot, wf)
    if start is not None and start != st.start:
        out.append(make(kinds.START, happened=start, hand=True))
    det = hf.detection(hot, wf)
    if det is not None:
        when, how = det
        if st.detection is None or st.detection[0] != when or (how and how != st.detection[1]):
            out.append(make(kinds.DETECTION, happened=when, how=how, hand=True))
    if wf is not None:
        times = event_times(st, wf)
        doc = tasks_md.parse_tasks(files.get(TASKS) or "")
        for ev, label in _other_times(wf).items():
            if record.get_field(hot, label) is None:
                continue
            ft = record.field_time(hot, label)
            if ft == times.get(ev):
                continue
            carriers = [
                d.id for d in wf.all_tasks() if ev in d.events and doc.task(d.id) is not None
            ]
            if not carriers:
                continue
            if ft is not None:
                done = [c for c in carriers if st.task(c).done]
                target = done[0] if done else carriers[0]
                out.append(make(kinds.DONE, task=target, happened=ft, at_given=True, hand=True))
            else:
                out += [make(kinds.REOPEN, task=c, hand=True) for c in carriers if st.task(c).done]
    sha = hf.commit_sha(hot)
    if sha and (st.fix is None or st.fix[0] != sha):
        out.append(make(kinds.FIX_COMMIT, sha=sha, hand=True))
    return out


# --- hand edits merged three-way ----------------------------------------------------------

# what a hand edit far from every text the tool knows may say: additions, never deletions
ADDITIONS = frozenset({kinds.NOTE.name, kinds.DONE.name, kinds.SKIP.name, kinds.ROW.name})


def _cost(a: list[str], b: list[str]) -> int:
    """Lines that differ between two texts (a changed line counts once)."""
    import difflib

    sm = difflib.SequenceMatcher(None, a, b, autojunk=len(a) > 2000)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"
    )


def closest(edited: str, candidates: list[str]) -> str | None:
    """The candidate (newest first) `edited` differs least from; ties go to the one from which
    the edit would add fewest projected lines that only newer candidates hold (written later, so
    the person read a newer text), then drop the fewest, then the newest. None when even the
    closest differs in over half its lines."""
    from hotfix_tui.core.git.mdmerge import projected

    def facts(lines: list[str]) -> set[str]:
        return {x for x in lines if x.strip() and projected(x)}

    mine = edited.splitlines(keepends=True)
    mine_facts = facts(mine)
    texts = list(dict.fromkeys(candidates))
    split = [t.splitlines(keepends=True) for t in texts]
    newer: list[set[str]] = []  # the projected lines of the candidates newer than each
    seen: set[str] = set()
    for lines in split:
        newer.append(set(seen))
        seen |= facts(lines)
    ranked = sorted(range(len(texts)), key=lambda i: abs(len(split[i]) - len(mine)))
    best: tuple[int, int, int, int] | None = None
    found: list[str] | None = None
    for i in ranked:
        lines = split[i]
        if best is not None and abs(len(lines) - len(mine)) > best[0]:
            break  # no later candidate can differ less
        theirs = facts(lines)
        added = len((mine_facts - theirs) & newer[i])
        dropped = len(theirs - mine_facts)
        key = (_cost(lines, mine), added, dropped, i)
        if best is None or key < best:
            best, found = key, lines
    if best is None or found is None:
        return None
    size = max(len(mine), len(found), 1)
    return "".join(found) if best[0] * 2 <= size else None


def signature(ev: Event) -> tuple[object, ...]:
    """What an event says, without who or when it was made: equal for the same edit."""
    data = {k: v for k, v in ev.data.items() if k not in ("hand", "saw")}
    at = ev.happened if data.get("at_given") or ev.kind in (kinds.START, kinds.DETECTION) else ""
    return (ev.kind, repr(sorted(data.items())), at)


def edit_events(
    name: str,
    files: dict[str, str | None],
    base: str | None,
    events: list[Event],
    wf: Workflow | None,
    make: Make,
) -> list[Event]:
    """The events of a hand edit of file `name` made on `base` (the text the person started
    from): only what the edit changed; without a base, only what it added."""
    found = detect(files, events, wf, {name}, make)
    if not found:
        return found
    if base is None:
        return [e for e in found if e.kind in ADDITIONS]
    stale = detect({**files, name: base}, events, wf, {name}, stale_maker)
    seen = {signature(e) for e in stale}
    return [e for e in found if signature(e) not in seen]


def stale_maker(kind: str, happened: datetime | None = None, **data: Any) -> Event:
    """A throw-away event (what a base already said, to compare with)."""
    from hotfix_tui.core.record.events import iso

    when = iso(happened) if happened is not None else ""
    clean = {k: v for k, v in data.items() if v is not None}
    return Event("scratch", kind, when, when, "", "", clean)
