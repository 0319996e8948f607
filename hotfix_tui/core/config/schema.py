"""The settings file (config.yaml), described once: keys, types, defaults and what to fix.

`workflows/config.schema.json` (shipped, for editors) is generated from it
(`python -m hotfix_tui.core.config.schema`); settings.py checks each value against it.
"""

from __future__ import annotations

import json
import re
from typing import Any

Schema = dict[str, Any]

_NOT_BLANK = r"\S"  # searched, as JSON Schema does: some text that is not only spaces

SCHEMA: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/hotfix-tui/hotfix-tui/workflows/config.schema.json",
    "title": "hotfix-tui settings (config.yaml)",
    "description": (
        "The user settings of hotfix-tui, config.yaml in the user config dir. A bad value is "
        "reported with the file and line and its default used. Generated from "
        "hotfix_tui/core/config/schema.py; do not edit."
    ),
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "theme": {
            "type": ["string", "null"],
            "pattern": _NOT_BLANK,
            "description": "A Textual theme name, e.g. gruvbox.",
        },
        "keymap": {
            "type": ["object", "null"],
            "description": "Binding id -> keys, comma-separated (e.g. hotfix.toggle: "
            '"space,t") or a list of keys.',
            "additionalProperties": {
                "oneOf": [
                    {"type": "string", "pattern": _NOT_BLANK},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ]
            },
        },
        "auto_commit": {
            "type": ["boolean", "null"],
            "default": False,
            "description": "Commit the incident folder after every change.",
        },
        "advance_after_check": {
            "type": ["boolean", "null"],
            "default": True,
            "description": "After a task is checked in the TUI, move the cursor to the next "
            "open task.",
        },
        "editor": {
            "type": ["string", "null"],
            "pattern": _NOT_BLANK,
            "description": "A command used instead of $EDITOR for notes, e.g. nvim.",
        },
        "fetch_interval": {
            "type": ["number", "null"],
            "minimum": 0,
            "default": 60,
            "description": "Seconds between background fetches of other branches and of the "
            "incident's own branch (teammates' changes merged in live); 0 turns them off.",
        },
        "run_timeout": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "default": 600,
            "description": "Seconds a runbook step (`!`, `hotfix-tui run`) may run before its "
            "whole process group is killed.",
        },
        "specify_command": {
            "type": ["string", "null"],
            "pattern": _NOT_BLANK,
            "description": "spec-kit's `specify` command, run to answer a workflow gate "
            "(default: `specify` on PATH, else the one beside hotfix-tui's Python).",
        },
        "alerts": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "description": "How clock alerts (warnings, breaches, windows, reminders) reach you.",
            "properties": {
                "bell": {
                    "type": "boolean",
                    "default": True,
                    "description": "BEL on each alert.",
                },
                "desktop": {
                    "type": "boolean",
                    "default": True,
                    "description": "A desktop notification through the terminal (OSC 777 / 9).",
                },
                "command": {
                    "type": ["string", "null"],
                    "pattern": _NOT_BLANK,
                    "description": "Run through the shell for each alert, the alert as JSON on "
                    "stdin, e.g. curl -d @- https://chat/hook.",
                },
            },
        },
    },
}

# What to write instead of a bad value, by key (alerts entries as alerts.KEY).
FIX: dict[str, str] = {
    "theme": "must be a theme name",
    "keymap": "must map binding ids to keys",
    "auto_commit": "must be true or false",
    "advance_after_check": "must be true or false",
    "editor": "must be a command",
    "fetch_interval": "must be a number of seconds (0 turns background fetches off)",
    "run_timeout": "must be a number of seconds above 0",
    "specify_command": "must be a command, e.g. ~/.local/bin/specify",
    "alerts.bell": "must be true or false",
    "alerts.desktop": "must be true or false",
    "alerts.command": 'must be a shell command, e.g. "curl -d @- https://chat/hook"',
}

_PROPS: Schema = SCHEMA["properties"]
KNOWN_KEYS: tuple[str, ...] = tuple(_PROPS)
ALERT_KEYS: tuple[str, ...] = tuple(_PROPS["alerts"]["properties"])


def spec(key: str) -> Schema:
    """The schema of a key: `theme`, or `alerts.bell` for an entry of a mapping."""
    node: Schema = SCHEMA
    for part in key.split("."):
        node = node["properties"][part]
    return node


def default(key: str) -> Any:
    """The default of a key, as the schema says (None when it has none)."""
    return spec(key).get("default")


def fix(key: str) -> str:
    """What to write instead of a bad value of `key`."""
    return FIX[key]


def accepts(key: str, value: object) -> bool:
    """True when `value` has a type the schema allows for `key` and meets its bounds."""
    node = spec(key)
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int | float):
        low = node.get("exclusiveMinimum")
        return ("number" in types and value >= node.get("minimum", value)
                and (low is None or value > low))
    if isinstance(value, str):
        return "string" in types and re.search(node.get("pattern", ""), value) is not None
    if isinstance(value, dict):
        return "object" in types
    if isinstance(value, list):
        return "array" in types
    return False


def schema_json() -> str:
    """The text of `workflows/config.schema.json`."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_json(), end="")
