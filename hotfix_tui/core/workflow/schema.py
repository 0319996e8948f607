"""The workflow format, described once: keys, types, required keys, patterns and descriptions.

`workflows/schema.json` is generated from it (`python -m hotfix_tui.core.workflow.schema`); the
validator in workflow.py takes its key lists, required keys and text rules from it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.workflow.model import BUILTIN_EVENTS

SCHEMA_VERSION = 1
MAX_DURATION_SECONDS = 365 * 86_400

# patterns (without anchors; the schema anchors them, the validator full-matches them)
SLUG = r"[a-z0-9][a-z0-9-]*"
PREFIX = r"[a-z0-9][a-z0-9._-]*"
TOKEN = r"[A-Za-z0-9][A-Za-z0-9_-]*"
TASK_ID = r"[A-Za-z][A-Za-z0-9_-]*"
EVENT = r"[a-z][a-z0-9_]*"
SINGLE_LINE = r"[^\n\r]*"
DURATION = r"\s*\d+(\.\d+)?\s*[A-Za-z]*(\s*(,|and)?\s*\d+(\.\d+)?\s*[A-Za-z]*)*\s*"

Schema = dict[str, Any]


def _anchored(pattern: str) -> str:
    return f"^{pattern}$"


def _ref(name: str, description: str | None = None) -> Schema:
    out: Schema = {"$ref": f"#/$defs/{name}"}
    if description:
        out["description"] = description
    return out


def _text(description: str | None = None, *, single_line: bool = False) -> Schema:
    """Optional text (null allowed); single-line when asked."""
    out: Schema = {"type": ["string", "null"]}
    if single_line:
        out["pattern"] = _anchored(SINGLE_LINE)
    if description:
        out["description"] = description
    return out


def _object(properties: Schema, required: tuple[str, ...] = (), **extra: Any) -> Schema:
    out: Schema = {"type": "object", "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    out["properties"] = properties
    return out


def _prefix(description: str) -> Schema:
    return {"type": "string", "pattern": _anchored(PREFIX), "description": description}


_TASK = _object(
    {
        "id": _ref("task_id"),
        "title": _ref("line"),
        "markers": {
            "type": "array",
            "items": {"type": "string", "pattern": _anchored(TOKEN)},
            "description": "Written after the id in brackets, e.g. [P].",
        },
        "steps": {"type": "array", "items": _ref("step")},
        "severities": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Severities the task applies to; default all.",
        },
        "not_applicable": _text("Why the task does not apply to the other severities."),
        "on_done": _object(
            {
                "events": {"type": "array", "items": _ref("event")},
                "status": _ref("line"),
            }
        ),
        "before": _text("Markdown written verbatim before the task line (e.g. a sub-heading)."),
        "after": _text("Markdown written after the task and its steps (default: a blank line)."),
        "run": _text(
            "A runbook command (`!` in the TUI, `hotfix-tui run`): run through sh in the "
            "repository root after a confirmation, with the placeholders {fix_sha}, {branch}, "
            "{severity} and {incident} filled (outside quotes; also HOTFIX_FIX_SHA, "
            "HOTFIX_BRANCH, HOTFIX_SEVERITY, HOTFIX_INCIDENT). A repository's workflow runs "
            "only once `hotfix-tui trust` accepted its content.",
            single_line=True,
        ),
    },
    ("id", "title"),
)

_EVENT_HELP = f"Built-in: {', '.join(BUILTIN_EVENTS)}; or one declared under events."

SCHEMA: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/hotfix-tui/hotfix-tui/workflows/schema.json",
    "title": "hotfix-tui workflow",
    "description": (
        "A checklist workflow for hotfix-tui: phases and tasks rendered into tasks.md, plus "
        "severities, statuses, clocks and time windows. `hotfix-tui validate` checks more than "
        "this schema can (references between fields, duration syntax). Generated from "
        "hotfix_tui/core/workflow/schema.py; do not edit."
    ),
    **_object(
        {
            "schema_version": {
                "const": SCHEMA_VERSION,
                "description": f"Format version; must be {SCHEMA_VERSION}.",
            },
            "id": _ref("slug", "Workflow id, e.g. hotfix."),
            "name": _ref("line", "Human name, e.g. Hotfix."),
            "description": _text("One line saying what the workflow is for.", single_line=True),
            "branch_prefix": _prefix("Git branches are named PREFIX/NNN-words."),
            "folder_prefix": _prefix(
                "Incident folders are named specs/PREFIX/NNN-words (specs/PREFIX-NNN-words in a "
                "repository whose folders are all in that old layout)."
            ),
            "title_prefix": _text(
                "The first heading of tasks.md is '# ' + title_prefix + title.", single_line=True
            ),
            "preamble": _text(
                "Markdown between the header fields of tasks.md and the first phase."
            ),
            "epilogue": _text(
                "Markdown after the last task (rollback procedure, criteria, footer)."
            ),
            "header": _text(
                "An imported template's own header (title line, fields) with {title}, {id}, "
                "{severity} and {folder} placeholders; when set, preamble and epilogue are "
                "written verbatim."
            ),
            "task_style": {
                "enum": ["bold", "plain", "bold-markers"],
                "description": "Task lines as `- [ ] **T001** [P] ...` (bold, the default), "
                "`- [ ] T001 [P] ...` (plain, as spec-kit writes them) or `- [ ] **T001 [P]** "
                "...` (bold-markers: the markers inside the bold, as spec-kit-extensions' "
                "modify template writes them).",
            },
            "first_phase": {
                "type": "integer",
                "minimum": 0,
                "maximum": 1,
                "description": "The number of the first `## Phase N:` heading: 1 (the default) "
                "or 0 (`## Phase 0: Planning`, as spec-kit-extensions' deprecate template "
                "starts).",
            },
            "severities": {
                "type": "object",
                "description": "Severity levels in order, most severe first, keyed by id "
                "(e.g. P0).",
                "propertyNames": {"pattern": _anchored(TOKEN)},
                "additionalProperties": _object(
                    {
                        "label": _ref("line"),
                        "target": _ref("duration", "Time-to-resolution target."),
                        "color": {
                            "type": ["string", "null"],
                            "description": "e.g. red, orange, yellow, #ff8800.",
                        },
                    },
                    ("label", "target"),
                ),
            },
            "statuses": {
                "type": "array",
                "description": "The incident status lifecycle, in order.",
                "items": _ref("line"),
                "uniqueItems": True,
            },
            "initial_status": _ref("line", "One of statuses; default the first."),
            "final_statuses": {
                "type": "array",
                "description": "The statuses in which the incident is closed (every view, "
                "command, alert and stat reads them); default the last of statuses.",
                "items": _ref("line"),
                "uniqueItems": True,
            },
            "clock": _object(
                {
                    "starts_at": _ref("event"),
                    "stops_at": _ref("event"),
                    "warnings": _ref("fractions"),
                },
                description="The resolution clock.",
            ),
            "events": {
                "type": "object",
                "description": "Extra events beyond the built-in ones, mapped to their timeline "
                "label.",
                "propertyNames": {"pattern": _anchored(EVENT)},
                "additionalProperties": _ref("line"),
            },
            "windows": {
                "type": "array",
                "items": _object(
                    {
                        "id": _ref("slug"),
                        "label": _ref("line"),
                        "anchor": _ref("event", "The event the window starts at."),
                        "duration": _ref("duration"),
                        "closed_by": {
                            "type": "array",
                            "items": _ref("task_id"),
                            "description": "Tasks whose completion closes the window.",
                        },
                        "warnings": _ref("fractions"),
                    },
                    ("id", "label", "anchor", "duration"),
                ),
            },
            "phases": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "id": _ref("slug"),
                        "name": _ref("line"),
                        "note": _text(
                            "Written after the name in parentheses, e.g. URGENT.", single_line=True
                        ),
                        "intro": _text(
                            "Markdown between the heading and the first task (default: a blank "
                            "line)."
                        ),
                        "tasks": {"type": "array", "items": _ref("task")},
                    },
                    ("id", "name", "tasks"),
                ),
            },
            "roles": {
                "type": "object",
                "description": "The roles of an incident, id -> what it is called (default: "
                "commander: incident commander, communications: communications lead); "
                "`hotfix-tui role ID NAME` gives one to a person.",
                "propertyNames": {"pattern": _anchored(SLUG)},
                "additionalProperties": _ref("line"),
            },
            "update_template": _text(
                "The status update composer's first text; {id}, {title}, {severity}, {status}, "
                "{commander}, {progress}, {known}, {next}, {next_update} are the record's facts."
            ),
            "reminders": {
                "type": "array",
                "description": "Recurring reminders while the resolution clock runs, e.g. a "
                "stakeholder update every 30 min for P0. The interval runs from Incident Start, "
                "or from the last time the reminder was marked sent.",
                "items": _object(
                    {
                        "id": _ref("slug"),
                        "label": _ref("line"),
                        "every": {
                            "type": "object",
                            "minProperties": 1,
                            "description": "Severity id -> interval; severities not listed get "
                            "no reminder.",
                            "propertyNames": {"pattern": _anchored(TOKEN)},
                            "additionalProperties": _ref("duration"),
                        },
                        "task": _ref("task_id", "The task the reminder is about."),
                        "stops_at": _ref(
                            "event",
                            "No more reminders once this event happened (default: the clock's "
                            "stops_at).",
                        ),
                    },
                    ("id", "label", "every"),
                ),
            },
        },
        ("schema_version", "id", "name", "phases"),
    ),
    "$defs": {
        "slug": {"type": "string", "pattern": _anchored(SLUG)},
        "line": {"type": "string", "minLength": 1, "pattern": _anchored(SINGLE_LINE)},
        "task_id": {"type": "string", "pattern": _anchored(TASK_ID)},
        "event": {"type": "string", "pattern": _anchored(EVENT), "description": _EVENT_HELP},
        "duration": {
            "description": "90s, 45m, 2h, 1h30m, '2 hours', '30 minutes', '1 day', or seconds; "
            "at most 365 days.",
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_DURATION_SECONDS},
                {"type": "string", "pattern": _anchored(DURATION)},
            ],
        },
        "fractions": {
            "type": "array",
            "description": "Fractions of the time (0 < x < 1) in ascending order, e.g. "
            "[0.5, 0.75, 0.9].",
            "items": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        },
        "step": {
            "oneOf": [
                _ref("line"),
                _object(
                    {
                        "text": _ref("line"),
                        "severities": {"type": "array", "items": {"type": "string"}},
                    },
                    ("text",),
                ),
            ]
        },
        "task": _TASK,
    },
}


def _resolve(node: Schema) -> Schema:
    while "$ref" in node:
        node = SCHEMA["$defs"][str(node["$ref"]).rsplit("/", 1)[-1]]
    return node


@frozen
class Shape:
    """The keys a mapping may hold (in order) and those it must hold."""

    keys: list[str]
    required: tuple[str, ...]
    fields: Schema

    @classmethod
    def of(cls, node: Schema) -> Shape:
        node = _resolve(node)
        props: Schema = node["properties"]
        return cls(list(props), tuple(node.get("required", ())), props)


@frozen
class TextRule:
    """How a text field is checked: may it be null or blank, span lines, what it must match."""

    required: bool
    multiline: bool
    pattern: re.Pattern[str] | None


def is_text(node: Schema) -> bool:
    """True for a field holding text only (a string, maybe null, or one of some words)."""
    node = _resolve(node)
    types = node.get("type")
    if "enum" in node:
        return all(isinstance(v, str) for v in node["enum"])
    return types == "string" or types == ["string", "null"]


def text_rule(node: Schema) -> TextRule:
    """The text rule of a field: null allowed means optional; a pattern other than one line."""
    node = _resolve(node)
    types = node.get("type", "string")
    required = "null" not in (types if isinstance(types, list) else [types])
    pattern: str | None = node.get("pattern")
    if "enum" in node:
        pattern = "|".join(re.escape(str(v)) for v in node["enum"])
    elif pattern is not None:
        pattern = pattern.removeprefix("^").removesuffix("$")
    multiline = pattern is None
    if pattern == SINGLE_LINE:
        pattern = None
    return TextRule(required, multiline, re.compile(pattern) if pattern else None)


_P = SCHEMA["properties"]
TOP = Shape.of(SCHEMA)
SEVERITY = Shape.of(_P["severities"]["additionalProperties"])
CLOCK = Shape.of(_P["clock"])
WINDOW = Shape.of(_P["windows"]["items"])
REMINDER = Shape.of(_P["reminders"]["items"])
PHASE = Shape.of(_P["phases"]["items"])
TASK = Shape.of(_TASK)
ON_DONE = Shape.of(_TASK["properties"]["on_done"])
STEP = Shape.of(SCHEMA["$defs"]["step"]["oneOf"][1])


def schema_json() -> str:
    """The text of `workflows/schema.json`."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_json(), end="")
