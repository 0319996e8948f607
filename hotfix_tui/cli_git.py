"""CLI commands that work with git and the record: commit, sync, report, post-mortem.

Their arguments are declared by the `args_*` functions that `cli.COMMANDS` names.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_output import safe
from .core.errors import EXIT_FAIL, EXIT_INPUT, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import open_incident

if TYPE_CHECKING:
    from .core.record.incident import Incident


def _root_of(inc: Incident) -> Path:
    """The incident's git repository root; CliError outside one."""
    if inc.repo_root is None:
        raise CliError(
            f"{inc.folder} is not inside a git repository; run `git init` first", EXIT_FAIL
        )
    return Path(inc.repo_root)


def _parse_when(text: str) -> datetime:
    """A UTC time the user typed; CliError when it is not one."""
    from .core.clocks import parse_time

    t = parse_time(text)
    if t is None:
        raise CliError(
            f'{text!r} is not a time; write it as "YYYY-MM-DD HH:MM[:SS]" (UTC)', EXIT_INPUT
        )
    return t


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _guard(fn: Callable[[], int]) -> int:
    from .core.git.repo import GitError
    from .core.record.incident import BadInput, IncidentError

    try:
        return fn()
    except BadInput as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    except (IncidentError, GitError) as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc


def attach_auto_commit(inc: Incident) -> None:
    """With `auto_commit: true` in the config, commit the incident folder after every action.

    Called by `cli.open_incident`; a failing commit is reported and never undoes the action.
    """
    from .core.git import gitops

    if inc.repo_root is None or not gitops.auto_commit_enabled():
        return
    gitops.attach_auto_commit(inc, lambda msg: print(f"hotfix-tui: {msg}", file=sys.stderr))


# --- record filling ------------------------------------------------------------------------------


def cmd_detected(args: argparse.Namespace) -> int:
    from .core.record.fill import NeedsConfirmation

    inc = open_incident(args.spec)
    attach_auto_commit(inc)
    when = _parse_when(args.at) if args.at else None

    def run() -> int:
        try:
            inc.set_detection(when, " ".join(args.how), force=args.force)
        except NeedsConfirmation as exc:
            if not _confirm(str(exc) + "?", args.force):
                raise CliError(f"{exc}; pass --force to replace it", EXIT_FAIL) from exc
            inc.set_detection(when, " ".join(args.how), force=True)
        from .core.markdown.hotfix_fields import detection_text

        print(safe(f"Detection: {detection_text(inc.view.text('hotfix.md'), inc.workflow)}"))
        return EXIT_OK

    return _guard(run)


def cmd_started_at(args: argparse.Namespace) -> int:
    from .core.clocks import format_time
    from .core.record.fill import NeedsConfirmation

    inc = open_incident(args.spec)
    attach_auto_commit(inc)
    when = _parse_when(args.when)

    def run() -> int:
        try:
            change = inc.set_started_at(when, force=args.yes)
        except NeedsConfirmation as exc:
            if not _confirm(
                f"Incident Start is {exc.current}; change it to {exc.proposed}?", False
            ):
                raise CliError(
                    f"Incident Start is {exc.current}; not changed (confirm, or pass --yes)",
                    EXIT_FAIL,
                ) from exc
            change = inc.set_started_at(when, force=True)
        if change is None:
            print(f"Incident Start is already {format_time(when)}")
            return EXIT_OK
        print(f"Incident Start: {format_time(when)} (clocks follow)")
        return EXIT_OK

    return _guard(run)


def cmd_fix_commit(args: argparse.Namespace) -> int:
    from .core.git import gitops
    from .core.record.fill import NeedsConfirmation

    inc = open_incident(args.spec)
    attach_auto_commit(inc)
    root = _root_of(inc)

    def run() -> int:
        choices = gitops.recent_commits(root, limit=args.limit)
        if not args.sha:
            if not choices:
                print(
                    "no commits on this branch that are not on its base branch; "
                    "commit the fix, or name a SHA: hotfix-tui fix-commit SHA"
                )
                return EXIT_OK
            for i, c in enumerate(choices, 1):
                print(
                    safe(
                        f"{i:>3}  {c.short}  {c.date:%Y-%m-%d %H:%M}  "
                        f"{c.author:<16.16}  {c.subject}"
                    )
                )
            print("record one with: hotfix-tui fix-commit N (or a SHA)")
            return EXIT_OK
        info = gitops.resolve_commit(root, args.sha, choices)
        try:
            change = inc.set_fix_commit(info.sha, info.subject, force=args.force)
        except NeedsConfirmation as exc:
            if not _confirm(str(exc) + "?", False):
                raise CliError(f"{exc}; pass --force to replace it", EXIT_FAIL) from exc
            change = inc.set_fix_commit(info.sha, info.subject, force=True)
        if change is None:
            print(f"Commit SHA is already {info.sha}")
            return EXIT_OK
        print(safe(f"Commit SHA: {info.sha} ({info.subject}); rollback: git revert {info.sha}"))
        return EXIT_OK

    return _guard(run)


# --- git --------------------------------------------------------------------------------


def cmd_commit(args: argparse.Namespace) -> int:
    from .core.git import gitops
    from .core.record import events as evlog

    inc = open_incident(args.spec)
    root = _root_of(inc)
    torn = evlog.set_aside_torn(inc.folder, evlog.torn_file(inc.folder, root))
    if torn:  # a writer killed mid-line: its half line is never committed
        print(safe(f"hotfix-tui: warning: {torn}"), file=sys.stderr)

    def run() -> int:
        notices: list[str] = []  # stale git locks removed before the commit
        try:
            sha = gitops.commit_incident(root, inc.folder, args.message, inc, notices=notices)
        except gitops.NothingToCommit as exc:
            print(str(exc))
            return EXIT_OK
        finally:
            for w in notices:
                print(safe(f"warning: {w}"), file=sys.stderr)
        subject = gitops.commit_subject(root, sha)
        print(safe(f"[{sha[:8]}] {subject}"))
        return EXIT_OK

    return _guard(run)


def cmd_sync(args: argparse.Namespace) -> int:
    from .core.sync import sync

    if not args.spec:
        _fetch_when_nothing_here()
    inc = open_incident(args.spec)
    root = _root_of(inc)

    def run() -> int:
        result = sync(root, inc.folder, inc)
        if args.json:
            from dataclasses import asdict

            print(json.dumps(asdict(result), indent=2, ensure_ascii=False))
        else:
            for a in result.arrived:
                print(
                    safe(
                        f"  from {a.who}: {a.time} {a.event}" + (f" ({a.notes})" if a.notes else "")
                    )
                )
            for w in result.warnings:
                print(safe(f"warning: {w}"), file=sys.stderr)
            print(safe(result.message), file=sys.stdout if result.ok else sys.stderr)
        return EXIT_OK if result.ok else EXIT_FAIL

    return _guard(run)


def _fetch_when_nothing_here() -> None:
    """A clone without an incident to work on (a fresh one) fetches first, so the error that
    follows names the incidents the team declared since."""
    from .core import joining
    from .core.opening import has_open_incident, repo_root

    root = repo_root()
    if root is None or has_open_incident(root):
        return
    warning = joining.fetch(root)
    if warning:
        print(safe(f"hotfix-tui: warning: {warning}"), file=sys.stderr)


# --- hand-over ----------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from .core.alerting.reminders import LogReader, incident_reminders
    from .core.reports.report import build_report, render_markdown

    inc = open_incident(args.spec)
    now = inc.clock()
    running = incident_reminders(inc, now, LogReader(inc.folder).read())
    data = build_report(inc, now, reminders=running)
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(_safe_block(render_markdown(data)))
    return EXIT_OK


def _safe_block(text: str) -> str:
    return "\n".join(safe(line) for line in text.split("\n"))


def cmd_postmortem(args: argparse.Namespace) -> int:
    from .core.reports.report import fill_postmortem

    inc = open_incident(args.spec)
    attach_auto_commit(inc)

    def run() -> int:
        filled = fill_postmortem(inc)
        if not filled:
            pm = inc.view.path("post-mortem.md")
            print(f"{pm}: nothing to fill (every known field is written)")
            return EXIT_OK
        for name, value in filled.items():
            print(safe(f"{name}: {value}"))
        return EXIT_OK

    return _guard(run)


SpecOpt = Callable[[argparse.ArgumentParser], None]  # adds --spec SPEC_DIR (see cli.spec_opt)


def args_detected(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("how", nargs="+", help="how it was noticed (alert, customer report, ...)")
    sp.add_argument(
        "--at", metavar='"YYYY-MM-DD HH:MM"', help="detection time in UTC (default: now)"
    )
    sp.add_argument("--force", action="store_true", help="replace a detection time already written")
    spec_opt(sp)
    sp.set_defaults(func=cmd_detected)


def args_started_at(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("when", metavar='"YYYY-MM-DD HH:MM[:SS]"')
    sp.add_argument(
        "--yes", "-y", action="store_true", help="replace a different time without asking"
    )
    spec_opt(sp)
    sp.set_defaults(func=cmd_started_at)


def args_fix_commit(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("sha", nargs="?", help="a SHA, a unique prefix, or a number from the list")
    sp.add_argument("--limit", type=int, default=20)
    sp.add_argument("--force", action="store_true", help="replace a SHA already recorded")
    spec_opt(sp)
    sp.set_defaults(func=cmd_fix_commit)


def args_commit(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("-m", "--message", help="subject instead of the one made from the log")
    spec_opt(sp)
    sp.set_defaults(func=cmd_commit)


def args_sync(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("--json", action="store_true")
    spec_opt(sp)
    sp.set_defaults(func=cmd_sync)


def args_report(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("--format", choices=["markdown", "json"], default="markdown")
    spec_opt(sp)
    sp.set_defaults(func=cmd_report)


def args_postmortem(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    spec_opt(sp)
    sp.set_defaults(func=cmd_postmortem)
