"""Load, validate and find workflow YAML files.

Every problem carries the file, 1-based line and column and a message saying what to fix.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hotfix_tui.core.workflow import files as workflow_files
from hotfix_tui.core.workflow import runcmd
from hotfix_tui.core.workflow import schema as fmt
from hotfix_tui.core.workflow.files import builtin_workflow_dir as builtin_workflow_dir
from hotfix_tui.core.workflow.files import find_workflows
from hotfix_tui.core.workflow.files import user_workflow_dir as user_workflow_dir
from hotfix_tui.core.workflow.files import workflow_dirs as workflow_dirs
from hotfix_tui.core.workflow.model import (
    BUILTIN_EVENTS,
    DEFAULT_ROLES,
    DEFAULT_UPDATE_TEMPLATE,
    ClockDef,
    PhaseDef,
    ReminderDef,
    SeverityDef,
    Step,
    TaskDef,
    WindowDef,
    Workflow,
)
from hotfix_tui.core.workflow.problems import Problem as Problem
from hotfix_tui.core.workflow.problems import WorkflowError as WorkflowError

SCHEMA_VERSION = fmt.SCHEMA_VERSION
DEFAULT_WORKFLOW = "hotfix"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 100_000  # nodes after expanding aliases
MAX_ALIASES = 1_000
MAX_DEPTH = 64  # nesting of lists and mappings
MAX_DURATION_SECONDS = fmt.MAX_DURATION_SECONDS

_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _YAML + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}
_ID_RE = re.compile(fmt.SLUG)
_TOKEN_RE = re.compile(fmt.TOKEN)
_TASK_ID_RE = re.compile(fmt.TASK_ID)
_EVENT_RE = re.compile(fmt.EVENT)


# --------------------------------------------------------------------------- durations

_UNITS: dict[str, int] = {}
for _names, _secs in (
    (("s", "sec", "secs", "second", "seconds"), 1),
    (("m", "min", "mins", "minute", "minutes"), 60),
    (("h", "hr", "hrs", "hour", "hours"), 3_600),
    (("d", "day", "days"), 86_400),
    (("w", "wk", "week", "weeks"), 604_800),
):
    for _n in _names:
        _UNITS[_n] = _secs
_DURATION_PART = re.compile(r"\s*(?:(?:,|\band\b)\s*)?(\d+(?:\.\d+)?)\s*([a-z]*)")
_DURATION_HELP = "write e.g. 90s, 45m, 2h, 1h30m, '2 hours', '30 minutes' or '1 day'"


def parse_duration(text: str | int) -> int:
    """Return the number of seconds in a duration such as `90s`, `1h30m`, `2 hours` or 3600.

    Raises ValueError with a readable message (and a suggestion for misspelt units).
    """
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f"a duration must be text or a number of seconds; {_DURATION_HELP}")
    if isinstance(text, int):
        seconds = text
    else:
        s = text.strip().lower()
        if not s:
            raise ValueError(f"empty duration; {_DURATION_HELP}")
        if s.startswith("-"):
            raise ValueError(f"duration '{text}' is negative; it must be more than zero")
        if s.isdigit():
            seconds = int(s)
        else:
            total, pos = 0.0, 0
            while pos < len(s):
                m = _DURATION_PART.match(s, pos)
                if not m or m.end() == pos:
                    raise ValueError(f"cannot read duration '{text}'; {_DURATION_HELP}")
                number, unit = m.group(1), m.group(2)
                if not unit:
                    raise ValueError(f"missing unit after {number} in duration '{text}'; "
                                     f"{_DURATION_HELP}")
                if unit not in _UNITS:
                    close = difflib.get_close_matches(unit, list(_UNITS), n=3, cutoff=0.6)
                    plural = [c for c in close if c.endswith("s") and len(c) > 1]
                    if plural and float(number) != 1:
                        close = plural
                    hint = f"; did you mean '{close[0]}'?" if close else f"; {_DURATION_HELP}"
                    raise ValueError(f"unknown unit '{unit}' in duration '{text}'{hint}")
                total += float(number) * _UNITS[unit]
                pos = m.end()
                if s[pos:].strip() == "":
                    break
            seconds = round(total)
    if seconds <= 0:
        raise ValueError(f"duration '{text}' is {'zero' if seconds == 0 else 'negative'}; "
                         "it must be more than zero")
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"duration '{text}' is more than 365 days; check the value")
    return seconds


# --------------------------------------------------------------------------- YAML reading


class _Refused(Exception):
    """A document refused before checking (too many aliases, too deep)."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _PositionLoader(yaml.SafeLoader):
    """SafeLoader that only composes nodes (with positions) and refuses alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self._nodes = 0

    def _mark(self) -> Any:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(self._mark(),
                               f"too many aliases (more than {MAX_ALIASES}); refusing a "
                               "document that looks like an alias bomb")
        else:
            self._nodes += 1
            if self._nodes > MAX_NODES:
                raise _Refused(self._mark(),
                               f"document has more than {MAX_NODES} values; refusing it")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(self._mark(),
                               f"lists and mappings are nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)  # type: ignore[return-value]
        finally:
            self._depth -= 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _scan_nodes(root: Node) -> tuple[str, Node] | None:
    """Check nesting, alias use, expanded size and cycles of a node tree, without recursion."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    seen: set[int] = set()
    aliases = 0
    cycle = "an alias refers to a list or mapping that contains it (a cycle); remove it"
    stack: list[tuple[Node, bool, int]] = [(root, False, 1)]
    while stack:
        node, done, depth = stack.pop()
        nid = id(node)
        if done:
            active.discard(nid)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > MAX_NODES and aliases:
                return (f"document expands to more than {MAX_NODES} values through aliases; "
                        "refusing it (alias bomb?)", node)
            if size > MAX_NODES:
                return f"document has more than {MAX_NODES} values; refusing it", node
            sizes[nid] = size
            continue
        if nid in sizes:
            continue
        if nid in active:
            return cycle, node
        if depth > MAX_DEPTH:
            return f"lists and mappings are nested more than {MAX_DEPTH} deep", node
        active.add(nid)
        stack.append((node, True, depth))
        for child in _children(node):
            cid = id(child)
            if cid in active:
                return cycle, child
            if cid in seen:
                aliases += 1
                if aliases > MAX_ALIASES:
                    return (f"too many aliases (more than {MAX_ALIASES}); refusing a document "
                            "that looks like an alias bomb", node)
            seen.add(cid)
            if cid not in sizes:
                stack.append((child, False, depth + 1))
    return None


# Tests may turn libyaml off to check the pure-Python loader gives the same answers.
USE_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))


def _precheck_events(text: str) -> None:
    """Stop early on documents with too many values, aliases or levels (libyaml path)."""
    count = aliases = depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            count += 1
        if count > MAX_NODES:
            raise _Refused(event.start_mark,
                           f"document has more than {MAX_NODES} values; refusing it")
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _Refused(event.start_mark,
                               f"too many aliases (more than {MAX_ALIASES}); refusing a "
                               "document that looks like an alias bomb")
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(event.start_mark,
                               f"lists and mappings are nested more than {MAX_DEPTH} deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _compose(text: str) -> Node | None:
    """Compose YAML text into nodes with positions, using only safe loaders."""
    if USE_LIBYAML:
        _precheck_events(text)
        return yaml.compose(text, Loader=yaml.CSafeLoader)  # C SafeLoader: ~15x faster
    return yaml.compose(text, Loader=_PositionLoader)


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    nl = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(nl, 0, offset) + 1  # type: ignore[arg-type]
    col = offset - (data.rfind(nl, 0, offset) + 1) + 1  # type: ignore[arg-type]
    return line, col


def _read_tree(path: Path, file: str) -> tuple[Node | None, list[Problem]]:
    """Read and compose a file into a node tree, or return the problems that prevent it."""

    def fail(message: str, line: int = 0, col: int = 0) -> tuple[None, list[Problem]]:
        return None, [Problem(file, line, col, message)]

    try:
        if path.is_dir():
            return fail("is a directory, not a workflow file")
        if not path.exists():
            return fail("no such file")
        if not path.is_file():
            return fail("not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return fail(f"file is {size / 1_048_576:.1f} MB; workflow files are limited to 5 MB")
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    return _tree_of(data, file)


def _tree_of(data: bytes, file: str) -> tuple[Node | None, list[Problem]]:
    """Compose a workflow file's bytes into a node tree, or return the problems that prevent it."""

    def fail(message: str, line: int = 0, col: int = 0) -> tuple[None, list[Problem]]:
        return None, [Problem(file, line, col, message)]

    if len(data) > MAX_FILE_BYTES:
        return fail("file is larger than 5 MB; workflow files are limited to 5 MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        return fail(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                    line, col)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return fail("file is empty; a workflow needs at least schema_version, id, name and "
                    "phases")
    try:
        root = _compose(text)
    except _Refused as exc:
        mark = exc.mark
        return fail(exc.message, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return fail(f"control character U+{char:04X} is not allowed in YAML; remove it",
                    line, col)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark:
            msg = f"{msg} ({exc.context} at line {exc.context_mark.line + 1})"
        if "tab" in msg.lower() or "'\\t'" in msg:
            msg += "; indent with spaces, not tabs"
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        lines = text.splitlines() or [""]
        if line > len(lines):  # errors at the end of the stream: point at the last line
            line, col = len(lines), len(lines[-1]) + 1
        return fail(f"YAML syntax error: {msg}", line, col)
    except yaml.YAMLError as exc:
        return fail(f"YAML error: {exc}")
    except RecursionError:
        return fail("document is nested too deeply")
    if root is None:
        return fail("file is empty (only comments); a workflow needs at least schema_version, "
                    "id, name and phases")
    found = _scan_nodes(root)
    if found:
        message, node = found
        return None, [Problem(file, node.start_mark.line + 1, node.start_mark.column + 1,
                              message)]
    return root, []


# --------------------------------------------------------------------------- checking


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return {
        _YAML + "str": "text",
        _YAML + "int": "a number",
        _YAML + "float": "a number",
        _YAML + "bool": "true/false",
        _YAML + "null": "nothing",
        _YAML + "timestamp": "a date",
    }.get(node.tag, f"a value tagged {node.tag}")


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


_Pairs = dict[str, tuple[Node, Node]]


def _peek_id(node: Node) -> str:
    """The plain-text `id` of a mapping node, for messages about it ('' if none)."""
    if isinstance(node, MappingNode):
        for knode, vnode in node.value:
            if (isinstance(knode, ScalarNode) and knode.value == "id"
                    and isinstance(vnode, ScalarNode) and vnode.tag == _YAML + "str"):
                return str(vnode.value)
    return ""


class _Checker:
    """Walks the node tree, collecting problems and building the model."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sha256 = ""  # of the bytes parsed, when the caller knows them
        self.problems: list[Problem] = []
        self.bad_tags: set[int] = set()
        # Names seen even when their definition is broken, so references do not cascade;
        # None when the whole list could not be read (reference checks are then skipped).
        self.sev_names: set[str] | None = set()
        self.status_names: set[str] | None = set()
        self.task_names: set[str] | None = set()

    # ---- basics

    def err(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def first_use(
        self, node: Node, kind: str, ident: str | None, seen: dict[str, int], advice: str = ""
    ) -> bool:
        """Remember the line where `ident` is defined; False (and a problem) when it is taken."""
        if ident is None:
            return False
        if ident in seen:
            self.err(node, f"duplicate {kind} id '{ident}' (first at line {seen[ident]}){advice}")
            return False
        seen[ident] = node.start_mark.line + 1
        return True

    def check_tags(self, root: Node) -> None:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            tag = node.tag or ""
            if tag not in _ALLOWED_TAGS and tag != _YAML + "merge":
                self.bad_tags.add(id(node))
                shown = tag.replace(_YAML, "!!", 1) if tag.startswith(_YAML) else tag
                self.err(node, f"tag '{shown}' is not allowed: workflow files hold plain data "
                               "only (text, numbers, lists and mappings); remove the tag")
                continue
            stack.extend(_children(node))

    def mapping(self, node: Node, what: str, allowed: list[str] | None,
                required: tuple[str, ...] = ()) -> _Pairs | None:
        if id(node) in self.bad_tags:
            return None
        if not isinstance(node, MappingNode):
            self.err(node, f"{what} must be a mapping (key: value lines), not {_kind(node)}")
            return None
        out: _Pairs = {}
        for knode, vnode in node.value:
            if knode.tag == _YAML + "merge":
                self.err(knode, "merge keys (<<) are not supported; write the keys out")
                continue
            if not isinstance(knode, ScalarNode) or id(knode) in self.bad_tags:
                if id(knode) not in self.bad_tags:
                    self.err(knode, f"keys in {what} must be plain text, not {_kind(knode)}")
                continue
            key = knode.value
            if key in out:
                first = out[key][0].start_mark.line + 1
                self.err(knode, f"duplicate key '{key}' in {what} (first at line {first}); "
                                "remove one of them")
                continue
            if allowed is not None and key not in allowed:
                hint = _suggest(key, allowed) or f"; allowed keys: {', '.join(allowed)}"
                self.err(knode, f"unknown key '{key}' in {what}{hint}")
                continue
            out[key] = (knode, vnode)
        for key in required:
            if key not in out:
                self.err(node, f"missing required key '{key}' in {what}")
        return out

    def seq(self, node: Node, what: str) -> list[Node] | None:
        if id(node) in self.bad_tags:
            return None
        if not isinstance(node, SequenceNode):
            self.err(node, f"{what} must be a list, not {_kind(node)}")
            return None
        return list(node.value)

    def text(self, node: Node, what: str, *, required: bool = True, multiline: bool = False,
             pattern: re.Pattern[str] | None = None, hint: str = "") -> str | None:
        if id(node) in self.bad_tags:
            return None
        if isinstance(node, ScalarNode) and node.tag == _YAML + "null" and not required:
            return ""
        if not isinstance(node, ScalarNode) or node.tag != _YAML + "str":
            extra = ""
            if isinstance(node, ScalarNode):
                extra = ("; write a value" if node.tag == _YAML + "null"
                         else "; put it in quotes")
            self.err(node, f"{what} must be text, not {_kind(node)}{extra}")
            return None
        value = str(node.value)
        if required and not value.strip():
            self.err(node, f"{what} must not be empty")
            return None
        if not multiline and ("\n" in value or "\r" in value):
            self.err(node, f"{what} must be a single line")
            return None
        if pattern is not None and value and not pattern.fullmatch(value):
            self.err(node, f"{what} '{value}' is not valid{hint}")
            return None
        return value

    def texts(self, node: Node, what: str, **kw: object) -> list[tuple[str, Node]]:
        items = self.seq(node, what)
        out: list[tuple[str, Node]] = []
        for item in items or []:
            value = self.text(item, f"each entry of {what}", **kw)  # type: ignore[arg-type]
            if value is not None:
                out.append((value, item))
        return out

    def duration(self, node: Node, what: str) -> int | None:
        if id(node) in self.bad_tags:
            return None
        if not isinstance(node, ScalarNode) or node.tag not in (_YAML + "str", _YAML + "int"):
            self.err(node, f"{what} must be a duration like 2h or 90m, not {_kind(node)}")
            return None
        try:
            return parse_duration(int(node.value, 0) if node.tag == _YAML + "int"
                                  else node.value)
        except ValueError as exc:
            self.err(node, f"bad {what}: {exc}")
            return None

    def fractions(self, node: Node, what: str) -> tuple[float, ...] | None:
        items = self.seq(node, what)
        if items is None:
            return None
        values: list[float] = []
        ok = True
        for item in items:
            if (not isinstance(item, ScalarNode)
                    or item.tag not in (_YAML + "float", _YAML + "int")):
                self.err(item, f"each entry of {what} must be a fraction like 0.75, "
                               f"not {_kind(item)}")
                ok = False
                continue
            try:
                value = float(item.value.replace("_", ""))
            except ValueError:
                self.err(item, f"cannot read {item.value!r} as a number in {what}")
                ok = False
                continue
            if not 0 < value < 1:
                self.err(item, f"{what} are fractions of the time, between 0 and 1 "
                               f"(0.75 = 75 %), not {item.value}")
                ok = False
            elif values and value <= values[-1]:
                self.err(item, f"{what} must be in ascending order without repeats; "
                               f"{item.value} follows {values[-1]}")
                ok = False
            values.append(value)
        return tuple(values) if ok else None

    def event(self, node: Node, what: str, events: dict[str, str]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in events:
            self.err(node, f"unknown event '{value}' in {what}{_suggest(value, events)}; "
                           f"known events: {', '.join(events)} (declare others under "
                           "'events:')")
            return None
        return value

    # ---- the document

    TOP = fmt.TOP.keys
    # what to write instead of a text that does not match its pattern in the format
    TEXT_HINTS = {
        "id": "; use lowercase letters, digits and '-'",
        "branch_prefix": "; use lowercase letters, digits, '.', '_' and '-'",
        "folder_prefix": "; use lowercase letters, digits, '.', '_' and '-'",
        "task_style": "; use bold, plain or bold-markers",
    }

    def workflow(self, root: Node) -> Workflow | None:
        self.check_tags(root)
        top = self.mapping(root, "the workflow", self.TOP, fmt.TOP.required)
        if top is None:
            return None

        def get(key: str) -> Node | None:
            return top[key][1] if key in top else None

        node = get("schema_version")
        if (node is not None and id(node) not in self.bad_tags
                and not (isinstance(node, ScalarNode) and node.tag == _YAML + "int"
                         and node.value.strip() == str(SCHEMA_VERSION))):
            if isinstance(node, ScalarNode) and node.tag == _YAML + "int":
                self.err(node, f"schema_version {node.value} is not supported; this version "
                               f"of hotfix-tui reads schema_version: {SCHEMA_VERSION}")
            else:
                self.err(node, f"schema_version must be the number {SCHEMA_VERSION}, not "
                               f"{_kind(node)}")

        strings: dict[str, str] = {}
        for key, spec in fmt.TOP.fields.items():  # the plain text fields, in order
            if key == "initial_status" or not fmt.is_text(spec) or (node := get(key)) is None:
                continue
            rule = fmt.text_rule(spec)
            value = self.text(node, key, required=rule.required, multiline=rule.multiline,
                              pattern=rule.pattern, hint=self.TEXT_HINTS.get(key, ""))
            if value is not None:
                strings[key] = value

        first_phase = 1
        if (node := get("first_phase")) is not None:
            is_int = isinstance(node, ScalarNode) and node.tag == _YAML + "int"
            if is_int and str(node.value).strip() in ("0", "1"):
                first_phase = int(node.value)
            else:
                self.err(node, "first_phase must be 0 or 1, not "
                               + (str(node.value) if is_int else _kind(node)))

        severities = self.severities(get("severities"))
        sev_ids = [s.id for s in severities]

        statuses: list[str] = []
        if (node := get("statuses")) is not None:
            if not isinstance(node, SequenceNode) or id(node) in self.bad_tags:
                self.status_names = None
            for value, item in self.texts(node, "statuses"):
                if value in statuses:
                    self.err(item, f"status '{value}' is listed twice")
                else:
                    statuses.append(value)
            if self.status_names is not None:
                self.status_names.update(
                    n.value for n in node.value if isinstance(n, ScalarNode))
        initial = statuses[0] if statuses else ""
        if (node := get("initial_status")) is not None:
            value = self.text(node, "initial_status")
            if value is not None:
                if self.status_names is not None and value not in self.status_names:
                    self.err(node, f"initial_status '{value}' is not one of the statuses"
                                   f"{_suggest(value, statuses)}")
                initial = value
        finals: list[str] = []
        if (node := get("final_statuses")) is not None:
            for value, item in self.texts(node, "final_statuses"):
                if self.status_names is not None and value not in self.status_names:
                    self.err(item, f"final status '{value}' is not one of the statuses"
                                   f"{_suggest(value, statuses)}")
                elif value not in finals:
                    finals.append(value)

        events = dict(BUILTIN_EVENTS)
        if (node := get("events")) is not None:
            pairs = self.mapping(node, "events", None)
            for key, (knode, vnode) in (pairs or {}).items():
                if not _EVENT_RE.fullmatch(key):
                    self.err(knode, f"event name '{key}' is not valid; use lowercase letters, "
                                    "digits and '_'")
                    continue
                label = self.text(vnode, f"the label of event '{key}'")
                if label is not None:
                    events[key] = label

        clock = ClockDef()
        if (node := get("clock")) is not None:
            pairs = self.mapping(node, "clock", fmt.CLOCK.keys)
            if pairs is not None:
                starts = clock.starts_at
                stops = clock.stops_at
                warnings = clock.warnings
                if "starts_at" in pairs:
                    starts = self.event(pairs["starts_at"][1], "clock.starts_at", events) or starts
                if "stops_at" in pairs:
                    stops = self.event(pairs["stops_at"][1], "clock.stops_at", events) or stops
                if "warnings" in pairs:
                    warnings = self.fractions(pairs["warnings"][1], "clock.warnings") or warnings
                if starts == stops:
                    self.err(node, f"the clock starts and stops at the same event '{starts}'")
                clock = ClockDef(starts_at=starts, stops_at=stops, warnings=warnings)

        phases: list[PhaseDef] = []
        if (node := get("phases")) is not None:
            phases = self.phases(node, sev_ids, statuses, events)
        else:
            self.task_names = None

        task_ids = [t.id for p in phases for t in p.tasks]
        windows: list[WindowDef] = []
        if (node := get("windows")) is not None:
            windows = self.windows(node, events, task_ids)

        reminders: list[ReminderDef] = []
        if (node := get("reminders")) is not None:
            reminders = self.reminders(node, events, sev_ids, task_ids)

        roles = dict(DEFAULT_ROLES)
        if (node := get("roles")) is not None:
            roles = self.roles(node)

        if self.problems:
            return None
        return Workflow(
            id=strings["id"],
            name=strings["name"],
            description=strings.get("description", ""),
            branch_prefix=strings.get("branch_prefix", "hotfix"),
            folder_prefix=strings.get("folder_prefix", "hotfix"),
            title_prefix=strings.get("title_prefix", "Tasks: Hotfix - "),
            preamble=strings.get("preamble", ""),
            epilogue=strings.get("epilogue", ""),
            header=strings.get("header", ""),
            task_style=strings.get("task_style", "bold"),
            first_phase=first_phase,
            severities=tuple(severities),
            statuses=tuple(statuses),
            initial_status=initial,
            final_statuses=tuple(finals),
            clock=clock,
            events=events,
            windows=tuple(windows),
            phases=tuple(phases),
            source=self.file,
            reminders=tuple(reminders),
            source_sha256=self.sha256,
            roles=roles,
            update_template=strings.get("update_template") or DEFAULT_UPDATE_TEMPLATE,
        )

    def roles(self, node: Node) -> dict[str, str]:
        """`roles:` id -> label (a mapping; ids lowercase slugs, labels one line)."""
        out: dict[str, str] = {}
        pairs = self.mapping(node, "roles", None)
        for key, (knode, vnode) in (pairs or {}).items():
            if not _ID_RE.fullmatch(key):
                self.err(knode, f"role '{key}' is not valid; use lowercase letters, digits "
                                "and '-' (e.g. commander)")
                continue
            label = self.text(vnode, f"the label of role '{key}'")
            if label is not None:
                out[key] = label
        if pairs is not None and not pairs:
            self.err(node, "roles is empty; name at least one, e.g. {commander: incident "
                           "commander}, or leave roles out for the built-in ones")
        return out

    def severities(self, node: Node | None) -> list[SeverityDef]:
        out: list[SeverityDef] = []
        if node is None:
            return out
        pairs = self.mapping(node, "severities", None)
        if pairs is None:
            self.sev_names = None
        elif self.sev_names is not None:
            self.sev_names.update(pairs)
        for key, (knode, vnode) in (pairs or {}).items():
            if not _TOKEN_RE.fullmatch(key):
                self.err(knode, f"severity '{key}' is not valid; use letters, digits, '_' "
                                "and '-' (e.g. P0)")
                continue
            what = f"severity {key}"
            fields = self.mapping(vnode, what, fmt.SEVERITY.keys, fmt.SEVERITY.required)
            if fields is None:
                continue
            label = self.text(fields["label"][1], f"{what} label") if "label" in fields else None
            target = (self.duration(fields["target"][1], f"{what} target")
                      if "target" in fields else None)
            color = ""
            if "color" in fields:
                color = self.text(fields["color"][1], f"{what} color", required=False) or ""
            if label is not None and target is not None:
                out.append(SeverityDef(id=key, label=label, target_seconds=target, color=color))
        return out

    PHASE_KEYS = fmt.PHASE.keys
    TASK_KEYS = fmt.TASK.keys

    def phases(self, node: Node, sev_ids: list[str], statuses: list[str],
               events: dict[str, str]) -> list[PhaseDef]:
        items = self.seq(node, "phases")
        if items is None:
            self.task_names = None
            return []
        if not items:
            self.err(node, "phases is empty; a workflow needs at least one phase")
        out: list[PhaseDef] = []
        phase_lines: dict[str, int] = {}
        task_lines: dict[str, int] = {}
        for n, pnode in enumerate(items, 1):
            what = f"phase {n}"
            fields = self.mapping(pnode, what, self.PHASE_KEYS, fmt.PHASE.required)
            if fields is None:
                continue
            pid = name = None
            note = ""
            if "id" in fields:
                pid = self.text(fields["id"][1], f"{what} id", pattern=_ID_RE,
                                hint="; use lowercase letters, digits and '-'")
                self.first_use(fields["id"][1], "phase", pid, phase_lines)
            if "name" in fields:
                name = self.text(fields["name"][1], f"{what} name")
            if "note" in fields:
                note = self.text(fields["note"][1], f"{what} note", required=False) or ""
            intro = None
            if "intro" in fields:
                intro = self.text(fields["intro"][1], f"{what} intro", required=False,
                                  multiline=True)
            tasks: list[TaskDef] = []
            if "tasks" in fields:
                for tnode in self.seq(fields["tasks"][1], f"{what} tasks") or []:
                    task = self.task(tnode, what, sev_ids, statuses, events, task_lines)
                    if task is not None:
                        tasks.append(task)
            if pid is not None and name is not None:
                out.append(PhaseDef(id=pid, name=name, note=note, tasks=tuple(tasks),
                                    intro=intro))
        return out

    def severity_list(self, node: Node, what: str, sev_ids: list[str]) -> tuple[str, ...]:
        out: list[str] = []
        for value, item in self.texts(node, what):
            if self.sev_names is not None and value not in self.sev_names:
                known = ", ".join(sev_ids) or "none are defined"
                self.err(item, f"unknown severity '{value}' in {what}{_suggest(value, sev_ids)}"
                               f"; severities: {known}")
            else:
                out.append(value)
        return tuple(out)

    def task(self, node: Node, where: str, sev_ids: list[str], statuses: list[str],
             events: dict[str, str], task_lines: dict[str, int]) -> TaskDef | None:
        peek = _peek_id(node)
        if peek and self.task_names is not None:
            self.task_names.add(peek)
        fields = self.mapping(node, f"task {peek}" if peek else f"a task of {where}",
                              self.TASK_KEYS, fmt.TASK.required)
        if fields is None:
            return None
        tid = None
        if "id" in fields:
            idnode = fields["id"][1]
            tid = self.text(idnode, "task id", pattern=_TASK_ID_RE,
                            hint="; use a letter then letters, digits, '_' or '-' (e.g. T001)")
            if not self.first_use(idnode, "task", tid, task_lines, "; task ids must be unique"):
                tid = None
        what = f"task {tid}" if tid else f"a task of {where}"
        title = self.text(fields["title"][1], f"{what} title") if "title" in fields else None
        markers: list[str] = []
        if "markers" in fields:
            markers = [v for v, _ in self.texts(fields["markers"][1], f"{what} markers",
                                                pattern=_TOKEN_RE,
                                                hint="; markers are short words such as P")]
        steps: list[Step] = []
        if "steps" in fields:
            for snode in self.seq(fields["steps"][1], f"{what} steps") or []:
                if isinstance(snode, MappingNode):
                    sf = self.mapping(snode, f"a step of {what}", fmt.STEP.keys,
                                      fmt.STEP.required)
                    if sf is None or "text" not in sf:
                        continue
                    text = self.text(sf["text"][1], f"a step of {what}")
                    sevs = (self.severity_list(sf["severities"][1], f"severities of a step of "
                                               f"{what}", sev_ids) if "severities" in sf else ())
                    if text is not None:
                        steps.append(Step(text=text, severities=sevs))
                else:
                    text = self.text(snode, f"a step of {what}")
                    if text is not None:
                        steps.append(Step(text=text))
        severities: tuple[str, ...] = ()
        if "severities" in fields:
            severities = self.severity_list(fields["severities"][1], f"{what} severities",
                                            sev_ids)
        reason = ""
        if "not_applicable" in fields:
            reason = self.text(fields["not_applicable"][1], f"{what} not_applicable",
                               required=False) or ""
        done_events: list[str] = []
        status = ""
        if "on_done" in fields:
            od = self.mapping(fields["on_done"][1], f"{what} on_done", fmt.ON_DONE.keys)
            if od and "events" in od:
                for item in self.seq(od["events"][1], f"{what} on_done.events") or []:
                    ev = self.event(item, f"{what} on_done.events", events)
                    if ev is not None:
                        done_events.append(ev)
            if od and "status" in od:
                value = self.text(od["status"][1], f"{what} on_done.status")
                if (value is not None and self.status_names is not None
                        and value not in self.status_names):
                    known = ", ".join(statuses) or "none are defined"
                    self.err(od["status"][1], f"unknown status '{value}' in {what} on_done"
                                              f"{_suggest(value, statuses)}; statuses: {known}")
                elif value is not None:
                    status = value
        before, after = "", None
        if "before" in fields:
            before = self.text(fields["before"][1], f"{what} before", required=False,
                               multiline=True) or ""
        if "after" in fields:
            after = self.text(fields["after"][1], f"{what} after", required=False,
                              multiline=True)
        run = ""
        if "run" in fields:
            run = self.run_command(fields["run"][1], what)
        if tid is None or title is None:
            return None
        return TaskDef(id=tid, title=title, steps=tuple(steps), severities=severities,
                       not_applicable_reason=reason, events=tuple(done_events), status=status,
                       markers=tuple(markers), line=node.start_mark.line + 1, before=before,
                       after=after, run=run)

    def run_command(self, node: Node, what: str) -> str:
        """A task's `run:` command; each misplaced or unknown placeholder is a problem."""
        value = self.text(node, f"{what} run", required=False) or ""
        quoted = 1 if getattr(node, "style", None) in ("'", '"') else 0
        for offset, message in runcmd.problems(value):
            self.problems.append(Problem(self.file, node.start_mark.line + 1,
                                         node.start_mark.column + 1 + quoted + offset,
                                         f"{what} run: {message}"))
        return value

    WINDOW_KEYS = fmt.WINDOW.keys

    def windows(self, node: Node, events: dict[str, str],
                task_ids: list[str]) -> list[WindowDef]:
        out: list[WindowDef] = []
        lines: dict[str, int] = {}
        for n, wnode in enumerate(self.seq(node, "windows") or [], 1):
            fields = self.mapping(wnode, f"window {n}", self.WINDOW_KEYS, fmt.WINDOW.required)
            if fields is None:
                continue
            wid = label = anchor = duration = None
            if "id" in fields:
                wid = self.text(fields["id"][1], f"window {n} id", pattern=_ID_RE,
                                hint="; use lowercase letters, digits and '-'")
                if not self.first_use(fields["id"][1], "window", wid, lines):
                    wid = None
            what = f"window {wid or n}"
            if "label" in fields:
                label = self.text(fields["label"][1], f"{what} label")
            if "anchor" in fields:
                anchor = self.event(fields["anchor"][1], f"{what} anchor", events)
            if "duration" in fields:
                duration = self.duration(fields["duration"][1], f"{what} duration")
            closed: list[str] = []
            if "closed_by" in fields:
                for value, item in self.texts(fields["closed_by"][1], f"{what} closed_by"):
                    if self.task_names is not None and value not in self.task_names:
                        self.err(item, f"unknown task '{value}' in {what} closed_by"
                                       f"{_suggest(value, task_ids)}")
                    else:
                        closed.append(value)
            warnings: tuple[float, ...] | None = (0.75, 0.9)
            if "warnings" in fields:
                warnings = self.fractions(fields["warnings"][1], f"{what} warnings")
            if None not in (wid, label, anchor, duration) and warnings is not None:
                out.append(WindowDef(id=wid, label=label, anchor=anchor,  # type: ignore[arg-type]
                                     duration_seconds=duration,  # type: ignore[arg-type]
                                     closed_by=tuple(closed), warnings=warnings))
        return out


    REMINDER_KEYS = fmt.REMINDER.keys

    def reminders(self, node: Node, events: dict[str, str], sev_ids: list[str],
                  task_ids: list[str]) -> list[ReminderDef]:
        out: list[ReminderDef] = []
        lines: dict[str, int] = {}
        for n, rnode in enumerate(self.seq(node, "reminders") or [], 1):
            fields = self.mapping(rnode, f"reminder {n}", self.REMINDER_KEYS,
                                  fmt.REMINDER.required)
            if fields is None:
                continue
            rid = label = None
            if "id" in fields:
                rid = self.text(fields["id"][1], f"reminder {n} id", pattern=_ID_RE,
                                hint="; use lowercase letters, digits and '-'")
                if not self.first_use(fields["id"][1], "reminder", rid, lines):
                    rid = None
            what = f"reminder {rid or n}"
            if "label" in fields:
                label = self.text(fields["label"][1], f"{what} label")
            every: dict[str, int] = {}
            if "every" in fields:
                pairs = self.mapping(fields["every"][1], f"{what} every", None)
                for sev, (knode, vnode) in (pairs or {}).items():
                    if self.sev_names is not None and sev not in self.sev_names:
                        known = ", ".join(sev_ids) or "none are defined"
                        self.err(knode, f"unknown severity '{sev}' in {what} every"
                                        f"{_suggest(sev, sev_ids)}; severities: {known}")
                        continue
                    seconds = self.duration(vnode, f"{what} every {sev}")
                    if seconds is not None:
                        every[sev] = seconds
                if pairs is not None and not pairs:
                    self.err(fields["every"][1], f"{what} every is empty; give an interval "
                                                 "per severity, e.g. {P0: 30m, P1: 1h}")
            task = ""
            if "task" in fields:
                value = self.text(fields["task"][1], f"{what} task")
                if value is not None and self.task_names is not None \
                        and value not in self.task_names:
                    self.err(fields["task"][1], f"unknown task '{value}' in {what} task"
                                                f"{_suggest(value, task_ids)}")
                elif value is not None:
                    task = value
            stops = ""
            if "stops_at" in fields:
                stops = self.event(fields["stops_at"][1], f"{what} stops_at", events) or ""
            if rid is not None and label is not None and every:
                out.append(ReminderDef(id=rid, label=label, every=every, task=task,
                                       stops_at=stops))
        return out


def _check(path: Path) -> tuple[Workflow | None, list[Problem]]:
    file = str(path)
    root, problems = _read_tree(path, file)
    if root is None:
        return None, problems
    checker = _Checker(file)
    workflow = checker.workflow(root)
    return workflow, checker.problems


def load_workflow_bytes(data: bytes, file: str) -> Workflow:
    """Load and validate a workflow from its bytes (`source_sha256` is their hash)."""
    from hotfix_tui.core.hashing import sha256

    root, problems = _tree_of(data, file)
    workflow = None
    if root is not None:
        checker = _Checker(file)
        checker.sha256 = sha256(data).hexdigest()
        workflow = checker.workflow(root)
        problems = checker.problems
    if problems or workflow is None:
        raise WorkflowError(problems or [Problem(file, 0, 0, "could not load workflow")])
    return workflow


def validate_file(path: Path) -> list[Problem]:
    """Return every problem in a workflow file; an empty list means it is valid."""
    return _check(Path(path))[1]


def load_workflow(path: Path) -> Workflow:
    """Load and validate a workflow file, raising WorkflowError with every problem found."""
    workflow, problems = _check(Path(path))
    if problems or workflow is None:
        raise WorkflowError(problems or [Problem(str(path), 0, 0, "could not load workflow")])
    return workflow


# --------------------------------------------------------------------------- discovery
# (in workflow_files, with the disk cache of validated workflows; no PyYAML there)

_cache: dict[str, tuple[tuple[int, int], Workflow]] = {}


def _load_cached(path: Path) -> Workflow:
    try:
        st = path.stat()
        key, stamp = str(path.resolve()), (st.st_mtime_ns, st.st_size)
    except OSError:
        return load_workflow(path)
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    workflow = workflow_files.load_cached(path)  # validated before, for this very file
    if workflow is None:
        workflow = load_workflow(path)
        workflow_files.store(path, workflow)
    _cache[key] = (stamp, workflow)
    return workflow


def resolve_workflow(name_or_path: str | None, repo_root: Path | None) -> Workflow:
    """Load a workflow by name (see find_workflows) or by path; the default is "hotfix"."""
    name = name_or_path or DEFAULT_WORKFLOW
    if "/" in name or os.sep in name or name.endswith((".yaml", ".yml")):
        return _load_cached(Path(name).expanduser())
    found = find_workflows(repo_root)
    if name not in found:
        hint = _suggest(name, found)
        raise WorkflowError([Problem(name, 0, 0, f"unknown workflow '{name}'{hint}; available: "
                                                 f"{', '.join(sorted(found)) or 'none'}")])
    return _load_cached(found[name])


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def validate_main(paths: list[str]) -> int:
    """Validate workflow files (default: those found for the current repo); 0 if all are valid.

    Problems go to stderr as FILE:LINE:COL: message, `FILE: ok` to stdout; 2 when any fail.
    """
    try:
        if paths:
            targets = [Path(p) for p in paths]
        else:
            found = find_workflows(_repo_root(Path.cwd()))
            targets = [Path(_display(p)) for p in found.values()]
    except OSError as exc:
        print(f"hotfix-tui validate: {exc}", file=sys.stderr)
        return 2
    if not targets:
        print("hotfix-tui validate: no workflow files found", file=sys.stderr)
        return 2
    status = 0
    for path in targets:
        try:
            problems = validate_file(path)
        except Exception as exc:  # noqa: BLE001 - a validator must never show a traceback
            problems = [Problem(str(path), 0, 0, f"internal error while checking: {exc!r}")]
        if problems:
            status = 2
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return status
