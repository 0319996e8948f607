"""The runbook core: a task's command filled from the record as data, trusted, run, kept."""

from __future__ import annotations

import json
import time

import pytest
from gitfix import FOLDER
from runbook_fix import open_inc, runbook_repo

from hotfix_tui.core.record import events
from hotfix_tui.core.runbook import run as rb
from hotfix_tui.core.runbook import trust
from hotfix_tui.core.workflow import runcmd

MARK = "pwned-marker"


def test_placeholders_are_filled_outside_quotes_and_given_as_environment(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo {incident} {severity} {branch}"})
    inc = open_inc(root, clock)
    p = rb.prepare(inc, "T010")
    assert p.command == "echo hotfix-001 P1 hotfix/001-database-connection-pool"
    assert p.env == {"HOTFIX_INCIDENT": "hotfix-001", "HOTFIX_SEVERITY": "P1",
                     "HOTFIX_BRANCH": "hotfix/001-database-connection-pool"}
    assert not p.trusted  # a repository's workflow, never trusted yet


SHELL_CODE = ["$(touch${IFS}pwned-marker)", "`touch${IFS}pwned-marker`", "$(touch pwned-marker)",
              "x';touch${IFS}pwned-marker;'", 'x";touch${IFS}pwned-marker;"', "a;touch${IFS}x",
              "a$IFS", "-rf"]


@pytest.mark.parametrize("bad", SHELL_CODE)
def test_a_branch_holding_shell_code_is_refused_and_never_reaches_a_shell(tmp_path, clock, bad):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo {branch}"})
    inc = open_inc(root, clock)
    hot = inc.folder / "hotfix.md"
    text = hot.read_text()
    hot.write_text(text.replace("hotfix/001-database-connection-pool", bad, 1))
    inc = open_inc(root, clock)
    trust.trust(trust.read(wf_file))
    with pytest.raises(rb.RunRefused, match="branch"):
        rb.run_step(inc, rb.prepare(inc, "T010"))
    assert not list(root.rglob(MARK))


@pytest.mark.parametrize("bad", SHELL_CODE)
def test_every_placeholder_pattern_refuses_shell_code(tmp_path, bad):
    for name in ("branch", "fix_sha", "severity", "incident"):
        assert rb.check_value(name, bad, ("P0", "P1"), tmp_path), (name, bad)
    assert rb.check_value("branch", "hotfix/001-db.pool_2", (), tmp_path) == ""
    assert rb.check_value("branch", "a..b", (), tmp_path)  # git check-ref-format refuses it


@pytest.mark.parametrize("bad", ["$(touch${IFS}pwned-marker)", "abc`touch`", "ab'cd", "abc;def"])
def test_a_fix_sha_holding_shell_code_is_refused(tmp_path, clock, bad):
    root, wf_file = runbook_repo(tmp_path, clock, {"T012": "git show {fix_sha}"})
    trust.trust(trust.read(wf_file))
    inc = open_inc(root, clock)
    hot = inc.folder / "hotfix.md"
    import re

    text = re.sub(r"(\*\*Commit SHA\*\*: ).*", lambda m: m.group(1) + bad, hot.read_text())
    hot.write_text(text)
    inc = open_inc(root, clock)
    with pytest.raises(rb.RunRefused, match="fix_sha"):
        rb.prepare(inc, "T012")
    assert not list(root.rglob(MARK))


def test_a_missing_value_refuses_the_run(tmp_path, clock):
    root, _ = runbook_repo(tmp_path, clock, {"T012": "git show {fix_sha}"})
    with pytest.raises(rb.RunRefused, match="no value"):
        rb.prepare(open_inc(root, clock), "T012")


def test_an_untrusted_workflow_never_runs_and_a_changed_one_must_be_trusted_again(
    tmp_path, clock
):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": f"touch {MARK}"})
    inc = open_inc(root, clock)
    with pytest.raises(rb.RunRefused, match="not trusted"):
        rb.run_step(inc, rb.prepare(inc, "T010"))
    assert not (root / MARK).exists()
    trust.trust(trust.read(wf_file))
    assert rb.prepare(inc, "T010").trusted
    wf_file.write_text(wf_file.read_text().replace(f"touch {MARK}", f"touch {MARK}2"))
    p = rb.prepare(inc, "T010")
    assert not p.trusted and p.command == f"touch {MARK}2"
    assert f"-        run: touch {MARK}\n+        run: touch {MARK}2" in p.reading.diff()
    with pytest.raises(rb.RunRefused, match="changed since you trusted it"):
        rb.run_step(inc, p)
    assert not (root / f"{MARK}2").exists()


def test_a_builtin_or_user_workflow_needs_no_trust(tmp_path):
    from hotfix_tui.core.workflow.files import builtin_workflow_dir, user_workflow_dir

    assert not trust.needs_trust(builtin_workflow_dir() / "hotfix.yaml")
    assert not trust.needs_trust(user_workflow_dir() / "mine.yaml")
    assert trust.needs_trust(tmp_path / ".hotfix" / "workflows" / "hotfix.yaml")


def test_a_run_records_exit_code_and_duration_and_keeps_output_under_git(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo out-{incident}; pwd; exit 3"})
    trust.trust(trust.read(wf_file))
    inc = open_inc(root, clock)
    result = rb.run_step(inc, rb.prepare(inc, "T010"))
    assert result.exit_code == 3 and not result.ok
    assert result.output.decode().splitlines() == ["out-hotfix-001", str(root)]
    assert result.log is not None and result.log.read_bytes() == result.output
    assert (root / ".git" / "hotfix-tui" / "runs") in result.log.parents
    ev = [e for e in events.read_log(inc.folder) if e.kind == "run"][-1]
    assert ev.task == "T010" and ev.get("exit") == 3 and ev.get("seconds") >= 0
    assert ev.get("command") == "echo out-hotfix-001; pwd; exit 3"
    # never checks the task; the output is not in the record until attached
    after = (inc.folder / "tasks.md").read_text()
    assert "- [ ] **T010**" in after and "out-hotfix-001" not in after
    assert not (inc.folder / rb.ATTACHED).exists()
    assert "exit 3" in (inc.folder / "post-mortem.md").read_text()


def test_attaching_puts_the_output_in_the_folder_and_names_it_in_the_note(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo attached-output"})
    trust.trust(trust.read(wf_file))
    inc = open_inc(root, clock)
    result = rb.run_step(inc, rb.prepare(inc, "T010"))
    dest = rb.attach(inc, "T010", result)
    assert dest.parent == inc.folder / "runs"
    assert dest.read_text() == "attached-output\n"
    assert f"Run output: runs/{dest.name}" in (inc.folder / "tasks.md").read_text()


def test_output_is_bounded_to_its_last_64_kb(tmp_path):
    cmd = "i=0; while [ $i -lt 3000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done"
    result = rb.execute(cmd, {}, tmp_path, timeout=30)
    assert result.ok and result.truncated
    assert len(result.output) == rb.MAX_OUTPUT
    assert result.output.endswith(b"line-2999-xxxxxxxxxxxxxxxxxxxxxxxx\n")


def test_a_run_over_its_time_limit_kills_the_whole_process_group(tmp_path):
    # a child in the background that would write the marker after the limit
    cmd = f"(sleep 3; touch {tmp_path / MARK}) & sleep 5"
    t0 = time.monotonic()
    result = rb.execute(cmd, {}, tmp_path, timeout=0.5)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - t0 < 2.5
    import subprocess

    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"touch {tmp_path / MARK}" not in ps


def test_environment_values_reach_the_command_as_variables(tmp_path):
    result = rb.execute('printf %s "$HOTFIX_BRANCH"', {"HOTFIX_BRANCH": "hotfix/1-a"}, tmp_path)
    assert result.output == b"hotfix/1-a"


def test_shown_command_has_no_control_characters():
    assert runcmd.shown("echo a\x1b[2Jb\rc\u202e") == "echo a[2Jbc"


def test_run_event_is_worded_and_read_back(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "exit 0"})
    trust.trust(trust.read(wf_file))
    inc = open_inc(root, clock)
    rb.run_step(inc, rb.prepare(inc, "T010"))
    lines = (inc.folder / events.LOG).read_text().splitlines()
    assert json.loads(lines[-1])["kind"] == "run"
    from hotfix_tui.core.record import kinds

    ev = events.read_log(inc.folder)[-1]
    assert kinds.describe(ev) == "T010 ran (exit 0)"
    assert FOLDER


def test_a_command_that_closes_its_output_still_stops_at_the_limit(tmp_path):
    t0 = time.monotonic()
    result = rb.execute("exec >/dev/null 2>&1; sleep 5", {}, tmp_path, timeout=0.5)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - t0 < 2.5


def test_the_bytes_hashed_are_the_bytes_parsed(tmp_path, clock):
    import hashlib

    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo one"})
    reading = trust.read(wf_file)
    assert reading.sha == hashlib.sha256(wf_file.read_bytes()).hexdigest()
    assert reading.workflow.source_sha256 == reading.sha
    assert reading.workflow.task("T010").run == "echo one"
    trust.trust(reading)
    wf_file.write_bytes(wf_file.read_bytes() + b"\n# a comment changes the bytes\n")
    assert not trust.read(wf_file).trusted  # any byte: trusted again before it runs


def test_attaching_refuses_a_runs_folder_that_a_symlink_sends_outside(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": "echo secret-output"})
    trust.trust(trust.read(wf_file))
    inc = open_inc(root, clock)
    outside = tmp_path / "OUTSIDE"
    outside.mkdir()
    (inc.folder / rb.ATTACHED).symlink_to(outside)  # as a teammate could push it
    result = rb.run_step(inc, rb.prepare(inc, "T010"))
    with pytest.raises(rb.RunRefused, match="outside"):
        rb.attach(inc, "T010", result)
    assert list(outside.iterdir()) == []
    assert "Run output" not in (inc.folder / "tasks.md").read_text()


def test_an_untrusted_workflow_names_the_command_that_trusts_that_file(tmp_path, clock):
    root, wf_file = runbook_repo(tmp_path, clock, {"T010": f"touch {MARK}"})
    inc = open_inc(root, clock)
    with pytest.raises(rb.RunRefused) as err:
        rb.run_step(inc, rb.prepare(inc, "T010"))
    assert f"hotfix-tui trust --workflow {wf_file.resolve()}" in str(err.value) or \
        f"hotfix-tui trust --workflow {wf_file}" in str(err.value)


@pytest.mark.parametrize("command,quoted", [
    ('echo "$(echo "{branch}")"', True),  # a quote inside $( ) inside a quote
    ("echo $'it\\'s {branch}'", True),  # bash's $'...'
    ("echo `echo '{branch}'`", True),
    ('echo "$(git log {branch})"', False),  # unquoted inside $( )
    ("# don't forget\necho {branch}", False),  # a comment's apostrophe opens nothing
    ("# it's\necho '{branch}'", True),
])
def test_quotes_are_followed_through_command_substitution_comments_and_dollar_quotes(
    command, quoted
):
    assert bool(runcmd.problems(command)) is quoted, runcmd.problems(command)


def test_a_heredoc_with_placeholders_is_refused_by_validate():
    found = runcmd.problems("cat <<EOF\nit's\nEOF\necho {branch}")
    assert found and "heredoc" in found[0][1]
    assert runcmd.problems("cat <<EOF\nplain\nEOF") == []  # no placeholder: nothing to check


def test_shown_command_has_no_invisible_characters():
    assert runcmd.shown("rm\u00ad -rf\u2060 /tmp/x\ufeff\U000e0041") == "rm -rf /tmp/x"
