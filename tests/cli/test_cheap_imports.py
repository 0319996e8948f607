"""The everyday commands stay cheap: each runs as its own process on a real repo and imports no
event loop, TLS, logging, thread pool, Textual or GitPython (what they load is checked, not timed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitfix import make_repo

# asyncio, ssl, logging and concurrent.futures cost ~25 ms of imports; textual and git (GitPython)
# far more: none of them belongs on the way of a command that reads or writes one incident
HEAVY = ("asyncio", "ssl", "_ssl", "logging", "concurrent", "textual", "git")
# a read of one incident runs no git and writes nothing: no threads, no PyYAML (the workflow is
# read from its cache once validated), no temp files, no OpenSSL when no projection is kept
# (the tests give the user folders by environment; platformdirs >= 4.14, which finds them
# otherwise, imports tempfile itself)
READ_ONLY = ("threading", "subprocess", "yaml", "tempfile", "hashlib", "difflib")
# `list` once its summaries are kept: no YAML (workflows come from their cache) and no package
# metadata scan (~18 ms; the summaries' key is the code's own, `journal.code_key`)
WARM_LIST = ("yaml", "importlib.metadata")

# runs `hotfix-tui ARGS` through the installed entry point, then writes the heavy top-level
# modules that were imported (whatever the command's exit status) to the file named by argv[1]
DRIVER = f"HEAVY = {HEAVY + READ_ONLY + WARM_LIST!r}\n" + """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["hotfix-tui", *args]
from hotfix_tui.entry import main
try:
    code = main()
finally:
    names = set(sys.modules)
    found = sorted(({m.split(".")[0] for m in names} | names) & set(HEAVY))
    with open(out, "w", encoding="utf-8") as f:
        json.dump(found, f)
sys.exit(code)
"""

COMMANDS = {
    "status": ["status"],
    "status --json": ["status", "--json"],
    "list": ["list"],
    "list --json": ["list", "--json"],
    "validate": ["validate"],
    "done": ["done", "T001"],
    "note": ["note", "T002", "paged the database on-call"],
    "undo": ["undo", "T001"],
    "skip": ["skip", "T004", "--reason", "no feature flag here"],
    "runs": ["runs"],
    "runs --json": ["runs", "--json"],
}


@pytest.fixture(scope="module")
def incident_repo(tmp_path_factory) -> Path:
    """A git repo holding one declared incident (its branch checked out)."""
    root = make_repo(tmp_path_factory.mktemp("cheap") / "repo")
    subprocess.run(
        [sys.executable, "-m", "hotfix_tui.cli", "new", "Checkout returns 500 errors", "-s",
         "P1", "--no-open"],
        cwd=root, check=True, capture_output=True, timeout=120,
    )
    return root


def imported_heavy(root: Path, tmp: Path, args: list[str]) -> tuple[list[str], str]:
    """The heavy modules `hotfix-tui ARGS` imported in a fresh process, and what it printed."""
    out = tmp / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(out), *args],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_cheap_command_imports_no_event_loop_tls_logging_or_ui(incident_repo, tmp_path, name):
    found, printed = imported_heavy(incident_repo, tmp_path, COMMANDS[name])
    found = [m for m in found if m in HEAVY]
    assert found == [], f"`hotfix-tui {name}` imported {found}"
    assert printed  # the command ran and answered


def test_status_of_a_copied_incident_reads_without_threads_yaml_temp_files_or_openssl(
    incident_repo, tmp_path
):
    """`status` of an incident copied into another repository (no hotfix-tui state there yet):
    once the workflow is cached, it parses no YAML, starts no git, writes nothing and has no
    kept projection to hash."""
    root = make_repo(tmp_path / "copy")
    shutil.copytree(incident_repo / "specs", root / "specs")
    imported_heavy(root, tmp_path, ["status", "--json"])  # the first run caches the workflow
    found, printed = imported_heavy(root, tmp_path, ["status", "--json"])
    assert found == [], f"`hotfix-tui status --json` imported {found}"
    assert json.loads(printed)["tasks"]
    assert not (root / ".git" / "hotfix-tui").exists()  # a read keeps nothing


def test_a_second_list_reads_no_yaml_and_no_package_metadata(incident_repo, tmp_path):
    imported_heavy(incident_repo, tmp_path, ["list", "--json"])  # keeps the summaries
    found, printed = imported_heavy(incident_repo, tmp_path, ["list", "--json"])
    assert [m for m in found if m in WARM_LIST] == []
    assert json.loads(printed)


def test_the_driver_sees_what_a_heavy_command_imports(incident_repo, tmp_path):
    """The check can fail: `serve --help` builds the board's parser, which loads asyncio."""
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(out), "serve", "--help"],
        cwd=incident_repo, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "asyncio" in json.loads(out.read_text(encoding="utf-8"))


def test_a_command_parsed_alone_has_the_arguments_of_the_full_parser():
    """The parser built for one command (lazily) is the one the full parser has for it."""
    from hotfix_tui.cli import COMMANDS, build_parser

    full = build_parser()
    lazy = build_parser(lazy=True)
    assert lazy.format_help() == full.format_help()  # every command listed, with its help
    sub_full = next(a for a in full._actions if a.dest == "command").choices
    for name in COMMANDS:
        alone = build_parser(lazy=True, only=name)
        sub = next(a for a in alone._actions if a.dest == "command").choices
        assert list(sub) == [name]
        with pytest.raises(SystemExit):  # argparse fills it when the command is the one given
            alone.parse_args([name, "--help"])
        assert sub[name].format_help() == sub_full[name].format_help(), name
