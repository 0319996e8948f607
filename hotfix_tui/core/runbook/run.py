"""A task's `run:` command: filled from the record, checked, run with a time limit, kept.

Placeholders are data, never code: each value must match a strict pattern (`check_value`) or
the run is refused, is written outside quotes, and is also given as an environment variable.
The command runs through `sh -c` in the repository root in its own process group (killed whole
on timeout); the last `MAX_OUTPUT` bytes of its output go to `.git/hotfix-tui/runs/`, and into
the incident folder only when the person attaches them (`attach`).
"""

from __future__ import annotations

import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.errors import EXIT_FAIL, EXIT_INPUT, UserError
from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown import hotfix_fields as hf
from hotfix_tui.core.record import kinds
from hotfix_tui.core.runbook import trust as trusting
from hotfix_tui.core.workflow import runcmd
from hotfix_tui.core.workflow.files import workflow_file
from hotfix_tui.core.workflow.model import severity_ids
from hotfix_tui.core.workflow.problems import WorkflowError

if TYPE_CHECKING:
    from hotfix_tui.core.record.incident import Incident

DEFAULT_TIMEOUT = 600.0  # seconds
MAX_OUTPUT = 64 * 1024
RUNS = Path("hotfix-tui") / "runs"
ATTACHED = "runs"  # the incident folder's subfolder for attached outputs
_SHA = re.compile(r"[0-9a-f]{7,64}")
_INCIDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,200}")


class RunRefused(UserError):
    """A run refused before anything ran (no command, untrusted, a value not as it must be)."""


def check_value(name: str, value: str, severities: tuple[str, ...], root: Path | None) -> str:
    """Why a placeholder's value may not be used ('' when it may)."""
    if not value:
        return f"{{{name}}} has no value in the record"
    if name == "fix_sha" and not _SHA.fullmatch(value):
        return f"{{{name}}} {value!r} is not a hex commit SHA"
    if name == "severity" and value not in severities:
        return f"{{{name}}} {value!r} is not a severity of the workflow"
    if name == "incident" and not _INCIDENT.fullmatch(value):
        return f"{{{name}}} {value!r} is not an incident id"
    if name == "branch":
        if not _BRANCH.fullmatch(value) or value.startswith("-"):
            return f"{{{name}}} {value!r} holds characters other than A-Z a-z 0-9 . _ / -"
        ok = subprocess.run(
            ["git", "check-ref-format", "--branch", value], cwd=root, capture_output=True,
            stdin=subprocess.DEVNULL, check=False,
        )
        if ok.returncode != 0:
            return f"{{{name}}} {value!r} is not a valid branch name (git check-ref-format)"
    return ""


def record_values(inc: Incident) -> dict[str, str]:
    """The placeholders' values as the incident's record holds them ('' when it has none)."""
    return {
        "fix_sha": hf.commit_sha(inc.view.record).strip().lower(),
        "branch": inc.branch_field.strip(),
        "severity": (inc.severity or "").strip(),
        "incident": inc.id.strip(),
    }


@frozen
class Prepared:
    """A task's command ready to run (or only to show): filled, its values, whether trusted."""

    task: str
    template: str
    command: str
    env: dict[str, str]
    root: Path
    workflow: Path | None
    trusted: bool
    reading: trusting.Reading | None

    @property
    def shown(self) -> str:
        """The command as a confirmation shows it (control characters removed)."""
        return runcmd.shown(self.command)


def fill(template: str, values: dict[str, str], severities: tuple[str, ...],
         root: Path | None) -> tuple[str, dict[str, str]]:
    """The filled command and its environment; RunRefused when a placeholder cannot be used."""
    bad = [m for _o, m in runcmd.problems(template)]
    for name in runcmd.used(template):
        why = check_value(name, values.get(name, ""), severities, root)
        if why:
            bad.append(why)
    if bad:
        raise RunRefused("the run is refused: " + "; ".join(bad), EXIT_INPUT)
    env = {runcmd.PLACEHOLDERS[n]: values[n] for n in runcmd.used(template)}
    return runcmd.fill(template, values), env


def prepare(inc: Incident, ref: str) -> Prepared:
    """The task's command filled from the record, from the workflow file's bytes as read now."""
    root = inc.repo_root or inc.folder
    task = inc.view.find(ref)
    tid = task.id or ref
    wf = inc.workflow
    if wf is None:
        raise RunRefused(f"{tid} has no command: this incident has no workflow", EXIT_INPUT)
    path = Path(wf.source) if wf.source else workflow_file(wf.id, inc.repo_root)
    reading = None
    if path is not None and path.is_file():
        try:
            reading = trusting.read(path)
        except WorkflowError as exc:
            raise RunRefused(str(exc), EXIT_INPUT) from exc
        wf = reading.workflow
    tdef = wf.task(tid)
    if tdef is None or not tdef.run:
        raise RunRefused(f"{tid} has no command (no `run:` in workflow {wf.id})", EXIT_INPUT)
    sevs = severity_ids(wf)
    command, env = fill(tdef.run, record_values(inc), sevs, root)
    trusted = reading.trusted if reading is not None else False
    return Prepared(tid, tdef.run, command, env, root, path, trusted, reading)


def untrusted_message(p: Prepared) -> str:
    """What to do about a workflow whose content this user has not trusted."""
    where = p.workflow or "the workflow"
    changed = " changed since you trusted it" if p.reading and p.reading.trusted_sha else \
        " is not trusted"
    how = f"hotfix-tui trust --workflow {shlex.quote(str(p.reading.path))}" if p.reading \
        else "hotfix-tui trust"
    return (f"{where}{changed}: read its commands and run `{how}` "
            "(or trust it in the TUI) before running them")


@frozen
class Result:
    """What a run did: exit code (None: killed on timeout), duration, its output's tail."""

    exit_code: int | None
    seconds: float
    timed_out: bool
    output: bytes
    log: Path | None
    truncated: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def execute(command: str, env: dict[str, str], cwd: Path, timeout: float = DEFAULT_TIMEOUT,
            monotonic: Callable[[], float] = time.monotonic) -> Result:
    """Run a command through sh in its own process group; the whole group is killed on timeout."""
    posix = os.name == "posix"
    start = monotonic()
    proc = subprocess.Popen(
        ["/bin/sh", "-c", command] if posix else command,
        cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, shell=not posix,
        start_new_session=posix,
    )
    assert proc.stdout is not None
    buf = bytearray()
    truncated = timed_out = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    exited_at: float | None = None
    try:
        while True:
            now = monotonic()
            if now - start >= timeout:
                timed_out = True
                break
            if proc.poll() is not None:
                exited_at = exited_at if exited_at is not None else now
                if now - exited_at > 0.5:  # a child left in the background holds the pipe
                    break
            if sel.select(timeout=min(0.1, max(0.0, timeout - (now - start)))):
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                if len(buf) > MAX_OUTPUT:
                    del buf[:-MAX_OUTPUT]
                    truncated = True
    finally:
        sel.close()
        proc.stdout.close()
    code: int | None = None
    if not timed_out:  # the output ended; the command itself may still run
        try:
            code = proc.wait(timeout=max(0.0, timeout - (monotonic() - start)))
        except subprocess.TimeoutExpired:
            timed_out = True
    if timed_out:
        _kill_group(proc)
    return Result(code, monotonic() - start, timed_out, bytes(buf), None, truncated)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def keep_output(root: Path, inc_id: str, task: str, when: datetime, result: Result) -> Result:
    """Write the output's tail under `.git/hotfix-tui/runs/` (not the record); the result with
    its log's path."""
    from dataclasses import replace

    from hotfix_tui.core.git.repo import git_dir
    from hotfix_tui.core.store import StoreError, ensure_inside

    g = git_dir(root)
    base = (g / RUNS) if g is not None else root / ".hotfix-tui-runs"
    if g is None:
        try:
            ensure_inside(root, base)
        except StoreError as exc:
            raise RunRefused(f"{exc}; the run's output was not kept", EXIT_FAIL) from exc
    base.mkdir(parents=True, exist_ok=True)
    name = f"{inc_id}-{task}-{when.strftime('%Y%m%dT%H%M%SZ')}.log"
    dest = base / name
    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(result.output)
    os.replace(tmp, dest)
    return replace(result, log=dest)


def run_step(inc: Incident, p: Prepared, timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run a prepared, trusted step; its exit code and duration recorded as a `run` event."""
    result = execute_step(p, inc.id, inc.clock(), timeout)
    record_run(inc, p, result)
    return result


def execute_step(p: Prepared, inc_id: str, when: datetime,
                 timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run a prepared step (refused unless trusted) and keep its output; nothing recorded."""
    if not p.trusted:
        raise RunRefused(untrusted_message(p), EXIT_FAIL)
    return keep_output(p.root, inc_id, p.task, when, execute(p.command, p.env, p.root, timeout))


def record_run(inc: Incident, p: Prepared, result: Result) -> None:
    """Record a run's exit code and duration (a `run` event; it never checks the task)."""
    inc.tx.emit(kinds.RUN, task=p.task, command=p.command, exit=result.exit_code,
                seconds=round(result.seconds, 3), timed_out=result.timed_out)


def attach(inc: Incident, task: str, result: Result) -> Path:
    """Copy a run's kept output into the incident folder and name it in the task's note."""
    from hotfix_tui.core.store import StoreError, atomic_write, ensure_inside

    if result.log is None:
        raise RunRefused("this run kept no output to attach", EXIT_FAIL)
    dest = inc.folder / ATTACHED / result.log.name
    try:  # `runs/` is pushed: a teammate's symlink must not send the output elsewhere
        ensure_inside(inc.folder, dest.parent)
        dest.parent.mkdir(parents=True, exist_ok=True)
        ensure_inside(inc.folder, dest)
    except StoreError as exc:
        raise RunRefused(f"{exc}; the output was not attached", EXIT_FAIL) from exc
    atomic_write(dest, result.output.decode("utf-8", errors="replace"))
    rel = dest.relative_to(inc.folder).as_posix()
    inc.note(task, f"Run output: {rel}")
    return dest
