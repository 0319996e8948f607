"""spec-kit's workflow runs (`.specify/workflows/runs/<id>/`): read for display, gates answered.

Runs are read from their files only (`state.json`, `inputs.json`, the frozen `workflow.yml`),
tolerating partial or corrupt ones; a gate is answered only through `specify workflow resume`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix_tui.core.frozen import frozen

from .errors import EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND, UserError
from .git.repo import git_dir

RUNS = Path(".specify") / "workflows" / "runs"
WAITING, ACTIVE, FINISHED = 0, 1, 2  # the order runs are listed in
INSTALL = (
    "install spec-kit's CLI (`uv tool install specify-cli` or `pip install specify-cli`), "
    "or set `specify_command` in hotfix-tui's config.yaml"
)


class SpecifyMissing(UserError):
    """No `specify` command to run: says what to install."""


@frozen
class Gate:
    """A gate a run rests on: its step, message, options, the choice made (None: waiting) and
    the workflow input that carries a verdict when resuming (None: only a terminal prompt)."""

    step_id: str
    message: str
    options: tuple[str, ...]
    choice: str | None = None
    verdict_input: str | None = None
    on_reject: str = ""


@frozen
class Run:
    """One workflow run as its files say; `error` names what could not be read."""

    run_id: str
    folder: Path
    workflow_id: str = ""
    workflow_name: str = ""
    status: str = ""
    current_step: str = ""
    created_at: str = ""
    updated_at: str = ""
    gate: Gate | None = None
    step_error: str = ""
    error: str = ""
    texts: tuple[str, ...] = field(default=(), repr=False)  # its inputs' and outputs' text
    incidents: tuple[str, ...] = ()  # incident folders (relative to the root) it names

    @property
    def waiting(self) -> bool:
        """True when the run is paused at a gate that waits for a person."""
        return self.status == "paused" and self.gate is not None and self.gate.choice is None

    @property
    def rank(self) -> int:
        if self.waiting:
            return WAITING
        return FINISHED if self.status in ("completed", "aborted") else ACTIVE

    def resume_command(self, root: Path) -> str:
        """The command a person runs in a terminal to answer the gate at its prompt."""
        return f"cd {shlex.quote(str(root))} && specify workflow resume {shlex.quote(self.run_id)}"

    def line(self) -> str:
        """One line: id, workflow, status, step, the gate's message and options, folders."""
        out = f"{self.run_id}  {self.workflow_id or '?'}  {self.status or '?'}"
        if self.error:
            return f"{self.run_id}  unreadable: {self.error}"
        if self.current_step:
            out += f" at {self.current_step}"
        if self.waiting and self.gate is not None:
            out += f": {self.gate.message} [{'/'.join(self.gate.options)}]"
        if self.step_error:
            out += f": {self.step_error}"
        if self.incidents:
            out += f"  -> {', '.join(self.incidents)}"
        return out

    def data(self, root: Path) -> dict[str, Any]:
        """The run as `runs --json` and the board give it."""
        gate = None
        if self.gate is not None:
            g = self.gate
            gate = {
                "step_id": g.step_id,
                "message": g.message,
                "options": list(g.options),
                "choice": g.choice,
                "verdict_input": g.verdict_input,
                "waiting": self.waiting,
                "answer": (
                    [f"hotfix-tui gate {self.run_id} {o}" for o in g.options]
                    if g.verdict_input
                    else []
                ),
                "command": None if g.verdict_input else self.resume_command(root),
            }
        return {
            "run_id": self.run_id,
            "workflow_id": self.workflow_id,
            "workflow_name": self.workflow_name,
            "status": self.status,
            "current_step_id": self.current_step,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "folder": _rel(self.folder, root),
            "gate": gate,
            "step_error": self.step_error or None,
            "incidents": list(self.incidents),
            "error": self.error or None,
        }


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def runs_dir(root: Path) -> Path:
    return root / RUNS


def _read_json(path: Path, root: Path) -> tuple[Any, str]:
    """A JSON file's value, or an error naming the file (and the line) and what is wrong."""
    where = _rel(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"{where}: missing (the run may still be starting)"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{where}: cannot be read ({exc})"
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"{where}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _strings(value: object) -> Iterator[str]:
    """Every string inside a JSON value (keys too)."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)


def _is_gate(result: object) -> bool:
    if not isinstance(result, dict):
        return False
    if result.get("type") == "gate":
        return True
    out = result.get("output")
    return not result.get("type") and isinstance(out, dict) and "on_reject" in out


def _blocked_gate(tree: object) -> dict[str, Any] | None:
    """The gate result of a blocked node of the execution tree (nested steps), if any."""
    todo = [tree]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            if v.get("phase") == "blocked" and _is_gate(v.get("result")):
                return dict(v["result"])
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(reversed(v))
    return None


def _find_step(steps: object, step_id: str) -> dict[str, Any] | None:
    """A step of a workflow definition by id, nested ones (then/else/steps...) included."""
    todo = [steps]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            if v.get("id") == step_id and ("type" in v or "message" in v):
                return v
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return None


def _frozen_workflow(folder: Path) -> tuple[dict[str, Any], str]:
    """The run's saved workflow.yml as a mapping, or an error."""
    path = folder / "workflow.yml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return {}, f"{path.name}: cannot be read ({exc})"
    import yaml  # only for a run at a gate

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        return {}, f"{path.name}{line}: invalid YAML"
    return (data, "") if isinstance(data, dict) else ({}, f"{path.name}: not a mapping")


def _gate(state: dict[str, Any], folder: Path) -> Gate | None:
    """The gate the run rests on (status paused or aborted), its verdict input from workflow.yml."""
    if state.get("status") not in ("paused", "aborted"):
        return None
    step_id = _text(state.get("current_step_id"))
    results = state.get("step_results")
    result = results.get(step_id) if isinstance(results, dict) else None
    if not _is_gate(result):
        result = _blocked_gate(state.get("execution"))
        if result is None:
            return None
    if not isinstance(result, dict):
        return None
    raw = result.get("output")
    out: dict[str, Any] = raw if isinstance(raw, dict) else {}
    options = out.get("options", result.get("options"))
    if isinstance(options, list | tuple):
        opts = tuple(str(o) for o in options)
    else:
        opts = () if options is None else (str(options),)
    wf, _problem = _frozen_workflow(folder)
    step = _find_step(wf.get("steps"), step_id) if wf else None
    verdict = step.get("verdict_input") if step else None
    choice = out.get("choice")
    return Gate(
        step_id=step_id,
        message=_text(out.get("message")),
        options=opts,
        choice=None if choice is None else str(choice),
        verdict_input=verdict if isinstance(verdict, str) and verdict else None,
        on_reject=_text(out.get("on_reject")),
    )


def _step_error(state: dict[str, Any]) -> str:
    if state.get("error"):
        return _text(state["error"]).splitlines()[0] if _text(state["error"]) else ""
    results = state.get("step_results")
    if state.get("status") == "failed" and isinstance(results, dict):
        for r in results.values():
            if isinstance(r, dict) and r.get("status") == "failed" and r.get("error"):
                return _text(r["error"]).splitlines()[0]
    return ""


def _workflow_name(folder: Path) -> str:
    wf, _ = _frozen_workflow(folder)
    meta = wf.get("workflow") if wf else None
    return _text(meta.get("name")) if isinstance(meta, dict) else ""


def read_run(folder: Path, root: Path) -> Run:
    """One run from its folder; a missing or corrupt state.json gives a Run with `error`."""
    state, error = _read_json(folder / "state.json", root)
    if error or not isinstance(state, dict):
        return Run(folder.name, folder, error=error or "state.json: not a JSON object")
    inputs, _ = _read_json(folder / "inputs.json", root)
    texts = list(_strings(inputs)) + list(_strings(state.get("inputs")))
    results = state.get("step_results")
    if isinstance(results, dict):
        for r in results.values():
            if isinstance(r, dict):
                texts += _strings(r.get("output"))
                texts += _strings(r.get("input"))
    status = _text(state.get("status"))
    return Run(
        run_id=_text(state.get("run_id")) or folder.name,
        folder=folder,
        workflow_id=_text(state.get("workflow_id")),
        workflow_name=_workflow_name(folder) if status in ("paused", "aborted") else "",
        status=status,
        current_step=_text(state.get("current_step_id")),
        created_at=_text(state.get("created_at")),
        updated_at=_text(state.get("updated_at")),
        gate=_gate(state, folder),
        step_error=_step_error(state),
        texts=tuple(texts),
    )


def names_folder(texts: Iterable[str], folder: str) -> bool:
    """True when a text names the incident folder `folder` (relative to the root): its path
    under `specs/` as a whole word, which also is its branch in upstream's layouts."""
    under = folder.removeprefix("specs/")
    pattern = re.compile(r"(?<![\w.-])" + re.escape(under) + r"(?![\w-])")
    return any(pattern.search(t) for t in texts)


def _when(run: Run) -> str:
    return run.updated_at or run.created_at


def incident_folders(root: Path) -> list[str]:
    """The work tree's incident folders, relative to the root (what a run may name)."""
    from .discovery import find_incidents

    return [_rel(f.folder, root) for f in find_incidents(root)]


def read_runs(root: Path, folders: Iterable[str] | None = None) -> list[Run]:
    """Every run of the repository: those waiting at a gate first (oldest waiting first), then
    running or failed, then finished (newest first); each linked to the incident folders it
    names (`folders`, default: the work tree's)."""
    base = runs_dir(root)
    try:
        children = sorted(p for p in base.iterdir() if p.is_dir())
    except OSError:
        return []
    wanted = incident_folders(root) if folders is None else list(folders)
    runs = []
    for folder in children:
        run = read_run(folder, root)
        if wanted and run.texts:
            run = replace(run, incidents=tuple(f for f in wanted if names_folder(run.texts, f)))
        runs.append(run)
    waiting = sorted((r for r in runs if r.rank == WAITING), key=_when)
    rest = sorted((r for r in runs if r.rank != WAITING), key=_when, reverse=True)
    return waiting + sorted(rest, key=lambda r: r.rank)


def find_run(root: Path, run_id: str) -> Run:
    """The run of an id (a unique prefix will do); UserError when there is none or several."""
    base = runs_dir(root)
    exact = base / run_id
    if run_id and "/" not in run_id and run_id not in (".", "..") and exact.is_dir():
        return read_run(exact, root)
    hits = [r for r in read_runs(root, ()) if r.run_id.startswith(run_id)] if run_id else []
    if len(hits) == 1:
        return hits[0]
    if hits:
        ids = ", ".join(r.run_id for r in hits)
        raise UserError(
            f"{run_id!r} matches several workflow runs ({ids}); give more of it", EXIT_NOT_FOUND
        )
    raise UserError(
        f"no workflow run {run_id!r} in {_rel(base, root)}; `hotfix-tui runs` lists them",
        EXIT_NOT_FOUND,
    )


# --- answering a gate --------------------------------------------------------------------------


def find_specify(
    configured: str | None = None,
    *,
    path: str | None = None,
    python: str | None = None,
) -> str:
    """The `specify` to run: the configured command, else `specify` on PATH, else the one next
    to this Python (its venv); SpecifyMissing says what to install."""
    if configured:
        found = shutil.which(os.path.expanduser(configured), path=path)
        if found is None:
            raise SpecifyMissing(
                f"specify_command in config.yaml is {configured!r}, which is not a command "
                f"that can be run; {INSTALL}",
                EXIT_FAIL,
            )
        return found
    found = shutil.which("specify", path=path)
    if found:
        return found
    beside = Path(python or sys.executable).parent / "specify"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    raise SpecifyMissing(
        "the `specify` command (spec-kit) was not found on PATH or next to this Python: "
        + INSTALL,
        EXIT_FAIL,
    )


class NoVerdictInput(UserError):
    """The gate declares no `verdict_input`: only its terminal prompt answers it."""

    def __init__(self, run: Run, root: Path) -> None:
        gate = run.gate
        step = gate.step_id if gate else "?"
        self.command = run.resume_command(root)
        super().__init__(
            f"gate {step!r} of run {run.run_id} declares no verdict_input, so only spec-kit's "
            f"own prompt can answer it; run in a terminal:\n  {self.command}",
            EXIT_FAIL,
        )


def check_answer(run: Run, choice: str, root: Path) -> str:
    """The verdict input that carries `choice` to the gate run waits at; UserError if it cannot."""
    if run.error:
        raise UserError(f"workflow run {run.run_id} cannot be read: {run.error}", EXIT_FAIL)
    gate = run.gate
    if not run.waiting or gate is None:
        now = run.status or "unknown"
        where = f" at {run.current_step}" if run.current_step else ""
        raise UserError(
            f"workflow run {run.run_id} is not waiting at a gate (it is {now}{where})", EXIT_FAIL
        )
    if choice not in gate.options:
        raise UserError(
            f"{choice!r} is not an option of gate {gate.step_id!r} "
            f"(options: {', '.join(gate.options)})",
            EXIT_INPUT,
        )
    if gate.verdict_input is None:
        raise NoVerdictInput(run, root)
    return gate.verdict_input


@frozen
class Resumed:
    """What `specify workflow resume` did: its exit code, its JSON (if any), the run's state
    read again afterwards, and the log its output went to (None: the terminal)."""

    run: Run
    code: int
    outcome: dict[str, Any]
    log: Path | None
    before: Run

    def summary(self) -> str:
        """One line: the run's new state (the next gate, if it paused again)."""
        r = self.run
        gate = self.before.gate
        head = f"run {r.run_id}"
        if gate is not None and gate.step_id:
            head += f": gate {gate.step_id!r} answered"
        if r.waiting and r.gate is not None:
            return f"{head}; now waiting at gate {r.gate.step_id!r}: {r.gate.message}"
        state = r.status or _text(self.outcome.get("status")) or "unknown"
        tail = f"{head}; the run is {state}"
        if r.step_error or self.outcome.get("error"):
            tail += f": {r.step_error or self.outcome.get('error')}"
        return tail


def log_path(root: Path, run_id: str, now: datetime) -> Path:
    """Where a resume's output is kept: under .git/hotfix-tui/runs/ (else .specify/...)."""
    g = git_dir(root)
    base = g / "hotfix-tui" / "runs" if g is not None else runs_dir(root) / run_id
    safe = re.sub(r"[^\w.-]", "_", run_id)
    return base / f"{safe}-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.log"


def answer_gate(
    root: Path,
    run_id: str,
    choice: str,
    *,
    specify: str | None = None,
    log: Path | None = None,
) -> Resumed:
    """Answer the gate `run_id` waits at with `choice` through `specify workflow resume
    --input NAME=CHOICE --json` from the root; the rest of the workflow runs here, its output to
    `log` (None: this process's stderr). UserError when the gate cannot be answered so."""
    run = find_run(root, run_id)
    name = check_answer(run, choice, root)
    command = [specify or find_specify(), "workflow", "resume", run.run_id,
               "--input", f"{name}={choice}", "--json"]
    sink = None
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        sink = log.open("a", encoding="utf-8")
        sink.write(f"$ cd {shlex.quote(str(root))} && {shlex.join(command)}\n")
        sink.flush()
    try:
        proc = subprocess.run(
            command, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=sink,
            text=True, check=False,
        )
    except OSError as exc:
        raise SpecifyMissing(f"cannot run {command[0]}: {exc}; {INSTALL}", EXIT_FAIL) from exc
    finally:
        if sink is not None:
            sink.close()
    outcome: dict[str, Any] = {}
    out = proc.stdout.strip()
    if out:
        try:
            parsed = json.loads(out[out.find("{"):]) if "{" in out else {}
            outcome = parsed if isinstance(parsed, dict) else {}
        except json.JSONDecodeError:
            outcome = {}
    if log is not None:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{proc.stdout}\n[exit {proc.returncode}]\n")
    return Resumed(read_run(run.folder, root), proc.returncode, outcome, log, run)
