"""`hotfix-tui watch` (the clock and alerts without the TUI) and `hotfix-tui remind-done`.

Registered by `cli.build_parser` through `register`; the loop's clock and sleep are injectable.
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
from .core.alerting.reminders import LogReader, incident_reminders, mark_sent
from .core.alerting.terminal_alerts import BEL, desktop_notification, in_tmux
from .core.clocks import Clock, format_duration
from .core.workflow.lifecycle import is_closed

# the loop's clock and sleep (tests replace them: no test waits for time to pass)
CLOCK: Clock | None = None
SLEEP: Callable[[float], None] = time.sleep
EXIT_OK, EXIT_FAIL = 0, 1


def register(sub: Any, spec_opt: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `watch` and `remind-done` to the CLI's subcommands."""
    sp = sub.add_parser("watch", help="the SLA clock and its alerts without the TUI")
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR")
    sp.add_argument("--json", action="store_true", help="print one JSON object per alert")
    sp.add_argument("--quiet", action="store_true", help="print only the alerts")
    sp.set_defaults(func=cmd_watch)
    sp = sub.add_parser(
        "remind-done",
        help="mark a reminder done (e.g. the stakeholder update was sent); its interval restarts",
    )
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
    """Tick every second until the incident is resolved (exit 0); fire and log each alert once.

    `terminal` gets the bell and desktop notifications (when the settings want them)."""
    log = LogReader(inc.folder)
    fired_here: set[str] = set()
    commands: list[threading.Thread] = []
    try:
        while True:
            try:
                inc.refresh()
            except (OSError, ValueError) as exc:
                print(f"hotfix-tui watch: cannot read the incident: {exc}", file=err)
            now = clock()
            if is_closed(inc.status, inc.workflow, inc.progress()):
                if not as_json:
                    print(f"{inc.id} is {inc.status}", file=out, flush=True)
                return EXIT_OK
            events = log.read()
            wf = inc.workflow
            due = alerts.due_alerts(
                inc.id,
                inc.severity,
                inc.sla(now),
                wf.clock.warnings if wf else (),
                inc.windows(now),
                incident_reminders(inc, now, events),
                alerts.fired_ids(events) | fired_here,
                now,
            )
            for a in due:
                fired_here.add(a.id)
                try:
                    alerts.record(inc.folder, a, inc.who)
                except OSError as exc:
                    print(f"hotfix-tui watch: could not log the alert: {exc}", file=err)
                if as_json:
                    print(json.dumps(a.payload(), ensure_ascii=False), file=out, flush=True)
                else:
                    print(f"ALERT {a.title}: {a.message}", file=out, flush=True)
                _ring(terminal, settings, a)
                if settings.alert_command:
                    commands.append(_command(settings.alert_command, a, err))
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


def _command(command: str, a: alerts.Alert, err: IO[str]) -> threading.Thread:
    from .core.alerting.alert_command import run_alert_command

    def run() -> None:
        error = run_alert_command(command, a)
        if error:
            print(f"hotfix-tui watch: {error}", file=err, flush=True)

    t = threading.Thread(target=run, daemon=True, name=f"alert-command {a.id}")
    t.start()
    return t


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
