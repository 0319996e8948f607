"""A writer killed between creating its temp file and the rename leaves `.NAME.XXXX.tmp` in the
incident folder; the next change, under the incident's lock, removes it (found by the chaos
test once `note` became fast enough to be killed mid-write)."""

from __future__ import annotations

from gitfix import FOLDER, incident, team


def test_the_next_change_removes_temp_files_of_a_killed_writer(tmp_path, clock) -> None:
    _remote, alice, _bob = team(tmp_path, clock)
    folder = alice / FOLDER
    left = [folder / ".tasks.md.k1ll3d00.tmp", folder / ".events.jsonl.k1ll3d01.tmp"]
    for p in left:
        p.write_text("half a write", encoding="utf-8")
    mine = folder / ".notes-of-my-editor.tmp"  # not a name hotfix-tui writes: kept
    mine.write_text("draft", encoding="utf-8")
    inc = incident(alice, clock)
    inc.note("T001", "after the crash")
    assert not any(p.exists() for p in left)
    assert mine.exists()
    assert "after the crash" in (folder / "tasks.md").read_text(encoding="utf-8")
