"""CLI commands over every incident of the repository (all branches): list, and what follows.

Their arguments are declared by the `args_*` functions that `cli.COMMANDS` names.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .cli_output import safe, to_json
from .core.errors import EXIT_FAIL, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import repo_root


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def _repo_root() -> Path:
    root = repo_root()
    if root is None:
        raise CliError("not inside a git repository: run this in your repo", EXIT_NOT_FOUND)
    return root


def list_rows(root: Path, *, here: bool = False) -> tuple[list[dict], datetime | None]:
    """The rows `list --json` prints, and the time of the last fetch."""
    from .core.git.repo import current_branch
    from .core.reports import catalog
    from .core.reports.status_data import row_json
    from .core.reports.summaries import Cache

    cache = Cache(root)
    cat = catalog.load(root, here=here, summaries=cache)
    cache.save()
    head = current_branch(root)
    rows = []
    for e in cat.entries:
        row: dict = {"id": Path(e.path).name, "folder": e.path, "kind": e.kind}
        inc = e.figures
        if inc is not None:
            row.update(row_json(inc, inc.clock()))
        else:
            row["error"] = e.error or "unreadable"
        row.update(
            branch=head if e.source == catalog.WORK_TREE else e.source,
            branches=e.branches,
            checked_out=e.checked_out,
            source=e.source,
            as_of=_iso(cat.as_of) if e.remote else None,
            diverged=[lack.data() for lack in e.diverged],
        )
        rows.append(row)
    return rows, cat.as_of


def lack_text(data: dict) -> str:
    """A `diverged` item of `list --json` as its one line (`origin/x lacks: T005 done (by Ben)`)."""
    from .core.reports.divergence import Lack, Missing

    missing = tuple(Missing.from_data(m) for m in data["missing"])
    return Lack(data["branch"], missing).text()


STATUS_WIDTH = 20  # a longer status is cut; ids and branches never are
MIN_TITLE = 12  # below this room the title goes on a line of its own


def terminal_width() -> int | None:
    """The columns `list` fits: $COLUMNS, else the terminal's; None when writing to no terminal."""
    import os

    try:
        cols = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        cols = 0
    if cols > 0:
        return cols
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else None
    except (OSError, ValueError):
        return None


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, room: int) -> str:
    """`text` in at most `room` cells, `…` ending a cut one."""
    if _cells(text) <= room:
        return text
    out, used = [], 0
    for ch in text:
        w = _cells(ch)
        if used + w > room - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def list_lines(rows: list[dict], width: int | None) -> list[str]:
    """`list`'s table in `width` columns (None: no limit): each column as wide as its widest
    cell, ids and branches never cut, the title cut to the room left; too narrow for that, the
    branch and title go on the line under the row (the title under them if still too narrow)."""
    shown = [r for r in rows if "error" not in r]
    cols = [
        [
            safe(r["id"]),
            safe(r["kind"]),
            safe(r["severity"] or "-"),
            _cut(safe(r["status"] or "-"), STATUS_WIDTH),
            f"{r['progress']['done']:>3}/{r['progress']['total']}",
            r["sla"]["state"] if r["sla"] else "-",
            safe(r["branch"] or "-"),
        ]
        for r in shown
    ]
    widths = [max((_cells(c[i]) for c in cols), default=0) for i in range(7)]
    room = None if width is None else width - 2 - sum(w + 1 for w in widths)
    wide = room is None or room >= MIN_TITLE
    out: list[str] = []
    cells = iter(cols)
    for r in rows:
        mark = "*" if r["checked_out"] else " "
        if "error" in r:
            out.append(safe(f"{mark} {r['folder']}: {r['error']}"))
            continue
        row = next(cells)
        keep = row if wide else row[:-1]  # narrow: the branch goes under the row
        text = f"{mark} " + " ".join(c + " " * (w - _cells(c)) for c, w in zip(keep, widths,
                                                                            strict=False))
        title = safe(r["title"])
        if r.get("commander"):  # who commands: `IC Ana`, `IC Ana -> Ben (handing over)`
            title += safe(f"  IC {r['commander']}")
        if wide:
            out.append(text + " " + (title if room is None else _cut(title, room)))
        else:
            out.append(text.rstrip())
            under = "    " + row[-1]
            left = (width or 0) - _cells(under) - 2
            if left >= MIN_TITLE:
                out.append(under + "  " + _cut(title, left))
            else:
                out += [under, "    " + _cut(title, max(MIN_TITLE, (width or 0) - 4))]
        for lack in r["diverged"]:  # the copies whose logs differ: what each one lacks
            out.append(safe(f"    {lack_text(lack)}"))
    return out


def cmd_list(args: argparse.Namespace) -> int:
    root = _repo_root()
    rows, as_of = list_rows(root, here=args.here)
    if args.json:
        print(to_json(rows))
        return EXIT_OK
    if not rows:
        where = "the work tree" if args.here else "the work tree or on any branch"
        print(f"no incidents or specs in {root}/specs ({where})")
    for line in list_lines(rows, terminal_width()):
        print(line)
    if any(r["as_of"] for r in rows):
        when = as_of.strftime("%Y-%m-%d %H:%M UTC") if as_of else "never"
        print(f"(* checked out; remote branches as of the last fetch: {when})")
    elif rows:
        print("(* checked out)")
    if not args.here:
        background_fetch(root)
    return EXIT_OK


def cmd_join(args: argparse.Namespace) -> int:
    """Fetch, then switch to the incident's branch (a local one tracking the remote branch)."""
    from .core import joining

    root = _repo_root()
    warning = joining.fetch(root)
    if warning:
        print(safe(f"hotfix-tui: warning: {warning}"), file=sys.stderr)
    target = joining.choose(root, args.id)
    joining.join(root, target)
    tracking = "" if target.local else f" (tracking {target.source})"
    print(safe(f"switched to {target.branch}{tracking}"))
    print(safe(f"{target.id}  {target.severity}  {target.status or '-'}  {target.title}"))
    print("next: hotfix-tui status, or hotfix-tui to open it")
    return EXIT_OK


def background_fetch(root: Path) -> None:
    """Start a read-only fetch when the last one is older than `fetch_interval` (never waited
    on: the next run shows its result)."""
    from .core.clocks import utc_now
    from .core.config.settings import load_settings
    from .core.reports import catalog

    if catalog.fetch_due(root, load_settings().fetch_interval, utc_now()):
        catalog.fetch_in_background(root)


def stats_data(root: Path, since: datetime | None = None) -> dict:
    """The `stats --json` document: per severity, per month, and each incident."""
    from .core.clocks import utc_now
    from .core.reports import catalog, stats
    from .core.reports.summaries import Cache

    cache = Cache(root)
    cat = catalog.load(root, summaries=cache)
    cache.save()
    severities: list[tuple[str, int]] = []
    try:
        from .core.workflow.resolve import workflow_named

        severities = [(s.id, s.target_seconds) for s in workflow_named("hotfix", root).severities]
    except Exception:  # noqa: BLE001 - a broken team workflow still lets the figures show
        severities = []
    data = stats.compute(cat.entries, utc_now(), since=since, severities=severities)
    return {"as_of": _iso(cat.as_of), **data}


def _since(text: str | None) -> datetime | None:
    from .core.clocks import parse_time

    if not text:
        return None
    t = parse_time(text if " " in text.strip() else f"{text.strip()} 00:00")
    if t is None:
        raise CliError(f'--since {text!r}: write a date as "YYYY-MM-DD" (UTC)', EXIT_INPUT)
    return t


def _dur(seconds: float | None) -> str:
    from .core.clocks import format_duration

    return "-" if seconds is None else format_duration(seconds)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def summary_line(label: str, s: dict) -> str:
    """One row of the stats tables."""
    return (
        f"{label:<12.12} {s['incidents']:>9} {s['resolved']:>8} {s['met']:>4} {s['breached']:>8} "
        f"{_pct(s['compliance']):>10} {_dur(s['ttr_median_seconds']):>10} "
        f"{_dur(s['ttr_p90_seconds']):>9} {_dur(s['ttd_median_seconds']):>10}"
    )


STATS_HEADER = (
    f"{'':<12} {'incidents':>9} {'resolved':>8} {'met':>4} {'breached':>8} {'compliance':>10} "
    f"{'TTR median':>10} {'TTR p90':>9} {'TTD median':>10}"
)


def cmd_stats(args: argparse.Namespace) -> int:
    root = _repo_root()
    data = stats_data(root, _since(args.since))
    background_fetch(root)
    if args.json:
        print(to_json(data))
        return EXIT_OK
    since = f" since {data['since'][:10]}" if data["since"] else ""
    print(f"{data['total']['incidents']} incident(s){since}, every branch")
    print(STATS_HEADER)
    for sev, s in data["severities"].items():
        target = f" <{_dur(s['target_seconds'])}" if s.get("target_seconds") else ""
        print(safe(summary_line(f"{sev}{target}", s)))
    print(summary_line("all", data["total"]))
    if data["months"]:
        print()
        print(STATS_HEADER.replace(" " * 12, f"{'month':<12}", 1))
        for month, s in data["months"].items():
            print(summary_line(month, s))
    if data["as_of"]:
        print(f"(remote branches as of the last fetch: {data['as_of'][:16].replace('T', ' ')} UTC)")
    return EXIT_OK


def new_workflow(name: str | None, root: Path, severity: str | None):
    """The workflow `new --workflow NAME` uses: a YAML workflow of the repository or the user,
    else one derived from `.specify/extensions/workflows/NAME/tasks-template.md` (an install
    from before 2025-10), else the built-in one; checks --severity."""
    from .core.workflow.files import builtin_workflow_dir
    from .core.workflow.problems import WorkflowError
    from .core.workflow.resolve import workflow_named
    from .core.workflow.template_import import TemplateError, derive

    try:
        wf = workflow_named(name, root)
        if name and Path(wf.source).resolve().parent == builtin_workflow_dir().resolve():
            derived = derive(root, name)  # the repository's own template comes first
            wf = derived.workflow if derived is not None else wf
    except TemplateError as err:
        raise CliError(str(err), EXIT_INPUT) from err
    except WorkflowError as exc:
        derived = None
        if name and len(exc.problems) == 1 and "unknown workflow" in exc.problems[0].message:
            try:
                derived = derive(root, name)
            except TemplateError as err:
                raise CliError(str(err), EXIT_INPUT) from err
        if derived is None:
            raise CliError("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from exc
        wf = derived.workflow
    except LookupError as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    ids = [s.id for s in wf.severities]
    if ids and not severity:
        raise CliError(
            f"--severity is required for the {wf.id} workflow: {', '.join(ids)}", EXIT_INPUT
        )
    if not ids and severity:
        raise CliError(
            f"the {wf.id} workflow has no severities (a checklist without SLA); drop --severity",
            EXIT_INPUT,
        )
    return wf


def cmd_workflow_import(args: argparse.Namespace) -> int:
    from .core.store import StoreError, atomic_write
    from .core.workflow.template_import import TemplateError, default_id, import_template

    src = Path(args.template)
    try:
        text = src.read_bytes().decode("utf-8")  # line endings as they are
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{src}: cannot read the template ({exc})", EXIT_INPUT) from exc
    wf_id = args.id or default_id(src.resolve())
    try:
        result = import_template(text, wf_id, str(src))
    except TemplateError as exc:
        raise CliError(str(exc), EXIT_INPUT) from exc
    if args.output == "-":
        sys.stdout.write(result.yaml_text)
        return EXIT_OK
    root = repo_root() or Path.cwd()
    out = Path(args.output) if args.output else root / ".hotfix" / "workflows" / f"{wf_id}.yaml"
    if out.exists() and not args.force:
        raise CliError(f"{out} exists; pass --force to replace it", EXIT_FAIL)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, result.yaml_text)
    except (OSError, StoreError) as exc:
        raise CliError(f"{out}: cannot write ({exc})", EXIT_FAIL) from exc
    n = sum(len(p.tasks) for p in result.workflow.phases)
    print(f"{out}: workflow {wf_id!r}, {len(result.workflow.phases)} phases, {n} tasks")
    return EXIT_OK


SpecOpt = Callable[[argparse.ArgumentParser], None]  # adds --spec SPEC_DIR (see cli.spec_opt)


def args_list(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--here", action="store_true", help="only the folders of the work tree")
    sp.set_defaults(func=cmd_list)


def args_join(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument(
        "id", nargs="?", metavar="ID", help="hotfix-001, its number or folder (default: the "
        "only open one)"
    )
    sp.set_defaults(func=cmd_join)


def args_stats(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    sp.add_argument("--since", metavar="DATE", help="only incidents started on or after DATE")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_stats)


def args_workflow(sp: argparse.ArgumentParser, spec_opt: SpecOpt) -> None:
    wsub = sp.add_subparsers(dest="workflow_command", metavar="ACTION", required=True)
    imp = wsub.add_parser(
        "import", help="turn a tasks template into a workflow YAML (it renders the template back)"
    )
    imp.add_argument("template", metavar="TEMPLATE.md")
    imp.add_argument("--id", help="the workflow's name (default: from the template's path)")
    imp.add_argument(
        "--output", "-o", help="where to write (default: .hotfix/workflows/ID.yaml; - for stdout)"
    )
    imp.add_argument("--force", action="store_true", help="replace an existing file")
    imp.set_defaults(func=cmd_workflow_import)
