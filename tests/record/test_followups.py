"""Post-mortem follow-ups through the record: an event each, written under Action Items."""

from __future__ import annotations

import pytest
from gitfix import FOLDER, git, incident, team

from hotfix_tui.core.markdown import action_items
from hotfix_tui.core.record import events
from hotfix_tui.core.record.change import BadInput
from hotfix_tui.core.record.followup import add_followup


def _items(root):
    text = (root / FOLDER / "post-mortem.md").read_text()
    return [(i.ref, i.title, i.owner, i.due) for i in action_items.parse(text)]


def test_a_followup_replaces_the_templates_item_and_is_an_event(tmp_path, clock):
    _remote, alice, _bob = team(tmp_path, clock)
    inc = incident(alice, clock)
    assert [i[1] for i in _items(alice)] == ["[Action item]"]
    change = add_followup(inc, "Alert on pool saturation", "Ana Lyst", "2026-12-14")
    assert change.label == "follow-up AI-001"
    add_followup(inc, "Runbook for pool resize", "ben@example.invalid", "2026-12-20")
    assert _items(alice) == [
        ("AI-001", "Alert on pool saturation", "Ana Lyst", "2026-12-14"),
        ("AI-002", "Runbook for pool resize", "ben@example.invalid", "2026-12-20"),
    ]
    evs = [e for e in events.read_log(alice / FOLDER) if e.kind == "followup"]
    assert [e.get("ref") for e in evs] == ["AI-001", "AI-002"]
    pm = (alice / FOLDER / "post-mortem.md").read_text()
    assert "Follow-up AI-001: Alert on pool saturation" in pm  # its timeline row
    assert "  - **Owner**: Ana Lyst\n  - **Due**: 2026-12-14\n" in pm


def test_undoing_a_followup_removes_it_and_a_hand_edited_one_stays(tmp_path, clock):
    _remote, alice, _bob = team(tmp_path, clock)
    inc = incident(alice, clock)
    add_followup(inc, "Keep me", "Ana", "2026-12-14")
    add_followup(inc, "Drop me", "Ana", "2026-12-15")
    assert inc.undo_last() is not None
    assert [i[0] for i in _items(alice)] == ["AI-001"]
    pm = alice / FOLDER / "post-mortem.md"
    pm.write_text(pm.read_text().replace("- [ ] **AI-001**: Keep me", "- [x] **AI-001**: Keep me"))
    inc = incident(alice, clock)
    add_followup(inc, "Third", "Ben", "2026-12-16")
    text = pm.read_text()
    assert "- [x] **AI-001**: Keep me" in text and "**AI-003**: Third" in text


@pytest.mark.parametrize(("title", "owner", "due"), [
    ("", "Ana", "2026-12-14"), ("x", "", "2026-12-14"), ("x", "Ana", "next week"),
    ("two\nlines", "Ana", "2026-12-14"),
])
def test_a_followup_needs_a_title_an_owner_and_a_date(tmp_path, clock, title, owner, due):
    _remote, alice, _bob = team(tmp_path, clock)
    before = (alice / FOLDER / "post-mortem.md").read_text()
    with pytest.raises(BadInput):
        add_followup(incident(alice, clock), title, owner, due)
    assert (alice / FOLDER / "post-mortem.md").read_text() == before


def test_followups_added_on_two_clones_merge(tmp_path, clock):
    from hotfix_tui.core.sync import sync

    _remote, alice, bob = team(tmp_path, clock)
    add_followup(incident(alice, clock), "From Alice", "Alice Doe", "2026-12-14")
    add_followup(incident(bob, clock), "From Bob", "Bob Roe", "2026-12-15")
    sync(alice, alice / FOLDER)
    sync(bob, bob / FOLDER)
    sync(alice, alice / FOLDER)
    sync(bob, bob / FOLDER)
    items = sorted(_items(alice))
    assert [i[0] for i in items] == ["AI-001", "AI-002"]  # the ref both took: one renumbered
    assert {i[1:] for i in items} == {("From Alice", "Alice Doe", "2026-12-14"),
                                      ("From Bob", "Bob Roe", "2026-12-15")}
    assert sorted(_items(bob)) == items
    assert git(alice, "status", "--porcelain", "--", FOLDER) == ""


def test_undoing_the_only_followup_puts_the_templates_item_back_and_redo_keeps_its_ref(
    tmp_path, clock
):
    _remote, alice, _bob = team(tmp_path, clock)
    inc = incident(alice, clock)
    pm = alice / FOLDER / "post-mortem.md"
    section = pm.read_text().split("## Action Items", 1)[1].split("\n## ", 1)[0]
    add_followup(inc, "Alert on pool saturation", "Ana Lyst", "2026-12-14")
    assert inc.undo_last() is not None
    assert pm.read_text().split("## Action Items", 1)[1].split("\n## ", 1)[0] == section
    assert inc.redo_last() is not None
    assert _items(alice) == [("AI-001", "Alert on pool saturation", "Ana Lyst", "2026-12-14")]
