"""Opening an incident whose files are the log's projection writes nothing and takes no lock;
anything else (a hand edit, a killed writer's temp file) still goes through the locked path."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import journal
from hotfix_tui.core.record.incident import Incident, IncidentError
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "checkout returns 500", "P1", wf, clock=clock)
    i = Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)
    i.set_done("T001")
    return i


def reopen(inc: Incident) -> Incident:
    return Incident(inc.folder, inc.workflow, clock=inc.clock, who="Ana Lyst",
                    repo_root=inc.repo_root)


def held_elsewhere(inc: Incident):
    """The incident's lock, held by another thread until the returned event is set."""
    got, release = threading.Event(), threading.Event()

    def hold() -> None:
        lock = journal.incident_lock(inc.repo_root, inc.folder)
        with lock:
            got.set()
            release.wait(30)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert got.wait(10)
    return release, t


def test_settled_files_are_repaired_without_the_lock(inc, monkeypatch):
    monkeypatch.setenv("HOTFIX_TUI_LOCK_TIMEOUT", "0.2")
    again = reopen(inc)
    before = {p.name: p.read_bytes() for p in inc.folder.iterdir() if p.is_file()}
    release, t = held_elsewhere(inc)
    try:
        assert again.repair() == []  # no wait for the lock another writer holds
    finally:
        release.set()
        t.join()
    assert {p.name: p.read_bytes() for p in inc.folder.iterdir() if p.is_file()} == before


def test_a_hand_edit_still_takes_the_lock_and_is_recorded(inc, monkeypatch):
    monkeypatch.setenv("HOTFIX_TUI_LOCK_TIMEOUT", "0.2")
    path = inc.folder / "tasks.md"
    path.write_text(path.read_text().replace("- [ ] **T002**", "- [x] **T002**"))
    again = reopen(inc)
    release, t = held_elsewhere(inc)
    try:
        with pytest.raises(IncidentError, match="lock"):
            again.repair()  # it must record the edit, so it waits for the writer
    finally:
        release.set()
        t.join()
    made = again.repair()
    assert [e.kind for e in made] == [] and again.view.doc.task("T002").done
    assert any(e.data.get("hand") for e in again.view.events)


def test_a_killed_writers_temp_file_is_swept_by_the_locked_path(inc):
    tmp = inc.folder / ".tasks.md.12345.tmp"
    tmp.write_text("half a file")
    again = reopen(inc)
    assert again.repair() == []
    assert not tmp.exists()


def test_the_command_pauses_the_collector_only_for_its_imports(tmp_path):
    code = (
        "import gc, sys\n"
        "sys.argv = ['hotfix-tui', 'list', '--json']\n"
        "from hotfix_tui import entry\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr
