"""Open the TUI: resolve the incident like the CLI, else show the picker; return an exit status."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from hotfix_tui.core.errors import EXIT_INPUT, EXIT_NOT_FOUND
from hotfix_tui.core.errors import UserError as CliError
from hotfix_tui.core.opening import open_incident
from hotfix_tui.core.opening import repo_root as _root


def has_terminal() -> bool:
    """True when stdin and stdout are a terminal: without one the app has nothing to draw on."""
    return sys.stdin.isatty() and sys.stdout.isatty()


NO_TERMINAL = (
    "the app needs a terminal (stdin and stdout are not one here); from a script use "
    "`hotfix-tui status [--json]` and the other commands, or run `hotfix-tui open` in a terminal"
)


def _say(message: str) -> None:
    print(f"hotfix-tui: {message}", file=sys.stderr)


def resolve(spec: str | None):
    """(incident or None for the picker, repo root); CliError for what the user must fix."""
    from hotfix_tui.core.discovery import Ambiguous
    from hotfix_tui.core.opening import pick_incident

    if spec:
        inc = open_incident(spec)
        return inc, inc.repo_root
    root = _root()
    if root is None:
        raise CliError(
            "not inside a git repository: run this in your repo, or name the incident folder: "
            "hotfix-tui open SPEC_DIR",
            EXIT_NOT_FOUND,
        )
    try:
        found = pick_incident(root)
    except Ambiguous:
        found = None
    if found is None:
        return None, root
    return open_incident(str(found.folder)), root


def run_app(spec: str | None) -> int:
    """Resolve the incident, run the app, and return its exit status.

    Start-up allocates much and frees little (modules, the incident, the first screen's
    widgets), so the garbage collector is paused until the first frame is drawn (the app turns
    it back on: `HotfixApp.on_mount`), and what was loaded before the app runs is frozen out of
    every later collection: it lives as long as the app.
    """
    gc.disable()
    try:
        return _run_app(spec)
    finally:
        gc.enable()


def _run_app(spec: str | None) -> int:
    from hotfix_tui.core.config.settings import load_settings

    try:
        inc, root = resolve(spec)
    except CliError as exc:
        _say(str(exc))
        return exc.code
    except (OSError, UnicodeDecodeError) as exc:
        _say(f"cannot read the incident: {exc}")
        return EXIT_INPUT
    if not has_terminal():
        _say(NO_TERMINAL)
        return EXIT_INPUT
    settings = load_settings()
    from hotfix_tui.tui.app import HotfixApp
    from hotfix_tui.tui.services.ready_probe import auto_pilot

    app = HotfixApp(inc, root=Path(root) if root else None, settings=settings)
    gc.freeze()
    try:
        result = app.run(auto_pilot=auto_pilot())
    finally:
        gc.unfreeze()
    opened = app.incident
    if opened is not None:  # one line, no prompt: changes left for git
        from hotfix_tui.core.git.uncommitted import uncommitted_note

        note = uncommitted_note(opened.repo_root, opened.folder, opened.id)
        if note:
            _say(note)
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)
