"""A task's `run:` command as text: its placeholders, where they stand, and their filling.

No I/O: `validate` and the runbook (`core/runbook/`) share these rules. A placeholder is
`{name}` of `PLACEHOLDERS` written outside any shell quotes (`${NAME}` is the shell's own).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hotfix_tui.core.frozen import frozen

# placeholder -> the environment variable that also carries its value
PLACEHOLDERS: dict[str, str] = {
    "fix_sha": "HOTFIX_FIX_SHA",
    "branch": "HOTFIX_BRANCH",
    "severity": "HOTFIX_SEVERITY",
    "incident": "HOTFIX_INCIDENT",
}
_NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONTROL = re.compile(  # control, direction and invisible characters (soft hyphen, BOM, tags)
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\U000e0000-\U000e007f]"
)


@frozen
class Slot:
    """One `{name}` in a command: where it starts and ends, and the quote it stands in."""

    name: str
    start: int
    end: int
    quote: str  # "" outside quotes, else ' or "


def slots(command: str) -> list[Slot]:
    """Every `{identifier}` of a command not preceded by `$`, with the shell quote around it
    (`'`, `"` or `$'`; `$(...)` and backticks open an unquoted context; comments are skipped)."""
    out: list[Slot] = []
    stack = [""]  # contexts: "" unquoted, "(" in $(...), "`" in backticks, or a quote
    i, n = 0, len(command)
    while i < n:
        c, top = command[i], stack[-1]
        if c == "{" and (i == 0 or command[i - 1] != "$") and top != "#":
            m = _NAME.match(command, i)
            if m:
                out.append(Slot(m.group(1), i, m.end(), top if top in ("'", '"', "$'") else ""))
                i = m.end()
                continue
        if top == "'":
            if c == "'":
                stack.pop()
        elif top == "$'":
            if c == "\\":
                i += 1
            elif c == "'":
                stack.pop()
        elif c == "\\":
            i += 1
        elif top == '"':
            if c == '"':
                stack.pop()
            elif command.startswith("$(", i):
                stack.append("(")
                i += 1
            elif c == "`":
                stack.append("`")
        else:  # unquoted, in $(...) or in backticks
            if c == "#" and (i == 0 or command[i - 1] in " \t\n;&|(`"):
                j = command.find("\n", i)
                i = n if j < 0 else j
                continue
            if command.startswith("$'", i):
                stack.append("$'")
                i += 1
            elif c in "'\"":
                stack.append(c)
            elif command.startswith("$(", i):
                stack.append("(")
                i += 1
            elif c == ")" and top == "(":
                stack.pop()
            elif c == "`":
                if top == "`":
                    stack.pop()
                else:
                    stack.append("`")
        i += 1
    return out


_HEREDOC = re.compile(r"<<-?\s*['\"]?[A-Za-z_]")


def problems(command: str) -> list[tuple[int, str]]:
    """What is wrong with a command's placeholders, as (offset, message); empty: nothing."""
    out: list[tuple[int, str]] = []
    known = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
    here = _HEREDOC.search(command)
    if here and used(command):
        out.append((here.start(), "a heredoc in a command with placeholders: its quoting is not "
                                  "checked; move that part into a script the command runs"))
    for s in slots(command):
        if s.name not in PLACEHOLDERS:
            out.append((s.start, f"unknown placeholder {{{s.name}}}; known: {known}"))
        elif s.quote:
            out.append((s.start, f"placeholder {{{s.name}}} is inside {s.quote}quotes{s.quote}; "
                                 "write it outside quotes (its value is checked to be one word)"))
    return out


def fill(command: str, values: Mapping[str, str]) -> str:
    """The command with each placeholder replaced by its value (checked by the caller)."""
    out: list[str] = []
    pos = 0
    for s in slots(command):
        if s.name in PLACEHOLDERS:
            out.append(command[pos:s.start])
            out.append(values[s.name])
            pos = s.end
    out.append(command[pos:])
    return "".join(out)


def used(command: str) -> list[str]:
    """The placeholders a command uses, in order, each once."""
    seen: dict[str, None] = {}
    for s in slots(command):
        if s.name in PLACEHOLDERS:
            seen.setdefault(s.name)
    return list(seen)


def shown(text: str) -> str:
    """Text with control and direction characters removed (what a confirmation shows)."""
    return _CONTROL.sub("", text.replace("\t", " "))
