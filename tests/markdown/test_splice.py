"""A note's new lines are spliced into tasks.md and the new text's parse is derived from the old
one (`tasks_md.splice`); whatever it derives must equal a fresh parse of the new text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from docs_equal import same_doc
from gitfix import T0
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.markdown import parse_cache, tasks_md
from hotfix_tui.core.markdown.tasks_md import _parse as full_parse  # (not the tests' spy)
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.record.projection import project_tasks, replay
from hotfix_tui.core.workflow.loader import resolve_workflow

NOTE = "**Note** (2026-01-01 10:00 UTC, Ana): seen"
SKIP = "**Skipped** (2026-01-01 10:00 UTC, Ana): not needed"

# Lines a tasks.md is made of, the usual and the awkward (lazy continuations, code, fences,
# HTML, headings, fields, ordered and nested lists, tasks without an ID, a quote).
PIECES = [
    "- [ ] **T{n:03d}** task {n}",
    "- [x] **T{n:03d}** done task {n}",
    "  - [ ] **T{n:03d}** nested {n}",
    "    - [ ] **T{n:03d}** deeper {n}",
    "- [ ] a task without an ID {n}",
    "  - step {n}",
    "    - sub step {n}",
    "  * star step {n}",
    "  1. numbered step {n}",
    "  - " + NOTE,
    "  - " + SKIP,
    "   - " + NOTE,
    "    - " + NOTE,
    "      - " + NOTE,
    "",
    "",
    "## Phase {n}: Phase {n}",
    "### Sub heading {n}",
    "lazy continuation text",
    "  continuation indented",
    "      indented like code",
    "```",
    "~~~",
    "<!-- a comment -->",
    "---",
    "1. [ ] **T{n:03d}** ordered",
    "2) [ ] **T{n:03d}** ordered with a paren",
    "* [ ] **T{n:03d}** star",
    "**Severity**: P1",
    "> a quote",
]


# The usual ones alone (the splices most notes make), and with every awkward one.
USUAL = [p for p in PIECES if "**T" in p and ">" not in p] + PIECES[5:11] + ["", "## Phase 9: N"]


@st.composite
def documents(draw) -> str:
    pieces = st.one_of(st.sampled_from(USUAL), st.sampled_from(PIECES))
    picks = draw(st.lists(pieces, min_size=1, max_size=30))
    lines = ["# Tasks: Hotfix - spliced", ""]
    lines += [p.format(n=i) for i, p in enumerate(picks, start=1)]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


def new_lines(indent: int) -> st.SearchStrategy[list[str]]:
    good = st.sampled_from([NOTE, SKIP, "**Note** (10:00): short", "**Skipped** (x, y): z"])
    usual = good.map(lambda t: " " * indent + "- " + t + "\n")
    line = st.one_of(
        usual,
        usual,
        usual,
        st.tuples(st.integers(0, 6), good).map(lambda p: " " * p[0] + "- " + p[1] + "\n"),
        st.sampled_from(
            [
                "  - a plain step\n",
                "  - [ ] **T900** a new task\n",
                "```\n",
                "\n",
                "  - " + NOTE,  # no line ending
                "  - **Note** (a\rb): a carriage return\n",
                "## Phase 9: Late\n",
            ]
        ),
    )
    return st.lists(line, min_size=1, max_size=3) | st.just([])


def derived(text: str) -> bool:
    return isinstance(tasks_md._PARSED.get((text, "auto")), tasks_md._Derived)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_splice_parses_as_a_fresh_parse_of_its_text(data):
    tasks_md._PARSED.clear()
    text = data.draw(documents())
    doc = tasks_md.parse_tasks(text)
    if not doc.tasks:
        return
    task = data.draw(st.sampled_from(doc.tasks))
    n = len(doc.line_starts)
    end = min(task.end_line + 1, n)
    b = data.draw(st.one_of(st.just(end), st.integers(task.line + 1, end)))
    a = data.draw(st.integers(task.line + 1, b))
    indent = task.child_indent if task.child_indent is not None else task.content_indent
    new = data.draw(new_lines(indent))
    spliced = tasks_md.splice(doc, task.key, a, b, new)
    lines = doc.lines
    assert spliced == "".join([*lines[:a], *new, *lines[b:]])
    event("derived" if derived(spliced) else "parsed")
    same_doc(tasks_md.parse_tasks(spliced), tasks_md._parse(spliced, "auto"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=documents(),
    acts=st.lists(st.tuples(st.sampled_from(["note", "skip", "unnote"]), st.integers(0, 40))),
)
def test_notes_projected_one_by_one_parse_as_a_fresh_parse(text, acts):
    """The projection's own splices, over random notes, skips and note removals."""
    tasks_md._PARSED.clear()
    rec = evlog.Recorder("ana", "Ana Lyst")
    events: list[evlog.Event] = []
    current = project_tasks(text, replay(events, None))
    refs = [t.id or t.key for t in tasks_md.parse_tasks(current).tasks]
    if not refs:
        return
    for i, (kind, pick) in enumerate(acts):
        ref = refs[pick % len(refs)]
        when = T0 + timedelta(minutes=i)
        if kind == "unnote":
            notes = [e for e in events if e.kind == "note" and e.task == ref]
            if not notes:
                continue
            events.append(rec.make("unnote", when, task=ref, ref=notes[0].id))
        else:
            events.append(rec.make(kind, when, task=ref, text=f"{kind} {i}"))
        state = replay(events, None)
        kept = tasks_md._PARSED.pop((current, "auto"), None)  # a parsed doc's projection:
        tasks_md.remember(tasks_md._parse(current, "auto"))
        expected = project_tasks(current, state)
        if kept is not None:  # and the same from the doc as it was (columns when derived)
            tasks_md._PARSED[(current, "auto")] = kept
        current = project_tasks(current, state)
        assert current == expected
        event("derived" if derived(current) else "parsed")
        same_doc(tasks_md.parse_tasks(current), tasks_md._parse(current, "auto"))


BASE = (
    "# Tasks: Hotfix - base\n\n**Severity**: P1\n\n## Phase 1: One\n\n"
    "- [ ] **T001** plain\n"
    "- [ ] **T002** with steps\n  - step a\n  - step b\n"
    "- [ ] **T003** with a note\n  - " + NOTE + "\n"
    "- [ ] **T004** parent\n  - [ ] **T005** child\n"
    "- [x] **T006** skipped\n  - " + SKIP + "\n\n"
    "## Phase 2: Two\n\n- [ ] **T007** later\n  - step c\n"
)


@pytest.mark.parametrize(
    ("key", "a", "b", "new"),
    [
        ("T001", 7, 7, ["  - " + NOTE + "\n"]),  # the first sub-item of a task
        ("T002", 10, 10, ["  - " + NOTE + "\n", "  - " + SKIP + "\n"]),  # after its steps
        ("T003", 12, 12, ["  - " + NOTE + "\n"]),  # after its notes
        ("T003", 11, 12, []),  # its one note removed
        ("T003", 11, 12, ["  - " + SKIP + "\n"]),  # replaced by a skip
        ("T005", 14, 14, ["    - " + NOTE + "\n"]),  # a nested task
        ("T006", 15, 16, ["  - " + NOTE + "\n", "  - " + SKIP + "\n"]),
        ("T007", 21, 21, ["  - " + NOTE + "\n"]),  # the last line of the file
    ],
)
def test_the_usual_splices_are_derived_not_parsed(key, a, b, new):
    tasks_md._PARSED.clear()
    doc = tasks_md.parse_tasks(BASE)
    text = tasks_md.splice(doc, key, a, b, new)
    assert derived(text)
    same_doc(tasks_md.parse_tasks(text), tasks_md._parse(text, "auto"))


def test_what_may_not_parse_as_sub_items_is_left_to_a_parse():
    tasks_md._PARSED.clear()
    doc = tasks_md.parse_tasks(BASE)
    for key, a, b, new in [
        ("T001", 7, 7, ["  - [ ] **T099** a task, not a note\n"]),
        ("T001", 7, 7, ["      - " + NOTE + "\n"]),  # indented like code
        ("T002", 9, 9, ["  - " + NOTE + "\n"]),  # not where the task ends
        ("T004", 13, 13, ["  - " + NOTE + "\n"]),  # between a task and its child task
    ]:
        text = tasks_md.splice(doc, key, a, b, new)
        assert not derived(text)
        same_doc(tasks_md.parse_tasks(text), tasks_md._parse(text, "auto"))
    # a box without an ID after the note is keyed by its words, not its line: it moves alone
    no_id = BASE + "- [ ] a task without an ID\n"
    doc = tasks_md.parse_tasks(no_id)
    text = tasks_md.splice(doc, "T001", 7, 7, ["  - " + NOTE + "\n"])
    assert derived(text)
    same_doc(tasks_md.parse_tasks(text), tasks_md._parse(text, "auto"))


@pytest.fixture
def inc(repo, clock, monkeypatch):
    monkeypatch.setattr(parse_cache, "MIN_CHARS", 1)  # every tasks.md is kept parsed on disk
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors", "P1", wf, clock=clock)
    return Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)


def test_a_note_keeps_the_derived_parse_on_disk_for_the_next_process(inc, parsed_texts):
    inc.note("T003", "first")
    inc.note("T003", "second")
    written = inc.view.path("tasks.md").read_text()
    assert "): second" in written and written not in parsed_texts
    tasks_md._PARSED.clear()  # a new process: the parse is read back from disk
    same_doc(tasks_md.parse_tasks(written), full_parse(written, "auto"))
    assert written not in parsed_texts


def test_a_hand_edit_between_notes_is_parsed_and_kept(inc, monkeypatch):
    inc.note("T003", "before the edit")
    path = inc.view.path("tasks.md")
    text = path.read_text()
    assert "- [ ] **T004**" in text
    edited = text.replace("- [ ] **T004**", "- [ ] **T004** (edited by hand)", 1)
    edited = edited.replace("- [ ] **T005**", "  - a step typed by hand\n- [ ] **T005**", 1)
    path.write_text(edited)
    tasks_md._PARSED.clear()  # a new process: nothing of the old text in memory
    inc.note("T005", "after the edit")
    written = path.read_text()
    assert "(edited by hand)" in written and "a step typed by hand" in written
    assert "): after the edit" in written
    same_doc(inc.view.doc, tasks_md._parse(written, "auto"))
    tasks_md._PARSED.clear()
    same_doc(tasks_md.parse_tasks(written), tasks_md._parse(written, "auto"))
    assert "(edited by hand)" in inc.view.doc.task("T004").title
    assert inc.view.doc.task("T004").steps[-1].text == "a step typed by hand"


def test_a_doc_made_from_columns_makes_its_tasks_one_by_one_or_all_alike():
    doc = tasks_md._parse(BASE + "- [ ] **T001** again\n- [ ] no id\n", "auto")
    lazy = tasks_md.doc_from_data(doc.text, tasks_md.packed(tasks_md.doc_data(doc)))
    assert not lazy.tasks_made and lazy.task_count == len(doc.tasks)
    one_by_one = [lazy.task_at(i) for i in range(lazy.task_count)]
    assert not lazy.tasks_made
    assert [lazy.title_of(t.key) for t in doc.tasks] == [t.title for t in doc.tasks]
    assert (lazy.task("T001#2"), lazy.title_of("nope")) == (doc.task("T001#2"), None)
    assert one_by_one == doc.tasks == lazy.tasks and lazy.tasks_made
