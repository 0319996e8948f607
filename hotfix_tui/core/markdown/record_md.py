"""Read and edit the incident record: hotfix.md fields and the post-mortem timeline table.

Every edit is a pure `str -> str` function that changes only the span it must.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from itertools import accumulate

from hotfix_tui.core.clocks import parse_time
from hotfix_tui.core.frozen import frozen

_FIELD_RE = re.compile(
    r"^(?P<pre>\s*(?:[-*+]\s+)?)\*\*(?P<name>[^*\n]+?)\*\*:[ \t]?(?P<value>[^\r\n]*)"
)
_BOX_RE = re.compile(r"\[(?P<mark>[ xX])\]\s*(?P<label>[^|\[\r\n]*[^|\[\s])?")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")
TIME_PLACEHOLDER = "[YYYY-MM-DD HH:MM:SS UTC]"


@frozen(slots=True)  # the parses of the last texts are kept (`_fields`)
class Field:
    """A `**Name**: value` line: its value and the span of the value in the text."""

    name: str
    value: str
    line: int  # 0-based
    start: int
    end: int


def iter_lines(text: str) -> list[tuple[int, str]]:
    """Split text into (offset, line without its ending) pairs."""
    if "\r" not in text:  # `\n` the only line break: split at C speed
        parts = text.split("\n")
        if parts[-1] == "":
            parts.pop()
        return list(zip(accumulate([len(p) + 1 for p in parts], initial=0), parts, strict=False))
    out: list[tuple[int, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _LINE_RE.match(text, pos)
        assert m is not None
        raw = m.group(0)
        out.append((pos, raw.rstrip("\r\n")))
        pos = m.end()
        if not raw:
            break
    return out



def fields(text: str) -> dict[str, Field]:
    """Every `**Name**: value` field outside code fences; the first of a name wins."""
    return dict(_fields(text))


@functools.lru_cache(maxsize=32)
def _fields(text: str) -> dict[str, Field]:
    # a projection reads and sets a dozen fields of one text: parse it once (callers get a copy)
    found: dict[str, Field] = {}
    for idx, off, line in _candidates(text):
        m = _FIELD_RE.match(line)
        if m and m.group("name") not in found:
            name = sys.intern(m.group("name").strip())  # the same names in every text kept
            found[name] = Field(
                name, m.group("value"), idx, off + m.start("value"), off + m.end("value")
            )
    return found


def _candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """(index, offset, line) of each line outside code fences that holds `**` (as a field does)."""
    fence = ""
    for idx, off, line in _lines_with(text, ("**", "```", "~~~")):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[:3]
            fence = "" if fence == mark else (fence or mark)
            continue
        if not fence and "**" in line:
            yield idx, off, line


def _lines_with(text: str, marks: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    """(index, offset, line) of the lines of `iter_lines` holding one of `marks`, in order (the
    others are not visited when `\n` is the only line break)."""
    if "\r" in text:
        for idx, (off, line) in enumerate(iter_lines(text)):
            if any(m in line for m in marks):
                yield idx, off, line
        return
    starts: set[int] = set()
    for mark in marks:
        pos = text.find(mark)
        while pos >= 0:
            starts.add(text.rfind("\n", 0, pos) + 1)
            end = text.find("\n", pos)
            pos = text.find(mark, end) if end >= 0 else -1
    idx = last = 0
    for start in sorted(starts):
        idx += text.count("\n", last, start)
        last = start
        end = text.find("\n", start)
        yield idx, start, text[start : end if end >= 0 else len(text)]


def get_field(text: str, name: str) -> str | None:
    """The value of a field, or None when the field is absent."""
    f = fields(text).get(name)
    return f.value if f else None


def set_field(text: str, name: str, value: str) -> str:
    """Replace a field's value; the text is unchanged when the field is absent."""
    f = fields(text).get(name)
    if f is None or f.value == value:
        return text
    return text[: f.start] + value + text[f.end :]


def is_placeholder(value: str | None) -> bool:
    """True when a value is empty or still a `[...]` template placeholder."""
    v = (value or "").strip()
    return not v or (v.startswith("[") and "]" in v and parse_time(v) is None)


def field_time(text: str, name: str) -> datetime | None:
    """The time stored in a timeline field (its first part), or None."""
    value = get_field(text, name)
    if value is None:
        return None
    head = value.split(" - ", 1)[0]
    return parse_time(head)


def set_field_time(text: str, name: str, stamp: str, *, overwrite: bool = False) -> str:
    """Write a time into a timeline field, keeping any ` - detail` part after it.

    A time a person already wrote is kept unless `overwrite` is set.
    """
    f = fields(text).get(name)
    if f is None:
        return text
    head, sep, rest = f.value.partition(" - ")
    if parse_time(head) is not None and not overwrite:
        return text
    new = stamp + (sep + rest if sep else "")
    return text[: f.start] + new + text[f.end :]


def clear_field_time(text: str, name: str) -> tuple[str, str]:
    """Put the time placeholder back into a timeline field; returns (text, the time removed)."""
    f = fields(text).get(name)
    if f is None:
        return text, ""
    head, sep, rest = f.value.partition(" - ")
    if parse_time(head) is None:
        return text, ""
    new = TIME_PLACEHOLDER + (sep + rest if sep else "")
    return text[: f.start] + new + text[f.end :], head.strip()


# --- checkbox rows: **Severity**: [ ] P0 (...) | [ ] P1 (...) -------------------------------


def checkbox_options(value: str) -> list[tuple[str, bool, int]]:
    """The options of a checkbox row: (label, checked, offset of the mark in the value)."""
    return [
        ((m.group("label") or "").strip(), m.group("mark") in "xX", m.start("mark"))
        for m in _BOX_RE.finditer(value)
    ]


def checked_options(text: str, name: str) -> list[str]:
    """Labels of the checked options of a checkbox-row field."""
    value = get_field(text, name)
    return [label for label, checked, _ in checkbox_options(value or "") if checked]


def matches(label: str, key: str) -> bool:
    """True when a box's label names `key` (`P1 (Major - ...)` names `P1`)."""
    low, k = label.lower(), key.lower()
    return low == k or low.startswith(k + " ") or low.startswith(k + "(")


def set_row(value: str, key: str, *, exclusive: bool = True, add: bool = True) -> str:
    """A checkbox row's value with the option whose label starts with `key` checked (the
    others unchecked if exclusive): one byte per box changed. When no option matches and `add`
    is set, ` | [x] key` is appended to the row."""
    chars = list(value)
    found = False
    options = checkbox_options(value)
    for label, checked, off in options:
        want = matches(label, key)
        found = found or want
        if want and not checked:
            chars[off] = "x"
        elif not want and checked and exclusive:
            chars[off] = " "
    new = "".join(chars)
    if not found and add:
        new = (new.rstrip() + " | " if options else "") + f"[x] {key}"
    return new


def set_checked(text: str, name: str, key: str, *, exclusive: bool = True, add: bool = True) -> str:
    """Check the option of a row whose label starts with `key`; uncheck the others if exclusive.

    When no option matches and `add` is set, ` | [x] key` is appended to the row.
    """
    f = fields(text).get(name)
    if f is None:
        return text
    new = set_row(f.value, key, exclusive=exclusive, add=add)
    if new == f.value:
        return text
    return text[: f.start] + new + text[f.end :]


def uncheck_all(text: str, name: str) -> str:
    """Uncheck every option of a checkbox row."""
    f = fields(text).get(name)
    if f is None:
        return text
    chars = list(f.value)
    for _label, checked, off in checkbox_options(f.value):
        if checked:
            chars[off] = " "
    return text[: f.start] + "".join(chars) + text[f.end :]


def first_checked_key(text: str, name: str, keys: list[str] | tuple[str, ...]) -> str | None:
    """The first of `keys` whose option is checked in a checkbox row, else None."""
    checked = checked_options(text, name)
    for key in keys:
        if any(matches(label, key) for label in checked):
            return key
    return None


def last_checked_key(text: str, name: str, keys: list[str] | tuple[str, ...]) -> str | None:
    """The last of `keys` (in their order) whose option is checked, else None."""
    checked = checked_options(text, name)
    hit = None
    for key in keys:
        if any(matches(label, key) for label in checked):
            hit = key
    return hit


# --- post-mortem timeline table -------------------------------------------------------------

TIMELINE_HEADING = "### Timeline (Detailed)"


@frozen
class LogRow:
    """One row of the `| Time | Event | Who | Notes |` table."""

    time: str
    event: str
    who: str
    notes: str
    line: int
    placeholder: bool


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    parts = re.split(r"(?<!\\)\|", body)
    return [p.strip().replace("\\|", "|") for p in parts]


def escape_cell(text: str) -> str:
    """Make text safe for one table cell: no newlines or control characters, pipes escaped."""
    shown = str(text)
    if not shown.isprintable():  # the usual cell is printable: checked in one C call
        shown = "".join(ch if ch.isprintable() else " " for ch in shown)
    return " ".join(shown.split()).replace("|", "\\|")


def log_table(text: str) -> tuple[list[LogRow], int, int] | None:
    """The timeline table: its rows, the line of its header and the line after its last row."""
    lines = iter_lines(text)
    start = next((i for i, (_, ln) in enumerate(lines) if ln.strip() == TIMELINE_HEADING), None)
    if start is None:
        return None
    header = None
    i = start + 1
    while i < len(lines):
        ln = lines[i][1].strip()
        if ln.startswith("|"):
            header = i
            break
        if ln.startswith("#"):
            return None
        i += 1
    if header is None:
        return None
    rows: list[LogRow] = []
    i = header + 1
    if i < len(lines) and set(lines[i][1].strip()) <= set("|-: "):
        i += 1
    while i < len(lines) and lines[i][1].strip().startswith("|"):
        cells = _cells(lines[i][1]) + ["", "", "", ""]
        ph = cells[0] in ("HH:MM", "") or cells[2].startswith("[")
        rows.append(LogRow(cells[0], cells[1], cells[2], cells[3], i, ph))
        i += 1
    return rows, header, i


def log_time(now: datetime, start: datetime | None = None) -> str:
    """The Time cell of a log row: `HH:MM:SS`, with the date when not on the start's day."""
    if start is not None and start.date() != now.date():
        return now.strftime("%Y-%m-%d %H:%M:%S")
    return now.strftime("%H:%M:%S")


def format_row(time: str, event: str, who: str, notes: str) -> str:
    """A table row with its cells escaped."""
    cells = [escape_cell(c) for c in (time, event, who, notes)]
    return "| " + " | ".join(cells) + " |"
