"""Text and colour helpers of the widgets: file text made safe to show, badge and state colours."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass




# is often orange), any other colour (e.g. #ff8800) as written.
NAMED_COLORS = {
    "red": "#ff4d4f",
    "orange": "#e09000",  # yellow in 16 colours (#ff8c1a was bright red there, as P0's red)
    "yellow": "#ffd60a",
    "green": "#3ecf5a",
    "blue": "#4a9eff",
    "purple": "#b48cff",
    "magenta": "#ff5fd2",
    "cyan": "#3fd7e0",
    "grey": "#a0a0a0",
    "gray": "#a0a0a0",
    "white": "#f0f0f0",
}
SEVERITY_COLORS = {"P0": "red", "P1": "orange", "P2": "yellow"}

# Each clock state: the theme variable of its colour, and a word and mark that say it without
# colour (for colour-blind users and monochrome terminals).
STATE_VAR = {
    "ok": "success",
    "warning": "warning",
    "critical": "error-lighten-2",
    "breached": "error",
    "overdue": "error-lighten-2",
    "met": "primary-lighten-2",
    "missed": "error",
    "not-started": "text-muted",
}
STATE_WORD = {
    "ok": "● OK",
    "warning": "▲ WARNING",
    "critical": "▲▲ CRITICAL",
    "breached": "✖ BREACHED",
    "met": "✔ SLA met",
    "missed": "✘ SLA missed",
}
STATE_FALLBACK = {"success": "green", "warning": "yellow", "error-lighten-2": "bright_red",
                  "error": "red", "primary-lighten-2": "bright_blue", "text-muted": "dim"}


def state_styles(variables: dict[str, str]) -> dict[str, str]:
    """State -> a Rich style in the theme's semantic colours (`App.theme_variables`)."""
    out = {}
    for state, var in STATE_VAR.items():
        color = variables.get(var, "")
        if not color.startswith("#"):
            color = STATE_FALLBACK[var]
        bold = "bold " if state in ("critical", "breached", "overdue") else ""
        out[state] = f"{bold}{color}"
    out["breached"] = f"bold reverse {out['breached'].split()[-1]}"
    return out


STATE_STYLE = state_styles({})  # before the app has a theme (tests, the picker's first lines)


def clean(text: object) -> str:
    """Text from a file made safe to show: control characters become visible placeholders."""
    s = str(text)
    if s.isprintable():  # (no tab, escape or other control or format character: as it is)
        return s
    out = []
    for ch in s:
        if ch == "\t":
            out.append("    ")
        elif ch == "\x1b":
            out.append("␛")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\u200d":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)


TITLE_SHOWN = 160  # characters of a task title shown in the list (enter shows more)
TITLE_SHOWN_EXPANDED = 4000


def cut(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis and how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit} characters)"


def severity_color(sev: str | None, workflow_color: str = "") -> str:
    """The badge colour of a severity: the workflow's colour, else P0 red, P1 orange, P2 yellow."""
    name = workflow_color or SEVERITY_COLORS.get(sev or "", "white")
    return NAMED_COLORS.get(name.lower(), name)


def note_text(note: object) -> str:
    """A note as shown: `time who: text`."""
    parts = [str(getattr(note, a)) for a in ("time", "who") if getattr(note, a, None)]
    text = str(getattr(note, "text", note))
    return (" ".join(parts) + ": " + text) if parts else text
