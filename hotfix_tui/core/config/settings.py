"""User settings: `config.yaml` in the platformdirs user config dir (no textual import here).

The keys, their types and defaults are described once in config_schema.py (which generates
`workflows/config.schema.json` for editors); the checks here follow it. A bad file never stops
the app: the problems are collected as messages naming the file and line, and defaults are used.
`HOTFIX_TUI_CONFIG_DIR` overrides the folder (tests, portable setups).

The folders themselves (config, state, cache, their overrides) are described in core/userdirs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_tui.core.config import schema as config_schema
from hotfix_tui.core.config.schema import ALERT_KEYS as ALERT_KEYS
from hotfix_tui.core.config.schema import KNOWN_KEYS as KNOWN_KEYS
from hotfix_tui.core.userdirs import config_dir as config_dir
from hotfix_tui.core.userdirs import state_dir as state_dir

if TYPE_CHECKING:
    import yaml

CONFIG_NAME = "config.yaml"


def config_path() -> Path:
    return config_dir() / CONFIG_NAME


@dataclass
class Settings:
    """The settings in force, and the problems found reading them."""

    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    auto_commit: bool = bool(config_schema.default("auto_commit"))
    advance_after_check: bool = bool(config_schema.default("advance_after_check"))
    editor: str | None = None
    fetch_interval: float = float(config_schema.default("fetch_interval"))  # 0: no fetches
    run_timeout: float = float(config_schema.default("run_timeout"))  # a runbook step's limit
    alert_bell: bool = bool(config_schema.default("alerts.bell"))
    alert_desktop: bool = bool(config_schema.default("alerts.desktop"))
    alert_command: str | None = None  # run for each alert (the alert as JSON on stdin)
    specify_command: str | None = None  # spec-kit's `specify` (None: PATH, then the venv's)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)
    # 1-based lines in the file (0: unknown), so checks made later (a theme or binding id the
    # app does not know) can name FILE:LINE like the problems found here
    theme_line: int = 0
    keymap_lines: dict[str, int] = field(default_factory=dict)

    def where(self, line: int) -> str:
        """`FILE:LINE` (or `FILE`) for a message about an entry of the settings file."""
        return f"{self.path}:{line}" if line else str(self.path)


def _line_of(node: yaml.Node | None, key: str) -> int:
    """1-based line of a top-level key's value in a mapping node, 0 when unknown."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return int(v.start_mark.line) + 1
    return 0


def _key_lines(node: yaml.Node | None, key: str) -> dict[str, int]:
    """Lines of the entries of a top-level mapping (e.g. each binding id under `keymap:`)."""
    import yaml

    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key and isinstance(v, yaml.MappingNode):
                for ek, _ev in v.value:
                    out[str(getattr(ek, "value", ""))] = ek.start_mark.line + 1
    return out


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file; a missing file gives defaults, a bad one defaults plus problems."""
    path = path or config_path()
    s = Settings(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return s
    except (OSError, UnicodeDecodeError) as exc:
        s.problems.append(f"{path}: cannot read the settings ({exc}); using defaults")
        return s
    import yaml  # only when there is a file: most runs have none (start-up time)

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        s.problems.append(f"{where}: invalid YAML ({problem}); using default settings")
        return s
    if data is None:
        return s
    if not isinstance(data, dict):
        s.problems.append(f"{path}:1: the settings must be a mapping of keys; using defaults")
        return s

    def bad(key: str, what: str) -> None:
        s.problems.append(f"{path}:{_line_of(node, key)}: {key}: {what}; ignored")

    for key in data:
        if key not in KNOWN_KEYS:
            bad(str(key), f"unknown setting (known: {', '.join(KNOWN_KEYS)})")

    def ok(key: str, value: object) -> bool:
        if config_schema.accepts(key, value):
            return True
        bad(key, config_schema.fix(key))
        return False

    theme = data.get("theme")
    if theme is not None and ok("theme", theme):
        s.theme = theme.strip()
        s.theme_line = _line_of(node, "theme")
    keymap = data.get("keymap")
    if keymap is not None and ok("keymap", keymap):
        lines = _key_lines(node, "keymap")
        for bid, keys in keymap.items():
            if isinstance(keys, list):
                keys = ",".join(str(k) for k in keys)
            if isinstance(bid, str) and isinstance(keys, str) and keys.strip():
                s.keymap[bid] = keys.replace(" ", "")
                s.keymap_lines[bid] = lines.get(bid, 0)
            else:
                bad("keymap", f'entry {bid!r} must map a binding id to keys like "ctrl+t,t"')
    auto = data.get("auto_commit")
    if auto is not None and ok("auto_commit", auto):
        s.auto_commit = auto
    advance = data.get("advance_after_check")
    if advance is not None and ok("advance_after_check", advance):
        s.advance_after_check = advance
    interval = data.get("fetch_interval")
    if interval is not None and ok("fetch_interval", interval):
        s.fetch_interval = float(interval)
    limit = data.get("run_timeout")
    if limit is not None and ok("run_timeout", limit):
        s.run_timeout = float(limit)
    editor = data.get("editor")
    if editor is not None and ok("editor", editor):
        s.editor = editor.strip()
    specify = data.get("specify_command")
    if specify is not None and ok("specify_command", specify):
        s.specify_command = specify.strip()
    alerts = data.get("alerts")
    if alerts is not None:
        _read_alerts(s, alerts, _key_lines(node, "alerts"), bad)
    return s


def _read_alerts(
    s: Settings, alerts: object, lines: dict[str, int], bad: Callable[[str, str], None]
) -> None:
    """The `alerts:` mapping (bell, desktop, command); problems name the entry's line."""
    if not isinstance(alerts, dict) or not config_schema.accepts("alerts", alerts):
        *first, last = ALERT_KEYS
        bad("alerts", f"must be a mapping with {', '.join(first)} and {last}")
        return

    def wrong(key: str, what: str) -> None:
        s.problems.append(f"{s.where(lines.get(key, 0))}: alerts.{key}: {what}; ignored")

    for key, value in alerts.items():
        if key not in ALERT_KEYS:
            wrong(str(key), f"unknown setting (known: {', '.join(ALERT_KEYS)})")
        elif not config_schema.accepts(f"alerts.{key}", value):
            wrong(key, config_schema.fix(f"alerts.{key}"))
        elif key == "command":
            s.alert_command = value.strip() if value is not None else None
        else:
            setattr(s, f"alert_{key}", value)
