"""CLI commands over every incident of the repository (all branches): list, and what follows.

Registered into the main parser by `cli.build_parser`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .cli import EXIT_NOT_FOUND, EXIT_OK, CliError, _json, _root, _safe, _sla_json


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def _repo_root() -> Path:
    root = _root()
    if root is None:
        raise CliError("not inside a git repository: run this in your repo", EXIT_NOT_FOUND)
    return root


def list_rows(root: Path, *, here: bool = False) -> tuple[list[dict], datetime | None]:
    """The rows `list --json` prints, and the time of the last fetch."""
    from .core import catalog
    from .core.repo import current_branch

    cat = catalog.load(root, here=here)
    head = current_branch(root)
    rows = []
    for e in cat.entries:
        row: dict = {"id": Path(e.path).name, "folder": e.path, "kind": e.kind}
        inc = e.incident
        if inc is not None:
            done, total = inc.progress()
            row.update(
                id=inc.id,
                title=inc.title,
                severity=inc.severity,
                status=inc.status,
                progress={"done": done, "total": total},
                sla=_sla_json(inc, inc.clock()),
            )
        else:
            row["error"] = e.error or "unreadable"
        row.update(
            branch=head if e.source == catalog.WORK_TREE else e.source,
            branches=e.branches,
            checked_out=e.checked_out,
            source=e.source,
            as_of=_iso(cat.as_of) if e.remote else None,
        )
        rows.append(row)
    return rows, cat.as_of


def cmd_list(args: argparse.Namespace) -> int:
    root = _repo_root()
    rows, as_of = list_rows(root, here=args.here)
    if args.json:
        print(_json(rows))
        return EXIT_OK
    if not rows:
        where = "the work tree" if args.here else "the work tree or on any branch"
        print(f"no incidents or specs in {root}/specs ({where})")
    for r in rows:
        mark = "*" if r["checked_out"] else " "
        if "error" in r:
            print(_safe(f"{mark} {r['folder']}: {r['error']}"))
            continue
        sla = r["sla"]["state"] if r["sla"] else "-"
        pr = r["progress"]
        print(
            _safe(
                f"{mark} {r['id']:<22.22} {r['kind']:<12.12} {r['severity'] or '-':<3} "
                f"{r['status'] or '-':<20.20} {pr['done']:>3}/{pr['total']:<3} {sla:<11} "
                f"{r['branch'] or '-':<32.32} {r['title']}"
            )
        )
    if any(r["as_of"] for r in rows):
        when = as_of.strftime("%Y-%m-%d %H:%M UTC") if as_of else "never"
        print(f"(* checked out; remote branches as of the last fetch: {when})")
    elif rows:
        print("(* checked out)")
    if not args.here:
        background_fetch(root)
    return EXIT_OK


def background_fetch(root: Path) -> None:
    """Start a read-only fetch when the last one is older than `fetch_interval` (never waited
    on: the next run shows its result)."""
    from .core import catalog
    from .core.clocks import utc_now
    from .core.settings import load_settings

    if catalog.fetch_due(root, load_settings().fetch_interval, utc_now()):
        catalog.fetch_in_background(root)


def register(
    sub: argparse._SubParsersAction, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add the repository-wide commands to the `hotfix-tui` parser."""
    sp = sub.add_parser("list", help="incidents and specs of every branch (read from git)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--here", action="store_true", help="only the folders of the work tree")
    sp.set_defaults(func=cmd_list)
