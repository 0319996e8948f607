"""Folder layouts are one table (`core/layouts.py`): a layout registered there is found in the
work tree, numbered, read from every branch, its branch names read, and `new` can make it, with
no other code changed. Real repositories; the CLI runs in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from family import CHECKLIST, lay_out
from gitfix import git, run

from hotfix_tui.core import discovery, layouts
from hotfix_tui.core.git import branches
from hotfix_tui.core.layouts import Layout

# a layout no upstream tool writes: `specs/incidents/PREFIX/NNN-words/` on `incident/PREFIX-NNN-…`
INCIDENTS = Layout("incidents", "incidents/{prefix}/{num}-{words}",
                   branch="incident/{prefix}-{num}-{words}")
BUG = "specs/incidents/bugfix/004-login-crash"
DISK = "specs/incidents/hotfix/006-disk-full"


def register(monkeypatch, layout: Layout, *, first: bool = False) -> None:
    """Add one entry to the table (undone after the test)."""
    table = (layout, *layouts.LAYOUTS) if first else (*layouts.LAYOUTS, layout)
    monkeypatch.setattr(layouts, "LAYOUTS", table)


def write(root: Path, folder: str, title: str) -> None:
    (root / folder).mkdir(parents=True)
    (root / folder / "tasks.md").write_text(CHECKLIST.format(title=title), encoding="utf-8")


@pytest.fixture
def laid_out(repo: Path, monkeypatch) -> Path:
    """The registered layout in use: a bugfix checklist on main, a hotfix only on `other`."""
    register(monkeypatch, INCIDENTS)
    write(repo, BUG, "Bugfix - Login crash")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "bugfix")
    git(repo, "switch", "-q", "-c", "other")
    write(repo, DISK, "Disk full")
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "hotfix")
    git(repo, "switch", "-q", "main")
    monkeypatch.chdir(repo)
    return repo


def test_a_registered_layout_is_found_numbered_and_listed_from_every_branch(laid_out, capsys):
    repo = laid_out
    (found,) = discovery.find_specs(repo)
    assert (found.folder, found.prefix, found.number, found.words, found.kind) == (
        repo / BUG, "bugfix", 4, "login-crash", "bugfix")
    assert found.branch == "incident/bugfix-004-login-crash" and found.id == "bugfix-004"
    assert discovery.next_number(repo, "bugfix") == 5
    assert branches.used_numbers(repo, "hotfix") == {6}
    code, out, err = run(capsys, "list", "--json")
    assert code == 0, err
    got = {r["folder"]: (r["kind"], r["branches"], r["checked_out"]) for r in json.loads(out)}
    assert got == {BUG: ("bugfix", ["main", "other"], True), DISK: ("hotfix", ["other"], False)}
    code, out, err = run(capsys, "new", "Disk full again", "--severity", "P1", "--no-open")
    assert code == 0, err
    # after 006 on `other`; the registered layout is not one `new` makes: today's layout
    assert Path(out.strip()) == repo / "specs/hotfix/007-disk-full-again"


def test_a_registered_layouts_branches_and_changes_are_read(laid_out):
    repo = laid_out
    git(repo, "switch", "-q", "-c", "incident/bugfix-004-login-crash")
    base = branches.choose_base(repo)
    assert base.ref == "main" and "another incident's branch" in base.note
    assert branches.home_branch(repo / BUG) == "incident/bugfix-004-login-crash"
    assert branches.record_branch_problem(repo, repo / BUG) is None
    git(repo, "switch", "-q", "-c", "incident/bugfix-009-other-thing")
    problem = branches.record_branch_problem(repo, repo / BUG)
    assert problem is not None and "another incident's branch" in problem
    (repo / BUG / "tasks.md").write_text("# Tasks: changed\n", encoding="utf-8")
    assert branches.dirty_folders(repo) == {BUG}
    assert branches.pending_incident_folders(repo) == [BUG]


def test_new_makes_its_folder_and_branch_in_the_layout_marked_new(repo, capsys, monkeypatch):
    made = Layout("incidents", "incidents/{prefix}/{num}-{words}",
                  branch="incident/{prefix}-{num}-{words}", new=True)
    register(monkeypatch, made, first=True)
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Disk full", "--severity", "P1", "--no-open")
    assert code == 0, err
    assert Path(out.strip()) == repo / "specs/incidents/hotfix/001-disk-full"
    assert git(repo, "branch", "--show-current").strip() == "incident/hotfix-001-disk-full"
    hotfix_md = (repo / "specs/incidents/hotfix/001-disk-full/hotfix.md").read_text()
    assert "**Branch**: `incident/hotfix-001-disk-full`" in hotfix_md
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    assert json.loads(out)["severity"] == "P1"
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "declare")
    code, out, err = run(capsys, "new", "Queue stuck", "--severity", "P2", "--no-open")
    assert code == 0, err
    assert Path(out.strip()) == repo / "specs/incidents/hotfix/002-queue-stuck"
    assert "branched from main" in err


def test_which_folders_a_new_folder_numbers_after_is_part_of_its_entry(repo, capsys,
                                                                        monkeypatch):
    """An entry numbering after every folder named by digits (spec-kit 1.x numbers that way)."""
    def after_digits(found: layouts.Found, prefix: str) -> bool:
        return found.layout is not None and found.layout.name in ("numbered", "feature")

    numbered = Layout("numbered", "{prefix}/{num}-{words}", branch="{prefix}/{num}-{words}",
                      new=True, numbering=after_digits)
    register(monkeypatch, numbered, first=True)
    lay_out(repo)  # features 001-checkout and 002-search, bugfix-001-…, refactor-001-…
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "family")
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "Disk full", "--severity", "P1", "--no-open")
    assert code == 0, err
    assert Path(out.strip()) == repo / "specs/hotfix/003-disk-full"
    assert git(repo, "branch", "--show-current").strip() == "hotfix/003-disk-full"


@pytest.mark.parametrize("layout", [lay for lay in layouts.LAYOUTS if lay.branch])
def test_each_layout_reads_back_the_branch_names_it_makes(layout):
    name = layout.branch_name("hotfix", 12, "disk-full")
    read = layouts.read_branch(name)
    assert read is not None
    assert (read.number, read.words) == (12, "disk-full")
    assert read.prefix == ("hotfix" if "{prefix}" in layout.branch else "")


@pytest.mark.parametrize("in_use", [(), ("flat",)])
def test_the_layout_new_makes_reads_back_the_folders_it_makes(in_use):
    made = layouts.for_new(in_use).folder_path("bugfix", 3, "login-crash")
    assert made == ("bugfix-003-login-crash" if in_use else "bugfix/003-login-crash")
    found = layouts.classify(tuple(made.split("/")))
    assert found is not None
    assert (found.prefix, found.number, found.words, found.kind) == (
        "bugfix", 3, "login-crash", "bugfix")


def test_a_layout_with_an_unknown_placeholder_is_refused_by_name():
    with pytest.raises(ValueError, match=r"\{prefx\}.*prefix, num, words"):
        Layout("typo", "{prefx}/{num}-{words}")
