"""Properties of the projection and the merge, for random event histories split across clones.

The same set of events gives the same bytes whatever the order of merging; the invariants hold.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path

from gitfix import T0, FakeClock, make_repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_tui.core.markdown import record_md as record
from hotfix_tui.core.markdown import tasks_md
from hotfix_tui.core.record import events
from hotfix_tui.core.record.projection import one_task, project, replay
from hotfix_tui.core.sync import merge_record
from hotfix_tui.core.workflow.loader import resolve_workflow

MD = ("tasks.md", "hotfix.md", "post-mortem.md")
TASKS = ("T001", "T003", "T005", "T007", "T012", "T013")
FIELD_OF = {
    "T001": "Investigation Start",
    "T005": "Root Cause Identified",
    "T012": "Fix Deployed",
    "T013": "Incident End",
}


@cache
def base() -> tuple[dict[str, str | None], list[events.Event], object]:
    """A freshly declared incident's files and log (made once: hypothesis reuses it)."""
    from hotfix_tui.core.creating import create_incident

    root = make_repo(Path(tempfile.mkdtemp(prefix="hotfix-prop-")) / "repo")
    wf = resolve_workflow("hotfix", root)
    folder = create_incident(root, "Checkout broken", "P1", wf, clock=FakeClock(T0), branch=False)
    files = {n: (folder / n).read_text() for n in MD}
    return files, events.read_log(folder), wf


action = st.one_of(
    st.tuples(st.sampled_from(["done", "reopen", "skip", "unskip"]), st.sampled_from(TASKS)),
    st.tuples(st.just("note"), st.sampled_from(TASKS)),
    st.tuples(st.just("severity"), st.sampled_from(["P0", "P1", "P2"])),
    st.tuples(st.just("status"), st.sampled_from(["Investigating", "Monitoring"])),
)
history = st.lists(
    st.tuples(action, st.integers(0, 2), st.integers(0, 90)), min_size=1, max_size=25
)


def build(steps) -> tuple[list[events.Event], list[list[events.Event]]]:
    """Events made by three clones (a clock each, possibly skewed); returns all and per clone."""
    recs = [events.Recorder(f"c{i}", f"Person {i}") for i in range(3)]
    per: list[list[events.Event]] = [[], [], []]
    for n, ((kind, arg), who, minutes) in enumerate(steps):
        now = T0 + timedelta(minutes=minutes, seconds=n)
        data: dict[str, object] = {}
        if kind in ("severity", "status"):
            data["value"] = arg
        else:
            data["task"] = arg
        if kind == "note":
            data["text"] = f"note {n}"
        if kind == "skip":
            data["text"] = f"reason {n}"
        per[who].append(recs[who].make(kind, now, per[who], **data))
    return [e for p in per for e in p], per


def log_text(evs: list[events.Event]) -> str:
    return "".join(e.line() for e in evs)


def folder_files(files, evs) -> dict[str, str | None]:
    return {**project(files, evs, base()[2]), "events.jsonl": log_text(evs)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history, st.randoms(use_true_random=False))
def test_the_same_events_give_the_same_bytes_in_any_order(steps, rnd):
    files, created, wf = base()
    made, _ = build(steps)
    evs = created + made
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    dup = shuffled + shuffled[: len(shuffled) // 2]  # a union merge may repeat lines
    one = project(files, evs, wf)
    parsed, problems = events.parse_log(log_text(dup))
    assert not problems and {e.id for e in parsed} == {e.id for e in evs}
    assert project(files, parsed, wf) == one
    assert project(one, evs, wf) == one  # projecting again changes nothing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history)
def test_the_invariants_of_the_record_hold(steps):
    files, created, wf = base()
    made, _ = build(steps)
    evs = created + made
    out = project(files, evs, wf)
    state = replay(evs, wf)
    doc = tasks_md.parse_tasks(out["tasks.md"] or "")
    hot = out["hotfix.md"] or ""
    for ref in TASKS:
        task = doc.task(ref)
        assert task is not None
        assert not (task.done and task.skip is not None), ref  # never done and skipped
        assert task.done == state.task(ref).done
        if ref in FIELD_OF:  # a timeline field is filled iff its task is done
            assert (record.field_time(hot, FIELD_OF[ref]) is not None) == task.done, ref
    # the SLA clock is stopped iff the service-restored task (T013) is done
    assert (record.field_time(hot, "Incident End") is not None) == doc.task("T013").done
    table = record.log_table(out["post-mortem.md"] or "")
    assert table is not None
    real = [r for r in table[0] if not r.placeholder]
    assert len(real) == len(evs)  # every event exactly once in the timeline
    keys = [s.id for s in wf.severities]
    assert record.first_checked_key(hot, "Severity", keys) == state.severity
    assert len(record.checked_options(hot, "Severity")) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history, st.integers(0, 25))
def test_clones_merged_in_any_order_end_byte_identical(steps, cut):
    files, created, wf = base()
    made, per = build(steps)
    shared = created + made[: min(cut, len(made))]
    shared_ids = {e.id for e in shared}
    a = shared + [e for e in per[0] + per[2] if e.id not in shared_ids]
    b = shared + [e for e in per[1] if e.id not in shared_ids]
    base_f = folder_files(files, shared)
    fa, fb = folder_files(files, a), folder_files(files, b)
    ab = merge_record(base_f, fa, fb, wf).files
    ba = merge_record(base_f, fb, fa, wf).files
    direct = project(files, created + made, wf)
    for name in MD:
        assert ab[name] == ba[name] == direct[name], name
        assert "<<<<<<<" not in (ab[name] or "")
    assert ab["events.jsonl"] == ba["events.jsonl"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history, st.sampled_from([*TASKS, "T099"]), st.integers(0, 25))
def test_a_tasks_state_from_its_own_events_is_what_the_whole_replay_says(steps, ref, cut):
    _files, created, wf = base()
    made, _ = build(steps)
    evs = created + made
    if made:  # a commit that removed a line: its revert event cancels that event
        gone = made[min(cut, len(made) - 1)]
        evs.append(events.Recorder("c9", "Rev Ert").make(
            "revert", T0 + timedelta(hours=3), evs, ref=gone.id, commit="abc1234"
        ))
    assert one_task(evs, wf, ref) == replay(evs, wf).task(ref)
