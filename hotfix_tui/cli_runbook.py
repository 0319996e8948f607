"""`hotfix-tui run` and `hotfix-tui trust`: a task's runbook command, and trusting a
repository workflow's exact content before its commands run (`core/runbook/`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .cli_git import _confirm, _guard, attach_auto_commit
from .cli_output import safe
from .core.errors import EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import open_incident, repo_root


def cmd_run(args: argparse.Namespace) -> int:
    from .core.clocks import format_duration
    from .core.config.settings import load_settings
    from .core.runbook import run as rb

    inc = open_incident(args.spec)
    attach_auto_commit(inc)

    def go() -> int:
        p = rb.prepare(inc, args.task)
        if args.dry_run:
            print(p.shown)
            if not p.trusted:
                print(safe(rb.untrusted_message(p)), file=sys.stderr)
            return EXIT_OK
        if not p.trusted:
            raise CliError(rb.untrusted_message(p), EXIT_FAIL)
        print(safe(f"{p.task} runs in {p.root}:"))
        print(f"  {p.shown}")
        if not _confirm("Run it?", args.yes):
            raise CliError("not run: confirm at the prompt or pass --yes", EXIT_FAIL)
        limit = args.timeout if args.timeout is not None else load_settings().run_timeout
        result = rb.run_step(inc, p, timeout=limit)
        if result.output:
            if result.truncated:
                print("… (earlier output dropped)")
            for line in result.output.decode("utf-8", errors="replace").splitlines():
                print(safe(line))
        how = (f"timed out after {format_duration(limit)}; its process group was killed"
               if result.timed_out else f"exit {result.exit_code}")
        print(safe(f"{p.task}: {how} in {result.seconds:.1f} s; output kept in {result.log}"))
        if args.attach:
            dest = rb.attach(inc, p.task, result)
            print(safe(f"output attached: {dest.relative_to(inc.folder)} (named in {p.task}'s "
                       "note)"))
        if result.ok:
            print(safe(f"not checked: `hotfix-tui done {p.task}` when it did what it should"))
        return EXIT_OK if result.ok else EXIT_FAIL

    try:
        return _guard(go)
    except rb.RunRefused as exc:
        raise CliError(str(exc), exc.code) from exc


def cmd_trust(args: argparse.Namespace) -> int:
    from .core.runbook import trust
    from .core.workflow.files import find_workflows, workflow_file
    from .core.workflow.problems import WorkflowError

    root = repo_root()
    if args.workflow:
        found = workflow_file(args.workflow, root)
        if found is None or not found.is_file():
            raise CliError(f"no workflow {args.workflow!r} here", EXIT_NOT_FOUND)
        paths = [found]
    else:
        paths = [p for p in find_workflows(root).values() if trust.needs_trust(p)]
    if not paths:
        print("no repository workflows here: built-in and your own workflows need no trust")
        return EXIT_OK
    status = EXIT_OK
    for path in paths:
        try:
            reading = trust.read(path)
        except WorkflowError as exc:
            print(safe(str(exc)), file=sys.stderr)
            status = EXIT_INPUT
            continue
        if not reading.needs_trust:
            print(safe(f"{path}: yours or built in; no trust needed"))
            continue
        if reading.trusted:
            print(safe(f"{path}: trusted (unchanged since)"))
            continue
        commands = reading.commands()
        print(safe(f"{path}: {len(commands)} command(s) that `!` and `hotfix-tui run` would run:"))
        for tid, command in commands:
            print(safe(f"  {tid}: {command}"))
        if reading.diff():
            print("changed since you trusted it:")
            for line in reading.diff().splitlines():
                print(safe(line))
        if not _confirm(f"Trust {Path(path).name} as it is now?", args.yes):
            print(safe(f"{path}: not trusted"), file=sys.stderr)
            status = EXIT_FAIL
            continue
        trust.trust(reading)
        print(safe(f"{path}: trusted"))
    return status


def args_run(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("task", help="the task whose `run:` command to run, e.g. T010")
    sp.add_argument("--yes", "-y", action="store_true", help="run without asking")
    sp.add_argument("--dry-run", action="store_true",
                    help="print the command filled from the record; run nothing")
    sp.add_argument("--attach", action="store_true",
                    help="put the output in the incident folder, named in the task's note")
    sp.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                    help="time limit (default: the run_timeout setting, 600)")
    spec_opt(sp)
    sp.set_defaults(func=cmd_run)


def args_trust(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("--workflow", help="one workflow name or path (default: the repository's)")
    sp.add_argument("--yes", "-y", action="store_true", help="trust without asking")
    sp.set_defaults(func=cmd_trust)
