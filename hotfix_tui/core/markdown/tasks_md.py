"""tasks.md model: header fields, phases and tasks with exact source positions, and in-place edits.

Line indexes are 0-based everywhere; offsets are indexes into `TasksDoc.text` (a BOM counts as one).
"""

from __future__ import annotations

import gc
import json
import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Literal

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown import parse_cache
from hotfix_tui.core.markdown.hotfix_fields import FILLED_BOXES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from markdown_it import MarkdownIt

# What markdown-it-py >= 4 trims from heading text (its `MD_TRIM_CHARS`: JavaScript's trim minus
# U+FEFF), kept here so that parsing does not import markdown-it; `_markdown_it()` re-syncs it
# with the installed version when the reference parser is loaded (older ones use str.strip()).
_TRIM: str | None = "".join(
    chr(c)
    for c in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)

__all__ = [
    "Choice",
    "Field",
    "Note",
    "Phase",
    "Step",
    "Task",
    "TasksDoc",
    "ConflictError",
    "add_subitem",
    "note_line",
    "parse_tasks",
    "remember",
    "remove_line",
    "set_done",
    "set_field",
    "skip_line",
    "splice",
    "split_lines",
    "titles",
]

BOM = "\ufeff"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# Line breaks of str.splitlines other than `\n`: without them it splits as _LINE_RE does.
_OTHER_BREAKS_RE = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_TASK_RE = re.compile(
    r"(?P<ind> *)(?P<mk>[-*+]|\d{1,9}[.)])(?P<sp> {1,4})\[(?P<st>[ xX])\](?=[ \t]|$)(?P<rest>.*)"
)
_ITEM_RE = re.compile(r"(?P<ind> *)(?P<mk>[-*+]|\d{1,9}[.)])(?P<sp>[ \t]+|$)(?P<rest>.*)")
_ID_RE = re.compile(
    r"[ \t]+(?:\*\*(?P<b>[A-Z]+-?\d+)(?P<bm>(?:[ \t]+\[[A-Za-z][A-Za-z0-9]*\])*)\*\*"
    r"|(?P<p>[A-Z]+-?\d+)(?=[\s:]|$)):?"
)
_BOLD_MARK_RE = re.compile(r"\[([A-Za-z][A-Za-z0-9]*)\]")
_MARKER_RE = re.compile(r"[ \t]*\[(?P<m>[A-Za-z][A-Za-z0-9]*)\](?=[ \t]|$)")
_NOTE_RE = re.compile(
    r"\*\*(?P<kind>Note|Skipped)\*\*[ \t]+\((?P<time>[^,()]*?)(?:,[ \t]*(?P<who>[^()]*?))?\):"
    r"[ \t]?(?P<text>.*)"
)
_FIELD_RE = re.compile(r"\*\*(?P<name>[^*\n]+?)\*\*:[ \t]*(?P<value>.*?)[ \t]*")
_PHASE_RE = re.compile(
    r"Phase[ \t]+(?P<num>\d+)[ \t]*:[ \t]*(?P<name>.*?)(?:[ \t]*\((?P<note>[^()]*)\))?[ \t]*"
)
_TITLE_PREFIX_RE = re.compile(r"Tasks:[ \t]*(?:Hotfix[ \t]+-[ \t]+)?", re.IGNORECASE)

# Fast scanner patterns (a CommonMark subset; anything outside it falls back to markdown-it).
_ATX_RE = re.compile(r"(#{1,6})(?=[ \t]|$)")
_FENCE_RE = re.compile(r"(`{3,}|~{3,})(.*)")
_HR_RE = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_SETEXT_RE = re.compile(r"(?:=+|-+)[ \t]*")
_SCAN_ITEM_RE = re.compile(r"([-*+]|\d{1,9}[.)])( +|$)(.*)")
_TAB_ITEM_RE = re.compile(r"(?:[-*+]|\d{1,9}[.)])\t")
_REFDEF_RE = re.compile(r"\[(?:[^\]\\]|\\.)*\]:")
_MAX_DEPTH = 8

_MD: MarkdownIt | None = None  # the reference parser, imported only when the fast scan gives up


def _markdown_it() -> MarkdownIt:
    global _MD, _TRIM
    if _MD is None:
        from markdown_it import MarkdownIt

        try:
            from markdown_it.common.utils import MD_TRIM_CHARS

            _TRIM = MD_TRIM_CHARS
        except ImportError:  # pragma: no cover - older markdown-it-py uses str.strip()
            _TRIM = None
        _MD = MarkdownIt("commonmark").disable(["inline", "text_join"])
    return _MD


class ConflictError(Exception):
    """An edit cannot be applied to the current text (e.g. the task is gone)."""


@frozen(slots=True)
class Step:
    """A plain sub-item of a task; `level` is 0 for direct children."""

    text: str
    line: int
    level: int = 0


@frozen(slots=True)
class Note:
    """A `**Note** (time, who): text` or `**Skipped** (time, who): reason` sub-item."""

    kind: Literal["note", "skip"]
    time: str
    who: str | None
    text: str
    line: int


@frozen(slots=True)
class Field:
    """A `**Name**: value` header line; `start`/`end` delimit the value in the text."""

    value: str
    line: int
    start: int
    end: int


@frozen(slots=True)
class Task:
    """One checkbox list item; `check_offset` is the index of its state character in the text."""

    key: str
    id: str | None
    title: str
    done: bool
    line: int
    check_offset: int
    indent: int
    level: int
    parent_key: str | None
    markers: tuple[str, ...]
    steps: tuple[Step, ...]
    notes: tuple[Note, ...]
    skip: Note | None
    phase_index: int
    end_line: int
    content_indent: int = 0
    child_indent: int | None = None


@dataclass(slots=True)
class Phase:
    """A group of tasks under a heading; `line` is -1 for the implicit leading group."""

    name: str
    note: str
    number: int
    line: int
    level: int
    task_keys: list[str] = field(default_factory=list)


@frozen(slots=True)
class Choice:
    """A single-choice group: one value among `options`, written by ticking one box of them.

    `offsets[i]` is the index of option i's state character in the text, on line `lines[i]`;
    `task_key` names the task whose row holds the choice (None: a group that is no task)."""

    key: str
    label: str
    options: tuple[str, ...]
    ticked: tuple[bool, ...]
    offsets: tuple[int, ...]
    lines: tuple[int, ...]
    task_key: str | None
    phase_index: int

    @property
    def value(self) -> str | None:
        """The first ticked option (None: none is)."""
        return next((o for o, t in zip(self.options, self.ticked, strict=True) if t), None)

    @property
    def line(self) -> int:
        return self.lines[0]


# --- stable task ids and single-choice groups --------------------------------------------------

_LINE_KEY_RE = re.compile(r"L(\d{1,9})")  # the key a box without an ID had before (its line)
_WORD_RE = re.compile(r"[a-z0-9]+")
_LABEL_END_RE = re.compile(r"[:\[(]")
# a box inside a line's text: `[ ]`/`[x]` after a space (or first) and before a space
_INLINE_BOX_RE = re.compile(r"(?:(?<=[ \t])|^)\[(?P<st>[ xX])\](?=[ \t])")
_OPTION_SEP_RE = re.compile(r"(?:[ \t]*(?:\||\bOR\b|:))+[ \t]*$")
ANSWERS = frozenset({"yes", "no", "n/a", "na"})
SECTION_WORDS, LABEL_WORDS = 3, 4


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("'", "").replace("\u2019", ""))


def label_of(title: str) -> str:
    """A box's label: its text before a `:`, `[` or `(` (what a placeholder follows)."""
    m = _LABEL_END_RE.search(title)
    head = title[: m.start()].strip() if m else title.strip()
    return head.strip("*_ \t") or title.strip()


def slug_key(section: str, title: str) -> str:
    """The id of a box without one: the first words of its section's heading and of its label,
    `verification-checklist/incident-resolved` (unique in the file: see `_unique`)."""
    sec = "-".join(_words(section)[:SECTION_WORDS])
    text = "-".join(_words(label_of(title))[:LABEL_WORDS]) or "task"
    return f"{sec}/{text}" if sec else text


def is_line_key(ref: str) -> bool:
    """Whether `ref` is `L<n>`, the key older versions gave the box on line n."""
    return _LINE_KEY_RE.fullmatch(ref) is not None


def short_key(key: str) -> str:
    """What the TUI shows of a key: an ID as it is, a slug's part after its section."""
    return key.rsplit("/", 1)[-1]


def _unique(key: str, taken: Callable[[str], bool]) -> str:
    """`key`, or `key-2`, `key-3`, ... : the first that is not taken (file order decides)."""
    if not taken(key):
        return key
    n = 2
    while taken(f"{key}-{n}"):
        n += 1
    return f"{key}-{n}"


def inline_boxes(rest: str) -> tuple[str, list[tuple[str, bool, int]]]:
    """The boxes inside a line's text (after its own): the label before them and each option
    as (label, ticked, offset of its state character in `rest`); ([], ...) when there are none."""
    found = list(_INLINE_BOX_RE.finditer(rest))
    if not found:
        return rest, []
    label = _OPTION_SEP_RE.sub("", rest[: found[0].start()]).strip().strip("*").strip()
    if label.rstrip(":").strip("*").lower() in FILLED_BOXES:  # the record fills it: a field
        return rest, []
    opts = []
    for j, m in enumerate(found):
        end = found[j + 1].start() if j + 1 < len(found) else len(rest)
        text = _OPTION_SEP_RE.sub("", rest[m.end() : end]).strip()
        opts.append((text, m.group("st") != " ", m.start("st")))
    return label, opts


def is_choice_run(titles: list[str]) -> bool:
    """Whether a list of sibling boxes (their titles) is one single choice: its boxes are
    answers, every one Yes, No or N/A, or one reads `No X` and another starts with X (its first
    two words: "No data loss" / "Data loss occurred")."""
    if not 2 <= len(titles) <= 6:
        return False
    labels = [label_of(t) for t in titles]
    if all(x.lower() in ANSWERS for x in labels):
        return True
    words = [_words(x) for x in labels]
    for i, w in enumerate(words):
        if len(w) >= 2 and w[0] == "no":
            head = w[1:3]
            if any(j != i and v[: len(head)] == head for j, v in enumerate(words)):
                return True
    return False


def choice_runs(items: list[tuple[int, int, int, str | None, str]]) -> list[list[int]]:
    """The runs of boxes that are single-choice groups among `items`, each (section line, parent
    item, indent, ID, title) in file order: consecutive boxes with the same section, parent and
    indent, none with an ID (`is_choice_run` decides)."""
    out: list[list[int]] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= 2 and is_choice_run([items[i][4] for i in run]):
            out.append(list(run))
        run.clear()

    for i, (sec, parent, indent, tid, _title) in enumerate(items):
        if run and items[run[-1]][:3] != (sec, parent, indent):
            close()
        if tid is not None:
            close()
            continue
        run.append(i)
    close()
    return out


@dataclass(slots=True)
class TasksDoc:
    """A parsed document; `render()` returns `text` unchanged."""

    text: str
    newline: str
    bom: bool
    title: str
    heading: str
    fields: dict[str, Field]
    phases: list[Phase]
    duplicate_ids: list[str]
    line_starts: array[int]  # 8 bytes a line
    engine: str = "fast"
    choices: list[Choice] = field(default_factory=list)
    _by_key: dict[str, int] = field(default_factory=dict, repr=False)
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)
    _data: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)  # doc_data
    _plain: bool | None = field(default=None, repr=False, compare=False)  # `\n` breaks only
    # the tasks in file order; None until asked for when made from columns (`doc_from_data`)
    _tasks: list[Task] | None = field(default=None, repr=False, compare=False)

    @property
    def tasks(self) -> list[Task]:
        """Every task in file order (made from the columns on first use)."""
        if self._tasks is None:
            assert self._data is not None
            self._tasks = _tasks_of(self._data)
        return self._tasks

    def task_rows(self) -> Iterator[tuple[str, str | None, str, bool, int, str | None]]:
        """(key, id, title, done, phase index, skip reason or None) of each task in file order,
        read from the columns when the tasks are not made (no object per task)."""
        if self._tasks is not None or self._data is None:
            for t in self.tasks:
                skip = t.skip.text if t.skip is not None else None
                yield t.key, t.id, t.title, t.done, t.phase_index, skip
            return
        tcols, ncols = self._data[6], self._data[8]
        skips: dict[int, str] = {}
        for ti, kind, text in zip(ncols[0], ncols[1], ncols[4], strict=True):
            if kind == "skip":
                skips[ti] = text  # (the last one, as `_tasks_of` keeps)
        keys = tcols[0]
        skipped = map(skips.get, range(len(keys)))
        yield from zip(keys, tcols[1], tcols[2], tcols[3], tcols[10], skipped, strict=True)

    @property
    def task_count(self) -> int:
        return len(self._by_key)

    @property
    def tasks_made(self) -> bool:
        """Whether the task list exists (a doc made from columns makes it on first use)."""
        return self._tasks is not None

    def task_at(self, i: int) -> Task:
        """The i-th task, made alone from the columns when the list is not made yet."""
        if self._tasks is not None:
            return self._tasks[i]
        assert self._data is not None
        return _task_of(self._data, i)

    @property
    def lines(self) -> list[str]:
        """The text's lines, each with its ending (split on first use: most readers never ask)."""
        if self._lines is None:
            self._lines = self.text.splitlines(True) if self._plain else _split(self.text)
        return self._lines

    def render(self) -> str:
        return self.text

    def task(self, key_or_id: str) -> Task | None:
        """The task with that key, else the first task with that ID, else the box on line n
        for `L<n>` (the key older versions gave a box without an ID)."""
        i = self._by_key.get(key_or_id)
        if i is None:
            i = self._by_id.get(key_or_id)
        if i is None and key_or_id[:1] == "L":
            i = self.line_index(key_or_id)
        return None if i is None else self.task_at(i)

    def find(self, ref: str) -> Task | None:
        """A task as a person names it: key or ID (any case), the short id the TUI shows when
        one task has it, or `L<n>`, the box on line n today (the ids of older versions)."""
        for r in (ref, ref.upper(), ref.lower()):
            task = self.task(r)
            if task is not None:
                return task
        low = ref.lower()
        shorts = [k for k in self._by_key if "/" in k and short_key(k) == low]
        if len(shorts) == 1:
            return self.task(shorts[0])
        return None

    def line_index(self, ref: str) -> int | None:
        """The index of the task whose box is on line n of the text for an `L<n>` ref."""
        m = _LINE_KEY_RE.fullmatch(ref)
        if m is None or ref in self._by_id:
            return None
        line = int(m.group(1)) - 1
        if self._tasks is None and self._data is not None:
            lines = self._data[6][4]
            i = bisect_left(lines, line)
            return i if i < len(lines) and lines[i] == line else None
        i = bisect_left([t.line for t in self.tasks], line)
        return i if i < len(self.tasks) and self.tasks[i].line == line else None

    def choice(self, key: str) -> Choice | None:
        """The group with that key, or the one a task (by any of `find`'s names) holds."""
        for c in self.choices:
            if c.key == key:
                return c
        task = self.find(key)
        if task is None:
            low = key.lower()
            return next((c for c in self.choices if short_key(c.key) == low), None)
        return next((c for c in self.choices if c.task_key == task.key), None)

    def title_of(self, key_or_id: str) -> str | None:
        """The title of `task(key_or_id)`, without making the task from the columns (a group's
        label for a group's key)."""
        i = self._by_key.get(key_or_id)
        if i is None:
            i = self._by_id.get(key_or_id)
        if i is None:
            c = next((c for c in self.choices if c.key == key_or_id), None)
            return c.label if c is not None else None
        if self._tasks is None and self._data is not None:
            return str(self._data[6][2][i])
        return self.task_at(i).title

    @property
    def by_id(self) -> dict[str, Task]:
        return {tid: self.tasks[i] for tid, i in self._by_id.items()}

    def with_checks(self, changes: dict[str, bool]) -> TasksDoc:
        """A copy with checkboxes changed (task key or ID -> done), without reparsing; a doc
        made from columns stays columns (no task objects), and a large one is kept on disk."""
        changed: list[tuple[int, int, int, bool]] = []  # (task index, offset, line, done)
        cols = self._data[6] if self._data is not None else None
        for key, done in changes.items():
            i = self._index(key)
            if cols is not None:
                off, line = cols[5][i], cols[4][i]
            else:
                task = self.tasks[i]
                off, line = task.check_offset, task.line
            if (self.text[off] != " ") != done:
                changed.append((i, off, line, done))
        if not changed:
            return self
        changed.sort(key=lambda c: c[1])
        parts: list[str] = []
        pos = 0
        for _i, off, _line, done in changed:
            parts += (self.text[pos:off], "x" if done else " ")
            pos = off + 1
        parts.append(self.text[pos:])
        new_text = "".join(parts)
        tasks = list(self._tasks) if self._tasks is not None else None
        data = self._data
        if data is not None:
            dones = list(data[6][3])
            for i, _off, _line, done in changed:
                dones[i] = done
            data = (*data[:6], (*data[6][:3], tuple(dones), *data[6][4:]), *data[7:])
        lines = list(self._lines) if self._lines is not None else None
        for i, _off, line, done in changed:
            if tasks is not None:
                tasks[i] = replace(tasks[i], done=done)
            if lines is not None:
                start = self.line_starts[line] if line or not self.bom else 0
                lines[line] = new_text[start : start + len(lines[line])]
        doc = TasksDoc(
            text=new_text,
            newline=self.newline,
            bom=self.bom,
            title=self.title,
            heading=self.heading,
            fields=self.fields,
            phases=self.phases,
            _tasks=tasks,
            duplicate_ids=self.duplicate_ids,
            line_starts=self.line_starts,
            engine=self.engine,
            _by_key=self._by_key,
            _by_id=self._by_id,
            _lines=lines,
            _data=data,
            _plain=self._plain,  # a checkbox is no line break
            choices=self.choices,  # (a task's box is never a group's)
        )
        if data is not None and len(new_text) >= parse_cache.MIN_CHARS:
            parse_cache.save(new_text, packed(data), "auto", _TRIM, if_missing=True)
        return doc

    def _index(self, key: str) -> int:
        i = self._by_key.get(key)
        if i is None:
            i = self._by_id.get(key)
        if i is None and key[:1] == "L":  # the box on line n (the key older versions gave)
            i = self.line_index(key)
        if i is None:
            raise ConflictError(f"task {key} is not in the file")
        return i

    def _require(self, key: str) -> Task:
        task = self.task(key)
        if task is None:
            raise ConflictError(f"task {key} is not in the file")
        return task


# ---------------------------------------------------------------------------------------------
# Block structure


@dataclass(slots=True)
class _Blocks:
    """Where a document's blocks are: headings, code lines and list items (by line)."""

    headings: list[tuple[int, int, str]]  # (line, level, text), top level only
    code: set[int]  # nonblank lines inside code, fences or HTML blocks
    # the list items, each one entry in four arrays (not a list object per item):
    starts: array[int]  # first line
    ends: array[int]  # last nonblank line
    parents: array[int]  # parent item index, or -1
    paras: array[int]  # 1 when a paragraph comes first


def split_lines(text: str) -> list[str]:
    """Split on `\\n`, `\\r\\n` and lone `\\r` (as markdown-it does), keeping each line's ending."""
    return _LINE_RE.findall(text)


def _split(text: str) -> list[str]:
    """`split_lines`, at C speed when `\n` is the only line break in the text."""
    if _OTHER_BREAKS_RE.search(text) is None:
        return text.splitlines(keepends=True)
    return split_lines(text)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _atx_content(text: str, level: int) -> str:
    s = text[level:].rstrip(" \t")
    t = s.rstrip("#")
    if t and t[-1] in " \t":
        s = t
    return s.strip(_TRIM)


def _scan_fast(bodies: list[str]) -> _Blocks | None:
    """Line scanner for the usual checklist subset; None when markdown-it must decide."""
    starts, ends, parents, paras = (array("q") for _ in range(4))
    headings: list[tuple[int, int, str]] = []
    code: set[int] = set()
    stack: list[tuple[int, int, str]] = []  # (item index, content column, marker kind)
    fence: tuple[str, int, int] | None = None  # (char, length, container depth)
    html_depth = -1
    in_para = False
    last_nb = -1

    def close(k: int) -> None:
        while len(stack) > k:
            ends[stack.pop()[0]] = last_nb

    # Each regex below is tried only when the line's first character can start what it matches.
    for i, body in enumerate(bodies):
        text = body.lstrip(" ")
        if not text:
            in_para = False
            continue
        if text[0] == "\t":
            if not text.strip(" \t"):
                in_para = False
                continue
            return None
        ind = len(body) - len(text)
        k = 0
        if stack:
            for _, col, _ in stack:
                if col <= ind:
                    k += 1
                else:
                    break
        if fence is not None or html_depth >= 0:
            depth = fence[2] if fence is not None else html_depth
            if k >= depth:
                if fence is not None:
                    base = stack[depth - 1][1] if depth else 0
                    closing = ind - base < 4 and text.startswith(fence[0] * fence[1])
                    if closing and not text.rstrip(" \t").strip(fence[0]):
                        fence = None
                elif "-->" in body:
                    html_depth = -1
                code.add(i)
                last_nb = i
                continue
            fence = None
            html_depth = -1
        base = stack[k - 1][1] if k else 0
        r = ind - base
        if r >= 4:
            if in_para and k < len(stack):
                return None  # lazy line indented like code: markdown-it's special cases
            if not in_para:
                if len(stack) > k:
                    close(k)
                code.add(i)
            last_nb = i
            continue
        c = text[0]
        if c == ">" or (c == "<" and not text.startswith("<!--")):
            return None
        if c == "<":
            if len(stack) > k:
                close(k)
            in_para = False
            if "-->" not in text[4:]:
                html_depth = k
            code.add(i)
            last_nb = i
            continue
        if c == "#" and (m := _ATX_RE.match(text)):
            if k:
                return None
            if stack:
                close(0)
            level = len(m.group(1))
            headings.append((i, level, _atx_content(text, level)))
            in_para = False
            last_nb = i
            continue
        if (
            (c == "`" or c == "~")
            and (m := _FENCE_RE.match(text))
            and not (m.group(1)[0] == "`" and "`" in m.group(2))
        ):
            if len(stack) > k:
                close(k)
            fence = (m.group(1)[0], len(m.group(1)), k)
            in_para = False
            code.add(i)
            last_nb = i
            continue
        if in_para and (c == "=" or c == "-") and _SETEXT_RE.fullmatch(text):
            return None
        if c in _HR_FIRST and _HR_RE.fullmatch(text):
            if len(stack) > k:
                close(k)
            in_para = False
            last_nb = i
            continue
        if c in _BULLETS or c.isdecimal():
            if _TAB_ITEM_RE.match(text):
                return None
            m = _SCAN_ITEM_RE.match(text)
            if m:
                marker, spaces, rest = m.groups()
                ordered = marker[0].isdigit()
                if in_para and k == len(stack) and ordered and int(marker[:-1]) != 1:
                    last_nb = i  # cannot interrupt a paragraph: continuation text
                    continue
                if not rest.strip(" \t") or len(spaces) > 4 or _starts_block(rest):
                    return None
                if len(stack) > k:
                    close(k)
                if len(stack) >= _MAX_DEPTH:
                    return None
                parent = stack[-1][0] if stack else -1
                starts.append(i)
                ends.append(i)
                parents.append(parent)
                paras.append(1)
                stack.append((len(starts) - 1, ind + len(marker) + len(spaces), marker[-1]))
                in_para = True
                last_nb = i
                continue
        if not in_para:
            if c == "[" and _REFDEF_RE.match(text):
                return None
            if len(stack) > k:
                close(k)
            in_para = True
        last_nb = i
    close(0)
    return _Blocks(headings, code, starts, ends, parents, paras)


_HR_FIRST = "*-_"
_BULLETS = "-*+"


def _starts_block(rest: str) -> bool:
    c = rest[0]
    if c in "#>`~<\t[" and (
        c in ">`~<\t" or _ATX_RE.match(rest) or (c == "[" and _REFDEF_RE.match(rest))
    ):
        return True
    if c in _HR_FIRST and _HR_RE.fullmatch(rest):
        return True
    return (c in _BULLETS or c.isdecimal()) and _scan_item_like(rest)


def _scan_item_like(rest: str) -> bool:
    m = _ITEM_RE.match(rest)
    return m is not None and (m.group("sp") != "" or m.group("rest") == "")


def _scan_markdown_it(bodies: list[str]) -> _Blocks:
    """Block structure from markdown-it (the reference; slower on very large files)."""
    src = "\n".join(bodies)
    tokens = _markdown_it().parse(src)
    last_nb: list[int] = []
    prev = -1
    for j, b in enumerate(bodies):
        if b.strip(" \t"):
            prev = j
        last_nb.append(prev)
    starts, ends, parents, paras = (array("q") for _ in range(4))
    headings: list[tuple[int, int, str]] = []
    code: set[int] = set()
    stack: list[int] = []
    bq = 0
    n = len(tokens)
    for j, tok in enumerate(tokens):
        t = tok.type
        if t == "list_item_open":
            assert tok.map is not None
            s, e = tok.map
            nxt = tokens[j + 1] if j + 1 < n else None
            para = nxt is not None and nxt.type == "paragraph_open" and bool(nxt.map)
            para = para and nxt is not None and nxt.map is not None and nxt.map[0] == s
            if bq:
                stack.append(-1)
                continue
            parent = next((p for p in reversed(stack) if p >= 0), -1)
            starts.append(s)
            ends.append(last_nb[e - 1] if e > s else s)
            parents.append(parent)
            paras.append(int(para))
            stack.append(len(starts) - 1)
        elif t == "list_item_close":
            stack.pop()
        elif t == "blockquote_open":
            bq += 1
        elif t == "blockquote_close":
            bq -= 1
        elif t == "heading_open" and tok.level == 0 and tok.map is not None:
            headings.append((tok.map[0], int(tok.tag[1:]), tokens[j + 1].content))
        elif t in ("fence", "code_block", "html_block") and tok.map is not None:
            code.update(x for x in range(tok.map[0], tok.map[1]) if bodies[x].strip(" \t"))
    return _Blocks(headings, code, starts, ends, parents, paras)


# ---------------------------------------------------------------------------------------------
# Parsing


# The last few documents parsed, by text: a load, a projection and a write parse the same text.
_PARSED: dict[tuple[str, str], TasksDoc | _Derived] = {}
_PARSED_MAX = 3


def remember(doc: TasksDoc) -> None:
    """Keep `doc` as the parse of its text (a copy made by `with_checks`, equal to a parse)."""
    key = (doc.text, "auto")
    _PARSED.pop(key, None)
    if len(_PARSED) >= _PARSED_MAX:
        del _PARSED[next(iter(_PARSED))]
    _PARSED[key] = doc


def parse_tasks(text: str, engine: Literal["auto", "markdown-it"] = "auto") -> TasksDoc:
    """Parse a tasks.md (or any markdown checklist); `engine="markdown-it"` skips the fast path.

    Documents are never changed after parsing, so the same text returns the same (cached) doc."""
    key = (text, engine)
    entry = _PARSED.pop(key, None)  # most recently used last
    if not isinstance(entry, TasksDoc):
        paused = gc.isenabled()  # a large file makes many objects and no cycles: no collections
        gc.disable()
        try:
            if entry is not None:  # spliced: made from its columns on first use
                entry = doc_from_data(text, entry.data)
            else:
                entry = _parse_or_load(text, engine)
        finally:
            if paused:
                gc.enable()
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
    _PARSED[key] = entry
    return entry


def _parse_or_load(text: str, engine: str) -> TasksDoc:
    """A large text's kept parse from disk (see parse_cache), else a parse that is then kept."""
    if len(text) < parse_cache.MIN_CHARS:
        return _parse(text, engine)
    data = parse_cache.load(text, engine, _TRIM)
    if data is not None:
        try:
            return doc_from_data(text, data)
        except (ValueError, TypeError, IndexError, KeyError):
            pass  # kept by another version or damaged: parse again
    doc = _parse(text, engine)
    parse_cache.save(text, packed(doc_data(doc)), engine, _TRIM)
    return doc


def _ints(values: Iterable[int]) -> array[int]:
    return array("q", values)


def _plus(col: array[int], by: int) -> array[int]:
    """Every value of a column moved by `by`."""
    return array("q", map(by.__add__, col))


def _as_ints(x: bytes | array[int]) -> array[int]:
    """A column kept as bytes (on disk) or as an array (in memory)."""
    if isinstance(x, array):
        return x
    out = array("q")
    out.frombytes(x)
    return out


def doc_data(doc: TasksDoc) -> tuple[Any, ...]:
    """A parsed document as columns (tuples, and arrays of ints); the text is not included.

    Columns let an edit shift every later line number as one array operation (`splice`)."""
    if doc._data is not None:
        return doc._data
    ts = doc.tasks
    tasks = (
        tuple(t.key for t in ts),
        tuple(t.id for t in ts),
        tuple(t.title for t in ts),
        tuple(t.done for t in ts),
        _ints(t.line for t in ts),
        _ints(t.check_offset for t in ts),
        _ints(t.indent for t in ts),
        _ints(t.level for t in ts),
        tuple(t.parent_key for t in ts),
        tuple(t.markers for t in ts),
        _ints(t.phase_index for t in ts),
        _ints(t.end_line for t in ts),
        _ints(t.content_indent for t in ts),
        _ints(-1 if t.child_indent is None else t.child_indent for t in ts),
    )
    steps = [(i, s) for i, t in enumerate(ts) if t.steps for s in t.steps]
    notes = [
        (i, n)
        for i, t in enumerate(ts)
        if t.notes or t.skip is not None
        for n in (*t.notes, *((t.skip,) if t.skip is not None else ()))
    ]
    data = (
        doc.newline,
        doc.bom,
        doc.title,
        doc.heading,
        tuple((k, f.value, f.line, f.start, f.end) for k, f in doc.fields.items()),
        tuple((p.name, p.note, p.number, p.line, p.level, tuple(p.task_keys)) for p in doc.phases),
        tasks,
        _step_cols(steps),
        _note_cols(notes),
        tuple(doc.duplicate_ids),
        doc.line_starts,
        doc.engine,
        _is_plain(doc),
        tuple(
            (c.key, c.label, c.options, c.ticked, c.offsets, c.lines, c.task_key, c.phase_index)
            for c in doc.choices
        ),
    )
    doc._data = data
    return data


def _is_plain(doc: TasksDoc) -> bool:
    """Whether `\n` is the only line break in the text (as `_split` and `_parse` ask)."""
    if doc._plain is None:
        doc._plain = _OTHER_BREAKS_RE.search(doc.text) is None
    return doc._plain


def _step_cols(steps: list[tuple[int, Step]]) -> tuple[Any, ...]:
    return (
        _ints(i for i, _ in steps),
        tuple(s.text for _, s in steps),
        _ints(s.line for _, s in steps),
        _ints(s.level for _, s in steps),
    )


def _note_cols(notes: list[tuple[int, Note]]) -> tuple[Any, ...]:
    return (
        _ints(i for i, _ in notes),
        tuple(n.kind for _, n in notes),
        tuple(n.time for _, n in notes),
        tuple(n.who for _, n in notes),
        tuple(n.text for _, n in notes),
        _ints(n.line for _, n in notes),
    )


def packed(data: tuple[Any, ...]) -> tuple[Any, ...]:
    """`doc_data`'s columns with every array as bytes (what marshal keeps)."""

    def pack(x: Any) -> Any:
        return x.tobytes() if isinstance(x, array) else x

    cols = tuple(tuple(map(pack, x)) if i in (6, 7, 8) else pack(x) for i, x in enumerate(data))
    return cols


def doc_from_data(text: str, data: tuple[Any, ...]) -> TasksDoc:
    """The document `doc_data` described, for `text` (columns as arrays or as bytes); its
    tasks are made when first asked for (`TasksDoc.tasks`, `task_at`)."""
    newline, bom, title, heading, fields, phases, tcols, scols, ncols, dups, starts, engine = data[
        :12
    ]
    tcols = tuple(_as_ints(c) if i in _TASK_INT_COLS else c for i, c in enumerate(tcols))
    scols = tuple(_as_ints(c) if i in (0, 2, 3) else c for i, c in enumerate(scols))
    ncols = tuple(_as_ints(c) if i in (0, 5) else c for i, c in enumerate(ncols))
    keys, ids = tcols[0], tcols[1]
    if any(len({len(c) for c in cols}) != 1 for cols in (tcols, scols, ncols)):
        raise ValueError("columns of different lengths")  # damaged: parsed again
    by_key = dict(zip(keys, range(len(keys)), strict=True))
    by_id: dict[str, int] = {}
    for i, tid in enumerate(ids):
        if tid is not None and tid not in by_id:
            by_id[tid] = i
    line_starts = _as_ints(starts)
    choices = data[13] if len(data) > 13 else ()
    unpacked = (*data[:6], tcols, scols, ncols, dups, line_starts, engine, data[12], choices)
    return TasksDoc(
        text=text,
        newline=newline,
        bom=bom,
        title=title,
        heading=heading,
        fields={k: Field(v, ln, a, b) for k, v, ln, a, b in fields},
        phases=[Phase(n, note, num, ln, lv, list(keys)) for n, note, num, ln, lv, keys in phases],
        duplicate_ids=list(dups),
        line_starts=line_starts,
        engine=engine,
        _by_key=by_key,
        _by_id=by_id,
        _data=unpacked,
        _plain=data[12],
        choices=[Choice(*c) for c in choices],
    )


def _tasks_of(data: tuple[Any, ...]) -> list[Task]:
    """Every task of `doc_data`'s columns."""
    tcols, scols, ncols = data[6], data[7], data[8]
    keys, ids, titles, dones, lines, offs, inds, levels, parents, markers = tcols[:10]
    phase_idx, ends, cinds, chinds = tcols[10:]
    n = len(keys)
    steps: list[Any] = [()] * n
    by_task: dict[int, list[Step]] = {}
    for ti, s_text, s_line, s_level in zip(*scols, strict=True):
        by_task.setdefault(ti, []).append(Step(s_text, s_line, s_level))
    for ti, group in by_task.items():
        steps[ti] = tuple(group)
    notes: list[Any] = [()] * n
    skips: list[Note | None] = [None] * n
    by_note: dict[int, list[Note]] = {}
    for ti, kind, when, who, n_text, n_line in zip(*ncols, strict=True):
        note = Note(kind, when, who, n_text, n_line)
        if kind == "skip":
            skips[ti] = note
        else:
            by_note.setdefault(ti, []).append(note)
    for ti, group2 in by_note.items():
        notes[ti] = tuple(group2)
    child = [None if c < 0 else c for c in chinds]
    paused = gc.isenabled()  # many objects and no cycles: no collections
    gc.disable()
    try:
        return list(
            map(
                Task,
                keys,
                ids,
                titles,
                dones,
                lines,
                offs,
                inds,
                levels,
                parents,
                markers,
                steps,
                notes,
                skips,
                phase_idx,
                ends,
                cinds,
                child,
            )
        )
    finally:
        if paused:
            gc.enable()


def _task_of(data: tuple[Any, ...], i: int) -> Task:
    """The i-th task of `doc_data`'s columns, alone."""
    c = data[6]
    s_task, s_text, s_line, s_level = data[7]
    lo, hi = bisect_left(s_task, i), bisect_right(s_task, i)
    steps = tuple(Step(s_text[j], s_line[j], s_level[j]) for j in range(lo, hi))
    n_task, kind, when, who, n_text, n_line = data[8]
    lo, hi = bisect_left(n_task, i), bisect_right(n_task, i)
    notes = [Note(kind[j], when[j], who[j], n_text[j], n_line[j]) for j in range(lo, hi)]
    skip = next((x for x in notes if x.kind == "skip"), None)
    child = c[13][i]
    return Task(
        c[0][i],
        c[1][i],
        c[2][i],
        c[3][i],
        c[4][i],
        c[5][i],
        c[6][i],
        c[7][i],
        c[8][i],
        c[9][i],
        steps,
        tuple(x for x in notes if x.kind != "skip"),
        skip,
        c[10][i],
        c[11][i],
        c[12][i],
        None if child < 0 else child,
    )


_TASK_INT_COLS = (4, 5, 6, 7, 10, 11, 12, 13)


def _parse(text: str, engine: str) -> TasksDoc:
    lines: list[str] | None = None
    if _OTHER_BREAKS_RE.search(text) is None:  # only `\n` ends lines: split at C speed
        bodies = text.split("\n")
        if bodies[-1] == "":
            bodies.pop()
        starts = array("q", accumulate([len(b) + 1 for b in bodies], initial=0))
    else:
        lines = split_lines(text)
        bodies = [x.rstrip("\r\n") for x in lines]
        starts = array("q", accumulate(map(len, lines), initial=0))
    starts.pop()
    bom = text.startswith(BOM)
    if "\0" in text:  # markdown-it reads NUL as U+FFFD; same length, so offsets hold
        bodies = [b.replace("\0", "\ufffd") for b in bodies]
    if bom:
        bodies[0] = bodies[0][1:]
        starts[0] = 1  # the BOM is not part of line 0's content
    blocks = _scan_fast(bodies) if engine == "auto" else None
    used = "fast"
    if blocks is None:
        blocks = _scan_markdown_it(bodies)
        used = "markdown-it"
    doc = _build(text, lines, bodies, starts, bom, blocks, used)
    doc._plain = lines is None
    return doc


def _dominant_newline(text: str) -> str:
    """The most used line ending of a text (`\n` on a tie with it, or without any)."""
    crlf = text.count("\r\n")
    counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "\n"


def _build(
    text: str,
    lines: list[str] | None,
    bodies: list[str],
    starts: array[int],
    bom: bool,
    blocks: _Blocks,
    engine: str,
) -> TasksDoc:
    headings = blocks.headings
    heading = next((h[2] for h in headings if h[1] == 1), "")
    doc_title = _TITLE_PREFIX_RE.sub("", heading, count=1) if heading else ""
    n_lines = len(bodies)
    first_h2 = next((h[0] for h in headings if h[1] >= 2), n_lines)
    fields: dict[str, Field] = {}
    for i in range(min(first_h2, n_lines)):
        if i in blocks.code:
            continue
        m = _FIELD_RE.fullmatch(bodies[i])
        if m and m.group("name") not in fields:
            off = starts[i]
            fields[m.group("name")] = Field(
                m.group("value"), i, off + m.start("value"), off + m.end("value")
            )

    # Phases: explicit "Phase N: Name (NOTE)" headings, else every heading that holds tasks.
    phase_heads = [
        (h, m) for h in headings if h[1] >= 2 and (m := _PHASE_RE.fullmatch(h[2])) is not None
    ]
    explicit = bool(phase_heads)
    phases: list[Phase] = []
    phase_by_head: dict[int, int] = {}
    for h, pm in phase_heads:
        phase_by_head[h[0]] = len(phases)
        phases.append(
            Phase(
                pm.group("name").strip(),
                (pm.group("note") or "").strip(),
                int(pm.group("num")),
                h[0],
                h[1],
            )
        )
    head_lines = [h[0] for h in headings]
    current: tuple[int, int, str] | None = None

    tasks: list[Task] = []
    by_key: dict[str, int] = {}
    by_id: dict[str, int] = {}
    dups: list[str] = []
    item_task = array("q", [-1]) * len(blocks.starts)  # item index -> task index, or -1
    task_steps: dict[int, list[Step]] = {}
    task_notes: dict[int, list[Note]] = {}
    task_child_indent: dict[int, int] = {}
    h_idx = -1
    cur_phase = -1
    explicit_level = 0
    item_depth_task: list[int] = []  # nearest task ancestor (task index) for each item, or -1
    item_step_level: list[int] = []
    n_heads = len(head_lines)
    next_head = head_lines[0] if n_heads else n_lines

    groups: list[Choice] = []
    task_meta: list[tuple[int, int, int, str | None, str]] = []  # what `choice_runs` reads

    def taken(k: str) -> bool:
        return k in by_key or any(g.key == k for g in groups)

    n_items = len(blocks.starts)
    items = zip(blocks.starts, blocks.ends, blocks.parents, blocks.paras, strict=True)
    for n_item, (s, end, parent, para) in enumerate(items):
        # advance heading pointer
        while next_head <= s and h_idx + 1 < n_heads:
            h_idx += 1
            current = headings[h_idx]
            next_head = head_lines[h_idx + 1] if h_idx + 1 < n_heads else n_lines
            if explicit:
                if current[0] in phase_by_head:
                    cur_phase = phase_by_head[current[0]]
                    explicit_level = current[1]
                elif cur_phase >= 0 and current[1] <= explicit_level:
                    cur_phase = -1
        body = bodies[s]
        direct = item_task[parent] if parent >= 0 else -1  # the parent item as a task, or -1
        anc_task = -1 if parent < 0 else (direct if direct >= 0 else item_depth_task[parent])
        m = _TASK_RE.fullmatch(body) if para else None
        if m is None:
            item_depth_task.append(anc_task)
            step_level = 0 if direct >= 0 or parent < 0 else item_step_level[parent] + 1
            item_step_level.append(step_level)
            if anc_task < 0:
                if para and "[" in body:
                    im0 = _ITEM_RE.fullmatch(body)
                    label, row = inline_boxes(im0.group("rest")) if im0 else ("", [])
                    if len(row) >= 2 and im0 is not None:
                        if not explicit:
                            cur_phase = _implicit_phase(phases, phase_by_head, current)
                        key = _unique(slug_key(current[2] if current else "", label), taken)
                        at = starts[s] + im0.start("rest")
                        groups.append(_choice(key, label, row, at, s, None, cur_phase))
                continue
            im = _ITEM_RE.fullmatch(body)
            raw = im.group("rest") if im else body.lstrip(" ")
            rest = raw.strip()
            if direct >= 0:
                if anc_task not in task_child_indent:
                    task_child_indent[anc_task] = len(im.group("ind")) if im else 0
                note = _note(raw, s)
                if note is not None and end > s:  # continuation lines: up to a nested item
                    stop = blocks.starts[n_item + 1] if n_item + 1 < n_items else n_lines
                    more = note_more(bodies, s, min(end + 1, stop), im.end("sp") if im else 0)
                    if more:
                        note = replace(note, text="\n".join([note.text, *more]))
                if note is not None:
                    if anc_task in task_notes:
                        task_notes[anc_task].append(note)
                    else:
                        task_notes[anc_task] = [note]
                    continue
            if anc_task in task_steps:
                task_steps[anc_task].append(Step(rest, s, step_level))
            else:
                task_steps[anc_task] = [Step(rest, s, step_level)]
            continue
        item_depth_task.append(anc_task)
        item_step_level.append(0)
        if direct >= 0:
            task_child_indent.setdefault(direct, len(m.group("ind")))
        tid, markers, rest = title_parts(m.group("rest"))
        title = rest.strip()
        inline: list[tuple[str, bool, int]] = []
        if "[" in rest:
            label, inline = inline_boxes(rest)
            if inline:
                title = label
        if tid is None:
            key = _unique(slug_key(current[2] if current else "", title), taken)
        elif tid in by_id:
            n_dup = 2
            while f"{tid}#{n_dup}" in by_key:
                n_dup += 1
            key = f"{tid}#{n_dup}"
            if tid not in dups:
                dups.append(tid)
        else:
            key = tid
        if not explicit:
            cur_phase = _implicit_phase(phases, phase_by_head, current)
        # nested: parent task and level
        parent_task = anc_task
        if parent_task < 0:
            level, parent_key = 0, None
        else:
            above = tasks[parent_task]
            level, parent_key = above.level + 1, above.key
        idx = len(tasks)
        tasks.append(
            Task(
                key,
                tid,
                title,
                m.group("st") != " ",
                s,
                starts[s] + m.start("st"),
                len(m.group("ind")),
                level,
                parent_key,
                markers,
                (),
                (),
                None,
                cur_phase,
                s if end == s else end,
                m.end("sp"),
            )
        )
        item_task[n_item] = idx
        task_meta.append((current[0] if current else -1, parent, len(m.group("ind")), tid, title))
        if inline:
            at = starts[s] + m.start("rest")
            groups.append(_choice(key, title, inline, at, s, key, cur_phase))
        by_key[key] = idx
        if tid is not None and tid not in by_id:
            by_id[tid] = idx
        if cur_phase >= 0:
            phases[cur_phase].task_keys.append(key)

    # Fix the implicit leading phase's name; tasks with sub-items are made again with them.
    for p in phases:
        if p.line == -1:
            p.name = doc_title or "Tasks"
    for ti in sorted({*task_steps, *task_notes, *task_child_indent}):
        t = tasks[ti]
        steps = task_steps.get(ti)
        notes = task_notes.get(ti)
        plain: tuple[Note, ...] = ()
        skip: Note | None = None
        if notes:
            plain = tuple(x for x in notes if x.kind == "note")
            skips = [x for x in notes if x.kind == "skip"]
            skip = skips[-1] if skips else None
        tasks[ti] = Task(
            t.key,
            t.id,
            t.title,
            t.done,
            t.line,
            t.check_offset,
            t.indent,
            t.level,
            t.parent_key,
            t.markers,
            tuple(steps) if steps else (),
            plain,
            skip,
            t.phase_index,
            t.end_line,
            t.content_indent,
            task_child_indent.get(ti),
        )
    runs = choice_runs(task_meta)
    if runs:
        heads = {h[0]: h[2] for h in headings}
        gone: set[int] = set()
        for run in runs:
            first = tasks[run[0]]
            section = heads.get(task_meta[run[0]][0], "")
            key = _unique(slug_key("", section or "choice"), taken)
            groups.append(
                Choice(
                    key,
                    section or "Choice",
                    tuple(label_of(tasks[i].title) for i in run),
                    tuple(tasks[i].done for i in run),
                    tuple(tasks[i].check_offset for i in run),
                    tuple(tasks[i].line for i in run),
                    None,
                    first.phase_index,
                )
            )
            gone.update(run)
        tasks = [t for i, t in enumerate(tasks) if i not in gone]
        by_key = {t.key: i for i, t in enumerate(tasks)}
        by_id = {}
        for i, t in enumerate(tasks):
            if t.id is not None and t.id not in by_id:
                by_id[t.id] = i
        for p in phases:
            p.task_keys = [k for k in p.task_keys if k in by_key]
    groups.sort(key=lambda g: g.line)
    return TasksDoc(
        text=text,
        newline=_dominant_newline(text),
        bom=bom,
        title=doc_title,
        heading=heading,
        fields=fields,
        phases=phases,
        choices=groups,
        _tasks=tasks,
        duplicate_ids=dups,
        line_starts=starts,
        engine=engine,
        _by_key=by_key,
        _by_id=by_id,
        _lines=lines,
    )


def title_parts(rest: str) -> tuple[str | None, tuple[str, ...], str]:
    """A box's text after the box: its ID (`T005`, `**T005**`, `**T020 [P]**`), its markers
    (`[P]`, in or after the bold ID) and the rest."""
    tid: str | None = None
    markers: tuple[str, ...] = ()
    im2 = _ID_RE.match(rest)
    if im2:
        tid = im2.group("b") or im2.group("p")
        if im2.group("bm"):
            markers = tuple(_BOLD_MARK_RE.findall(im2.group("bm")))
        rest = rest[im2.end() :]
    if "[" in rest:
        found: list[str] = []
        while mm := _MARKER_RE.match(rest):
            found.append(mm.group("m"))
            rest = rest[mm.end() :]
        markers += tuple(found)
    return tid, markers, rest


def _note(rest: str, line: int) -> Note | None:
    """A sub-item's first line as a note or skip (`**Note** (time, who): text`), else None; the
    text is kept as written after the one space (see `note_text_lines` for its escapes)."""
    nm = _NOTE_RE.fullmatch(rest) if rest[:2] == "**" else None
    if nm is None:
        return None
    return Note(
        "note" if nm.group("kind") == "Note" else "skip",
        nm.group("time").strip(),
        (nm.group("who") or "").strip() or None,
        _unescape(nm.group("text")),
        line,
    )


def note_more(bodies: list[str], line: int, stop: int, col: int) -> list[str]:
    """The further lines of the note or skip on `line` (whose content starts at column `col`):
    the lines after it, before `stop` (the next item), indented to `col` at least and not blank.

    One line of text per line of the file: a note spans `text.count("\n") + 1` lines."""
    out = []
    for b in bodies[line + 1 : stop]:
        body = b[:col].lstrip(" ")
        if body or not b[col:].strip(" \t"):
            break
        out.append(_unescape(b[col:]))
    return out


# A note's text is written as it is typed: its first line after `): `, each further line under it
# at the sub-item's content indent. A further line that could start a markdown block (anything but
# a letter, a digit that is no list marker, or an inert punctuation mark first) gets a `\` in
# front, as do an empty one and a first line starting with `\`; a line holding a line break git
# or markdown would split on (CR, ...) or another control character is written `\"..."` (JSON).
_CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
_PLAIN_START_RE = re.compile(r"[^\W\d_]|\d(?!\d{0,8}[.)])|[\"'(),.:;?!/@$%&{}]")


def _escape(line: str, first: bool) -> str:
    if _CONTROL_RE.search(line):
        return "\\" + json.dumps(line)
    if first:
        return "\\" + line if line.startswith("\\") else line
    return line if _PLAIN_START_RE.match(line) else "\\" + line


def _unescape(line: str) -> str:
    if line.startswith('\\"'):
        try:
            value = json.loads(line[1:])
        except ValueError:
            value = None
        if isinstance(value, str) and "\n" not in value:
            return value
    return line[1:] if line.startswith("\\") else line


def note_text_lines(text: str) -> list[str]:
    """A note's text as the lines tasks.md holds: the first after `): `, the others under it."""
    parts = text.split("\n")
    return [_escape(part, i == 0) for i, part in enumerate(parts)]


def _choice(
    key: str,
    label: str,
    inline: list[tuple[str, bool, int]],
    at: int,
    line: int,
    task_key: str | None,
    phase: int,
) -> Choice:
    """A group of boxes inside one line (`at`: where the text they were found in starts)."""
    return Choice(
        key,
        label,
        tuple(o[0] for o in inline),
        tuple(o[1] for o in inline),
        tuple(at + o[2] for o in inline),
        (line,) * len(inline),
        task_key,
        phase,
    )


def _implicit_phase(
    phases: list[Phase],
    phase_by_head: dict[int, int],
    head: tuple[int, int, str] | None,
) -> int:
    line = head[0] if head is not None else -1
    if line not in phase_by_head:
        phase_by_head[line] = len(phases)
        name = head[2] if head is not None else ""
        level = head[1] if head is not None else 0
        phases.append(Phase(name, "", len(phases) + 1, line, level))
    return phase_by_head[line]


# ---------------------------------------------------------------------------------------------
# Splicing sub-items: a note's new text parsed from the old parse, not from the text


# A note or skip line as the projection writes it: a `- ` sub-item of one line, ending in `\n`.
_SUB_LINE_RE = re.compile(r"( *)- (\*\*(?:Note|Skipped)\*\* \([^\n]*)\n")


@frozen(slots=True)
class _Derived:
    """The parse of a spliced text, kept as `doc_data` columns until someone asks for it."""

    data: tuple[Any, ...]
    base: TasksDoc  # the doc it was derived from: the same tasks, keys, IDs and titles


def splice(doc: TasksDoc, key: str, a: int, b: int, new: list[str]) -> str:
    """`doc.text` with lines a..b-1 replaced by `new`, note or skip lines of task `key`.

    When the new lines provably parse as that task's last sub-items (see `_derived_data`), the
    new text's parse is derived from `doc` (later positions shifted) instead of parsed again."""
    n = len(doc.line_starts)
    end = len(doc.text)
    if not 1 <= a <= b <= n:
        raise ValueError(f"lines {a}..{b} are not in the text")
    sa = doc.line_starts[a] if a < n else end
    sb = doc.line_starts[b] if b < n else end
    text = doc.text[:sa] + "".join(new) + doc.text[sb:]
    data = _derived_data(doc, key, a, b, new, sa, sb)
    if data is not None:
        _PARSED.pop((text, "auto"), None)
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[(text, "auto")] = _Derived(data, doc)
        if len(text) >= parse_cache.MIN_CHARS:
            parse_cache.save(text, packed(data), "auto", _TRIM, if_missing=True)
    return text


def titles(text: str) -> Callable[[str], str]:
    """A lookup of task titles by ID or key in `text` (a spliced text's from the doc it was
    spliced from: splicing sub-items changes no task, key, ID or title)."""
    entry = _PARSED.get((text, "auto"))
    doc = entry.base if isinstance(entry, _Derived) else parse_tasks(text)

    def title(ref: str) -> str:
        return doc.title_of(ref) or ""

    return title


def _sub_item(body: str, line: int) -> Note | Step:
    """A direct sub-item's line as `_build` reads it: a note or skip, else a step."""
    im = _ITEM_RE.fullmatch(body)
    raw = im.group("rest") if im else body.lstrip(" ")
    return _note(raw, line) or Step(raw.strip(), line, 0)


def _derived_data(
    doc: TasksDoc, key: str, a: int, b: int, new: list[str], sa: int, sb: int
) -> tuple[Any, ...] | None:
    """The `doc_data` of the spliced text, or None when it is not sure to equal its parse."""
    # Sure when: the fast scanner made `doc` and the text has `\n` line breaks only; the old and
    # new lines a..b-1 are `- **Note** (` lines at one indent `ci` inside task T's content (its
    # column to 3 more, so not code); they end T (b is one past T's last line); the line before
    # them is T's own or a direct sub-item's whose content starts right of `ci` (so each new
    # line is a sub-item of T); T is nested at most 6 deep. The line scanner (`_scan_fast`) is
    # then in the same state after the old and after the new lines (T open, a sub-item at column
    # ci + 2 open, in a paragraph), or line b closes T in both, so every later line is scanned
    # the same and only moves (a box without an ID is keyed by its words, not its line).
    # tests/markdown/test_splice.py compares the result with a fresh parse over random files
    # and edits.
    ti = doc._by_key.get(key)
    text = doc.text
    if ti is None or doc.engine != "fast" or (a == b and not new):
        return None
    t = doc.task_at(ti)
    if t.end_line != b - 1 or not t.line <= a - 1 or text[sa - 1] != "\n":
        return None
    if "\0" in text or not _is_plain(doc):
        return None
    starts = doc.line_starts
    n = len(starts)
    old = [text[starts[i] : starts[i + 1] if i + 1 < n else len(text)] for i in range(a, b)]
    indents = set()
    for line in (*old, *new):
        m = _SUB_LINE_RE.fullmatch(line)
        if m is None or "\0" in line or _OTHER_BREAKS_RE.search(line) is not None:
            return None
        indents.add(len(m.group(1)))
    if len(indents) != 1:
        return None
    ci = indents.pop()
    if not t.content_indent <= ci <= t.content_indent + 3:
        return None
    if a - 1 == t.line:
        if t.indent > 2 * (_MAX_DEPTH - 2) + 1:  # nesting depth <= indent / 2: room for one more
            return None
    else:
        children = {s.line for s in t.steps if s.level == 0}
        children |= {x.line for x in (*t.notes, *((t.skip,) if t.skip else ()))}
        if a - 1 not in children:
            return None
        body = text[starts[a - 1] : sa - 1].lstrip(" ")
        m2 = _SCAN_ITEM_RE.match(body)
        col = sa - 1 - starts[a - 1] - len(body)
        if m2 is None or col + len(m2.group(1)) + len(m2.group(2)) <= ci:
            return None
    items = [_sub_item(line[:-1], a + j) for j, line in enumerate(new)]
    new_skips = [x for x in items if isinstance(x, Note) and x.kind == "skip"]
    if t.skip is not None and t.skip.line >= a and not new_skips:
        return None  # an earlier skip may be hidden behind the one removed
    data = doc_data(doc)
    tcols = data[6]
    lines = tcols[4]
    k = bisect_left(lines, b)
    d = len(new) - (b - a)
    dc = sum(map(len, new)) - (sb - sa)
    new_end = a + len(new) - 1 if new else a - 1

    def shift(col: array[int], at: int, by: int) -> array[int]:
        return _ints(x + by if x >= at else x for x in col)

    ends = array("q", tcols[11])
    ends[k:] = _plus(ends[k:], d)
    j: int | None = ti
    while j is not None:  # T and the tasks it is in: those that end where T ends, end with it
        ends[j] = new_end if ends[j] == b - 1 else (ends[j] + d if ends[j] >= b else ends[j])
        parent = doc.task_at(j).parent_key
        j = None if parent is None else doc._by_key[parent]
    child = tcols[13]
    if a - 1 == t.line:
        child = array("q", child)
        child[ti] = ci if new else -1
    tasks = (
        *tcols[:4],
        lines[:k] + _plus(lines[k:], d),
        tcols[5][:k] + _plus(tcols[5][k:], dc),
        *tcols[6:11],
        ends,
        tcols[12],
        child,
    )
    s_task, s_text, s_line, s_level = data[7]
    lo, hi = bisect_left(s_task, ti), bisect_right(s_task, ti)
    cut = lo + sum(1 for x in s_line[lo:hi] if x < a)
    steps = [x for x in items if isinstance(x, Step)]
    step_cols = (
        s_task[:cut] + _ints([ti] * len(steps)) + s_task[hi:],
        (*s_text[:cut], *(x.text for x in steps), *s_text[hi:]),
        shift(s_line[:cut], b, d) + _ints(x.line for x in steps) + shift(s_line[hi:], b, d),
        s_level[:cut] + _ints([0] * len(steps)) + s_level[hi:],
    )
    n_task, kind, when, who, n_text, n_line = data[8]
    lo, hi = bisect_left(n_task, ti), bisect_right(n_task, ti)
    kept = [
        Note(kind[x], when[x], who[x], n_text[x], n_line[x])
        for x in range(lo, hi)
        if n_line[x] < a and kind[x] == "note"
    ]
    skip = new_skips[-1] if new_skips else t.skip
    mine = [*kept, *(x for x in items if isinstance(x, Note) and x.kind == "note")]
    mine += [skip] if skip is not None else []
    before, after = range(lo), range(hi, len(n_task))
    note_cols = (
        n_task[:lo] + _ints([ti] * len(mine)) + n_task[hi:],
        (*kind[:lo], *(x.kind for x in mine), *kind[hi:]),
        (*when[:lo], *(x.time for x in mine), *when[hi:]),
        (*who[:lo], *(x.who for x in mine), *who[hi:]),
        (*n_text[:lo], *(x.text for x in mine), *n_text[hi:]),
        _ints(n_line[x] + d if n_line[x] >= b else n_line[x] for x in before)
        + _ints(x.line for x in mine)
        + _ints(n_line[x] + d if n_line[x] >= b else n_line[x] for x in after),
    )
    fields = tuple(
        (name, v, ln + d, s + dc, e + dc) if ln >= b else (name, v, ln, s, e)
        for name, v, ln, s, e in data[4]
    )
    phases = tuple((p[0], p[1], p[2], p[3] + d, *p[4:]) if p[3] >= b else p for p in data[5])
    line_starts = starts[:a] + _ints(accumulate(map(len, new[:-1]), initial=sa) if new else ())
    line_starts += _plus(starts[b:], dc)
    return (
        *data[:4],
        fields,
        phases,
        tasks,
        step_cols,
        note_cols,
        *data[9:10],
        line_starts,
        "fast",
        True,  # `\n` breaks only, as in `doc`
        tuple(
            (*c[:4], tuple(o + dc if ln >= b else o for o, ln in zip(c[4], c[5], strict=True)),
             tuple(ln + d if ln >= b else ln for ln in c[5]), *c[6:])
            for c in data[13]
        ),
    )


# ---------------------------------------------------------------------------------------------
# Edits: each returns a new text and changes nothing but its target.


def set_done(doc: TasksDoc, key: str, done: bool) -> str:
    """Change exactly one checkbox character (`x`, or a space); the same text if already so."""
    task = doc._require(key)
    off = task.check_offset
    cur = doc.text[off]
    if (cur != " ") == done:
        return doc.text
    return doc.text[:off] + ("x" if done else " ") + doc.text[off + 1 :]


def _one_line(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", text)


def add_subitem(doc: TasksDoc, key: str, line_text: str) -> str:
    """Insert `- line_text` as the last sub-item of a task, using the file's dominant newline;
    the lines after a `\n` (a `note_line` of several lines) go under it, indented."""
    task = doc._require(key)
    indent = task.child_indent if task.child_indent is not None else task.content_indent
    first, *more = line_text.split("\n")
    nl = doc.newline
    new_line = nl.join(
        [" " * indent + "- " + _one_line(first), *(" " * (indent + 2) + _one_line(m) for m in more)]
    )
    last = task.end_line
    last_line = doc.lines[last]
    if last_line.endswith(("\n", "\r")):
        at = _line_end(doc, last)
        return doc.text[:at] + new_line + nl + doc.text[at:]
    return doc.text + nl + new_line


def _line_end(doc: TasksDoc, i: int) -> int:
    """Offset just after line i (including its ending)."""
    return (doc.line_starts[i + 1]) if i + 1 < len(doc.lines) else len(doc.text)


def remove_line(doc: TasksDoc, line_index: int) -> str:
    """Remove one whole line; a last line with no ending also takes the previous line's ending."""
    if not 0 <= line_index < len(doc.lines):
        raise ConflictError(f"line {line_index + 1} is not in the file")
    start = 0 if line_index == 0 else doc.line_starts[line_index]
    if line_index == 0 and doc.bom:
        start = 1
    end = _line_end(doc, line_index)
    line = doc.lines[line_index]
    if line_index > 0 and not line.endswith(("\n", "\r")):
        prev = doc.lines[line_index - 1]
        start -= len(prev) - len(prev.rstrip("\r\n"))
    return doc.text[:start] + doc.text[end:]


def set_field(doc: TasksDoc, name: str, value: str) -> str:
    """Replace a header field's value; a missing field is added after the last one (or the H1)."""
    value = _one_line(value)
    f = doc.fields.get(name)
    if f is not None:
        return doc.text[: f.start] + value + doc.text[f.end :]
    if doc.fields:
        after = max(x.line for x in doc.fields.values())
        line = f"**{name}**: {value}{doc.newline}"
    else:
        after = next(
            (i for i, b in enumerate(doc.lines) if _body(b).lstrip(BOM).startswith("# ")), -1
        )
        line = f"{doc.newline}**{name}**: {value}{doc.newline}"
        if after < 0:
            line = f"**{name}**: {value}{doc.newline}"
    if after < 0:
        at = 1 if doc.bom else 0
        return doc.text[:at] + line + doc.text[at:]
    if not doc.lines[after].endswith(("\n", "\r")):
        return doc.text + doc.newline + line.rstrip("\r\n")
    at = _line_end(doc, after)
    return doc.text[:at] + line + doc.text[at:]


def _stamp(kind: str, time_str: str, who: str | None, text: str) -> str:
    who_part = ""
    if who:
        who_part = ", " + _one_line(who).replace("(", "[").replace(")", "]").strip()
    when = _one_line(time_str).replace(",", " ").replace("(", "[").replace(")", "]").strip()
    return f"**{kind}** ({when}{who_part}): " + "\n".join(note_text_lines(text))


def note_line(time_str: str, who: str | None, text: str) -> str:
    """The text of a note sub-item: `**Note** (time, who): text`, then a `\n` and each further
    line of a note of several lines (`note_text_lines`; the caller indents them)."""
    return _stamp("Note", time_str, who, text)


def skip_line(time_str: str, who: str | None, reason: str) -> str:
    """The text of a skip sub-item: `**Skipped** (time, who): reason` (as `note_line`)."""
    return _stamp("Skipped", time_str, who, reason)
