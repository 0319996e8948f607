"""The `hotfix-tui` command: incident lifecycle from the shell, and the entry to the TUI.

Exit status: 0 done, 1 the action could not be done, 2 bad input (usage, invalid workflow or
unreadable file), 3 no incident found or several match. Textual is imported only to open the app.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .cli_output import json_chunks, safe
from .core.errors import EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import open_incident, repo_root, resolve_folder

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from types import ModuleType

    SpecOpt = Callable[[argparse.ArgumentParser], None]

__all__ = [
    "EXIT_FAIL",
    "EXIT_INPUT",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "CliError",
    "main",
    "open_incident",
    "resolve_folder",
]


def load_workflow_for(folder: Path, root: Path | None):
    """The workflow of an incident folder, or None for a plain checklist (see core.loading)."""
    from .core.opening import LoadError
    from .core.opening import load_workflow_for as load

    try:
        return load(folder, root)
    except LoadError as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc


# --- commands ---------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from .cli_repo import new_workflow
    from .core.creating import create_incident
    from .core.record.incident import IncidentError

    root = repo_root()
    git_repo = root is not None
    if root is None:
        if not args.no_branch:
            raise CliError(
                "not inside a git repository: run `git init` first, or pass --no-branch "
                "to create the folder under the current directory",
                EXIT_INPUT,
            )
        root = Path.cwd()
    wf = new_workflow(args.workflow, root, args.severity)  # CliError for a bad name or severity
    base = _new_base(root, args) if git_repo and not args.no_branch else None
    notes: list[str] = []
    try:
        folder = create_incident(
            root,
            args.description,
            args.severity,
            wf,
            title=args.title,
            branch=not args.no_branch,
            git_repo=git_repo,
            base=base,
            notes=notes,
        )
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    if base is not None and base.note:
        notes.insert(0, base.note)
    for note in notes:
        print(safe(f"hotfix-tui: {note}"), file=sys.stderr)
    if args.no_open or not _terminal(folder):
        print(folder)
        return EXIT_OK
    return _run_app(str(folder))


def _new_base(root: Path, args: argparse.Namespace):
    """Where `new` branches from: --from REF, HEAD, or the default branch (see choose_base)."""
    from .core.git.branches import choose_base
    from .core.git.repo import GitError

    if args.from_ref and args.no_branch:
        raise CliError("--from names where the new branch starts; drop --no-branch", EXIT_INPUT)
    try:
        return choose_base(root, args.from_ref)
    except GitError as exc:
        raise CliError(str(exc), EXIT_INPUT if args.from_ref else EXIT_FAIL) from exc


def spec_arg(args: argparse.Namespace) -> str | None:
    """SPEC_DIR given as a positional argument or as --spec (both: they must agree)."""
    pos, flag = getattr(args, "spec", None), getattr(args, "spec_flag", None)
    if pos and flag and Path(pos).resolve() != Path(flag).resolve():
        raise CliError(f"two incident folders named: {pos} and --spec {flag}; give one", EXIT_INPUT)
    return pos or flag


def cmd_status(args: argparse.Namespace) -> int:
    from .core.clocks import format_duration
    from .core.reports.status_data import status_data

    inc = open_incident(spec_arg(args))
    for warning in inc.view.warnings:  # e.g. conflict markers in text people wrote
        print(safe(f"hotfix-tui: warning: {warning}"), file=sys.stderr)
    data = status_data(inc, stream=args.json)
    if args.json:
        for chunk in json_chunks(data):  # streamed: the whole text is never held at once
            sys.stdout.write(chunk)
        sys.stdout.write("\n")
        return EXIT_OK
    print(safe(f"{data['id']}  {data['title']}"))
    # a kind without severities (a bug fix's checklist) says its kind, and its own severity as
    # written when it has one
    head = f"Severity {data['severity'] or '?'}"
    if not inc.view.severities and data["kind"] != "hotfix":
        head = data["kind"] + (f" | Severity {data['severity']}" if data["severity"] else "")
    print(
        safe(
            f"{head} | Status {data['status'] or '?'}"
            + (f" (set by {data['status_set_by']['who']})" if data["status_set_by"] else "")
            + f" | Branch {data['branch'] or '-'}"
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
        print(f"SLA: none ({_no_sla_because(inc, data)})")
    for w in data["windows"]:
        left = w["remaining_seconds"]
        when = f"{format_duration(left)} left" if left >= 0 else "overdue by "
        when += "" if left >= 0 else format_duration(left)
        due = w["due"][:16].replace("T", " ")
        print(f"Window: {w['label']}: {when} (due {due} UTC) [{w['state']}]")
    print(f"Progress: {data['progress']['done']}/{data['progress']['total']}")
    for p in data["phases"]:
        print(safe(f"  {p['name']:<40} {p['done']}/{p['total']}"))
    for c in data["choices"]:
        print(safe(f"Choice {c['id']}: {c['label']} = {c['value'] or '-'}"))
    nxt = data["next"]
    print(safe(f"Next: {nxt['id']} {nxt['title']}" if nxt else "Next: nothing open"))
    for dup in data["duplicate_ids"]:
        print(f"warning: duplicate task ID {dup} in {inc.view.path('tasks.md')}", file=sys.stderr)
    gone = inc.view.orphan_warning() if data["orphaned_tasks"] else None
    if gone:
        print(safe(f"hotfix-tui: warning: {gone}"), file=sys.stderr)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .core.workflow.loader import validate_main

    return validate_main(args.files)


def _act(args: argparse.Namespace, fn) -> int:
    from .cli_git import attach_auto_commit
    from .core.record.incident import BadInput, IncidentError

    inc = open_incident(args.spec)
    attach_auto_commit(inc)  # `auto_commit: true` in the config: commit after the action
    ref = getattr(args, "task", None)
    if ref and ref.upper() in inc.view.doc.duplicate_ids:
        lines = [t.line + 1 for t in inc.view.doc.tasks if t.id == ref.upper()]
        raise CliError(
            f"{inc.view.path('tasks.md')}:{lines[0]}:1: task ID {ref.upper()} is used by "
            f"{len(lines)} tasks (lines {', '.join(map(str, lines))}); give each its own ID "
            "first, nothing was written",
            EXIT_FAIL,
        )
    try:
        msg = fn(inc)
    except BadInput as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    for notice in inc.tx.notices:  # e.g. a torn log line set aside, vanished lines restored
        print(safe(f"hotfix-tui: warning: {notice}"), file=sys.stderr)
    if msg:
        print(safe(msg, keep="\n"))
    for warning in inc.view.warnings:  # e.g. a conflict in text people wrote, kept marked
        print(safe(f"hotfix-tui: warning: {warning}"), file=sys.stderr)
    return EXIT_OK


def cmd_done(args: argparse.Namespace) -> int:
    def fn(inc):
        from .cli_git import _parse_when

        task = inc.view.find(args.task)
        at = _parse_when(args.at) if args.at else None
        change = inc.set_done(args.task, True, note=args.note, at=at, keep_first=args.keep_first)
        if task.done and not args.note and at is None:
            # recorded all the same: on a stale copy this later intent must win the merge
            return f"{task.id or args.task} is already done"
        lines = [f"{task.id or args.task} done: {task.title}"]
        view = inc.view.task_view(inc.view.find(args.task))
        if not view.applicable:
            lines.append(f"note: {view.id} does not apply to {inc.severity}: {view.reason}")
        lines += [f"note: {m}" for m in (change.messages if change else [])]
        return "\n".join(lines)

    return _act(args, fn)


def cmd_undo(args: argparse.Namespace) -> int:
    def fn(inc):
        task = inc.view.find(args.task)
        inc.set_done(args.task, False)  # recorded even when not done (a later intent)
        if not task.done:
            return f"{task.id or args.task} is not done"
        return f"{task.id or args.task} reopened: {task.title}"

    return _act(args, fn)


def cmd_skip(args: argparse.Namespace) -> int:
    def fn(inc):
        task = inc.view.find(args.task)
        inc.skip(args.task, args.reason)
        return f"{task.id or args.task} skipped: {args.reason}"

    return _act(args, fn)


def cmd_note(args: argparse.Namespace) -> int:
    def fn(inc):
        task = inc.view.find(args.task)
        inc.note(args.task, " ".join(args.text))
        return f"note added to {task.id or args.task}"

    return _act(args, fn)


def cmd_choose(args: argparse.Namespace) -> int:
    def fn(inc):
        group = inc.view.find_choice(args.choice)
        value = " ".join(args.value)
        if inc.choose(args.choice, value) is None:
            return f"{group.label} is already {value or 'none'}"
        return f"{group.label}: {inc.view.find_choice(args.choice).value or 'none'}"

    return _act(args, fn)


def _no_sla_because(inc, data: dict) -> str:
    """Why an incident has no SLA clock, and what to do about it."""
    wf = inc.workflow
    if wf is None or not wf.severities:
        return "its workflow has no SLA targets"
    if not data["severity"]:
        return f"no severity set: hotfix-tui severity {'|'.join(s.id for s in wf.severities)}"
    if wf.severity(data["severity"]) is None:
        return f"the workflow has no target for severity {data['severity']}"
    return "no start time: hotfix-tui started-at \"YYYY-MM-DD HH:MM\""


def cmd_severity(args: argparse.Namespace) -> int:
    def fn(inc):
        old = inc.severity
        if inc.set_severity(args.severity) is None:
            return f"severity is already {args.severity.upper()}"
        new = args.severity.upper()
        return f"severity {old} -> {new}" if old else f"severity set to {new}"

    return _act(args, fn)


def cmd_status_set(args: argparse.Namespace) -> int:
    def fn(inc):
        inc.set_status(" ".join(args.status))
        return f"status: {inc.status}"

    return _act(args, fn)


def _terminal(folder: Path) -> bool:
    """True when the app can start here; else says how to open the folder later."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return True
    print(safe(f"hotfix-tui: no terminal, so the app was not started: hotfix-tui open {folder}"),
          file=sys.stderr)
    return False


def _run_app(spec: str | None) -> int:
    from .tui.launch import run_app

    return run_app(spec)


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(spec_arg(args))


def cmd_demo(args: argparse.Namespace) -> int:
    from .core.demo import make_demo

    folder = make_demo(Path(args.dir) if args.dir else None)
    if args.no_open or not _terminal(folder):
        print(folder)
        return EXIT_OK
    os.chdir(folder.parents[1])
    code = _run_app(str(folder))
    print(f"The demo incident's files are in {folder} (a scratch git repo; delete it when done).")
    return code


# --- parser -----------------------------------------------------------------------------------

# Every command: where its arguments are declared ("module:function") and its line in `--help`.
# Only the parser of the command given is built, so a command imports only its own module.
COMMANDS: dict[str, tuple[str, str]] = {
    "open": ("cli:args_open", "open the TUI on an incident (the default command)"),
    "new": ("cli:args_new", "declare a new incident: folder, files and branch"),
    "status": ("cli:args_status", "progress, SLA clock, windows and next task"),
    "validate": ("cli:args_validate", "check workflow YAML files"),
    "done": ("cli:args_done", "check off a task"),
    "undo": ("cli:args_undo", "uncheck a task"),
    "skip": ("cli:args_skip", "skip a task with a reason"),
    "note": ("cli:args_note", "add a note to a task"),
    "choose": ("cli:args_choose", "set a single choice of the checklist (none to clear it)"),
    "severity": ("cli:args_severity", "change the severity (P0, P1, P2)"),
    "set-status": ("cli:args_set_status", "move the incident to a status of its workflow"),
    "demo": ("cli:args_demo", "open a built-in sample incident in a scratch repo"),
    "detected": ("cli_git:args_detected", "record when and how the incident was detected"),
    "started-at": (
        "cli_git:args_started_at",
        "correct the Incident Start time (every clock follows)",
    ),
    "fix-commit": (
        "cli_git:args_fix_commit",
        "list the branch's recent commits, or record the fix's SHA",
    ),
    "commit": ("cli_git:args_commit", "commit the incident folder only"),
    "sync": ("cli_git:args_sync", "commit, fetch, merge the team's changes, push"),
    "report": ("cli_git:args_report", "status update for stakeholders and the next on-call"),
    "postmortem": ("cli_git:args_postmortem", "fill post-mortem.md with what the record knows"),
    "serve": ("cli_serve:args_serve", "serve a read-only live web board of the incidents"),
    "resolve": (
        "cli_resolve:args_resolve",
        "settle git conflict markers in the incident's markdown",
    ),
    "list": ("cli_repo:args_list", "incidents and specs of every branch (read from git)"),
    "join": (
        "cli_repo:args_join",
        "switch to the branch of an incident declared on another branch",
    ),
    "stats": ("cli_repo:args_stats", "SLA compliance, time to resolve and detect, every branch"),
    "workflow": ("cli_repo:args_workflow", "workflow files: import a tasks template"),
    "runs": ("cli_runs:args_runs", "spec-kit workflow runs: status, step, gates waiting"),
    "gate": (
        "cli_runs:args_gate",
        "answer a spec-kit workflow gate (approve|reject): the run resumes here",
    ),
    "role": ("cli_team:args_role", "give a role (commander, communications) to a person"),
    "assign": ("cli_team:args_assign", "assign a task to a person"),
    "unassign": ("cli_team:args_unassign", "take a task's assignee off"),
    "handover": ("cli_team:args_handover", "hand the incident over to the next commander"),
    "accept": ("cli_team:args_accept", "accept the hand-over: you are the commander now"),
    "update": ("cli_team:args_update", "send a status update (from the workflow's template)"),
    "watch": ("cli_watch:args_watch", "the SLA clock and its alerts without the TUI"),
    "remind-done": (
        "cli_watch:args_remind_done",
        "mark a reminder done (e.g. the stakeholder update was sent); its interval restarts",
    ),
    "run": ("cli_runbook:args_run", "run a task's runbook command (after a confirmation)"),
    "trust": ("cli_runbook:args_trust", "trust the repository workflow's commands as they are"),
    "followup": ("cli_followups:args_followup", "add a post-mortem action item: owner, due date"),
    "followups": (
        "cli_followups:args_followups",
        "every incident's follow-ups (--mine, --overdue) with their gh issue command",
    ),
}


def spec_opt(sp: argparse.ArgumentParser) -> None:
    """--spec SPEC_DIR: the incident a command acts on."""
    sp.add_argument("--spec", metavar="SPEC_DIR", help="incident folder (default: the current one)")


def spec_both(sp: argparse.ArgumentParser) -> None:
    """SPEC_DIR as a positional argument or as --spec."""
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR")
    sp.add_argument("--spec", dest="spec_flag", metavar="SPEC_DIR", help="the same, as an option")


def args_open(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    spec_both(sp)
    sp.set_defaults(func=cmd_open)


def args_new(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("description")
    sp.add_argument(
        "--severity", "-s", type=str.upper, help="required where the workflow has severities"
    )
    sp.add_argument("--title")
    sp.add_argument("--no-branch", action="store_true", help="do not create the hotfix branch")
    sp.add_argument(
        "--no-open", action="store_true", help="print the folder instead of opening the TUI"
    )
    sp.add_argument(
        "--workflow",
        default=None,
        help="workflow name or YAML path (default: hotfix); a name may also be a template set "
        "under .specify/extensions/workflows/NAME/",
    )
    sp.add_argument(
        "--from",
        dest="from_ref",
        metavar="REF",
        help="start the branch at REF (default: HEAD, or the default branch when HEAD is "
        "another incident's branch)",
    )
    sp.set_defaults(func=cmd_new)


def args_status(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    spec_both(sp)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_status)


def args_validate(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("files", nargs="*", metavar="FILE")
    sp.set_defaults(func=cmd_validate)


def args_done(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    sp.add_argument("--note")
    sp.add_argument("--at", help='when it was done, "YYYY-MM-DD HH:MM[:SS]" UTC (default: now)')
    sp.add_argument(
        "--keep-first",
        action="store_true",
        help="a reopened task keeps the time it was done before (default: now)",
    )
    spec_opt(sp)
    sp.set_defaults(func=cmd_done)


def args_undo(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    spec_opt(sp)
    sp.set_defaults(func=cmd_undo)


def args_skip(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    sp.add_argument("--reason", required=True)
    spec_opt(sp)
    sp.set_defaults(func=cmd_skip)


def args_note(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    sp.add_argument("text", nargs="+")
    spec_opt(sp)
    sp.set_defaults(func=cmd_note)


def args_choose(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("choice", help="the choice's id (as `status` lists it) or its task's id")
    sp.add_argument("value", nargs="+", help="one of its options, or none")
    spec_opt(sp)
    sp.set_defaults(func=cmd_choose)


def args_severity(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("severity")
    spec_opt(sp)
    sp.set_defaults(func=cmd_severity)


def args_set_status(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("status", nargs="+")
    spec_opt(sp)
    sp.set_defaults(func=cmd_status_set)


def args_demo(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("--dir", help="where to make the scratch repo (default: a temp folder)")
    sp.add_argument("--no-open", action="store_true", help="print the folder instead of opening")
    sp.set_defaults(func=cmd_demo)


def _declare(name: str, sp: argparse.ArgumentParser) -> None:
    """Add the arguments of command `name` to its parser, importing only the module declaring it
    (once: a parser that has its `func` is complete)."""
    if sp.get_default("func") is not None:
        return
    module, _, function = COMMANDS[name][0].partition(":")
    found: ModuleType = sys.modules[__name__]
    if module == "cli_git":
        from . import cli_git

        found = cli_git
    elif module == "cli_repo":
        from . import cli_repo

        found = cli_repo
    elif module == "cli_resolve":
        from . import cli_resolve

        found = cli_resolve
    elif module == "cli_serve":
        from . import cli_serve

        found = cli_serve
    elif module == "cli_runs":
        from . import cli_runs  # runs, gate

        found = cli_runs
    elif module == "cli_team":
        from . import cli_team  # role, assign, unassign, handover, accept, update

        found = cli_team
    elif module == "cli_watch":
        from . import cli_watch  # watch, remind-done

        found = cli_watch
    elif module == "cli_runbook":
        from . import cli_runbook  # run, trust

        found = cli_runbook
    elif module == "cli_followups":
        from . import cli_followups  # followup, followups

        found = cli_followups
    getattr(found, function)(sp, spec_opt)


def build_parser(*, lazy: bool = False, only: str | None = None) -> argparse.ArgumentParser:
    """The `hotfix-tui` parser; `lazy`: a command's arguments are added when it is the one given
    (`--help` lists every command from COMMANDS all the same); `only`: that command alone (for a
    command line that starts with it, which argparse hands to that command's parser)."""
    import argparse  # (not on the way to the TUI's first frame: `open` skips the parser)

    class Commands(argparse._SubParsersAction):
        """The subcommands; the one argparse picks gets its arguments first."""

        def __call__(self, parser, namespace, values, option_string=None):
            chosen = self._name_parser_map.get(values[0])
            if chosen is not None:
                _declare(values[0], chosen)
            super().__call__(parser, namespace, values, option_string)

    p = argparse.ArgumentParser(
        prog="hotfix-tui",
        description="Keyboard-driven incident checklist; the markdown in your repo is the record.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", action=Commands)
    for name, (_, text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        sp = sub.add_parser(name, help=text)
        if not lazy:
            _declare(name, sp)
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
    from types import SimpleNamespace

    found = SimpleNamespace(command="open", spec=rest[0] if rest else None, func=cmd_open)
    return cast("argparse.Namespace", found)


def _collector_on() -> None:
    """Turn the garbage collector back on after the imports `entry.main` made with it paused;
    what they made is frozen first, so no collection walks those objects again (~4 ms)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    args = _open_args(given)
    if args is None or args.func is not cmd_open:
        _collector_on()  # (`open` turns it on after its first frame)
    if args is None:
        first = given[0] if given else None
        parser = build_parser(lazy=True, only=first if first in COMMANDS else None)
        args = parser.parse_args(given)
        if not getattr(args, "func", None):
            args = build_parser(lazy=True).parse_args(["open", *given])
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(safe(f"hotfix-tui: {exc}", keep="\n"), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, the traceback only on request
        if os.environ.get("HOTFIX_TUI_DEBUG"):
            raise
        print(
            safe(
                f"hotfix-tui: internal error: {type(exc).__name__}: {exc}\n"
                "nothing further was written; rerun with HOTFIX_TUI_DEBUG=1 for details",
                keep="\n",
            ),
            file=sys.stderr,
        )
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
