"""The `hotfix-tui` command: the CLI imported with the garbage collector paused.

Start-up imports allocate much and free little; `cli.main` freezes what they made and turns the
collector back on (for `open`, the app does so after its first frame).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from hotfix_tui.cli import main as cli_main

    return cli_main()
