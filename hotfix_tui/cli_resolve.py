"""`hotfix-tui resolve`: settle git conflict markers in an incident's markdown.

Markers around projected lines are settled from the event log; text people wrote needs a choice.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .cli_output import safe
from .core.errors import EXIT_FAIL, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import open_incident


def cmd_resolve(args: argparse.Namespace) -> int:
    from .core import store
    from .core.git.mdmerge import blocks, has_markers
    from .core.record.incident import IncidentError

    inc = open_incident(args.spec)
    left = 0
    try:
        if args.keep:
            for name in inc.resolve_conflicts(args.keep):
                print(f"{inc.view.path(name)}: conflict markers settled, keeping {args.keep}")
        else:
            inc.repair()  # the markers around projected lines: settled from the log
    except IncidentError as exc:
        raise CliError(str(exc), EXIT_FAIL) from exc
    for name in ("tasks.md", "hotfix.md", "post-mortem.md"):
        path = inc.view.path(name)
        if not path.exists():
            continue
        text = store.read_text(path).text
        if not has_markers(text):
            continue
        for line, ours, theirs in blocks(text):
            left += 1
            print(safe(f"{path}:{line}: a conflict in text people wrote", keep=""))
            print("  ours:   " + safe(" / ".join(ours) or "(nothing)"))
            print("  theirs: " + safe(" / ".join(theirs) or "(nothing)"))
    if left:
        print(
            f"{left} conflict(s) need a choice: edit the files, or run "
            "`hotfix-tui resolve --keep both|ours|theirs`"
        )
        return EXIT_FAIL
    print("no conflicts left; the record is projected from the merged event log")
    return EXIT_OK


def args_resolve(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument(
        "--keep",
        choices=("both", "ours", "theirs"),
        help="settle every conflict in text people wrote this way (default: list them)",
    )
    spec_opt(sp)
    sp.set_defaults(func=cmd_resolve)
