"""Every kind of event, declared once: its payload, its replay rule, its words, and whether a
person can make it by hand (a hand edit of the files becomes only such events).

A declaration is a small class; `declare` makes its one instance, a `str` equal to the kind's
name (`DONE == "done"`), and registers it in `KINDS`. Adding a kind is one declaration: reading
the log checks its payload, `projection.replay` applies it, `projection.rows`, `describe`,
`commit_words` (commit subjects) and the views that read them word it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from hotfix_tui.core.clocks import format_time
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.record.causal import SAW, Frontier
from hotfix_tui.core.record.event import Event
from hotfix_tui.core.record.state import Replay, TaskState, Timeline
from hotfix_tui.core.workflow.model import COMMANDER

Cells = tuple[str, str, str]  # a timeline row's Event, Who and Notes cells
Line = tuple[datetime, Cells]  # ... and when it happened
Types = type | tuple[type, ...]
TASK = "task"  # the fact of a task-state kind: the task's state (done, skipped, open)
INCIDENT = "incident"  # the fact of an incident-wide kind: the kind itself (severity, status)

# fields any event may carry: a seeded fact, a hand edit, an undo, what it saw (causal order),
# the template's timeline rows
COMMON: Mapping[str, Types] = {
    "seed": bool,
    "hand": bool,
    "undo": str,
    "undoes": str,  # the id of the event an undo undoes
    SAW: list,
    "placeholders": list,
}


def _second(t: datetime) -> datetime:
    return t.replace(microsecond=0)


class Kind(str):
    """One kind of event: a subclass sets `name`, its payload `fields` (`required` among them),
    its `fact` when causal order decides it, `by_hand`, and overrides the rules it has."""

    name: ClassVar[str] = ""
    fields: ClassVar[Mapping[str, Types]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    fact: ClassVar[str | None] = None
    by_hand: ClassVar[bool] = False  # hand-edit detection (`reconcile.detect`) may make it
    checks: tuple[tuple[str, Types], ...] = ()  # set by `declare`: COMMON and `fields`

    # --- payload ---------------------------------------------------------------------------

    def problem(self, ev: Event) -> str | None:
        """What is wrong with an event of this kind read from the log (None: nothing)."""
        data = ev.data
        for key in self.required:
            if data.get(key) is None:
                return f"a {self.name} event without its `{key}`"
        for key, types in self.checks:
            value = data.get(key)
            if value is not None and not isinstance(value, types):
                want = " or ".join(
                    t.__name__ for t in (types if isinstance(types, tuple) else (types,))
                )
                return f"`{key}` of a {self.name} event is {value!r:.40}, expected {want}"
        return None

    # --- replay ----------------------------------------------------------------------------

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        """Apply the event to the replay (`ts`: the state of the task it names, if any)."""

    # --- words -----------------------------------------------------------------------------

    def timeline(self, t: Timeline, ev: Event) -> Line | None:
        """The event's row of the post-mortem timeline (None: no row). A seeded event's row is
        seeded with it; an undo says what it undid."""
        if ev.get("seed"):
            self.seeded(t, ev)
            return None
        undo = ev.get("undo")
        if undo:
            self.undone(t, ev)
            return _second(ev.recorded_at), (f"Undo: {undo}", ev.who, "")
        return self.row(t, ev)

    def seeded(self, t: Timeline, ev: Event) -> None:
        """What a seeded event tells the rows after it."""

    def undone(self, t: Timeline, ev: Event) -> None:
        """What an undo event tells the rows after it."""

    def row(self, t: Timeline, ev: Event) -> Line | None:
        """The row of a plain event of this kind (a kind without words: its name and text)."""
        return ev.happened_at, (ev.kind, ev.who, ev.get("text") or "")

    def brief(self, ev: Event) -> str:
        """The event in a few words (`T005 done`, `severity P1`), for the board, the
        differences between copies and sync."""
        words = ev.kind.replace("_", " ").replace(".", " ")
        return " ".join(p for p in (words, ev.task or "") if p)

    def commit(self, ev: Event) -> str | None:
        """The event in a commit subject (None: not named there); its `brief` unless the kind
        says otherwise."""
        return self.brief(ev)


K = TypeVar("K", bound=Kind)
KINDS: dict[str, Kind] = {}


def declare(cls: type[K]) -> K:
    """Make and register the one instance of a kind's declaration."""
    kind = cls(cls.name)
    kind.checks = tuple({**COMMON, **cls.fields}.items())
    KINDS[cls.name] = kind
    return kind


_OTHER = Kind("")  # a kind this version does not know (a newer clone's): its name and text


def of(ev: Event) -> Kind:
    """The declaration of an event's kind (a plain one for a kind this version does not know)."""
    return KINDS.get(ev.kind, _OTHER)


def problem(ev: Event) -> str | None:
    """What is wrong with an event read from the log: its times, then its kind's payload."""
    for key, value in (("recorded", ev.recorded), ("happened", ev.happened)):
        try:
            datetime.fromisoformat(value)  # what `parse_iso` reads (Python 3.11 reads `Z`)
        except ValueError:
            return f"`{key}` is {value!r:.40}, expected a time such as 2025-01-31T09:30:00Z"
    kind = KINDS.get(ev.kind)
    return kind.problem(ev) if kind is not None else None


def describe(ev: Event) -> str:
    """The event in a few words (its kind's `brief`; an undo says what it undid)."""
    undo = ev.get("undo")
    if undo:
        return f"undo: {undo}"
    return of(ev).brief(ev)


# The words of a commit subject for a timeline time first filled (a task's `events:` or the
# detection): the times the subject names besides the events.
FILLED = {
    "detection": "detected",
    "investigation_start": "investigation started",
    "root_cause_identified": "root cause identified",
    "fix_deployed": "fix deployed",
    "incident_end": "service restored",
}


def _undo_key(ev: Event) -> str | None:
    """What an event and its undo both change (a task's state, the severity, a note, a choice);
    None where an undo is not paired with what it undid."""
    if ev.kind == NOTE.name:
        return f"note:{ev.id}"
    if ev.kind == UNNOTE.name:
        return f"note:{ev.get('ref')}"
    if ev.kind == CHOICE.name:
        return f"choice:{ev.get('group')}"
    if ev.kind == ROLE.name:
        return f"role:{ev.get('role')}"
    if ev.kind == ASSIGN.name:
        return f"assign:{ev.task}"
    return fact_of(ev)


def undone_pairs(events: Iterable[Event]) -> set[str]:
    """The ids of every undo and the event it undid: the one its `undoes` names (the log's
    own link), else (an undo an older version made) the latest earlier action on the same thing."""
    out: set[str] = set()
    kept: list[Event] = []
    for ev in events:
        if ev.get("seed"):
            continue
        if not ev.get("undo"):
            kept.append(ev)
            continue
        link = ev.get("undoes")
        key = None if link else _undo_key(ev)
        hit = next(
            (i for i in range(len(kept) - 1, -1, -1)
             if (kept[i].id == link if link else key is not None and _undo_key(kept[i]) == key)),
            None,
        )
        if hit is not None:
            out |= {ev.id, kept.pop(hit).id}
    return out


def settled(new: Iterable[Event]) -> list[Event]:
    """The `new` events without seeds, an action and its undo among them cancelling out
    (`undone_pairs`), so what is left says the final state (a change P0 -> P1 and its undo
    leave nothing)."""
    evs = [e for e in new if not e.get("seed")]
    gone = undone_pairs(evs)
    return [e for e in evs if e.id not in gone]


def commit_words(new: Iterable[Event], filled: Iterable[str] = ()) -> list[str]:
    """What a commit of the `new` events changed, each in a few words (its kind's `commit`): an
    action and its undo cancel out (`settled`), an undo of what was committed before says the
    state it leaves; then the timeline times first `filled` (by event id)."""
    out: list[str] = []
    for ev in settled(new):
        undo = ev.get("undo")
        words = of(ev).commit(ev) if undo and _undo_key(ev) else None
        words = words or (f"undo {undo}" if undo else of(ev).commit(ev))
        if words and words not in out:
            out.append(words)
    out += [w for e in filled if (w := FILLED.get(e)) and w not in out]
    return out


# --- causal order ---------------------------------------------------------------------------


def fact_named(kind: str, task: object) -> str | None:
    """The fact an event of `kind` about `task` decides (None: not in causal order)."""
    decl = KINDS.get(kind)
    fact = decl.fact if decl is not None else None
    if fact == TASK:
        return f"task:{task}" if task is not None else None
    return decl.name if fact == INCIDENT and decl is not None else None


def fact_of(ev: Event) -> str | None:
    """The fact an event decides, for causal order (a task's state, the severity, the status)."""
    return fact_named(ev.kind, ev.task)


def saw_of(events: Iterable[Event], fact: str) -> list[str]:
    """What a new event of `fact` made after `events` has seen: that fact's heads."""
    f = Frontier()
    for ev in sorted((e for e in events if fact_of(e) == fact), key=lambda e: e.order):
        f.add(ev, fact)
    return f.saw(fact)


def stamp_saw(kind: str, data: dict[str, Any], seen: Sequence[Event]) -> None:
    """Name in `data` what of its fact a new event of `kind` has seen (every maker does)."""
    fact = fact_named(kind, data.get("task"))
    if fact is not None and SAW not in data:
        data[SAW] = saw_of(seen, fact)


# --- the kinds --------------------------------------------------------------------------------


class _TaskState(Kind):
    """A change of a task's state; concurrent ones are settled by `settle_task`."""

    fields: ClassVar[Mapping[str, Types]] = {"task": str}
    required = ("task",)
    fact = TASK
    by_hand = True
    verb: ClassVar[str] = ""  # `T005 done: <title>`
    deed: ClassVar[str] = ""  # `Ana checked T005 <title>` (the board's sentence; else `verb`)

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is None:
            return
        gone = r.front.add(ev, f"task:{ev.task}")
        self.decide(r, ev, ts, gone)
        if not ev.get("seed"):
            r.last_task_change = ev.order

    def decide(self, r: Replay, ev: Event, ts: TaskState, gone: list[Event]) -> None:
        """What the event says beyond its place in the task's causal order."""

    def cells(self, t: Timeline, ev: Event) -> Cells:
        return f"{t.label(ev)}{self.verb}: {t.title(ev)}", ev.who, ""

    def row(self, t: Timeline, ev: Event) -> Line | None:
        return ev.happened_at, self.cells(t, ev)

    def brief(self, ev: Event) -> str:
        return f"{ev.task} {self.verb}" if ev.task else super().brief(ev)


class Done(_TaskState):
    name = "done"
    fields = {"task": str, "note": str, "at_given": bool, "keep_first": bool}
    verb = "done"
    deed = "checked"

    def decide(self, r: Replay, ev: Event, ts: TaskState, gone: list[Event]) -> None:
        prior = [r.done_time[g.id] for g in gone if g.id in r.done_time]
        kept = prior and len(prior) == len(gone) and not ev.get("at_given")
        r.done_time[ev.id] = min([*prior, ev.happened_at]) if kept else ev.happened_at
        ts.last_done_at = r.done_time[ev.id]
        if ev.get("note"):
            ts.notes[ev.id] = ev

    def cells(self, t: Timeline, ev: Event) -> Cells:
        return f"{t.label(ev)}done: {t.title(ev)}", ev.who, ev.get("note") or ""


DONE = declare(Done)


class Reopen(_TaskState):
    name = "reopen"
    fields = {"task": str, "cleared": str}
    verb = "reopened"

    def row(self, t: Timeline, ev: Event) -> Line | None:
        cells = (f"{t.label(ev)}reopened: {t.title(ev)}", ev.who, ev.get("cleared") or "")
        return _second(ev.recorded_at), cells


REOPEN = declare(Reopen)


class Skip(_TaskState):
    name = "skip"
    fields = {"task": str, "text": str, "stamp": str, "by": str}
    verb = "skipped"

    def cells(self, t: Timeline, ev: Event) -> Cells:
        return f"{t.label(ev)}skipped: {t.title(ev)}", ev.who, ev.get("text") or ""


SKIP = declare(Skip)


class Unskip(_TaskState):
    name = "unskip"
    verb = "unskipped"


UNSKIP = declare(Unskip)


def settle_task(heads: Sequence[Event]) -> tuple[Event | None, list[Event]]:
    """The winning head of a task's concurrent events, and the skips it overruled (their reasons
    are kept as notes): a done beats a skip; every other pair (done/reopen, skip/reopen,
    skip/unskip, ...) goes to the latest recorded. Concurrent dones keep the earliest time."""
    if not heads:
        return None, []
    pool = list(heads)
    if any(e.kind == DONE for e in pool):
        pool = [e for e in pool if e.kind != SKIP]
    best = max(pool, key=lambda e: e.order)
    return best, [e for e in heads if e.kind == SKIP and e is not best]


def overruled_skip(skip: Event) -> Event:
    """A skip that a concurrent event overruled, as the note that keeps its reason."""
    data = dict(skip.data)
    data["text"] = f"skip overruled by a concurrent change: {skip.get('text') or ''}".rstrip()
    return Event(skip.id, NOTE.name, skip.recorded, skip.happened, skip.who, skip.clone, data)


class _TaskWords(Kind):
    """An event about a task that causal order does not decide (notes, titles)."""

    fields: ClassVar[Mapping[str, Types]] = {"task": str, "text": str}
    required = ("task",)
    by_hand = True
    words: ClassVar[str] = ""  # `note on {task}`

    def brief(self, ev: Event) -> str:
        return self.words.format(task=ev.task) if ev.task else super().brief(ev)


class Note(_TaskWords):
    name = "note"
    fields = {"task": str, "text": str, "stamp": str, "by": str}
    words = "note on {task}"

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is not None:
            ts.notes[ev.id] = ev

    def row(self, t: Timeline, ev: Event) -> Line | None:
        ref = ev.task
        st = t.st
        gone = ref is not None and ev.id not in st.task(ref).notes and ev.id not in st.reverted
        what = f"Note on {t.label(ev)}{t.title(ev)}".strip() + (" (removed later)" if gone else "")
        return ev.happened_at, (what, ev.who, ev.get("text") or "")


NOTE = declare(Note)


class Unnote(_TaskWords):
    name = "unnote"
    fields = {"task": str, "text": str, "ref": str}
    words = "note removed on {task}"

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is not None:
            ts.notes.pop(str(ev.get("ref")), None)

    def row(self, t: Timeline, ev: Event) -> Line | None:
        what = f"Note removed on {t.label(ev)}{t.title(ev)}".strip()
        return _second(ev.recorded_at), (what, ev.who, ev.get("text") or "")


UNNOTE = declare(Unnote)


class Retitle(_TaskWords):
    name = "retitle"
    words = "{task} retitled"

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is not None:
            ts.title = str(ev.get("text") or "") or None

    def row(self, t: Timeline, ev: Event) -> Line | None:
        return ev.happened_at, (
            f"{t.label(ev)}retitled: {ev.get('text') or ''}".strip(),
            ev.who,
            "",
        )


RETITLE = declare(Retitle)


class _Setting(Kind):
    """A value of the incident set by hand (severity, status); concurrent ones are settled
    after the replay (`causal.settle_severity`, the lifecycle for status)."""

    fields: ClassVar[Mapping[str, Types]] = {"value": str, "old": str}
    fact = INCIDENT
    by_hand = True
    label: ClassVar[str] = ""  # `Severity changed P2 -> P1`

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        r.front.add(ev, self.name)
        r.st.touched.add(self.name)

    def current(self, t: Timeline) -> str | None:
        raise NotImplementedError

    def set(self, t: Timeline, value: str | None) -> None:
        raise NotImplementedError

    def seeded(self, t: Timeline, ev: Event) -> None:
        self.set(t, ev.get("value"))

    undone = seeded

    def row(self, t: Timeline, ev: Event) -> Line | None:
        new = ev.get("value")
        was = ev.get("old") or self.current(t) or "?"
        self.set(t, new)
        return ev.happened_at, (f"{self.label} changed {was} -> {new}", ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"{self.name} {ev.get('value') or ''}".strip()


class Severity(_Setting):
    name = "severity"
    label = hf.SEVERITY  # the post-mortem row names the field that changed

    def current(self, t: Timeline) -> str | None:
        return t.sev

    def set(self, t: Timeline, value: str | None) -> None:
        t.sev = value


SEVERITY = declare(Severity)


class Status(_Setting):
    name = "status"
    label = hf.STATUS

    def current(self, t: Timeline) -> str | None:
        return t.status

    def set(self, t: Timeline, value: str | None) -> None:
        t.status = value


STATUS = declare(Status)


class Created(Kind):
    """`hotfix-tui new` declared the incident: its start, severity and first status."""

    name = "created"
    fields = {"severity": str, "description": str}

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        st = r.st
        st.start = ev.happened_at
        st.severity = ev.get("severity") or st.severity
        r.created_status = (r.wf.initial_status if r.wf else None) or r.created_status
        st.touched |= {"start", "severity", "status"}

    def timeline(self, t: Timeline, ev: Event) -> Line | None:
        t.start = ev.happened_at
        t.sev, t.status = ev.get("severity"), (t.wf.initial_status if t.wf else None)
        desc = ev.get("description") or ""
        notes = f"Declared {t.sev}: {desc}" if desc else ""
        return t.st.start or ev.happened_at, ("Incident began", "System", notes)

    def commit(self, ev: Event) -> str | None:
        return f"declared {ev.get('severity') or ''}".strip()


CREATED = declare(Created)


class Table(Kind):
    """The template's placeholder rows of the post-mortem timeline, as first recorded."""

    name = "table"

    def commit(self, ev: Event) -> str | None:
        return None  # the template's rows, not a change anyone made


TABLE = declare(Table)


class Start(Kind):
    """The incident's start, corrected (`happened` is the new start)."""

    name = "start"
    by_hand = True

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        r.st.start = ev.happened_at
        r.st.touched.add("start")

    def seeded(self, t: Timeline, ev: Event) -> None:
        t.start = ev.happened_at

    def row(self, t: Timeline, ev: Event) -> Line | None:
        was = format_time(t.start) if t.start else "empty"
        t.start = ev.happened_at
        cells = ("Incident Start corrected", ev.who, f"{was} -> {format_time(ev.happened_at)}")
        return _second(ev.recorded_at), cells

    def commit(self, ev: Event) -> str | None:
        return "incident start corrected"


START = declare(Start)


class Detection(Kind):
    """When and how the incident was detected (`clear`: no detection any more)."""

    name = "detection"
    fields = {"how": str, "clear": bool}
    by_hand = True

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        r.st.detection = None if ev.get("clear") else (ev.happened_at, ev.get("how") or "")
        r.st.touched.add("detection")

    def row(self, t: Timeline, ev: Event) -> Line | None:
        if ev.get("clear"):
            return None  # its row is the undo's
        latest = t.latest(self.name)
        later = latest is not None and ev.order != latest
        after = " (undone)" if t.st.detection is None else " (corrected later)"
        return ev.happened_at, ("Detected" + (after if later else ""), ev.who, ev.get("how") or "")

    def commit(self, ev: Event) -> str | None:
        return "detection cleared" if ev.get("clear") else "detected"


DETECTION = declare(Detection)


class FixCommit(Kind):
    """The commit that fixes the incident (`sha` empty: none)."""

    name = "fix_commit"
    fields = {"sha": str, "subject": str, "previous": str}
    by_hand = True

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        sha = ev.get("sha") or ""
        r.st.fix = (sha, ev.get("subject") or "") if sha else None
        r.st.touched.add("fix")

    def row(self, t: Timeline, ev: Event) -> Line | None:
        sha = ev.get("sha") or ""
        notes = f"{sha[:12]} {ev.get('subject') or ''}".strip()
        return ev.happened_at, ("Fix commit recorded", ev.who, notes)

    def brief(self, ev: Event) -> str:
        return f"fix commit {str(ev.get('sha') or '')[:12]}".strip()


FIX_COMMIT = declare(FixCommit)


class Row(Kind):
    """A row of the post-mortem timeline written by hand (kept as written)."""

    name = "row"
    fields = {"event": str, "by": str, "notes": str, "time": str, "raw": str}
    by_hand = True

    def timeline(self, t: Timeline, ev: Event) -> Line | None:
        return ev.happened_at, (
            ev.get("event") or "",
            ev.get("by") or ev.who,
            ev.get("notes") or "",
        )

    def commit(self, ev: Event) -> str | None:
        words = str(ev.get("event") or "").split(":", 1)[0].strip()
        return words[:40] or "timeline row"


ROW = declare(Row)


class Alert(Kind):
    """An SLA alert, logged once under its fixed id (`alerting/alerts.py`)."""

    name = "alert"
    fields = {"alert": str, "threshold": (int, float, str), "message": str}

    def row(self, t: Timeline, ev: Event) -> Line | None:
        what = f"Alert: {ev.get('message') or ev.get('alert') or ''}"
        return ev.happened_at, (what, ev.who or "System", "")

    def commit(self, ev: Event) -> str | None:
        return f"{ev.get('alert') or 'SLA'} alert"


ALERT = declare(Alert)


class AlertPosted(Kind):
    """`alerts.command` ran for an alert on some clone (once per alert)."""

    name = "alert_posted"
    fields = {"alert": str}

    def row(self, t: Timeline, ev: Event) -> Line | None:
        return None  # the alert's own row says it; posting it is not a moment of the incident

    def commit(self, ev: Event) -> str | None:
        return "alert posted"


ALERT_POSTED = declare(AlertPosted)


class ReminderSent(Kind):
    """A reminder was done (a stakeholder update sent); `text`: the update as sent, if any (the
    board's status line is the latest one's)."""

    name = "reminder_sent"
    fields = {"reminder": str, "text": str}

    def row(self, t: Timeline, ev: Event) -> Line | None:
        what = f"Update sent: {ev.get('reminder') or ''}".strip().rstrip(":")
        return ev.happened_at, (what, ev.who, ev.get("text") or "")

    def commit(self, ev: Event) -> str | None:
        return f"update sent ({ev.get('reminder')})" if ev.get("reminder") else "update sent"


REMINDER_SENT = declare(ReminderSent)


class Role(Kind):
    """A role of the incident (`role`: commander, communications, ...) given to `name` ("":
    nobody holds it now); the latest recorded wins. Giving the commander ends a hand-over."""

    name = "role"
    fields = {"role": str, "name": str, "old": str}
    required = ("role", "name")

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        role, who = str(ev.get("role")), str(ev.get("name") or "")
        if who:
            r.st.roles[role] = who
        else:
            r.st.roles.pop(role, None)
        if role == COMMANDER:
            r.st.handover = None

    def row(self, t: Timeline, ev: Event) -> Line | None:
        role, who = ev.get("role"), ev.get("name")
        what = f"Role {role}: {who}" if who else f"Role {role}: nobody"
        return _second(ev.recorded_at), (what, ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"{ev.get('role')}: {ev.get('name') or 'nobody'}"


ROLE = declare(Role)


class Assign(Kind):
    """A task assigned to `name` ("": to nobody); the latest recorded wins."""

    name = "assign"
    fields = {"task": str, "name": str, "old": str}
    required = ("task", "name")

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is not None:
            ts.assignee = str(ev.get("name") or "") or None

    def row(self, t: Timeline, ev: Event) -> Line | None:
        who = ev.get("name")
        what = f"{t.label(ev)}assigned to {who}" if who else f"{t.label(ev)}unassigned"
        return _second(ev.recorded_at), (what.strip(), ev.who, t.title(ev))

    def brief(self, ev: Event) -> str:
        who = ev.get("name")
        return f"{ev.task} assigned to {who}" if who else f"{ev.task} unassigned"


ASSIGN = declare(Assign)


class Handover(Kind):
    """The commander hands the incident over to `to` ("": the hand-over is called off), with the
    report as it was (`report`); `to` becomes commander once an `accept` follows."""

    name = "handover"
    fields = {"to": str, "report": str}
    required = ("to",)

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        r.st.handover = ev if ev.get("to") else None

    def row(self, t: Timeline, ev: Event) -> Line | None:
        to = ev.get("to")
        what = f"Hand-over to {to} offered" if to else "Hand-over called off"
        return _second(ev.recorded_at), (what, ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"hand-over to {ev.get('to')}" if ev.get("to") else "hand-over called off"


HANDOVER = declare(Handover)


class Accept(Kind):
    """The incoming commander accepts the hand-over `ref` (its event id): `to` is commander."""

    name = "accept"
    fields = {"ref": str, "to": str}
    required = ("ref",)

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        pending = r.st.handover
        if pending is not None and pending.id == ev.get("ref"):
            r.st.roles[COMMANDER] = str(pending.get("to"))
            r.st.handover = None

    def row(self, t: Timeline, ev: Event) -> Line | None:
        return _second(ev.recorded_at), (f"Hand-over accepted by {ev.get('to')}", ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"hand-over accepted by {ev.get('to')}"


ACCEPT = declare(Accept)


class Revert(Kind):
    """A commit removed the line of event `ref`: that event stays in the log, cancelled
    (`logkeep.py` makes it; the cancelled event's row says so)."""

    name = "revert"
    fields = {"ref": str, "commit": str}

    def timeline(self, t: Timeline, ev: Event) -> Line | None:
        return None

    def commit(self, ev: Event) -> str | None:
        sha = str(ev.get("commit") or "")[:12]
        return f"events removed by {sha} kept" if sha else "removed events kept"


REVERT = declare(Revert)


class Run(Kind):
    """A task's runbook command ran (`core/runbook/run.py`): its exit code and duration; the
    output stays outside the record unless attached. A run never checks the task."""

    name = "run"
    fields = {"command": str, "exit": int, "seconds": (int, float), "timed_out": bool}
    required = ("command",)

    def row(self, t: Timeline, ev: Event) -> Line | None:
        how = "timed out" if ev.get("timed_out") else f"exit {ev.get('exit')}"
        secs = ev.get("seconds")
        took = f" after {secs:.1f} s" if isinstance(secs, int | float) else ""
        return ev.happened_at, (f"{t.label(ev)}ran: {how}{took}", ev.who,
                                f"`{ev.get('command') or ''}`")

    def brief(self, ev: Event) -> str:
        how = "timed out" if ev.get("timed_out") else f"exit {ev.get('exit')}"
        return f"{ev.task or ''} ran ({how})".strip()


RUN = declare(Run)


class Followup(Kind):
    """A post-mortem action item (`AI-NNN`) with its owner and due date, written once under
    `## Action Items` (`drop`: the one added before, removed while still as written; `holder`:
    the placeholder item it replaced, put back when its drop empties the list)."""

    name = "followup"
    fields = {"ref": str, "title": str, "owner": str, "due": str, "drop": bool, "holder": str}
    required = ("ref",)

    def row(self, t: Timeline, ev: Event) -> Line | None:
        if ev.get("drop"):
            return ev.happened_at, (f"Follow-up {ev.get('ref')} removed", ev.who, "")
        return ev.happened_at, (f"Follow-up {ev.get('ref')}: {ev.get('title') or ''}", ev.who,
                                f"owner {ev.get('owner') or '?'}, due {ev.get('due') or '?'}")

    def brief(self, ev: Event) -> str:
        return f"follow-up {ev.get('ref')}" + (" removed" if ev.get("drop") else "")


FOLLOWUP = declare(Followup)


class Choice(Kind):
    """A single-choice group set to one of its options (`value`; "" for none): the projection
    ticks that option's box and unticks the others (`tasks_md.Choice`). The latest recorded
    wins."""

    name = "choice"
    fields = {"group": str, "value": str}
    required = ("group", "value")
    by_hand = True

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        r.st.choices[str(ev.get("group"))] = str(ev.get("value") or "")

    def row(self, t: Timeline, ev: Event) -> Line | None:
        group = str(ev.get("group") or "")
        what = f"{t.titles(group) or group}: {ev.get('value') or 'none'}"
        return ev.happened_at, (what, ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"{ev.get('group')}: {ev.get('value') or 'none'}"


CHOICE = declare(Choice)


class Ids(Kind):
    """Task ids of an older version (`L<n>`: the box on line n) pinned to today's keys, once:
    `map` old -> new. Replay reads every event naming an old id as naming the new one."""

    name = "ids"
    fields = {"map": dict}
    required = ("map",)

    def timeline(self, t: Timeline, ev: Event) -> Line | None:
        return None

    def brief(self, ev: Event) -> str:
        return f"task ids pinned ({len(ev.get('map') or {})})"


IDS = declare(Ids)


def pinned(events: Iterable[Event]) -> dict[str, str]:
    """The old ids the `ids` events of a log pin (old -> new; a later event adds to them)."""
    out: dict[str, str] = {}
    for ev in events:
        if ev.kind == IDS:
            out.update({str(k): str(v) for k, v in (ev.get("map") or {}).items()})
    return out


def renamed(ev: Event, ids: Mapping[str, str]) -> Event:
    """The event naming its task by the key `ids` pins its old id to (itself when none)."""
    new = ids.get(ev.task or "")
    if new is None:
        return ev
    data = {**ev.data, "task": new}
    return Event(ev.id, ev.kind, ev.recorded, ev.happened, ev.who, ev.clone, data)
