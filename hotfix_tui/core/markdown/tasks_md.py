"""tasks.md model: header fields, phases and tasks with exact source positions, and in-place edits.

Line indexes are 0-based everywhere; offsets are indexes into `TasksDoc.text` (a BOM counts as one).
"""

from __future__ import annotations

import gc
import re
from array import array
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Literal

from hotfix_tui.core.markdown import parse_cache

if TYPE_CHECKING:
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
    "split_lines",
]

BOM = "\ufeff"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# Line breaks of str.splitlines other than `\n`: without them it splits as _LINE_RE does.
_OTHER_BREAKS_RE = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_TASK_RE = re.compile(
    r"(?P<ind> *)(?P<mk>[-*+]|\d{1,9}[.)])(?P<sp> {1,4})\[(?P<st>[ xX])\](?=[ \t]|$)(?P<rest>.*)"
)
_ITEM_RE = re.compile(r"(?P<ind> *)(?P<mk>[-*+]|\d{1,9}[.)])(?P<sp>[ \t]+|$)(?P<rest>.*)")
_ID_RE = re.compile(r"[ \t]+(?:\*\*(?P<b>[A-Z]+-?\d+)\*\*|(?P<p>[A-Z]+-?\d+)(?=[\s:]|$)):?")
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


@dataclass(frozen=True, slots=True)
class Step:
    """A plain sub-item of a task; `level` is 0 for direct children."""

    text: str
    line: int
    level: int = 0


@dataclass(frozen=True, slots=True)
class Note:
    """A `**Note** (time, who): text` or `**Skipped** (time, who): reason` sub-item."""

    kind: Literal["note", "skip"]
    time: str
    who: str | None
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Field:
    """A `**Name**: value` header line; `start`/`end` delimit the value in the text."""

    value: str
    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
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
    tasks: list[Task]
    duplicate_ids: list[str]
    line_starts: array[int]  # 8 bytes a line
    engine: str = "fast"
    _by_key: dict[str, int] = field(default_factory=dict, repr=False)
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> list[str]:
        """The text's lines, each with its ending (split on first use: most readers never ask)."""
        if self._lines is None:
            self._lines = _split(self.text)
        return self._lines

    def render(self) -> str:
        return self.text

    def task(self, key_or_id: str) -> Task | None:
        """The task with that key, else the first task with that ID."""
        i = self._by_key.get(key_or_id)
        if i is None:
            i = self._by_id.get(key_or_id)
        return None if i is None else self.tasks[i]

    @property
    def by_id(self) -> dict[str, Task]:
        return {tid: self.tasks[i] for tid, i in self._by_id.items()}

    @property
    def unphased(self) -> list[Task]:
        """Tasks that belong to no phase (after a non-phase heading in a file with phases)."""
        return [t for t in self.tasks if t.phase_index < 0]

    def with_done(self, key: str, done: bool) -> TasksDoc:
        """A copy with one checkbox changed, without reparsing."""
        return self.with_checks({key: done})

    def with_checks(self, changes: dict[str, bool]) -> TasksDoc:
        """A copy with checkboxes changed (task key or ID -> done), without reparsing."""
        changed: list[tuple[Task, bool]] = []
        for key, done in changes.items():
            task = self._require(key)
            if (self.text[task.check_offset] != " ") != done:
                changed.append((task, done))
        if not changed:
            return self
        changed.sort(key=lambda c: c[0].check_offset)
        parts: list[str] = []
        pos = 0
        for task, done in changed:
            parts += (self.text[pos : task.check_offset], "x" if done else " ")
            pos = task.check_offset + 1
        parts.append(self.text[pos:])
        new_text = "".join(parts)
        tasks = list(self.tasks)
        lines = list(self.lines)
        for task, done in changed:
            tasks[self._by_key[task.key]] = replace(task, done=done)
            start = self.line_starts[task.line]
            lines[task.line] = new_text[start : start + len(self.lines[task.line])]
            if task.line == 0 and self.bom:
                lines[0] = new_text[: len(self.lines[0])]
        return TasksDoc(
            text=new_text,
            newline=self.newline,
            bom=self.bom,
            title=self.title,
            heading=self.heading,
            fields=self.fields,
            phases=self.phases,
            tasks=tasks,
            duplicate_ids=self.duplicate_ids,
            line_starts=self.line_starts,
            engine=self.engine,
            _by_key=self._by_key,
            _by_id=self._by_id,
            _lines=lines,
        )

    def _require(self, key: str) -> Task:
        task = self.task(key)
        if task is None:
            raise ConflictError(f"task {key} is not in the file")
        return task


# ---------------------------------------------------------------------------------------------
# Block structure


@dataclass(slots=True)
class _Blocks:
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
_PARSED: dict[tuple[str, str], TasksDoc] = {}
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
    doc = _PARSED.get(key)
    if doc is None:
        paused = gc.isenabled()  # a large file makes many objects and no cycles: no collections
        gc.disable()
        try:
            doc = _parse_or_load(text, engine)
        finally:
            if paused:
                gc.enable()
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
    else:
        del _PARSED[key]  # most recently used last
    _PARSED[key] = doc
    return doc


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
    parse_cache.save(text, doc_data(doc), engine, _TRIM)
    return doc


def doc_data(doc: TasksDoc) -> tuple[Any, ...]:
    """A parsed document as plain tuples (for marshal; the text itself is not included)."""

    def note(n: Note | None) -> tuple[object, ...] | None:
        return None if n is None else (n.kind, n.time, n.who, n.text, n.line)

    tasks = tuple(
        (
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
            tuple((s.text, s.line, s.level) for s in t.steps),
            tuple(note(n) for n in t.notes),
            note(t.skip),
            t.phase_index,
            t.end_line,
            t.content_indent,
            t.child_indent,
        )
        for t in doc.tasks
    )
    return (
        doc.newline,
        doc.bom,
        doc.title,
        doc.heading,
        tuple((k, f.value, f.line, f.start, f.end) for k, f in doc.fields.items()),
        tuple((p.name, p.note, p.number, p.line, p.level, tuple(p.task_keys)) for p in doc.phases),
        tasks,
        tuple(doc.duplicate_ids),
        doc.line_starts.tobytes(),
        doc.engine,
    )


def doc_from_data(text: str, data: tuple[Any, ...]) -> TasksDoc:
    """The document `doc_data` described, for `text`."""
    newline, bom, title, heading, fields, phases, rows, dups, starts, engine = data
    tasks: list[Task] = []
    by_key: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for i, r in enumerate(rows):
        steps = tuple(Step(*x) for x in r[10]) if r[10] else ()
        notes = tuple(Note(*x) for x in r[11]) if r[11] else ()
        skip = Note(*r[12]) if r[12] is not None else None
        t = Task(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            steps,
            notes,
            skip,
            r[13],
            r[14],
            r[15],
            r[16],
        )
        tasks.append(t)
        by_key[t.key] = i
        if t.id is not None and t.id not in by_id:
            by_id[t.id] = i
    line_starts = array("q")
    line_starts.frombytes(starts)
    return TasksDoc(
        text=text,
        newline=newline,
        bom=bom,
        title=title,
        heading=heading,
        fields={k: Field(v, ln, a, b) for k, v, ln, a, b in fields},
        phases=[Phase(n, note, num, ln, lv, list(keys)) for n, note, num, ln, lv, keys in phases],
        tasks=tasks,
        duplicate_ids=list(dups),
        line_starts=line_starts,
        engine=engine,
        _by_key=by_key,
        _by_id=by_id,
    )


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
    return _build(text, lines, bodies, starts, bom, blocks, used)


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
                continue
            im = _ITEM_RE.fullmatch(body)
            rest = im.group("rest").strip() if im else body.strip()
            if direct >= 0:
                if anc_task not in task_child_indent:
                    task_child_indent[anc_task] = len(im.group("ind")) if im else 0
                nm = _NOTE_RE.fullmatch(rest) if rest[:2] == "**" else None
                if nm:
                    note = Note(
                        "note" if nm.group("kind") == "Note" else "skip",
                        nm.group("time").strip(),
                        (nm.group("who") or "").strip() or None,
                        nm.group("text").strip(),
                        s,
                    )
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
        rest = m.group("rest")
        tid: str | None = None
        im2 = _ID_RE.match(rest)
        if im2:
            tid = im2.group("b") or im2.group("p")
            rest = rest[im2.end() :]
        markers: tuple[str, ...] = ()
        if "[" in rest:
            found: list[str] = []
            while mm := _MARKER_RE.match(rest):
                found.append(mm.group("m"))
                rest = rest[mm.end() :]
            markers = tuple(found)
        title = rest.strip()
        if tid is None:
            key = f"L{s + 1}"
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
    return TasksDoc(
        text=text,
        newline=_dominant_newline(text),
        bom=bom,
        title=doc_title,
        heading=heading,
        fields=fields,
        phases=phases,
        tasks=tasks,
        duplicate_ids=dups,
        line_starts=starts,
        engine=engine,
        _by_key=by_key,
        _by_id=by_id,
        _lines=lines,
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
    """Insert `- line_text` as the last sub-item of a task, using the file's dominant newline."""
    task = doc._require(key)
    indent = task.child_indent if task.child_indent is not None else task.content_indent
    new_line = " " * indent + "- " + _one_line(line_text)
    last = task.end_line
    nl = doc.newline
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
    return f"**{kind}** ({when}{who_part}): {_one_line(text).strip()}"


def note_line(time_str: str, who: str | None, text: str) -> str:
    """The text of a note sub-item: `**Note** (time, who): text`."""
    return _stamp("Note", time_str, who, text)


def skip_line(time_str: str, who: str | None, reason: str) -> str:
    """The text of a skip sub-item: `**Skipped** (time, who): reason`."""
    return _stamp("Skipped", time_str, who, reason)
