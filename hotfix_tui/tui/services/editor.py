"""The `$EDITOR` round trip: a note typed in the user's editor while the app is suspended.

The screen asks for text and shows what comes back; this service runs the editor and its file.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported
from textual.notifications import SeverityLevel

NOTE_HEAD = "# hotfix-tui:"  # the note file's header lines (dropped from the note)


class EditorFailed(Exception):
    """The editor could not run or exited with an error: nothing was typed to add."""

    def __init__(self, message: str, severity: SeverityLevel = "error") -> None:
        super().__init__(message)
        self.severity: SeverityLevel = severity


def editor_command(setting: str | None) -> str:
    """The editor to run: the `editor` setting, else `$VISUAL`, `$EDITOR`, then `vi`."""
    return setting or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def edit_note(app: App[Any], setting: str | None, what: str, tag: str) -> str:
    """The note typed for `what` in the editor (the app suspended meanwhile), as typed between
    its blank edges; raises EditorFailed when the editor cannot run or exits non-zero."""
    editor = editor_command(setting)
    fd, name = tempfile.mkstemp(prefix=f"hotfix-note-{tag}-", suffix=".md")
    os.close(fd)
    path = Path(name)
    path.write_text(f"{NOTE_HEAD} note on {what}\n{NOTE_HEAD} lines starting with "
                    f"'{NOTE_HEAD}' are left out; save an empty note to add nothing\n\n",
                    encoding="utf-8")
    try:
        cmd = [*shlex.split(editor), str(path)]
        try:
            with app.suspend():
                rc = subprocess.run(cmd, check=False).returncode
        except SuspendNotSupported:
            rc = subprocess.run(cmd, check=False, stdin=subprocess.DEVNULL,
                                capture_output=True).returncode
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [ln for ln in text.split("\n") if not ln.startswith(NOTE_HEAD)]
        while lines and not lines[0].strip():  # the template's blank line, the editor's
            lines.pop(0)  # final newline: not the note's; the lines between are kept as typed
        while lines and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines)
    except (OSError, ValueError) as exc:
        raise EditorFailed(f"could not run the editor {editor!r}: {exc}") from exc
    finally:
        path.unlink(missing_ok=True)
    if rc != 0:
        raise EditorFailed(f"the editor exited with status {rc}; no note added", "warning")
    return text
