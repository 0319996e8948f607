"""Each kind of event is declared once (`core/record/kinds.py`): reading the log checks its
payload, the replay applies its rule, the timeline and every view word it from there.

Real repositories, the real CLI and real incident folders.
"""

from __future__ import annotations

import ast
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from gitfix import run

from hotfix_tui.core.alerting import alerts, reminders
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record import kinds
from hotfix_tui.core.record.change import BadInput
from hotfix_tui.core.record.event import Event, iso
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.record.state import Replay, TaskState, Timeline
from hotfix_tui.core.reports.divergence import describe
from hotfix_tui.core.workflow.loader import resolve_workflow

CORE = Path(__file__).resolve().parents[2] / "hotfix_tui" / "core"


@pytest.fixture
def folder(repo, capsys, monkeypatch) -> Path:
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Pool exhausted", "-s", "P1", "--no-branch", "--no-open")
    assert code == 0, err
    return Path(out.strip())


def load(folder: Path) -> Incident:
    root = folder.parents[1]
    return Incident(folder, resolve_workflow("hotfix", root), repo_root=root)


def log_lines(folder: Path) -> list[dict]:
    return [json.loads(x) for x in (folder / evlog.LOG).read_text().splitlines() if x.strip()]


def append_raw(folder: Path, *objs: dict) -> int:
    """Append event objects as lines written by hand; returns the line number of the first."""
    log = folder / evlog.LOG
    before = log.read_text().count("\n")
    with log.open("a", encoding="utf-8") as f:
        for obj in objs:
            f.write(json.dumps(obj) + "\n")
    return before + 1


def raw_event(kind: str, n: int, **data: object) -> dict:
    at = f"2030-01-01T10:00:{n:02d}.000000Z"
    return {"id": f"hand-{n}", "kind": kind, "recorded": at, "happened": at, "who": "Bo", **data}


# --- a kind is one declaration ------------------------------------------------------------


class Handover(kinds.Kind):
    """Test-only: the task was handed over to `to` (kept as a note on it)."""

    name = "task_handover"  # (the record's own `handover` is the commander's)
    fields: ClassVar = {"task": str, "to": str}
    required = ("task", "to")

    def apply(self, r: Replay, ev: Event, ts: TaskState | None) -> None:
        if ts is not None:
            text = f"handed over to {ev.get('to')}"
            ts.notes[ev.id] = Event(
                ev.id, ev.kind, ev.recorded, ev.happened, ev.who, ev.clone, {"text": text}
            )

    def row(self, t: Timeline, ev: Event) -> kinds.Line | None:
        return ev.happened_at, (f"{t.label(ev)}handed over to {ev.get('to')}", ev.who, "")

    def brief(self, ev: Event) -> str:
        return f"{ev.task} handed over to {ev.get('to')}"


@pytest.fixture
def handover() -> Iterator[kinds.Kind]:
    kind = kinds.declare(Handover)
    evlog._LAST = None
    yield kind
    del kinds.KINDS[Handover.name]
    evlog._LAST = None


def test_a_kind_declared_once_is_read_replayed_and_worded_everywhere(folder, handover):
    rec = evlog.Recorder("c1", "Bo Ops")
    now = datetime.now(UTC)
    given = rec.make(handover, now, task="T002", to="Cy")
    assert given.kind == "task_handover" and type(given.kind) is str  # the log holds the name
    evlog.append(folder, [given])
    at = append_raw(folder, raw_event("task_handover", 1, task="T003"))  # without `to`
    inc = load(folder)
    inc.repair()
    said = "\n".join(inc.view.warnings)
    assert f"events.jsonl:{at}: a task_handover event without its `to`" in said
    tasks = (folder / "tasks.md").read_text()
    t2 = tasks[tasks.index("**T002**") :]
    assert "handed over to Cy" in t2[: t2.index("**T003**")]  # its replay rule: a note on T002
    assert "| T002 handed over to Cy | Bo Ops |" in (folder / "post-mortem.md").read_text()
    assert describe(given).text == "T002 handed over to Cy (by Bo Ops)"  # list, the board's note


def test_a_kind_this_version_does_not_know_is_kept_and_worded_by_its_name(folder):
    append_raw(folder, raw_event("pager_ack", 2, task="T001", text="paged"))
    inc = load(folder)
    inc.repair()
    assert not any("pager_ack" in w for w in inc.view.warnings)
    assert "| pager_ack | Bo | paged |" in (folder / "post-mortem.md").read_text()
    ev = next(e for e in inc.view.events if e.kind == "pager_ack")
    assert kinds.describe(ev) == "pager ack T001"


# --- payloads ------------------------------------------------------------------------------


def test_a_bad_payload_is_reported_with_its_line_and_the_rest_of_the_log_still_counts(
    folder, capsys
):
    first = append_raw(
        folder,
        raw_event("note", 3, task="T001", text=["not", "text"]),
        raw_event("done", 4, task="T002", happened="yesterday"),
        raw_event("severity", 5, value=0),
        raw_event("done", 6),  # no task
        raw_event("done", 7, task="T003"),
    )
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    assert "Traceback" not in err
    said = [ln for ln in err.splitlines() if "events.jsonl:" in ln]
    assert [ln.split("events.jsonl:")[1].split(":")[0] for ln in said] == [
        str(first + n) for n in range(4)
    ]
    assert "`text` of a note event is ['not', 'text'], expected str" in said[0]
    assert "`happened` is 'yesterday', expected a time" in said[1]
    assert "`value` of a severity event is 0, expected str" in said[2]
    assert "a done event without its `task`" in said[3]
    assert all(ln.endswith("fix the line or remove it") for ln in said)
    data = json.loads(out)
    state = {t["id"]: t["done"] for t in data["tasks"]}
    assert state["T003"] and not state["T002"]
    assert data["severity"] == "P1"


# --- every kind the code writes is declared ------------------------------------------------


def test_every_kind_in_the_logs_the_code_writes_is_declared(folder, capsys):
    for argv in (
        ("done", "T001"),
        ("note", "T002", "paged the IC"),
        ("skip", "T003", "--reason", "not needed"),
        ("severity", "P0"),
        ("undo", "T001"),
    ):
        code, _out, err = run(capsys, *argv)
        assert code == 0, err
    inc = load(folder)
    inc.note("T002", "a second note")
    inc.undo_last()  # unnote
    inc.unskip("T003")
    inc.set_detection(datetime.now(UTC) - timedelta(minutes=5), "pager")
    inc.set_started_at(datetime.now(UTC) - timedelta(minutes=30), force=True)
    inc.set_fix_commit("a" * 40, "Raise the pool")
    wf = inc.workflow
    assert wf is not None
    for status in [s for s in wf.statuses if s != inc.status]:
        with contextlib.suppress(BadInput):  # one the tasks do not contradict
            inc.set_status(status)
            break
    reminders.mark_sent(folder, "stakeholder-update", datetime.now(UTC), "Bo")
    when = datetime.now(UTC)
    aid = alerts.alert_id(inc.id, "warning", "0.5")
    alert = alerts.Alert(aid, inc.id, "warning", 0.5, "P0", 60, "half", "", when)
    alerts.record(folder, alert, "Bo")
    # hand edits: a box checked, a row added
    tasks = folder / "tasks.md"
    tasks.write_text(tasks.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
    pm = folder / "post-mortem.md"
    text = pm.read_text()
    began = text.index("\n", text.index("| Incident began |")) + 1
    pm.write_text(text[:began] + "| 23:59 | Paged the DBA | Bo | by phone |\n" + text[began:])
    load(folder).repair()
    # a folder without a log is seeded from its files
    seeded = folder.parent / "hotfix-999-seeded"
    seeded.mkdir()
    for name in ("tasks.md", "hotfix.md", "post-mortem.md"):
        (seeded / name).write_text((folder / name).read_text())
    load(seeded).repair()
    written = [e for f in (folder, seeded) for e in log_lines(f)]
    found = {e["kind"] for e in written}
    assert found - set(kinds.KINDS) == set()
    assert {"done", "note", "unnote", "skip", "unskip", "severity", "status", "detection"} <= found
    assert {"start", "fix_commit", "row", "created", "alert", "reminder_sent", "table"} <= found
    by_hand = {e["kind"] for e in written if e.get("hand") or e["kind"] == "row"}
    assert {"done", "row"} <= by_hand
    assert all(kinds.KINDS[k].by_hand for k in by_hand), by_hand


def _bare_kinds(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Event kinds written as bare strings: `make("done", ...)`, `_emit("note", ...)`,
    `Event(id, "note", ...)`, `ev.kind == "done"`, `ev.kind in ("a", "b")`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            at = 1 if name == "Event" else 0 if name in ("make", "_emit") else None
            if at is not None and len(node.args) > at:
                arg = node.args[at]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value
        elif isinstance(node, ast.Compare):
            left = node.left
            if isinstance(left, ast.Attribute) and left.attr == "kind":
                for c in node.comparators:
                    for v in c.elts if isinstance(c, ast.Tuple | ast.Set | ast.List) else [c]:
                        if isinstance(v, ast.Constant) and isinstance(v.value, str):
                            yield node.lineno, v.value


def test_no_event_kind_is_a_bare_string_outside_its_declaration():
    found = []
    for path in sorted(CORE.rglob("*.py")):
        if path.name == "kinds.py" or "markdown" in path.parts:  # a sub-item's mark, not a kind
            continue
        for line, value in _bare_kinds(ast.parse(path.read_text(encoding="utf-8"))):
            if value in kinds.KINDS:
                found.append(f"{path.relative_to(CORE)}:{line}: {value!r}")
    assert found == []


def test_the_kind_finder_finds_bare_kinds():
    code = 'make("done", task=t)\nif ev.kind in ("note", "x"): pass\nEvent(i, "skip", r)\n'
    assert [v for _, v in _bare_kinds(ast.parse(code))] == ["done", "note", "x", "skip"]


def test_hand_edit_detection_makes_only_kinds_a_person_can_make(folder, monkeypatch):
    from hotfix_tui.core.record.reconcile import detect

    inc = load(folder)
    texts = {n: (folder / n).read_text() for n in ("tasks.md", "hotfix.md", "post-mortem.md")}
    texts["tasks.md"] = texts["tasks.md"].replace("- [ ] **T001**", "- [x] **T001**")
    texts["hotfix.md"] = texts["hotfix.md"].replace("[x] P1", "[ ] P1").replace("[ ] P0", "[x] P0")
    made: list[str] = []

    def make(kind: str, happened: datetime | None = None, **data: object) -> Event:
        made.append(kind)
        at = iso(happened or datetime.now(UTC))
        return Event(f"x{len(made)}", str(kind), at, at, "", "", dict(data))

    found = detect(texts, inc.view.events, inc.workflow, set(texts), make)
    assert {e.kind for e in found} >= {"done", "severity"}
    assert all(kinds.KINDS[k].by_hand for k in made)
    monkeypatch.setattr(kinds.Severity, "by_hand", False)  # what its declaration says counts
    with pytest.raises(ValueError, match="a severity event, not one a person makes by hand"):
        detect(texts, inc.view.events, inc.workflow, set(texts), make)
