"""The kept projection (`journal.save_view`): a load takes the files as they are only while the
log, the files, the workflow and the code are the ones that projection was made from."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hotfix_tui.core.creating import create_incident
from hotfix_tui.core.record import events as evlog
from hotfix_tui.core.record import journal
from hotfix_tui.core.record import view as view_mod
from hotfix_tui.core.record.incident import Incident
from hotfix_tui.core.workflow.loader import resolve_workflow


@pytest.fixture
def inc(repo, clock):
    wf = resolve_workflow("hotfix", repo)
    folder = create_incident(repo, "Checkout returns 500 errors", "P1", wf, clock=clock)
    i = Incident(folder, wf, clock=clock, who="Ana Lyst", repo_root=repo)
    i.set_done("T002")  # an action: its projection is kept
    return i


@pytest.fixture
def projections(monkeypatch) -> list[int]:
    """Counts the projections a load makes."""
    calls: list[int] = []
    real = view_mod.project

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(view_mod, "project", spy)
    return calls


def reload(inc: Incident, workflow=None) -> Incident:
    wf = inc.workflow if workflow is None else workflow
    return Incident(inc.folder, wf, clock=inc.clock, who="Ana Lyst", repo_root=inc.repo_root)


def test_files_the_last_action_wrote_are_taken_as_they_are(inc, projections):
    fresh = reload(inc)
    assert projections == []
    assert fresh.view.texts == {n: inc.view.path(n).read_text() for n in fresh.view.texts}
    assert fresh.view.doc.task("T002").done


def test_an_event_from_elsewhere_is_projected(inc, projections):
    rec = evlog.Recorder("other-clone", "Bo Rrower")
    evlog.append(inc.folder, [rec.make("done", inc.clock(), task="T003")])
    fresh = reload(inc)
    assert projections == [1]
    assert fresh.view.doc.task("T003").done
    assert "- [ ] **T003**" in inc.view.path("tasks.md").read_text()  # a read writes nothing


def test_a_hand_edit_is_seen(inc, projections):
    path = inc.view.path("tasks.md")
    path.write_text(path.read_text().replace("- [ ] **T004**", "- [x] **T004**"))
    fresh = reload(inc)
    assert projections == [1]
    assert fresh.view.doc.task("T004").done
    assert [e.kind for e in fresh.view.pending] == ["done"]


def test_another_workflow_or_other_code_projects_again(inc, projections, monkeypatch):
    other = replace(inc.workflow, initial_status="Declared")  # as if its file were changed
    reload(inc, workflow=other)
    assert projections == [1]
    monkeypatch.setattr(journal, "_CODE_KEY", "another version of hotfix-tui")
    reload(inc)
    assert projections == [1, 1]


def test_events_merged_in_memory_are_projected(inc, projections):
    fresh = reload(inc)
    rec = evlog.Recorder("other-clone", "Bo Rrower")
    fresh.view.merge_events([rec.make("done", inc.clock(), task="T005")])
    assert projections == [1]
    assert fresh.view.doc.task("T005").done


def test_the_projection_key_reads_the_workflow_and_the_code_once(repo, monkeypatch):
    """The workflow's part of the key is the hash of its repr (keys kept by older runs stay
    good), made once per workflow; a changed core module changes the code's part."""
    wf = resolve_workflow("hotfix", repo)
    assert wf.digest == journal.text_hash(repr(wf))
    other = replace(wf, name=wf.name + " (team)")
    assert journal.view_key("log", wf) != journal.view_key("log", other)
    assert journal.view_key("log", wf) == journal.view_key("log", resolve_workflow("hotfix", repo))
    reprs: list[int] = []
    monkeypatch.setattr(type(wf), "__repr__", lambda self: reprs.append(1) or "changed")
    journal.view_key("log", wf)
    assert reprs == []  # kept on the workflow


def test_the_code_key_covers_every_core_module(tmp_path):
    """Each .py file under the folder, nested ones by their relative path, caches left out; a
    module written again (its mtime) changes what the key is made of."""
    import os

    (tmp_path / "record" / "__pycache__").mkdir(parents=True)
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "record" / "b.py").write_text("y = 2\n")
    (tmp_path / "record" / "__pycache__" / "b.cpython-311.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    stats = sorted(journal._module_stats(str(tmp_path), ""))
    assert [s.rsplit(":", 2)[0] for s in stats] == ["a.py", "record/b.py"]
    assert stats[1].split(":")[1] == "6"
    st = (tmp_path / "record" / "b.py").stat()
    os.utime(tmp_path / "record" / "b.py", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert sorted(journal._module_stats(str(tmp_path), "")) != stats
    assert len(journal.code_key()) == 64


def test_hashes_are_hashlibs():
    """`core.hashing` gives the digests hashlib gives (see test_hashing for published ones)."""
    import hashlib

    from hotfix_tui.core import hashing

    big = b"- [ ] T001 task\n" * 32768
    for data in (b"", b"blob 3\0abc", "événement ✓".encode(), big):
        assert hashing.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
        assert hashing.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
    h = hashing.sha256(b"a")
    h.update(b"b")
    assert h.hexdigest() == hashlib.sha256(b"ab").hexdigest()
