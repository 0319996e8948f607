"""The disk cache of validated workflows: used only for the same file and code, never if corrupt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hotfix_tui.core.workflow import files as workflow_files
from hotfix_tui.core.workflow import loader as workflow
from hotfix_tui.core.workflow.loader import builtin_workflow_dir, load_workflow, resolve_workflow


def _old(path: Path, seconds: float = 60) -> None:
    """Make a file look written `seconds` ago (past the 2 s racy window)."""
    t = time.time() - seconds
    os.utime(path, (t, t))


@pytest.fixture
def wf_file(tmp_path: Path) -> Path:
    dest = tmp_path / "team.yaml"
    shutil.copyfile(builtin_workflow_dir() / "hotfix.yaml", dest)
    _old(dest)
    return dest


def _entries() -> list[Path]:
    return sorted(workflow_files.cache_dir().glob("*.json"))


def test_round_trip_gives_the_same_workflow(wf_file: Path) -> None:
    wf = load_workflow(wf_file)
    assert workflow_files.load_cached(wf_file) is None
    assert workflow_files.store(wf_file, wf)
    again = workflow_files.load_cached(wf_file)
    assert again == wf and again is not wf
    assert isinstance(again.phases, tuple) and isinstance(again.events, dict)


def test_a_changed_file_is_never_served_from_the_cache(wf_file: Path) -> None:
    wf = load_workflow(wf_file)
    assert workflow_files.store(wf_file, wf)
    text = wf_file.read_text(encoding="utf-8")
    wf_file.write_text(text.replace("Hotfix", "Hotfjx", 1), encoding="utf-8")
    _old(wf_file)  # even with an old mtime: ctime and content size/inode are in the key
    assert workflow_files.load_cached(wf_file) is None


def test_a_file_modified_within_2_s_is_not_stored(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.yaml"
    shutil.copyfile(builtin_workflow_dir() / "hotfix.yaml", fresh)
    assert not workflow_files.store(fresh, load_workflow(fresh))
    assert _entries() == []


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"key": 1}', "\x00\xff", '{"workflow": {}}'])
def test_a_corrupt_entry_is_ignored_and_replaced(wf_file: Path, garbage: str) -> None:
    wf = load_workflow(wf_file)
    assert workflow_files.store(wf_file, wf)
    (entry,) = _entries()
    entry.write_text(garbage, encoding="utf-8", errors="surrogateescape")
    assert workflow_files.load_cached(wf_file) is None
    assert workflow_files.store(wf_file, wf)
    assert workflow_files.load_cached(wf_file) == wf


def test_an_entry_made_for_another_key_or_with_bad_data_is_ignored(wf_file: Path) -> None:
    wf = load_workflow(wf_file)
    assert workflow_files.store(wf_file, wf)
    (entry,) = _entries()
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**data, "key": data["key"] + " "}), encoding="utf-8")
    assert workflow_files.load_cached(wf_file) is None
    data["workflow"]["@"] = "os.system"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert workflow_files.load_cached(wf_file) is None


def test_the_cache_can_be_turned_off(wf_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOTFIX_TUI_NO_CACHE", "1")
    assert not workflow_files.store(wf_file, load_workflow(wf_file))
    assert _entries() == []


def test_resolve_workflow_stores_then_uses_the_cache(wf_file: Path, monkeypatch) -> None:
    monkeypatch.setattr(workflow, "_cache", {})
    wf = resolve_workflow(str(wf_file), None)
    assert len(_entries()) == 1
    monkeypatch.setattr(workflow, "_cache", {})

    def no_parse(path: Path):
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(workflow, "load_workflow", no_parse)
    assert resolve_workflow(str(wf_file), None) == wf
    assert workflow_files.cached_workflow(str(wf_file), None) == wf


def test_a_cached_workflow_needs_no_yaml(monkeypatch, tmp_path: Path) -> None:
    """The next start of a command reads the workflow from the cache, without PyYAML."""
    monkeypatch.setattr(workflow, "_cache", {})
    code = (
        "import sys; from hotfix_tui.core.workflow.files import cached_workflow; "
        "wf = cached_workflow('hotfix', None); "
        "print(wf is not None and wf.id, 'yaml' in sys.modules)"
    )
    resolve_workflow("hotfix", None)  # fills the cache (the built-in file is old)
    # the child imports the same hotfix_tui as this process (installed or from the checkout)
    import hotfix_tui

    env = dict(os.environ, PYTHONPATH=str(Path(hotfix_tui.__file__).resolve().parents[1]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=True).stdout.split()
    assert out == ["hotfix", "False"]
