"""Run the configured `alerts.command` for one alert: the alert as JSON on stdin, HOTFIX_* vars.

Blocking (callers run it in a thread); a failure is returned as a message, never raised.
"""

from __future__ import annotations

import json
import os
import subprocess

from hotfix_tui.core.alerting.alerts import Alert

TIMEOUT_S = 20.0


def run_alert_command(command: str, alert: Alert, timeout: float = TIMEOUT_S) -> str | None:
    """Run `command` through the shell for `alert`; None when it succeeded, else what went wrong."""
    data = json.dumps(alert.payload(), ensure_ascii=False) + "\n"
    env = {**os.environ, **alert.env()}
    try:
        r = subprocess.run(
            command,
            shell=True,
            input=data.encode("utf-8"),
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return f"alert command timed out after {timeout:g} s and was stopped: {command}"
    except OSError as exc:
        return f"alert command could not run ({exc}): {command}"
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {err[-1][:200]}" if err else ""
        return f"alert command exited with status {r.returncode}{tail}"
    return None
