"""`hotfix-tui runs` and `hotfix-tui gate`: spec-kit's workflow runs, and answering a gate.

`runs` reads the run folders only (cheap); `gate` answers through `specify workflow resume`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .cli_output import safe, to_json
from .core.errors import EXIT_FAIL, EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import repo_root


def _root() -> Path:
    root = repo_root()
    if root is None:
        raise CliError("not inside a git repository: run this in your repo", EXIT_NOT_FOUND)
    return root


def cmd_runs(args: argparse.Namespace) -> int:
    from .core import speckit_runs

    root = _root()
    runs = speckit_runs.read_runs(root)
    if args.json:
        print(to_json([r.data(root) for r in runs]))
        return EXIT_OK
    if not runs:
        print(f"no spec-kit workflow runs in {root / speckit_runs.RUNS}")
        return EXIT_OK
    for r in runs:
        print(safe(("⏸ " if r.waiting else "  ") + r.line()))
        gate = r.gate
        if r.waiting and gate is not None:
            if gate.verdict_input:
                how = " | ".join(f"hotfix-tui gate {r.run_id} {o}" for o in gate.options)
            else:
                how = r.resume_command(root) + "   (no verdict_input: its prompt answers it)"
            print(safe(f"    answer: {how}"))
    return EXIT_OK


def cmd_gate(args: argparse.Namespace) -> int:
    from .core import speckit_runs
    from .core.config.settings import load_settings

    root = _root()
    run = speckit_runs.find_run(root, args.run_id)  # a clear message before looking for specify
    speckit_runs.check_answer(run, args.choice, root)
    specify = speckit_runs.find_specify(load_settings().specify_command)
    gate = run.gate
    step = gate.step_id if gate else "?"
    print(
        safe(f"answering gate {step!r} of run {run.run_id} ({run.workflow_id}) with "
             f"{args.choice!r}: the rest of the workflow runs here"),
        file=sys.stderr,
    )
    done = speckit_runs.answer_gate(root, run.run_id, args.choice, specify=specify)
    if args.json:
        print(to_json({**done.run.data(root), "exit_code": done.code}))
    else:
        print(safe(done.summary()))
    return EXIT_OK if done.code == 0 else EXIT_FAIL


def args_runs(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("--json", action="store_true", help="print the runs as a JSON array")
    sp.set_defaults(func=cmd_runs)


def args_gate(
    sp: argparse.ArgumentParser, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    sp.add_argument("run_id", metavar="RUN_ID", help="the run (as `hotfix-tui runs` lists it)")
    sp.add_argument("choice", metavar="CHOICE", help="one of the gate's options, e.g. approve")
    sp.add_argument("--json", action="store_true", help="print the run's new state as JSON")
    sp.set_defaults(func=cmd_gate)
