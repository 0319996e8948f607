"""CLI commands that work with git and the record: commit, sync, report, post-mortem.

Registered into the main parser by `cli.build_parser`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def register(
    sub: argparse._SubParsersAction, spec_opt: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add the git and record commands to the `hotfix-tui` parser."""
