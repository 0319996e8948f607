"""The `hotfix-tui` command: incident lifecycle from the shell, and the entry to the TUI.

Exit status: 0 done, 1 the action could not be done, 2 bad input (usage, invalid workflow or
unreadable file), 3 no incident found or several match. Textual is imported only to open the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND = 0, 1, 2, 3


class CliError(Exception):
    """A message for the user and the exit status that goes with it."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def _root(cwd: Path | None = None) -> Path | None:
    from .core.repo import find_root

    return find_root(cwd)


def load_workflow_for(folder: Path, root: Path | None):
    """The workflow of an incident folder, or None for a plain checklist."""
    from .core.discovery import workflow_name_for

    tasks = folder / "tasks.md"
    try:
        head = (
            tasks.read_text(encoding="utf-8-sig", errors="replace")[:4000] if tasks.exists() else ""
        )
    except OSError:
        head = ""
    name = workflow_name_for(folder, head)
    if name is None:
        return None
    if "/" in name or os.sep in name or name.endswith((".yaml", ".yml")):
        name = str(_workflow_path(folder, root, name, head))
    from .core.workflow_files import cached_workflow

    cached = cached_workflow(name, root)  # validated at an earlier start: no YAML to parse
    if cached is not None:
        return cached
    from .core.workflow import WorkflowError, resolve_workflow

    try:
        return resolve_workflow(name, root)
    except WorkflowError as exc:
        lines = [str(p) for p in exc.problems]
        where = _field_at(folder, head, "Workflow")
        if where and exc.problems and exc.problems[0].file == name:  # named by tasks.md
            lines[0] = f"{where}: {lines[0].removeprefix(name + ': ')}"
        raise CliError("\n".join(lines), EXIT_INPUT) from exc
    except (KeyError, LookupError, FileNotFoundError):
        return resolve_workflow("hotfix", root)


def _field_at(folder: Path, head: str, name: str) -> str | None:
    """`FOLDER/tasks.md:LINE:COL` of the `**name**:` field in the head of tasks.md."""
    for i, line in enumerate(head.splitlines(), 1):
        col = line.find(f"**{name}**")
        if col >= 0:
            return f"{folder / 'tasks.md'}:{i}:{col + 1}"
    return None


def _workflow_path(folder: Path, root: Path | None, name: str, head: str) -> Path:
    """A `**Workflow**:` path from tasks.md, relative to the folder and inside the repository.

    The path comes from file contents, so one leading out of the repository (or, outside a
    repository, out of the incident folder) is refused; `--workflow` on the command line is not.
    """
    from .core.store import StoreError, ensure_inside

    path = Path(name).expanduser()
    if not path.is_absolute():
        path = folder / path
    try:
        ensure_inside(root or folder, path)
    except StoreError as exc:
        where = _field_at(folder, head, "Workflow") or f"{folder / 'tasks.md'}"
        raise CliError(
            f"{where}: the **Workflow** path {name!r} is outside the repository; "
            "name a workflow (e.g. hotfix) or a YAML file inside the repository",
            EXIT_INPUT,
        ) from exc
    return path


def resolve_folder(spec: str | None, root: Path | None) -> Path:
    """The incident folder a command works on: SPEC_DIR, the branch's, or the only open one."""
    from .core.discovery import Ambiguous, pick_incident

    if spec:
        p = Path(spec).expanduser()
        if not p.is_absolute():
            p = Path.cwd() / p
        if p.is_file():
            p = p.parent
        if not p.is_dir():
            raise CliError(f"{spec}: no such incident folder", EXIT_NOT_FOUND)
        return p.resolve()
    if root is None:
        raise CliError(
            "not inside a git repository: run this in your repo, or name the folder with --spec",
            EXIT_NOT_FOUND,
        )
    try:
        found = pick_incident(root)
    except Ambiguous as exc:
        raise CliError(str(exc), EXIT_NOT_FOUND) from exc
    if found is None:
        raise CliError(
            f"no incident in {root}/specs; declare one with: "
            'hotfix-tui new "what broke" --severity P1',
            EXIT_NOT_FOUND,
        )
    return found.folder


def open_incident(spec: str | None, *, clock=None):
    """Load the incident a command names (see resolve_folder) with its workflow."""
    from .core.incident import Incident, IncidentError
    from .core.store import StoreError

    root = _root(Path(spec).resolve() if spec else None) if spec else _root()
    folder = resolve_folder(spec, root)
    root = root or _root(folder)
    wf = load_workflow_for(folder, root)
    kwargs = {"clock": clock} if clock else {}
    try:
        inc = Incident(folder, wf, repo_root=root, **kwargs)
    except (IncidentError, StoreError) as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    return inc


# --- commands ---------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from .core.create import create_incident
    from .core.incident import IncidentError
    from .core.workflow import WorkflowError, resolve_workflow

    root = _root()
    git_repo = root is not None
    if root is None:
        if not args.no_branch:
            raise CliError(
                "not inside a git repository: run `git init` first, or pass --no-branch "
                "to create the folder under the current directory",
                EXIT_INPUT,
            )
        root = Path.cwd()
    try:
        wf = resolve_workflow(args.workflow, root)
    except WorkflowError as exc:
        raise CliError("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from exc
    except LookupError as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    try:
        folder = create_incident(
            root,
            args.description,
            args.severity,
            wf,
            title=args.title,
            branch=not args.no_branch,
            git_repo=git_repo,
        )
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    if args.no_open:
        print(folder)
        return EXIT_OK
    return _run_app(str(folder))


def _sla_json(inc, now) -> dict | None:
    sla = inc.sla(now)
    if sla is None:
        return None
    return {
        "target_seconds": sla.target_seconds,
        "elapsed_seconds": sla.elapsed_seconds,
        "remaining_seconds": sla.remaining_seconds,
        "fraction": round(sla.fraction, 4),
        "state": sla.state,
    }


def status_data(inc) -> dict:
    """Everything `status --json` prints about an incident."""
    now = inc.clock()
    started = inc.started_at
    phases = inc.phases()
    nxt = inc.next_open()
    return {
        "id": inc.id,
        "title": inc.title,
        "folder": str(inc.folder),
        "workflow": inc.workflow.id if inc.workflow else None,
        "severity": inc.severity,
        "status": inc.status,
        "branch": inc.branch_field or None,
        "started_at": started.isoformat().replace("+00:00", "Z") if started else None,
        "now": now.isoformat().replace("+00:00", "Z"),
        "sla": _sla_json(inc, now),
        "windows": [
            {
                "id": w.id,
                "label": w.label,
                "due": w.due.isoformat().replace("+00:00", "Z"),
                "remaining_seconds": w.remaining_seconds,
                "state": w.state,
            }
            for w in inc.windows(now)
        ],
        "progress": dict(zip(("done", "total"), inc.progress(), strict=True)),
        "phases": [{"name": p.name, "done": p.done, "total": p.total} for p in phases],
        "tasks": [
            {
                "id": t.id or t.key,
                "title": t.title,
                "done": t.done,
                "applicable": t.applicable,
                "skipped": t.skipped is not None,
                "skip_reason": t.skipped,
                "phase": t.phase_index,
            }
            for t in inc.tasks()
        ],
        "next": {"id": nxt.id or nxt.key, "title": nxt.title} if nxt else None,
        "duplicate_ids": list(inc.doc.duplicate_ids),
    }


def _safe(text: str, keep: str = "") -> str:
    """Drop terminal control characters from text read out of a file (`keep`: allowed ones)."""
    return "".join(ch if ch.isprintable() or ch == " " or ch in keep else "?" for ch in str(text))


def _json(data: object) -> str:
    """JSON for stdout: non-ASCII text kept, but every control character (C0, DEL, C1, bidi
    overrides) escaped as \\uXXXX, so printing it can never drive the terminal."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    out = []
    for ch in text:
        if ch.isprintable() or ch in " \n":
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def cmd_status(args: argparse.Namespace) -> int:
    from .core.clocks import format_duration

    inc = open_incident(args.spec)
    data = status_data(inc)
    if args.json:
        print(_json(data))
        return EXIT_OK
    print(_safe(f"{data['id']}  {data['title']}"))
    print(
        _safe(
            f"Severity {data['severity'] or '?'} | Status {data['status'] or '?'}"
            f" | Branch {data['branch'] or '-'}"
        )
    )
    sla = data["sla"]
    if sla:
        rem = sla["remaining_seconds"]
        tail = (
            f"remaining {format_duration(rem)}" if rem >= 0 else f"overdue {format_duration(rem)}"
        )
        print(
            f"SLA: target {format_duration(sla['target_seconds'])}, elapsed "
            f"{format_duration(sla['elapsed_seconds'])} ({sla['fraction']:.0%}), "
            f"{tail} [{sla['state']}]"
        )
    else:
        print("SLA: none (no workflow or no start time)")
    for w in data["windows"]:
        left = w["remaining_seconds"]
        when = f"{format_duration(left)} left" if left >= 0 else "overdue by "
        when += "" if left >= 0 else format_duration(left)
        due = w["due"][:16].replace("T", " ")
        print(f"Window: {w['label']}: {when} (due {due} UTC) [{w['state']}]")
    print(f"Progress: {data['progress']['done']}/{data['progress']['total']}")
    for p in data["phases"]:
        print(_safe(f"  {p['name']:<40} {p['done']}/{p['total']}"))
    nxt = data["next"]
    print(_safe(f"Next: {nxt['id']} {nxt['title']}" if nxt else "Next: nothing open"))
    for dup in data["duplicate_ids"]:
        print(f"warning: duplicate task ID {dup} in {inc.path('tasks.md')}", file=sys.stderr)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from .core.discovery import find_incidents

    root = _root()
    if root is None:
        raise CliError("not inside a git repository: run this in your repo", EXIT_NOT_FOUND)
    rows = []
    for f in find_incidents(root):
        try:
            inc = open_incident(str(f.folder))
            d = status_data(inc)
            rows.append(
                {
                    "id": d["id"],
                    "title": d["title"],
                    "folder": str(f.folder.relative_to(root)),
                    "severity": d["severity"],
                    "status": d["status"],
                    "progress": d["progress"],
                    "sla": d["sla"],
                }
            )
        except CliError as exc:
            rows.append(
                {"id": f.folder.name, "folder": str(f.folder.relative_to(root)), "error": str(exc)}
            )
    if args.json:
        print(_json(rows))
        return EXIT_OK
    if not rows:
        print(f"no incidents in {root}/specs")
    for r in rows:
        if "error" in r:
            print(_safe(f"{r['folder']}: {r['error']}"))
            continue
        sla = r["sla"]["state"] if r["sla"] else "-"
        pr = r["progress"]
        print(
            _safe(
                f"{r['id']:<12} {r['severity'] or '?':<3} {r['status'] or '?':<22} "
                f"{pr['done']:>3}/{pr['total']:<3} {sla:<10} {r['title']}"
            )
        )
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .core.workflow import validate_main

    return validate_main(args.files)


def _act(args: argparse.Namespace, fn) -> int:
    from .cli_git import attach_auto_commit
    from .core.incident import IncidentError

    inc = open_incident(args.spec)
    attach_auto_commit(inc)  # `auto_commit: true` in the config: commit after the action
    ref = getattr(args, "task", None)
    if ref and ref.upper() in inc.doc.duplicate_ids:
        lines = [t.line + 1 for t in inc.doc.tasks if t.id == ref.upper()]
        raise CliError(
            f"{inc.path('tasks.md')}:{lines[0]}:1: task ID {ref.upper()} is used by "
            f"{len(lines)} tasks (lines {', '.join(map(str, lines))}); give each its own ID "
            "first, nothing was written",
            EXIT_FAIL,
        )
    try:
        msg = fn(inc)
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    if msg:
        print(_safe(msg, keep="\n"))
    return EXIT_OK


def cmd_done(args: argparse.Namespace) -> int:
    def fn(inc):
        task = inc.find(args.task)
        if task.done and not args.note:
            return f"{task.id or args.task} is already done"
        change = inc.set_done(args.task, True, note=args.note)
        lines = [f"{task.id or args.task} done: {task.title}"]
        view = inc.task_view(inc.find(args.task))
        if not view.applicable:
            lines.append(f"note: {view.id} does not apply to {inc.severity}: {view.reason}")
        lines += [f"note: {m}" for m in (change.messages if change else [])]
        return "\n".join(lines)

    return _act(args, fn)


def cmd_undo(args: argparse.Namespace) -> int:
    def fn(inc):
        task = inc.find(args.task)
        if not task.done:
            return f"{task.id or args.task} is not done"
        inc.set_done(args.task, False)
        return f"{task.id or args.task} reopened: {task.title}"

    return _act(args, fn)


def cmd_skip(args: argparse.Namespace) -> int:
    def fn(inc):
        inc.skip(args.task, args.reason)
        return f"{args.task.upper()} skipped: {args.reason}"

    return _act(args, fn)


def cmd_note(args: argparse.Namespace) -> int:
    def fn(inc):
        inc.note(args.task, " ".join(args.text))
        return f"note added to {args.task.upper()}"

    return _act(args, fn)


def cmd_severity(args: argparse.Namespace) -> int:
    def fn(inc):
        old = inc.severity
        if inc.set_severity(args.severity) is None:
            return f"severity is already {args.severity.upper()}"
        return f"severity {old} -> {args.severity.upper()}"

    return _act(args, fn)


def cmd_status_set(args: argparse.Namespace) -> int:
    def fn(inc):
        inc.set_status(" ".join(args.status))
        return f"status: {inc.status}"

    return _act(args, fn)


def _run_app(spec: str | None) -> int:
    from .tui.launch import run_app

    return run_app(spec)


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args.spec)


def cmd_demo(args: argparse.Namespace) -> int:
    from .core.demo import make_demo

    folder = make_demo(Path(args.dir) if args.dir else None)
    if args.no_open:
        print(folder)
        return EXIT_OK
    os.chdir(folder.parents[1])
    code = _run_app(str(folder))
    print(f"The demo incident's files are in {folder} (a scratch git repo; delete it when done).")
    return code


# --- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hotfix-tui",
        description="Keyboard-driven incident checklist; the markdown in your repo is the record.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def spec_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--spec", metavar="SPEC_DIR", help="incident folder (default: the current one)"
        )

    sp = sub.add_parser("open", help="open the TUI on an incident (the default command)")
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR")
    sp.set_defaults(func=cmd_open)

    sp = sub.add_parser("new", help="declare a new incident: folder, files and branch")
    sp.add_argument("description")
    sp.add_argument("--severity", "-s", required=True, type=str.upper, choices=None)
    sp.add_argument("--title")
    sp.add_argument("--no-branch", action="store_true", help="do not create the hotfix branch")
    sp.add_argument(
        "--no-open", action="store_true", help="print the folder instead of opening the TUI"
    )
    sp.add_argument("--workflow", default=None, help="workflow name or YAML path (default: hotfix)")
    sp.set_defaults(func=cmd_new)

    sp = sub.add_parser("list", help="incidents in this repo")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("status", help="progress, SLA clock, windows and next task")
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_status)

    sp = sub.add_parser("validate", help="check workflow YAML files")
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("done", help="check off a task")
    sp.add_argument("task")
    sp.add_argument("--note")
    spec_opt(sp)
    sp.set_defaults(func=cmd_done)

    sp = sub.add_parser("undo", help="uncheck a task")
    sp.add_argument("task")
    spec_opt(sp)
    sp.set_defaults(func=cmd_undo)

    sp = sub.add_parser("skip", help="skip a task with a reason")
    sp.add_argument("task")
    sp.add_argument("--reason", required=True)
    spec_opt(sp)
    sp.set_defaults(func=cmd_skip)

    sp = sub.add_parser("note", help="add a note to a task")
    sp.add_argument("task")
    sp.add_argument("text", nargs="+")
    spec_opt(sp)
    sp.set_defaults(func=cmd_note)

    sp = sub.add_parser("severity", help="change the severity (P0, P1, P2)")
    sp.add_argument("severity")
    spec_opt(sp)
    sp.set_defaults(func=cmd_severity)

    sp = sub.add_parser("set-status", help="move the incident to a status of its workflow")
    sp.add_argument("status", nargs="+")
    spec_opt(sp)
    sp.set_defaults(func=cmd_status_set)

    sp = sub.add_parser("demo", help="open a built-in sample incident in a scratch repo")
    sp.add_argument("--dir", help="where to make the scratch repo (default: a temp folder)")
    sp.add_argument("--no-open", action="store_true", help="print the folder instead of opening")
    sp.set_defaults(func=cmd_demo)

    from .cli_git import register as register_git

    register_git(sub, spec_opt)
    __import__("hotfix_tui.cli_watch").cli_watch.register(sub, spec_opt)  # watch, remind-done
    return p


def _version() -> str:
    from . import __version__

    return __version__


def _open_args(argv: list[str]) -> argparse.Namespace | None:
    """`hotfix-tui`, `hotfix-tui open` and `hotfix-tui open SPEC` without building the parser.

    The TUI's start-up is timed to its first frame; every other command line goes through the
    full parser (options, help, errors).
    """
    if argv[:1] != ["open"] and argv:
        return None
    rest = argv[1:]
    if len(rest) > 1 or (rest and (not rest[0] or rest[0].startswith("-"))):
        return None
    return argparse.Namespace(command="open", spec=rest[0] if rest else None, func=cmd_open)


def main(argv: list[str] | None = None) -> int:
    args = _open_args(sys.argv[1:] if argv is None else list(argv))
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            args = parser.parse_args(["open", *(argv or [])])
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(_safe(f"hotfix-tui: {exc}", keep="\n"), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, the traceback only on request
        if os.environ.get("HOTFIX_TUI_DEBUG"):
            raise
        print(
            _safe(
                f"hotfix-tui: internal error: {type(exc).__name__}: {exc}\n"
                "nothing further was written; rerun with HOTFIX_TUI_DEBUG=1 for details",
                keep="\n",
            ),
            file=sys.stderr,
        )
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
