"""Tests for the tasks.md model: structure, positions, round trip and minimal edits."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_tui.core.markdown.tasks_md import (
    ConflictError,
    add_subitem,
    note_line,
    parse_tasks,
    remove_line,
    set_done,
    set_field,
    skip_line,
    split_lines,
)

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "hotfix-tasks-template.md"
if not SEED.exists():  # pragma: no cover - layout fallback
    SEED = Path("/work/shared/seed/hotfix-tasks-template.md")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def one_char_diff(a: str, b: str) -> None:
    assert len(a) == len(b)
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    assert len(diffs) == 1
    la, lb = split_lines(a), split_lines(b)
    assert len(la) == len(lb)
    assert sum(x != y for x, y in zip(la, lb, strict=True)) == 1


def same_structure(a, b) -> None:
    assert [asdict(t) for t in a.tasks] == [asdict(t) for t in b.tasks]
    assert [asdict(p) for p in a.phases] == [asdict(p) for p in b.phases]
    assert a.fields == b.fields
    assert (a.title, a.heading, a.duplicate_ids) == (b.title, b.heading, b.duplicate_ids)


# --- the seed ---------------------------------------------------------------------------------


def test_seed_structure() -> None:
    doc = parse_tasks(seed_text())
    assert doc.engine == "fast"
    assert doc.render() == seed_text()
    assert doc.heading == "Tasks: Hotfix - [INCIDENT TITLE]"
    assert doc.title == "[INCIDENT TITLE]"
    assert doc.fields["Hotfix ID"].value == "hotfix-###"
    assert doc.fields["Severity"].value == "[P0/P1/P2]"
    assert doc.fields["Input"].value.startswith("Hotfix spec from")
    assert "Time to Resolution" not in doc.fields  # after the first ## heading
    assert [(p.number, p.name, p.note) for p in doc.phases] == [
        (1, "Immediate Response", "URGENT"),
        (2, "Fix Implementation", "FAST BUT SAFE"),
        (3, "Deployment", "URGENT"),
        (4, "Monitoring", "24-48 Hours"),
        (5, "Post-Incident", "Within 48 Hours"),
        (6, "Resolution", ""),
    ]
    assert [len(p.task_keys) for p in doc.phases] == [5, 4, 5, 3, 8, 3]
    assert [t.id for t in doc.tasks] == [f"T{i:03d}" for i in range(1, 29)]
    t1 = doc.task("T001")
    assert t1 is not None
    assert t1.title == "Assess severity and impact"
    assert [s.text for s in t1.steps] == [
        "How many users affected?",
        "Is service completely down or degraded?",
        "Is data at risk?",
        "Document in hotfix.md",
    ]
    t11 = doc.by_id["T011"]
    assert t11.title == "Deploy to staging (if P1/P2, skip if P0)"
    assert t11.phase_index == 2
    assert doc.text[t11.check_offset] == " "
    assert doc.lines[t11.line].startswith("- [ ] **T011**")
    assert all(not t.done for t in doc.tasks)
    assert all(t.phase_index >= 0 for t in doc.tasks)  # every task is in a phase
    # the fenced block and the numbered rollback list are not tasks
    assert len(doc.tasks) == 28


def test_seed_engines_agree() -> None:
    text = seed_text()
    same_structure(parse_tasks(text), parse_tasks(text, engine="markdown-it"))


def test_field_spans_and_set_field() -> None:
    text = seed_text()
    doc = parse_tasks(text)
    f = doc.fields["Severity"]
    assert text[f.start : f.end] == "[P0/P1/P2]"
    new = set_field(doc, "Severity", "P1")
    assert parse_tasks(new).fields["Severity"].value == "P1"
    assert new.replace("**Severity**: P1", "**Severity**: [P0/P1/P2]") == text
    added = set_field(doc, "Commander", "Alice")
    assert parse_tasks(added).fields["Commander"].value == "Alice"
    assert added.replace("**Commander**: Alice\n", "") == text


# --- checkbox and bullet variants --------------------------------------------------------------


def test_states_and_bullets() -> None:
    text = (
        "# Checklist\n\n"
        "- [x] **T001** lower\n"
        "- [X] **T002** upper\n"
        "* [ ] T003 star\n"
        "+ [ ] T004 plus\n"
        "1. [ ] T005 numbered\n"
        "2) [x] T006 paren\n"
        "- [ ]T007 not a task (no space)\n"
        "- [y] not a task\n"
        "-[ ] not a list item\n"
    )
    doc = parse_tasks(text)
    assert [(t.id, t.done) for t in doc.tasks] == [
        ("T001", True),
        ("T002", True),
        ("T003", False),
        ("T004", False),
        ("T005", False),
        ("T006", True),
    ]
    assert doc.phases[0].name == "Checklist"
    same_structure(doc, parse_tasks(text, engine="markdown-it"))
    # X stays X when already done; unchecking writes a space
    assert set_done(doc, "T002", True) == text
    assert "- [ ] **T002**" in set_done(doc, "T002", False)
    assert "2) [x] T006" in text and "2) [ ] T006" in set_done(doc, "T006", False)


def test_spec_kit_style() -> None:
    text = (
        "# Tasks: User accounts\n\n"
        "## Phase 3.1: Setup\n"
        "- [ ] T001 Create project structure\n"
        "## Phase 3: User Story 1\n\n"
        "- [ ] T012 [P] [US1] Create User model in src/models/user.py\n"
        "- [x] T013 [US1] Wire the API\n"
    )
    doc = parse_tasks(text)
    t = doc.task("T012")
    assert t is not None
    assert t.markers == ("P", "US1")
    assert t.title == "Create User model in src/models/user.py"
    assert doc.title == "User accounts"
    # "Phase 3.1: Setup" is not "Phase N: Name", "Phase 3: User Story 1" is
    assert [p.name for p in doc.phases] == ["User Story 1"]
    assert doc.task("T001").phase_index == -1  # type: ignore[union-attr]
    assert [x.id for x in doc.tasks if x.phase_index < 0] == ["T001"]


def test_post_mortem_action_items() -> None:
    text = "## Action Items\n\n- [ ] **AI-001**: Add a pool size alert\n  - Owner: Bob\n"
    doc = parse_tasks(text)
    t = doc.task("AI-001")
    assert t is not None and t.title == "Add a pool size alert"
    assert [s.text for s in t.steps] == ["Owner: Bob"]


def test_plain_checklist_without_ids_or_headings() -> None:
    text = "- [ ] buy milk\n- [x] call Bob\n  - about the deploy\n"
    doc = parse_tasks(text)
    assert [t.key for t in doc.tasks] == ["buy-milk", "call-bob"]  # its words, not its line
    assert all(t.id is None for t in doc.tasks)
    assert doc.tasks[1].steps[0].text == "about the deploy"
    keys = ["buy-milk", "call-bob"]
    assert [(p.name, p.line, p.task_keys) for p in doc.phases] == [("Tasks", -1, keys)]
    assert doc.task("L2") == doc.task("call-bob")  # an older version's key: the box on line 2
    assert doc.task("call-bob").done  # type: ignore[union-attr]


def test_tasks_before_heading_named_after_h1() -> None:
    doc = parse_tasks("# Release\n\n- [ ] a\n\n## Later\n\n- [ ] b\n\n## Empty\n")
    assert [(p.name, len(p.task_keys)) for p in doc.phases] == [("Release", 1), ("Later", 1)]


def test_nested_tasks_and_steps() -> None:
    text = (
        "## Phase 1: Work (NOW)\n"
        "- [ ] **T001** parent\n"
        "  - step one\n"
        "    - deeper step\n"
        "  - [x] **T002** child task\n"
        "    - child step\n"
        "  - step two\n"
        "\n"
        "- [ ] **T003** next\n"
    )
    doc = parse_tasks(text)
    t1, t2, t3 = doc.tasks
    assert (t1.level, t2.level, t3.level) == (0, 1, 0)
    assert t2.parent_key == "T001" and t1.parent_key is None
    assert [(s.text, s.level) for s in t1.steps] == [
        ("step one", 0),
        ("deeper step", 1),
        ("step two", 0),
    ]
    assert [s.text for s in t2.steps] == ["child step"]
    assert t1.end_line == 6 and t3.end_line == 8
    assert all(t.phase_index == 0 for t in doc.tasks)
    same_structure(doc, parse_tasks(text, engine="markdown-it"))


def test_fences_and_indented_code_are_not_tasks() -> None:
    text = (
        "# T\n\n"
        "```md\n- [ ] **T900** in a fence\n```\n\n"
        "~~~\n- [ ] **T901** tilde fence\n```\n- [ ] still inside\n~~~\n\n"
        "    - [ ] **T902** indented code\n\n"
        "- [ ] **T001** real\n"
        "  ```\n  - [ ] **T903** fence inside the item\n  ```\n"
        "  - a step\n"
    )
    doc = parse_tasks(text)
    assert [t.id for t in doc.tasks] == ["T001"]
    assert [s.text for s in doc.tasks[0].steps] == ["a step"]
    same_structure(doc, parse_tasks(text, engine="markdown-it"))


def test_notes_and_skip() -> None:
    text = (
        "- [ ] **T001** do it\n"
        "  - a step\n"
        "  - **Note** (2026-11-25 17:02:11 UTC, Alice Smith): pool at 100%\n"
        "  - **Note** (2026-11-25 17:05:00 UTC): no author\n"
        "  - **Skipped** (2026-11-25 17:06:00 UTC, Bob): not needed for P0\n"
    )
    doc = parse_tasks(text)
    t = doc.tasks[0]
    assert [s.text for s in t.steps] == ["a step"]
    assert [(n.time, n.who, n.text, n.line) for n in t.notes] == [
        ("2026-11-25 17:02:11 UTC", "Alice Smith", "pool at 100%", 2),
        ("2026-11-25 17:05:00 UTC", None, "no author", 3),
    ]
    assert t.skip is not None
    assert (t.skip.kind, t.skip.who, t.skip.text) == ("skip", "Bob", "not needed for P0")


def test_note_and_skip_lines_round_trip() -> None:
    line = note_line("2026-11-25 17:02:11 UTC", "Alice Smith", "two\nlines")
    assert line == "**Note** (2026-11-25 17:02:11 UTC, Alice Smith): two\nlines"
    assert skip_line("2026-11-25 17:02:11 UTC", None, "why") == (
        "**Skipped** (2026-11-25 17:02:11 UTC): why"
    )
    doc = parse_tasks("- [ ] **T001** x\n")
    doc2 = parse_tasks(add_subitem(doc, "T001", line))
    assert doc2.text == "- [ ] **T001** x\n  - " + line.replace("\n", "\n    ") + "\n"
    assert doc2.tasks[0].notes[0].text == "two\nlines"
    assert doc2.tasks[0].notes[0].who == "Alice Smith"


# --- line endings, BOM, odd files ------------------------------------------------------------


def test_crlf() -> None:
    text = seed_text().replace("\n", "\r\n")
    doc = parse_tasks(text)
    assert doc.newline == "\r\n"
    assert len(doc.tasks) == 28 and doc.render() == text
    new = set_done(doc, "T003", True)
    one_char_diff(text, new)
    added = add_subitem(doc, "T003", "extra")
    assert "  - Capture error messages/logs\r\n  - extra\r\n\r\n- [ ] **T004**" in added
    assert "\n" not in added.replace("\r\n", "")


def test_bom_positions() -> None:
    text = "\ufeff- [ ] **T001** first\n- [x] T002 second\n"
    doc = parse_tasks(text)
    assert doc.bom and doc.render() == text
    assert [t.id for t in doc.tasks] == ["T001", "T002"]
    t1 = doc.tasks[0]
    assert t1.check_offset == 4 and text[t1.check_offset] == " "
    new = set_done(doc, "T001", True)
    assert new == "\ufeff- [x] **T001** first\n- [x] T002 second\n"
    assert parse_tasks(new).tasks[0].done
    with_bom_h1 = "\ufeff# Tasks: Hotfix - Pool\n\n**Severity**: P2\n"
    d = parse_tasks(with_bom_h1)
    assert d.title == "Pool" and d.fields["Severity"].value == "P2"
    assert set_field(d, "Severity", "P0") == with_bom_h1.replace("P2", "P0")


def test_mixed_line_endings() -> None:
    text = "# T\r\n\r\n- [ ] **T001** a\r  - step\n- [ ] **T002** b\r\n  - s2"
    doc = parse_tasks(text)
    assert doc.render() == text
    assert [t.id for t in doc.tasks] == ["T001", "T002"]
    assert [s.text for s in doc.tasks[0].steps] == ["step"]
    assert doc.newline == "\r\n"
    added = add_subitem(doc, "T002", "last")
    assert added == text + "\r\n  - last"  # no final newline stays so
    assert remove_line(parse_tasks(added), 6) == text


def test_heading_only_and_empty() -> None:
    for text in ["", "# Just a title", "# Just a title\n", "\n\n", "\ufeff"]:
        doc = parse_tasks(text)
        assert doc.render() == text
        assert doc.tasks == [] and doc.phases == []
    assert parse_tasks("# Just a title\n").title == "Just a title"
    doc = parse_tasks("# Tasks: Hotfix - X\n\n## Phase 1: A (B)\n\n## Phase 2: C\n")
    assert [(p.name, p.task_keys) for p in doc.phases] == [("A", []), ("C", [])]


def test_duplicate_ids() -> None:
    text = "- [ ] **T005** one\n- [x] **T005** two\n- [ ] **T005** three\n"
    doc = parse_tasks(text)
    assert [t.key for t in doc.tasks] == ["T005", "T005#2", "T005#3"]
    assert doc.duplicate_ids == ["T005"]
    assert doc.task("T005").title == "one"  # type: ignore[union-attr]
    assert doc.task("T005#2").done  # type: ignore[union-attr]


# --- edits ------------------------------------------------------------------------------------


def test_set_done_changes_one_char() -> None:
    text = seed_text()
    doc = parse_tasks(text)
    new = set_done(doc, "T017", True)
    one_char_diff(text, new)
    assert parse_tasks(new).task("T017").done  # type: ignore[union-attr]
    assert set_done(doc, "T017", False) == text
    back = set_done(parse_tasks(new), "T017", False)
    assert back == text
    with pytest.raises(ConflictError):
        set_done(doc, "T999", True)


def test_add_subitem_and_remove_line() -> None:
    text = seed_text()
    doc = parse_tasks(text)
    new = add_subitem(doc, "T005", "Pool size was 10")
    assert "  - Why tests didn't catch it\n  - Pool size was 10\n\n## Phase 2" in new
    d2 = parse_tasks(new)
    t5 = d2.task("T005")
    assert t5 is not None and t5.steps[-1].text == "Pool size was 10"
    assert remove_line(d2, t5.steps[-1].line) == text
    # last task of the file, then a numbered task whose content starts at column 3
    doc3 = parse_tasks("1. [ ] first\n2. [ ] second")
    out = add_subitem(doc3, "L1", "sub")
    assert out == "1. [ ] first\n   - sub\n2. [ ] second"
    assert parse_tasks(out).tasks[0].steps[0].text == "sub"
    out2 = add_subitem(doc3, "L2", "sub")
    assert out2 == "1. [ ] first\n2. [ ] second\n   - sub"
    # existing sub-items decide the indent
    doc4 = parse_tasks("- [ ] a\n    - four spaces\n")
    assert add_subitem(doc4, "L1", "b") == "- [ ] a\n    - four spaces\n    - b\n"


# --- property-based ---------------------------------------------------------------------------

_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
_WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=12,
)
_SAFE_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.()é✅中]{0,15}", fullmatch=True)


@st.composite
def _line(draw: st.DrawFn, safe: bool) -> str:
    word = _SAFE_WORD if safe else _WORD
    kind = draw(
        st.sampled_from(
            ["heading", "phase", "task", "task", "task", "sub", "note", "blank", "text", "fence"]
            + ([] if safe else ["raw"])
        )
    )
    ind = " " * draw(st.sampled_from([0, 0, 0, 1, 2, 2, 3, 4, 5, 6, 8]))
    bullet = draw(st.sampled_from(["-", "*", "+", "1.", "2)", "10."]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 3)) + " " + draw(word)
    if kind == "phase":
        n = draw(st.integers(1, 9))
        return f"## Phase {n}: {draw(_SAFE_WORD)} ({draw(_SAFE_WORD)})"
    if kind == "task":
        state = draw(st.sampled_from([" ", "x", "X"]))
        tid = draw(st.sampled_from(["", "**T001** ", "T002 ", "**AI-003**: ", "T004 [P] [US1] "]))
        return f"{ind}{bullet} [{state}] {tid}{draw(word)}"
    if kind == "sub":
        return f"{ind}{bullet} {draw(word)}"
    if kind == "note":
        return f"{ind}- " + note_line("2026-01-01 00:00:00 UTC", draw(_SAFE_WORD), draw(word))
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "  "]))
    if kind == "fence":
        return ind[:3] + draw(st.sampled_from(["```", "~~~", "````", "```py"]))
    if kind == "text":
        return ind + draw(word)
    return draw(_WORD)


@st.composite
def _doc(draw: st.DrawFn, safe: bool = False) -> str:
    lines = draw(st.lists(_line(safe), max_size=25))
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i < len(lines) - 1 or draw(st.booleans()):
            out.append(draw(_ENDINGS))
    prefix = "\ufeff" if draw(st.integers(0, 9)) == 0 else ""
    return prefix + "".join(out)


_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_doc())
def test_round_trip_any_markdown(text: str) -> None:
    doc = parse_tasks(text)
    assert doc.render() == text
    assert "".join(doc.lines) == text
    for t in doc.tasks:
        assert text[t.check_offset] in " xX"


@_SETTINGS
@given(_doc(), st.data())
def test_set_done_any_task(text: str, data: st.DataObject) -> None:
    doc = parse_tasks(text)
    if not doc.tasks:
        return
    t = data.draw(st.sampled_from(doc.tasks))
    new = set_done(doc, t.key, not t.done)
    one_char_diff(text, new)
    again = parse_tasks(new)
    assert [(x.key, x.done) for x in again.tasks] == [
        (x.key, (not x.done) if x.key == t.key else x.done) for x in doc.tasks
    ]
    same_structure(doc.with_checks({t.key: not t.done}), again)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc(safe=True))
def test_fast_scanner_matches_markdown_it(text: str) -> None:
    fast = parse_tasks(text)
    ref = parse_tasks(text, engine="markdown-it")
    same_structure(fast, ref)


@_SETTINGS
@given(_doc())
def test_fast_scanner_matches_markdown_it_any(text: str) -> None:
    same_structure(parse_tasks(text), parse_tasks(text, engine="markdown-it"))
