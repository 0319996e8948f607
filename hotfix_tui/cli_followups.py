"""`hotfix-tui followup` (add a post-mortem action item with owner and due date) and
`hotfix-tui followups` (every incident's, mine, overdue; with its `gh issue create`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from .cli_git import _guard, attach_auto_commit
from .cli_output import safe, to_json
from .core.errors import EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import open_incident, repo_root


def cmd_followup(args: argparse.Namespace) -> int:
    from .core.record.followup import add_followup

    inc = open_incident(args.spec)
    attach_auto_commit(inc)

    def go() -> int:
        change = add_followup(inc, " ".join(args.title), args.owner, args.due)
        print(safe(f"{change.label} added to post-mortem.md (owner {args.owner}, due "
                   f"{args.due})"))
        return EXIT_OK

    return _guard(go)


def cmd_followups(args: argparse.Namespace) -> int:
    from .core.clocks import utc_now
    from .core.reports import followups as fu

    root = repo_root()
    if root is None:
        raise CliError("not inside a git repository: run this in your repo", EXIT_NOT_FOUND)
    today: date = utc_now().date()
    items = fu.select(fu.collect(root), who=fu.identities(root) if args.mine else None,
                      today=today if args.overdue else None)
    if args.json:
        print(to_json([i.data(today) for i in items]))
        return EXIT_OK
    if not items:
        print("no follow-ups" + (" of yours" if args.mine else "")
              + (" overdue" if args.overdue else ""))
        return EXIT_OK
    for i in items:
        state = "done" if i.done else "OVERDUE" if i.overdue(today) else "open"
        where = f" (on {i.branch})" if i.branch else ""
        print(safe(f"{i.incident}{where} {i.ref} [{state}] {i.title} - owner {i.owner or '?'}, "
                   f"due {i.due or '?'}"))
        print(safe(f"    {i.gh_command()}", keep="\n"))
    return EXIT_OK


def args_followup(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("title", nargs="+", help="what is to be done")
    sp.add_argument("--owner", required=True, help="who does it")
    sp.add_argument("--due", required=True, help="by when, YYYY-MM-DD")
    spec_opt(sp)
    sp.set_defaults(func=cmd_followup)


def args_followups(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("--json", action="store_true", help="print them as a JSON array")
    sp.add_argument("--mine", action="store_true",
                    help="only those owned by git's user.name or user.email")
    sp.add_argument("--overdue", action="store_true", help="only open ones past their due date")
    sp.set_defaults(func=cmd_followups)
