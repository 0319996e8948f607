"""`new` follows the repository as spec-kit-extensions left it: today's layout (old-layout repos
keep theirs), upstream's global numbering, its branch words, its installed templates filled.
Real upstream repositories (`specify init` + the extension, `tests/upstream.py`); the extension's
own `create-hotfix.sh` runs beside `hotfix-tui new`; the CLI runs in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from family import lay_out
from gitfix import run
from upstream import create, git, make_upstream_repo

from hotfix_tui.core import layouts

INSTALLED = Path(".specify/extensions/workflows")


def new(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "new", *argv, "--no-open")


def branch_of(repo: Path) -> str:
    return git(repo, "branch", "--show-current").strip()


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def shop(tmp_path: Path, monkeypatch) -> Path:
    """A spec-kit 1.x repository with the extension, as a team has it today."""
    repo = make_upstream_repo(tmp_path / "shop")
    monkeypatch.chdir(repo)
    return repo


def test_new_after_create_hotfix_numbers_after_every_spec_folder_and_branch(shop, capsys):
    made = create(shop, "hotfix", "Checkout returns 5xx for EU users")
    assert made["HOTFIX_ID"] == "hotfix-001"
    commit_all(shop, "hotfix-001 as the extension made it")
    git(shop, "switch", "-q", "main")
    (shop / "specs/002-search").mkdir(parents=True)
    (shop / "specs/002-search/spec.md").write_text("# Feature Specification: search\n")
    commit_all(shop, "feature 002-search")
    code, out, err = new(capsys, "Payments API timing out", "--severity", "P1")
    assert code == 0, err
    folder = shop / "specs/hotfix/003-payments-api-timing-out"
    assert Path(out.strip()) == folder
    assert branch_of(shop) == "hotfix/003-payments-api-timing-out"
    # the extension's script, run next, sees ours and takes the next number
    commit_all(shop, "hotfix-003 by hotfix-tui")
    git(shop, "switch", "-q", "main")
    assert create(shop, "hotfix", "Search is slow")["HOTFIX_ID"] == "hotfix-004"


def test_new_makes_the_folder_as_create_hotfix_does_and_fills_it(shop, capsys):
    code, out, err = new(capsys, "Payments API timing out", "--severity", "P1")
    assert code == 0, err
    folder = Path(out.strip())
    assert folder == shop / "specs/hotfix/001-payments-api-timing-out"
    assert {p.name for p in folder.iterdir()} >= {
        "hotfix.md", "post-mortem.md", "tasks.md", "spec.md", "plan.md", "events.jsonl"}
    assert (folder / "spec.md").is_symlink() and (folder / "plan.md").is_symlink()
    assert str((folder / "spec.md").readlink()) == "hotfix.md"
    assert str((folder / "plan.md").readlink()) == "hotfix.md"
    assert not (folder / "tasks.md").is_symlink()  # our checklist, a file of its own
    tasks = (folder / "tasks.md").read_text()
    assert tasks.startswith("# Tasks: Hotfix - Payments API timing out\n")
    assert "`specs/hotfix/001-payments-api-timing-out/hotfix.md`" in tasks
    hotfix = (folder / "hotfix.md").read_text()
    template = (shop / INSTALLED / "templates/hotfix/hotfix-template.md").read_text()
    head = hotfix.splitlines()[:11]
    assert head[0] == "# Hotfix: Payments API timing out"
    assert head[2] == "**Hotfix ID**: hotfix-001"
    assert head[3] == "**Branch**: `hotfix/001-payments-api-timing-out`"
    assert head[4] == ("**Severity**: [ ] P0 (Critical - Service Down) | [x] P1 (Major - Key "
                       "Feature Broken) | [ ] P2 (Significant - Workaround Available)")
    assert head[5].startswith("**Status**: [x] Investigating | [ ] Fix Deployed")
    assert head[9].startswith("**Incident Start**: 20") and head[9].endswith(" UTC")
    assert 'User description: "Payments API timing out"' in hotfix
    # the rest is the installed template as it is (its own words, not ours)
    tail = template[template.index("## Immediate Fix Applied"):]
    assert hotfix.endswith(tail)
    pm = (folder / "post-mortem.md").read_text()
    assert pm.startswith("# Post-Mortem: Payments API timing out\n\n**Hotfix ID**: hotfix-001\n")
    assert "[Names of people involved in incident and post-mortem]" in pm  # upstream's template
    code, out, err = run(capsys, "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["id"], data["severity"], data["title"]) == (
        "hotfix-001", "P1", "Payments API timing out")


def test_a_repository_with_only_old_layout_folders_keeps_the_old_layout(repo, capsys,
                                                                         monkeypatch):
    lay_out(repo)  # bugfix-001-…, refactor-001-…, deprecate-001-…, features 001 and 002
    commit_all(repo, "the family, old layout")
    monkeypatch.chdir(repo)
    code, out, err = new(capsys, "Pool exhausted", "--severity", "P1")
    assert code == 0, err
    assert Path(out.strip()) == repo / "specs/hotfix-003-pool-exhausted"  # after 002-search
    assert branch_of(repo) == "hotfix/003-pool-exhausted"
    # once a folder of today's layout is there (here on another branch), new ones follow it
    git(repo, "switch", "-q", "-c", "bugfix/004-cart-empty")
    (repo / "specs/bugfix/004-cart-empty").mkdir(parents=True)
    (repo / "specs/bugfix/004-cart-empty/tasks.md").write_text("# Tasks: cart\n")
    commit_all(repo, "a folder of today's layout")
    git(repo, "switch", "-q", "main")
    code, out, err = new(capsys, "Queue stuck", "--severity", "P2")
    assert code == 0, err
    assert Path(out.strip()) == repo / "specs/hotfix/005-queue-stuck"


def test_which_layout_new_makes_is_the_tables_rule():
    flat, nested = (layouts.LAYOUTS[0], layouts.LAYOUTS[1])
    assert (flat.name, nested.name) == ("flat", "nested")
    assert layouts.for_new(()) is nested  # an empty repository: today's layout
    assert layouts.for_new({"flat", "feature"}) is flat
    assert layouts.for_new({"flat", "nested"}) is nested
    assert layouts.for_new({"feature", "modification"}) is nested


def test_a_branch_with_a_year_is_not_taken_for_a_spec_number(shop, capsys):
    git(shop, "branch", "release/2026-q1")
    code, out, err = new(capsys, "Disk full", "--severity", "P2")
    assert code == 0, err
    assert Path(out.strip()) == shop / "specs/hotfix/001-disk-full"
    assert "release/2026-q1" in err and "4 or more digits" in err
    # upstream's script counts it: its next hotfix is 2027
    git(shop, "switch", "-q", "main")
    assert create(shop, "hotfix", "Other")["HOTFIX_ID"] == "hotfix-2027"


DESCRIPTIONS = [
    "Payments API timing out",
    "Checkout returns 5xx for EU users",
    "The DB is down on prod",
    "I want a fix",
    "Do it",
    "Login broken: users can't sign in!",
    "Crash in Zürich café after deploy",
    "Error 42 in the queue worker of billing",
    "add get set",
]


def test_branch_words_are_what_the_extensions_script_makes(shop):
    for description in DESCRIPTIONS:
        made = create(shop, "hotfix", description)["BRANCH_NAME"]
        words = made.split("/", 1)[1].split("-", 1)[1]
        assert layouts.branch_words(description) == words, description


@pytest.mark.parametrize("where", ["templates/hotfix", "hotfix", None])
def test_the_installed_hotfix_template_is_used_today_s_place_then_the_old_one(shop, capsys,
                                                                              where):
    today = shop / INSTALLED / "templates/hotfix"
    text = (today / "hotfix-template.md").read_text()
    shutil.rmtree(today)
    if where is not None:
        (shop / INSTALLED / where).mkdir(parents=True, exist_ok=True)
        (shop / INSTALLED / where / "hotfix-template.md").write_text(
            text.replace("## Input\n", "## Team\nPage the on-call of payments.\n\n## Input\n"))
    code, out, err = new(capsys, "Disk full", "--severity", "P0")
    assert code == 0, err
    hotfix = (Path(out.strip()) / "hotfix.md").read_text()
    assert ("Page the on-call of payments." in hotfix) is (where is not None)
    assert hotfix.startswith("# Hotfix: Disk full\n\n**Hotfix ID**: hotfix-001\n")
    assert "[x] P0 (Critical - Service Down)" in hotfix
    if where is None:  # no template installed: ours
        assert hotfix.rstrip().endswith("the checklist is in tasks.md*")
