"""Odd and hostile tasks.md / hotfix.md files through the real CLI: a clear message, a documented
exit status, never a traceback or a hang, and no byte changed unless the action succeeded.

Each corpus file replaces one file of a fresh incident; EXPECTED.yaml pins what each command does.
"""

# `tasks-*` files replace the tasks.md, `hotfix-*` ones the hotfix.md. Two more cases are generated
# at test time (100 000 tasks, a 1 MB line) so that they are not committed. Each command run is
# recorded with `record_property`; tests/conftest.py writes the totals to tests/.reliability/.

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from gitfix import make_repo

from hotfix_tui.cli import EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK, main

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "markdown"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text())
DOCUMENTED = {EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND}
COMMANDS = ("status", "done", "note", "list")
# No duration is asserted here: speed lives in the benchmark (a loaded machine made it flake).
# Terminal control characters: C0 except newline/tab, DEL, C1 (0x9b is an 8-bit CSI).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
GENERATED = ("tasks-100000-tasks.md", "tasks-1mb-line.md")


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.md"))


def generated(name: str) -> bytes:
    head = "# Tasks: Hotfix - Generated\n\n**Hotfix ID**: hotfix-001\n**Severity**: P1\n\n"
    if name == "tasks-100000-tasks.md":
        body = "".join(f"- [ ] **T{i:03d}** Task number {i}\n" for i in range(1, 100_001))
        return (head + "## Phase 1: Everything (NOW)\n\n" + body).encode()
    assert name == "tasks-1mb-line.md"
    return (head + "## Phase 1: Long\n\n- [ ] **T001** " + "x" * 1_048_576 + "\n").encode()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One incident made by `hotfix-tui new`, copied for every case."""
    repo = make_repo(tmp_path_factory.mktemp("tpl") / "repo")
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        assert main(["new", "Checkout broken", "-s", "P1", "--no-branch", "--no-open"]) == 0
    finally:
        os.chdir(cwd)
    return repo / "specs" / "hotfix" / "001-checkout-broken"


def incident_with(template: Path, repo: Path, name: str, data: bytes) -> Path:
    folder = repo / "specs" / "hotfix-001-checkout-broken"
    shutil.copytree(template, folder)
    (folder / f"{name.split('-', 1)[0]}.md").write_bytes(data)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".md"}


def bytes_changed(before: dict[str, bytes], after: dict[str, bytes]) -> int:
    """How many bytes differ between two snapshots (a file added or removed counts whole)."""
    total = 0
    for name in before.keys() | after.keys():
        old, new = before.get(name, b""), after.get(name, b"")
        if old != new:
            total += sum(a != b for a, b in zip(old, new, strict=False)) + abs(len(old) - len(new))
    return total


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    code = main(list(argv))
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    return code, out, err, elapsed


def check_clean(code: int, out: str, err: str, elapsed: float, what: str) -> None:
    assert code in DOCUMENTED, f"{what}: undocumented exit status {code}"
    assert "Traceback" not in err and "internal error" not in err, f"{what}: {err}"
    assert not CONTROL.search(out), f"{what}: control characters on stdout"
    assert not CONTROL.search(err), f"{what}: control characters on stderr"
    if code != EXIT_OK:
        assert err.startswith("hotfix-tui: ") and len(err.strip()) > 20, f"{what}: {err!r}"


def only_checkbox_changed(before: bytes, after: bytes) -> None:
    assert len(before) == len(after), "done changed the file's length"
    diff = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(diff) == 1 and before[diff[0] : diff[0] + 1] == b" ", diff[:5]
    assert after[diff[0] : diff[0] + 1] == b"x"
    assert before[diff[0] - 1 : diff[0]] == b"[" and before[diff[0] + 1 : diff[0] + 2] == b"]"


def only_line_added(before: bytes, after: bytes, text: str) -> None:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(new) == len(old) + 1
    i = next((k for k, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    assert new[:i] == old[:i] and new[i + 1 :] == old[i:], "note changed other lines"
    assert text.encode() in new[i] and b"**Note**" in new[i]


def test_corpus_is_complete() -> None:
    files = corpus_files()
    assert len(files) + len(GENERATED) >= 25
    assert sorted(EXPECTED) == sorted([*files, *GENERATED])
    assert len([f for f in files if f.startswith("hotfix-")]) >= 5


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", [*corpus_files(), *GENERATED])
def test_corpus_case(
    name: str,
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, object], None],
) -> None:
    exp = EXPECTED[name]
    data = generated(name) if name in GENERATED else (CORPUS / name).read_bytes()
    repo = make_repo(tmp_path / "repo")
    folder = incident_with(template, repo, name, data)
    monkeypatch.chdir(repo)
    target = folder / f"{name.split('-', 1)[0]}.md"
    task = exp.get("task", "T001")
    argvs = {
        "status": ["status", "--json", str(folder)],
        "done": ["done", task, "--spec", str(folder)],
        "note": ["note", task, "checked", "by", "the", "corpus", "--spec", str(folder)],
        "list": ["list", "--json"],
    }
    for cmd in COMMANDS:
        before = snapshot(folder)
        code, out, err, elapsed = run_cli(capsys, *argvs[cmd])
        after = snapshot(folder)
        record_property(cmd, {  # recorded before any check, so a failing run is counted too
            "exit": code,
            "traceback": "Traceback" in err,
            "failed_changed_bytes": bytes_changed(before, after) if code != EXIT_OK else 0,
        })
        what = f"{name} {cmd}"
        check_clean(code, out, err, elapsed, what)
        want = exp[cmd]
        assert code == want, f"{what}: exit {code}, expected {want}: {err.strip()}"
        if code != EXIT_OK:
            assert after == before, f"{what}: failed but changed a file"
            assert str(target.parent) in err or "Workflow" in err, err
            if exp.get("error"):
                assert exp["error"] in err, f"{what}: {err}"
            if exp.get("at"):  # FILE:LINE:COL of the first bad byte or field
                assert f"{target}:{exp['at']}: " in err, f"{what}: {err}"
        elif cmd == "status":
            data_out = json.loads(out)
            assert len(data_out["tasks"]) == exp.get("tasks", len(data_out["tasks"]))
            if "duplicates" in exp:
                assert data_out["duplicate_ids"] == exp["duplicates"]
        elif cmd == "done" and name.startswith("tasks-") and not exp.get("already_done"):
            only_checkbox_changed(before["tasks.md"], after["tasks.md"])
        elif cmd == "note" and name.startswith("tasks-"):
            only_line_added(before["tasks.md"], after["tasks.md"], "checked by the corpus")
        elif cmd == "list":
            rows = json.loads(out)
            assert len(rows) == 1
            assert ("error" in rows[0]) == (exp["status"] != EXIT_OK)
        if cmd in ("status", "list") or code != EXIT_OK:
            assert after == before, f"{what}: changed a file"


def test_markup_and_escapes_reach_stdout_only_as_text(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "tasks-escape-sequences.md"
    repo = make_repo(tmp_path / "repo")
    folder = incident_with(template, repo, name, (CORPUS / name).read_bytes())
    monkeypatch.chdir(repo)
    code, out, err, _ = run_cli(capsys, "status", str(folder))
    assert code == 0 and "\x1b" not in out and "Clear ?[2J screen" in out
    code, out, _, _ = run_cli(capsys, "status", "--json", str(folder))
    assert "\\u001b[2J" in out and "\\u009b31m" in out and "\x9b" not in out
    assert json.loads(out)["tasks"][0]["title"].startswith("Clear \x1b[2J screen")
    markup = "tasks-rich-markup.md"
    folder2 = repo / "specs" / "hotfix-002-markup"
    shutil.copytree(folder, folder2)
    shutil.copy(CORPUS / markup, folder2 / "tasks.md")
    code, out, _, _ = run_cli(capsys, "done", "T001", "--spec", str(folder2))
    assert code == 0 and "[bold red]x[/] and [link=https://evil.example]click[/link]" in out


def test_subprocess_exit_codes(template: Path, tmp_path: Path) -> None:
    """The command as a process: exit status and message, no traceback (its speed is measured
    by the benchmark, not here: a loaded machine made a time bound flake)."""
    repo = make_repo(tmp_path / "repo")
    big = incident_with(template, repo, "tasks-x", generated("tasks-100000-tasks.md"))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cases = [
        (["status", "--json", str(big)], EXIT_OK, ""),
        (["done", "T99999", "--spec", str(big)], EXIT_OK, "T99999 done"),
    ]
    bad = repo / "specs" / "hotfix-002-bad"
    shutil.copytree(template, bad)
    shutil.copy(CORPUS / "tasks-latin1.md", bad / "tasks.md")
    cases.append((["done", "T001", "--spec", str(bad)], EXIT_INPUT, f"{bad}/tasks.md:8:19: "))
    for argv, want, fragment in cases:
        before = (bad / "tasks.md").read_bytes()
        proc = subprocess.run(
            [sys.executable, "-m", "hotfix_tui.cli", *argv],
            cwd=repo, capture_output=True, text=True, timeout=600, env=env,
        )
        assert proc.returncode == want, proc.stderr
        assert "Traceback" not in proc.stderr
        assert fragment in (proc.stdout + proc.stderr)
        assert (bad / "tasks.md").read_bytes() == before
    text = (big / "tasks.md").read_text()
    assert text.count("- [x] ") == 1 and "- [x] **T99999** Task number 99999\n" in text

