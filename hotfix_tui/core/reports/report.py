"""Hand-over: a stakeholder status report, and filling post-mortem.md from the record.

`build_report` gathers the facts; `render_markdown` writes them for people; `fill_postmortem`
writes into post-mortem.md only what is still a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix_tui.core.clocks import format_duration, format_time, human_duration
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import Change
from hotfix_tui.core.record.team import latest_update
from hotfix_tui.core.workflow.model import COMMANDER

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident

SLA_WORDS = {
    "ok": "on track",
    "warning": "at risk",
    "critical": "about to breach",
    "breached": "BREACHED",
    "met": "met",
    "missed": "missed",
    "not-started": "not started",
}


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def build_report(
    inc: Incident, now: datetime | None = None, *, events: int = 10,
    reminders: Sequence[Any] = (),
) -> dict[str, Any]:
    """Everything a status update says, as plain data (the JSON of `hotfix-tui report`);
    `reminders`: the running ones (`alerting.reminders.incident_reminders`, from the caller)."""
    now = now or inc.clock()
    started = inc.started_at
    sla = inc.sla(now)
    tasks = inc.view.tasks()
    done = [t for t in tasks if t.done]
    skipped = [t for t in tasks if t.skipped is not None and not t.done]
    open_ = [t for t in tasks if t.state == "open"]
    rows = [r for r in _rows(inc) if not r.placeholder]
    hotfix = inc.view.text("hotfix.md")
    found = hf.detection(hotfix, inc.workflow)
    notes, root_notes = _notes(inc)
    times = {k: _iso(v) for k, v in inc.event_times().items()}
    team = inc.view.team()
    sent = latest_update(inc.view.events)
    return {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "branch": inc.branch_field or None,
        "now": _iso(now),
        "started_at": _iso(started),
        "elapsed_seconds": int((now - started).total_seconds()) if started else None,
        "sla": None
        if sla is None
        else {
            "state": sla.state,
            "target_seconds": sla.target_seconds,
            "elapsed_seconds": sla.elapsed_seconds,
            "remaining_seconds": sla.remaining_seconds,
        },
        "timeline": times,
        "progress": dict(zip(("done", "total"), inc.progress(), strict=True)),
        "done": [{"id": t.id or t.key, "title": t.title} for t in done],
        "skipped": [{"id": t.id or t.key, "title": t.title, "reason": t.skipped} for t in skipped],
        "next": [{"id": t.id or t.key, "title": t.title, "assignee": t.assignee}
                 for t in open_[:3]],
        "roles": dict(team.roles),
        "role_labels": dict(team.labels),
        "handover": team.handover_json(),
        "last_update": None if sent is None else {
            "at": _iso(sent.happened_at), "who": sent.who, "text": sent.get("text"),
        },
        "windows": [
            {
                "id": w.id,
                "label": w.label,
                "due": _iso(w.due),
                "remaining_seconds": w.remaining_seconds,
                "state": w.state,
            }
            for w in inc.windows(now)
        ],
        "events": [
            {"time": r.time, "event": r.event, "who": r.who, "notes": r.notes}
            for r in rows[-events:]
        ],
        "commit_sha": hf.commit_sha(hotfix) or None,
        "detection": None if found is None else {"at": _iso(found[0]), "how": found[1] or None},
        "impact": section_lines(hotfix, "Impact"),
        "root_cause": [*section_lines(hotfix, "Root Cause"), *root_notes],
        "notes": notes,
        "reminders": [
            {"id": r.id, "label": r.label, "due": _iso(r.due),
             "remaining_seconds": r.remaining_seconds}
            for r in reminders
        ],
    }


_PLACEHOLDER = re.compile(r"\[[^\]\n]*\]")


def section_lines(text: str, heading: str) -> list[str]:
    """What a person wrote under the `## heading...` section: its lines without the template's
    placeholders, headings, empty lines and unticked boxes."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower().startswith(heading.lower())
            continue
        s = line.strip()
        if not inside or not s or s.startswith("#"):
            continue
        if s.lower().startswith("- [x]") or not _PLACEHOLDER.search(s):
            out.append(s)
    return out


def _notes(inc: Incident) -> tuple[list[dict[str, Any]], list[str]]:
    """Every note on a task (task, who, when, text), oldest first, and the root-cause task's
    notes as lines (the task whose check records Root Cause Identified)."""
    wf = inc.workflow
    notes: list[dict[str, Any]] = []
    root: list[str] = []
    for t in inc.view.tasks():
        d = wf.task(t.id) if wf is not None and t.id else None
        for n in t.notes:
            if n.kind != kinds.NOTE.name:  # a skip reason is listed with its task
                continue
            name = t.id or t.key
            notes.append({"task": name, "title": t.title, "who": n.who, "time": n.time,
                          "text": n.text})
            if d is not None and "root_cause_identified" in d.events:
                root.append(f"{n.text} ({n.who or '?'}, {n.time})")
    notes.sort(key=lambda n: n["time"])
    return notes, root


def _rows(inc: Incident) -> list[record.LogRow]:
    """The timeline rows for a report: a note taken back is left out with its removal, an undo
    with the action it undid (the event its `undoes` names: `kinds.undone_pairs`)."""
    from collections import Counter

    from hotfix_tui.core.record.projection import replay, row_line, task_titles
    from hotfix_tui.core.record.projection import rows as timeline_rows

    text = inc.view.text("post-mortem.md")
    table = record.log_table(text)
    rows = table[0] if table else []
    events = sorted(inc.view.events, key=lambda e: e.order)
    gone = {e.order for e in events if e.id in kinds.undone_pairs(events)}
    drop: Counter[str] = Counter()
    if gone:
        st = replay(events, inc.workflow)
        titles = task_titles(inc.view.text("tasks.md"))
        drop.update(row_line(r, st) for r in timeline_rows(st, inc.workflow, titles)
                    if r.order in gone)
    lines = record.iter_lines(text)
    kept: list[record.LogRow] = []
    for r in rows:
        line = lines[r.line][1] if r.line < len(lines) else ""
        if drop[line] > 0:  # an undo, or what an undo took back
            drop[line] -= 1
            continue
        if r.event.endswith("(removed later)") or r.event.startswith(
            ("Undo: note on", "Note removed on")
        ):
            continue
        kept.append(r)
    return kept


def _sla_line(data: dict[str, Any]) -> str:
    sla = data["sla"]
    if sla is None:
        return "no SLA (no workflow or no severity)"
    state = SLA_WORDS.get(sla["state"], sla["state"])
    target = format_duration(sla["target_seconds"])
    if sla["state"] == "not-started":
        return f"{state} (target {target})"
    rem = sla["remaining_seconds"]
    tail = f"{format_duration(rem)} left" if rem >= 0 else f"over by {format_duration(rem)}"
    if sla["state"] in ("met", "missed"):
        tail = f"resolved in {format_duration(sla['elapsed_seconds'])}"
    return f"{state}: {format_duration(sla['elapsed_seconds'])} of {target}, {tail}"


def _when(iso: str) -> str:
    return iso.replace("T", " ").replace("Z", " UTC")


def headline(data: dict[str, Any]) -> str:
    """The incident's state in one line: severity, status, progress, SLA, the next task."""
    nxt = data["next"][0] if data["next"] else None
    prog = data["progress"]
    return (
        f"{data['severity'] or 'no severity'} {data['status'] or '?'}, "
        f"{prog['done']}/{prog['total']} tasks done, SLA {_sla_line(data)}; "
        + (f"next: {nxt['id']} {nxt['title']}" if nxt else "nothing open")
    )


def _role_lines(data: dict[str, Any]) -> list[str]:
    """`- **Incident commander**: Ana -> Ben (handing over)`, one line per role."""
    out: list[str] = []
    hand = data.get("handover")
    for rid, who in (data.get("roles") or {}).items():
        label = str((data.get("role_labels") or {}).get(rid, rid))
        words = who or "nobody yet"
        if rid == COMMANDER and hand:
            words = f"{who or 'nobody'} -> {hand['to']} (handing over)"
        out.append(f"- **{label[:1].upper() + label[1:]}**: {words}")
    return out


def render_markdown(data: dict[str, Any]) -> str:
    """The report as markdown for a chat message, an email or the next on-call engineer."""
    out = [f"# Status: {data['id']} - {data['title']}", "", f"**Now**: {headline(data)}", ""]
    out.append(f"- **Severity**: {data['severity'] or '?'}")
    out.append(f"- **Status**: {data['status'] or '?'}")
    if data["started_at"]:
        el = data["elapsed_seconds"] or 0
        out.append(
            f"- **Started**: {data['started_at'].replace('T', ' ').replace('Z', ' UTC')}"
            f" ({format_duration(el)} ago)"
        )
    out.append(f"- **SLA**: {_sla_line(data)}")
    out.append(f"- **Progress**: {data['progress']['done']}/{data['progress']['total']} tasks")
    out += _role_lines(data)
    if data["commit_sha"]:
        out.append(f"- **Fix commit**: {data['commit_sha'][:12]}")
    det = data.get("detection")
    out += ["", "## Detection"]
    out.append(f"- {_when(det['at'])}: {det['how'] or 'how not recorded'}" if det
               else "- not recorded yet")
    for title, key in (("Impact", "impact"), ("Root cause", "root_cause")):
        out += ["", f"## {title}"]
        out += [line if line.startswith("- ") else f"- {line}" for line in data[key]] or [
            "- not written yet"]
    out.append("")
    out.append("## Done")
    out += [f"- {t['id']} {t['title']}" for t in data["done"]] or ["- nothing yet"]
    if data["skipped"]:
        out.append("")
        out.append("## Skipped")
        out += [f"- {t['id']} {t['title']} ({t['reason']})" for t in data["skipped"]]
    if data["notes"]:
        out += ["", "## Notes"]
        out += [f"- {n['time']} {n['task']} ({n['who'] or '?'}): {n['text']}"
                for n in data["notes"]]
    out.append("")
    out.append("## Next")
    out += [f"- {t['id']} {t['title']}" + (f" (@{t['assignee']})" if t.get("assignee") else "")
            for t in data["next"]] or ["- nothing open"]
    last = data.get("last_update")
    if last:
        out += ["", f"## Last status update ({_when(last['at'])}, {last['who'] or '?'})"]
        out += [f"> {line}".rstrip() for line in str(last["text"]).split("\n")]
    if data["windows"]:
        out.append("")
        out.append("## Open windows")
        for w in data["windows"]:
            rem = w["remaining_seconds"]
            when = (
                f"due in {format_duration(rem)}"
                if rem >= 0
                else f"overdue by {format_duration(rem)}"
            )
            out.append(
                f"- {w['label']}: {when} ({w['due'].replace('T', ' ').replace('Z', ' UTC')})"
            )
    if data.get("reminders"):
        out += ["", "## Reminders"]
        for r in data["reminders"]:
            rem = r["remaining_seconds"]
            when = "due now" if rem <= 0 else f"due in {format_duration(rem)}"
            out.append(f"- {r['label']}: {when} ({_when(r['due'])})")
    out.append("")
    out.append("## Recent events")
    if data["events"]:
        for e in data["events"]:
            tail = f" - {e['notes']}" if e["notes"] else ""
            out.append(f"- {e['time']} {e['event']} ({e['who']}){tail}")
    else:
        out.append("- none logged yet")
    return "\n".join(out) + "\n"


# --- post-mortem --------------------------------------------------------------------------------


def participants(rows: list[record.LogRow]) -> list[str]:
    """People in the log's Who column, in order of first appearance (not System/Team)."""
    out: list[str] = []
    for r in rows:
        who = r.who.strip()
        if r.placeholder or not who or who.startswith("[") or who in ("System", "Team"):
            continue
        if who not in out:
            out.append(who)
    return out


def fill_postmortem(inc: Incident) -> dict[str, str]:
    """Fill what the record knows into post-mortem.md placeholders; returns {field: value}.

    Incident Date, Hotfix ID, Participants, Incident Commander (the first person in the log)
    and Duration of Impact. A value a person wrote is never replaced. The action is logged.
    """
    from hotfix_tui.core.record.incident import IncidentError

    text = inc.view.text("post-mortem.md")
    if not text:
        pm = inc.view.path("post-mortem.md")
        raise IncidentError(f"{pm}: no post-mortem.md in this incident")
    rows = _rows(inc)
    people = participants(rows)
    events = inc.event_times()
    start = inc.started_at
    wf = inc.workflow
    end = events.get(wf.clock.stops_at if wf else "incident_end")
    want: dict[str, str] = {}
    if start is not None:
        want[hf.INCIDENT_DATE] = start.strftime("%Y-%m-%d")
    if inc.id:
        want[hf.HOTFIX_ID] = inc.id
    if people:
        want[hf.PARTICIPANTS] = ", ".join(people)
        want[hf.INCIDENT_COMMANDER] = people[0]
    if start is not None and end is not None:
        want[hf.DURATION_OF_IMPACT] = (
            f"{human_duration((end - start).total_seconds())} "
            f"({format_time(start)} to {format_time(end)})"
        )
    current = record.fields(text)
    filled: dict[str, str] = {}
    for name, value in want.items():
        f = current.get(name)
        if f is None:
            continue
        v = f.value.strip()
        if record.is_placeholder(v) or (name == hf.HOTFIX_ID and hf.id_placeholder(v)):
            filled[name] = value
    if not filled:
        return {}

    def edit(t: str) -> str:
        for name, value in filled.items():
            cur = record.get_field(t, name)
            if cur is not None and (record.is_placeholder(cur.strip()) or "#" in cur):
                t = record.set_field(t, name, value)
        return t

    inc.tx.transact(
        lambda _evs, make: [
            make(kinds.ROW, event="Post-mortem filled from the record", notes=", ".join(filled))
        ],
        edit=("post-mortem.md", edit),
    )
    was = {name: current[name].value for name in filled}
    label = "post-mortem filled"

    def unfill(t: str) -> str:  # each field back to what it was, unless someone wrote it since
        for name, value in filled.items():
            if (record.get_field(t, name) or "").strip() == value:
                t = record.set_field(t, name, was[name])
        return t

    def undo() -> Change | None:
        inc.tx.transact(
            lambda _evs, make: [make(kinds.ROW, event="Post-mortem fill undone", undo=label)],
            edit=("post-mortem.md", unfill),
        )
        return None

    inc._keep(Change(label, undo, {"post-mortem.md"}, redo=lambda: _refill(inc),
                     undone="post-mortem fields back to their placeholders"))
    return filled


def _refill(inc: Incident) -> Change | None:
    fill_postmortem(inc)
    return inc.history[-1] if inc.history else None
