"""Large tasks.md files kept parsed on disk: read back only for the very text, engine and parser
code they were made from, and equal to a fresh parse."""

from __future__ import annotations

import pytest
from docs_equal import same_doc

from hotfix_tui.core.markdown import parse_cache, tasks_md


def big_text(n: int = 60, done: int = 7) -> str:
    out = ["# Tasks: Hotfix - cached", "", "**Severity**: P1", "", "## Phase 1: All", ""]
    for i in range(1, n + 1):
        out.append(f"- [{'x' if i % done == 0 else ' '}] **T{i:03d}** [P] task number {i}")
        if i % 3 == 0:
            out += [f"  - step of {i}", "  - **Note** (2026-01-01 10:00 UTC, Ana): seen"]
    out += ["", "- [ ] **T001** a repeated ID", "- [ ] no ID here", ""]
    return "\n".join(out)


@pytest.fixture
def parses(monkeypatch, parsed_texts) -> list[str]:
    """The texts really parsed (not read back); every text counts as large here."""
    monkeypatch.setattr(parse_cache, "MIN_CHARS", 1)
    fresh_process()
    return parsed_texts


def fresh_process() -> None:
    tasks_md._PARSED.clear()  # what a new process starts with


def test_an_unchanged_large_file_is_read_back_equal_to_a_parse(parses):
    text = big_text()
    first = tasks_md.parse_tasks(text)
    fresh_process()
    again = tasks_md.parse_tasks(text)
    assert parses == [text]
    same_doc(again, first)
    same_doc(again, tasks_md._parse(text, "auto"))
    assert again.task("T001#2") is not None and again.by_id["T001"].title == "task number 1"


def test_any_change_to_the_text_or_the_parser_parses_again(parses, monkeypatch):
    text = big_text()
    tasks_md.parse_tasks(text)
    changed = text.replace("- [ ] **T002**", "- [x] **T002**")
    fresh_process()
    assert tasks_md.parse_tasks(changed).task("T002").done
    assert parses == [text, changed]
    fresh_process()
    tasks_md.parse_tasks(text, engine="markdown-it")
    assert parses[-1] == text  # another engine is another key
    monkeypatch.setattr(parse_cache, "_CODE", "another version of the parser")
    fresh_process()
    tasks_md.parse_tasks(text)
    assert len(parses) == 4


def test_a_damaged_cache_file_is_parsed_again(parses):
    text = big_text()
    tasks_md.parse_tasks(text)
    (kept,) = parse_cache.cache_dir().glob("*.marshal")
    kept.write_bytes(b"\x00not marshal")
    fresh_process()
    again = tasks_md.parse_tasks(text)
    assert parses == [text, text]
    same_doc(again, tasks_md._parse(text, "auto"))


def test_the_cache_is_bounded_and_can_be_turned_off(parses, monkeypatch):
    for n in range(parse_cache.KEEP + 2):
        tasks_md.parse_tasks(big_text(20 + n))
    assert len(list(parse_cache.cache_dir().glob("*.marshal"))) == parse_cache.KEEP
    monkeypatch.setenv("HOTFIX_TUI_NO_CACHE", "1")
    assert parse_cache.cache_dir() is None
    text = big_text(99)
    tasks_md.parse_tasks(text)
    fresh_process()
    tasks_md.parse_tasks(text)
    assert parses[-2:] == [text, text]


def test_small_files_are_not_kept():
    fresh_process()
    assert len(big_text()) < parse_cache.MIN_CHARS
    tasks_md.parse_tasks(big_text(61))
    d = parse_cache.cache_dir()
    assert d is not None and not list(d.glob("*.marshal"))


def test_checkboxes_changed_on_a_kept_parse_make_no_task_objects(parses):
    text = big_text()
    tasks_md.parse_tasks(text)
    fresh_process()
    kept = tasks_md.parse_tasks(text)  # read back as columns
    changed = kept.with_checks({"T002": True, "T007": False, "T001#2": True})
    assert not kept.tasks_made and not changed.tasks_made
    assert changed.title_of("T002") == "task number 2" and changed.task("T002").done
    assert parses == [text]
    same_doc(changed, tasks_md._parse(changed.text, "auto"))
    same_doc(kept, tasks_md._parse(text, "auto"))  # the original is untouched


def test_checkboxes_changed_on_a_large_file_are_kept_parsed_for_the_next_command(parses):
    text = big_text()
    tasks_md.parse_tasks(text)
    fresh_process()
    changed = tasks_md.parse_tasks(text).with_checks({"T002": True})
    fresh_process()
    again = tasks_md.parse_tasks(changed.text)
    assert parses == [text]  # the new text is read back, not parsed
    same_doc(again, tasks_md._parse(changed.text, "auto"))
