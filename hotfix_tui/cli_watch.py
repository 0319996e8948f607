"""`hotfix-tui watch` (the clock and alerts without the TUI) and `hotfix-tui remind-done`.

Their arguments: `args_watch`, `args_remind_done` (named in `cli.COMMANDS`); the loop's clock
and sleep are injectable.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from .core.alerting import alerts
from .core.alerting.dispatch import CommandChannel, Dispatcher, read_clocks
from .core.alerting.reminders import LogReader, incident_reminders, mark_sent
from .core.alerting.terminal_alerts import BEL, desktop_notification, in_tmux
from .core.clocks import Clock, format_duration
from .core.workflow.lifecycle import closed

# the loop's clock and sleep (tests replace them: no test waits for time to pass)
CLOCK: Clock | None = None
SLEEP: Callable[[float], None] = time.sleep
EXIT_OK, EXIT_FAIL = 0, 1


def args_watch(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR")
    sp.add_argument("--json", action="store_true", help="print one JSON object per alert")
    sp.add_argument("--quiet", action="store_true", help="print only the alerts")
    sp.set_defaults(func=cmd_watch)


def args_remind_done(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("reminder", nargs="?", metavar="ID", help="reminder id (default: the next)")
    spec_opt(sp)
    sp.set_defaults(func=cmd_remind_done)


def status_line(inc: Any, now: Any) -> str:
    """One line: id, severity, the resolution clock, windows and reminders."""
    sla = inc.sla(now)
    parts = [f"{now.strftime('%H:%M:%S')} {inc.id} {inc.severity or '?'}"]
    if sla is None or sla.state == "not-started":
        parts.append("no SLA clock")
    elif sla.stopped:
        parts.append(f"SLA {sla.state} in {format_duration(sla.elapsed_seconds)}")
    elif sla.remaining_seconds < 0:
        parts.append(f"BREACHED by {format_duration(-sla.remaining_seconds)} [breached]")
    else:
        parts.append(
            f"{format_duration(sla.remaining_seconds)} left ({sla.fraction:.0%}) [{sla.state}]"
        )
    for w in inc.windows(now):
        left = w.remaining_seconds
        parts.append(
            f"{w.label} {format_duration(left)} left"
            if left >= 0
            else f"{w.label} overdue by {format_duration(-left)}"
        )
    return " | ".join(parts)


def watch_loop(
    inc: Any,
    settings: Any,
    *,
    out: IO[str],
    err: IO[str],
    clock: Clock,
    sleep: Callable[[float], None],
    as_json: bool = False,
    quiet: bool = False,
    terminal: IO[str] | None = None,
) -> int:
    """Tick every second until the incident is resolved (exit 0); alerts by `core.dispatch`.

    Channels: the printed line (or JSON object), `terminal` (bell, desktop notification, as the
    settings want) and `alerts.command`, whose runs are waited for before returning."""
    log = LogReader(inc.folder)
    commands: list[threading.Thread] = []

    def problem(text: str) -> None:
        print(f"hotfix-tui watch: {text}", file=err, flush=True)

    def start(job: Callable[[], None]) -> None:
        t = threading.Thread(target=job, daemon=True, name="alert-command")
        t.start()
        commands.append(t)

    def show(a: alerts.Alert) -> None:
        if as_json:
            print(json.dumps(a.payload(), ensure_ascii=False), file=out, flush=True)
        else:
            print(f"ALERT {a.title}: {a.message}", file=out, flush=True)
        _ring(terminal, settings, a)

    dispatcher: Dispatcher | None = None
    try:
        while True:
            try:
                inc.view.refresh()
            except (OSError, ValueError) as exc:
                print(f"hotfix-tui watch: cannot read the incident: {exc}", file=err)
            now = clock()
            if closed(inc):
                if not as_json:
                    print(f"{inc.id} is {inc.status}", file=out, flush=True)
                return EXIT_OK
            events = log.read()
            if dispatcher is None:
                dispatcher = Dispatcher.for_incident(inc, events, problem)
                dispatcher.add(show)
                if settings.alert_command:
                    dispatcher.command = CommandChannel(settings.alert_command, start, problem)
            dispatcher.dispatch(read_clocks(inc, now, events))
            if not quiet and not as_json:
                print(status_line(inc, now), file=out, flush=True)
            sleep(1.0)
    finally:
        for t in commands:
            t.join(30)


def _ring(terminal: IO[str] | None, settings: Any, a: alerts.Alert) -> None:
    if terminal is None:
        return
    data = (BEL if settings.alert_bell else "") + (
        desktop_notification(a.title, a.message, in_tmux()) if settings.alert_desktop else ""
    )
    if data:
        terminal.write(data)
        terminal.flush()


def cmd_watch(args: argparse.Namespace) -> int:
    from .core.config.settings import load_settings
    from .core.opening import open_incident

    settings = load_settings()
    for p in settings.problems:
        print(f"hotfix-tui: {p}", file=sys.stderr)
    inc = open_incident(args.spec, clock=CLOCK)
    out = sys.stdout
    terminal = (
        out if out.isatty() and not args.json else sys.stderr if sys.stderr.isatty() else None
    )
    return watch_loop(
        inc,
        settings,
        out=out,
        err=sys.stderr,
        clock=inc.clock,
        sleep=SLEEP,
        as_json=args.json,
        quiet=args.quiet,
        terminal=terminal,
    )


def cmd_remind_done(args: argparse.Namespace) -> int:
    from .core.errors import UserError as CliError
    from .core.opening import open_incident

    inc = open_incident(args.spec, clock=CLOCK)
    now = inc.clock()
    running = incident_reminders(inc, now, LogReader(inc.folder).read())
    if args.reminder:
        r = next((r for r in running if r.id == args.reminder), None)
        if r is None:
            known = ", ".join(r.id for r in running) or "none running for this incident"
            raise CliError(f"no running reminder {args.reminder!r} (reminders: {known})")
    elif running:
        r = running[0]
    else:
        raise CliError(f"no reminder is running for {inc.id}")
    mark_sent(inc.folder, r.id, now, inc.who)
    print(f"{r.label} done; the next one is due in {format_duration(r.interval_seconds)}")
    return EXIT_OK
