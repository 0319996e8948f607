"""`role`, `assign`, `unassign`, `handover`, `accept` and `update`: who does what, and what we
told people (the actions are `Incident`'s; the hand-over and updates are posted through
`alerts.command`)."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cli_output import safe
from .core.errors import EXIT_INPUT, EXIT_OK
from .core.errors import UserError as CliError

SpecOpt = Callable[[argparse.ArgumentParser], None]


def _act(args: argparse.Namespace, fn: Callable[[Any], str]) -> int:
    """Open the incident, run `fn` on it, print what it says (as `cli._act` does)."""
    from .cli_git import attach_auto_commit
    from .core.errors import EXIT_FAIL
    from .core.opening import open_incident
    from .core.record.incident import BadInput, IncidentError

    inc = open_incident(args.spec)
    attach_auto_commit(inc)  # `auto_commit: true` in the config: commit after the action
    try:
        msg = fn(inc)
    except BadInput as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    for notice in inc.tx.notices:
        print(safe(f"hotfix-tui: warning: {notice}"), file=sys.stderr)
    if msg:
        print(safe(msg, keep="\n"))
    return EXIT_OK


def _post(command_kind: str, alert: Any) -> None:
    """Run `alerts.command` for an update or hand-over; a failure is said, never raised."""
    from .core.alerting.updates import post
    from .core.config.settings import load_settings

    settings = load_settings()
    error = post(settings.alert_command, alert)
    if error:
        print(safe(f"hotfix-tui: warning: the {command_kind} was recorded but not posted: "
                   f"{error}"), file=sys.stderr)


# --- roles and assignees -----------------------------------------------------------------


def args_role(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("role", help="a role of the workflow (commander, communications, ...)")
    sp.add_argument("name", nargs="*", help="who holds it (none: nobody holds it now)")
    spec_opt(sp)
    sp.set_defaults(func=cmd_role)


def cmd_role(args: argparse.Namespace) -> int:
    name = " ".join(args.name)
    if name.lower() in ("none", "-"):
        name = ""

    def fn(inc: Any) -> str:
        change = inc.set_role(args.role, name)
        label = change.label if change is not None else None
        return label or f"{args.role} is already {name or 'nobody'}"

    return _act(args, fn)


def args_assign(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    sp.add_argument("name", nargs="+", help="who the task is assigned to (none: nobody)")
    spec_opt(sp)
    sp.set_defaults(func=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    name = " ".join(args.name)
    return _assign(args, "" if name.lower() in ("none", "-") else name)


def args_unassign(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("task")
    spec_opt(sp)
    sp.set_defaults(func=cmd_unassign)


def cmd_unassign(args: argparse.Namespace) -> int:
    return _assign(args, "")


def _assign(args: argparse.Namespace, name: str) -> int:
    def fn(inc: Any) -> str:
        change = inc.assign(args.task, name)
        if change is not None:
            return str(change.label)
        return f"{args.task} is already " + (f"assigned to {name}" if name else "unassigned")

    return _act(args, fn)


# --- the hand-over ---------------------------------------------------------------------


def args_handover(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("name", nargs="+", help="the next commander")
    spec_opt(sp)
    sp.set_defaults(func=cmd_handover)


def cmd_handover(args: argparse.Namespace) -> int:
    from .core.alerting.updates import hand_over

    to = " ".join(args.name)
    posted: list[Any] = []

    def fn(inc: Any) -> str:
        change, alert = hand_over(inc, to)
        if alert is not None:
            posted.append(alert)
        who = inc.view.team().commander or "nobody"
        return f"{change.label}: {who} -> {to} (handing over until {to} runs `hotfix-tui accept`)"

    code = _act(args, fn)
    for alert in posted:
        _post("hand-over", alert)
    return code


def args_accept(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    spec_opt(sp)
    sp.add_argument("--for-them", action="store_true",
                    help="accept the hand-over on behalf of the person it names")
    sp.set_defaults(func=cmd_accept)


def cmd_accept(args: argparse.Namespace) -> int:
    from .core.git.repo import user_identity

    def fn(inc: Any) -> str:
        me = user_identity(inc.repo_root)
        return str(inc.accept(me, for_them=args.for_them).label)

    return _act(args, fn)


# --- status updates ---------------------------------------------------------------------


def args_update(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument(
        "--message", "-m", metavar="TEXT",
        help="the update's text (empty: mark an update sent without text); without it the "
        "workflow's template, filled in, opens in $VISUAL / $EDITOR",
    )
    sp.add_argument("--print", dest="show", action="store_true",
                    help="print the template filled in from the record; send nothing")
    spec_opt(sp)
    sp.set_defaults(func=cmd_update)


def _edit(text: str) -> str:
    """The text as the person leaves it in their editor (a temp file, then read back)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise CliError("no editor to write the update in: set $EDITOR, or give --message TEXT "
                       "- nothing was sent", EXIT_INPUT)
    with tempfile.TemporaryDirectory(prefix="hotfix-update-") as tmp:
        path = Path(tmp) / "update.md"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise CliError(f"cannot run the editor {editor!r}: {exc} - nothing was sent",
                           EXIT_INPUT) from exc
        if done.returncode != 0:
            raise CliError(f"the editor exited with status {done.returncode} - nothing was sent",
                           EXIT_INPUT)
        return path.read_text(encoding="utf-8")


def cmd_update(args: argparse.Namespace) -> int:
    from .core.alerting.updates import running, send_update
    from .core.reports.updates import compose

    posted: list[Any] = []

    def fn(inc: Any) -> str:
        now = inc.clock()
        text = args.message
        if args.show or text is None:
            filled = compose(inc, now, running(inc, now))
            if args.show:
                return str(filled)
            text = _edit(filled)
        sent = send_update(inc, text, now)
        posted.append(sent.alert)
        what = "update sent" if sent.alert is not None else "update marked sent (no text)"
        if sent.reminder is not None:
            from .core.clocks import format_duration

            every = format_duration(sent.reminder.interval_seconds)
            what += f"; {sent.reminder.label} restarts: the next is due in {every}"
        return what

    code = _act(args, fn)
    for alert in posted:
        if alert is not None:
            _post("update", alert)
    return code

