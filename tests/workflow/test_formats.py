"""Each file format is described once: the shipped JSON Schemas, the checks and the docs follow."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
import yaml

from hotfix_tui.core.config import schema as config_schema
from hotfix_tui.core.config.settings import Settings, load_settings
from hotfix_tui.core.workflow import schema as workflow_schema
from hotfix_tui.core.workflow.loader import validate_file

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_SCHEMA = ROOT / "workflows" / "schema.json"
CONFIG_SCHEMA = ROOT / "workflows" / "config.schema.json"

MINI = """\
schema_version: 1
id: mini
name: Mini
severities:
  P0: {label: Critical, target: 1h}
clock: {starts_at: incident_start}
windows:
  - {id: w, label: W, anchor: fix_deployed, duration: 1h}
reminders:
  - {id: r, label: R, every: {P0: 30m}}
phases:
  - id: only
    name: Only
    tasks:
      - id: T001
        title: Do it
        steps:
          - {text: Step}
        on_done: {events: [fix_deployed]}
"""


# --------------------------------------------------------------------------- generated files


@pytest.mark.parametrize(
    ("shipped", "module"),
    [(WORKFLOW_SCHEMA, workflow_schema), (CONFIG_SCHEMA, config_schema)],
    ids=["workflow", "config"],
)
def test_shipped_schema_is_the_generated_one(shipped: Path, module: ModuleType) -> None:
    generated = module.schema_json()
    assert shipped.read_text(encoding="utf-8") == generated, (
        f"{shipped.name} is out of date: run "
        f"python -m {module.__name__} > {shipped.relative_to(ROOT)}"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(generated))


def test_config_schema_is_package_data() -> None:
    import hotfix_tui.workflows as shipped

    assert (Path(shipped.__file__).parent / "config.schema.json").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"hotfix_tui.workflows" = ["*.yaml", "*.json"' in pyproject


def test_every_package_is_in_the_wheel() -> None:
    """Each folder of hotfix_tui with an `__init__.py` is listed in pyproject's packages."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "hotfix_tui").rglob("__init__.py") if "__pycache__" not in p.parts}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"



# --------------------------------------------------------------------------- workflow checker


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "wf.yaml"
    path.write_text(text, encoding="utf-8")
    return [p.message for p in validate_file(path)]


def test_mini_is_valid_for_checker_and_schema(tmp_path: Path) -> None:
    assert _problems(tmp_path, MINI) == []
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(MINI))


# (text to replace in MINI, the same with an unknown key added, where, the shape it breaks)
PLACES = [
    ("name: Mini\n", "name: Mini\nzzz: 1\n", "the workflow", workflow_schema.TOP),
    ("{label: Critical,", "{zzz: 1, label: Critical,", "severity P0", workflow_schema.SEVERITY),
    ("{starts_at:", "{zzz: 1, starts_at:", "clock", workflow_schema.CLOCK),
    ("{id: w,", "{zzz: 1, id: w,", "window 1", workflow_schema.WINDOW),
    ("{id: r,", "{zzz: 1, id: r,", "reminder 1", workflow_schema.REMINDER),
    ("    name: Only\n", "    name: Only\n    zzz: 1\n", "phase 1", workflow_schema.PHASE),
    ("title: Do it\n", "title: Do it\n        zzz: 1\n", "task T001", workflow_schema.TASK),
    ("{text: Step}", "{text: Step, zzz: 1}", "a step of task T001", workflow_schema.STEP),
    ("{events:", "{zzz: 1, events:", "task T001 on_done", workflow_schema.ON_DONE),
]


@pytest.mark.parametrize(("old", "new", "where", "shape"), PLACES, ids=[p[2] for p in PLACES])
def test_unknown_keys_are_those_the_schema_does_not_list(
    tmp_path: Path, old: str, new: str, where: str, shape: workflow_schema.Shape
) -> None:
    assert MINI.count(old) == 1
    messages = _problems(tmp_path, MINI.replace(old, new))
    assert messages == [f"unknown key 'zzz' in {where}; allowed keys: {', '.join(shape.keys)}"]
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    data = yaml.safe_load(MINI.replace(old, new))
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)


@pytest.mark.parametrize("key", workflow_schema.TOP.required[:3])
def test_required_top_keys_are_those_the_schema_requires(tmp_path: Path, key: str) -> None:
    text = "".join(
        line for line in MINI.splitlines(keepends=True) if not line.startswith(f"{key}:")
    )
    assert _problems(tmp_path, text) == [f"missing required key '{key}' in the workflow"]


@pytest.mark.parametrize("key", workflow_schema.WINDOW.required)
def test_required_window_keys_are_those_the_schema_requires(tmp_path: Path, key: str) -> None:
    fields = {"id": "w", "label": "W", "anchor": "fix_deployed", "duration": "1h"}
    assert set(fields) == set(workflow_schema.WINDOW.required)
    kept = ", ".join(f"{k}: {v}" for k, v in fields.items() if k != key)
    text = MINI.replace("{id: w, label: W, anchor: fix_deployed, duration: 1h}", f"{{{kept}}}")
    assert _problems(tmp_path, text) == [f"missing required key '{key}' in window 1"]


def test_misspelt_key_gets_did_you_mean(tmp_path: Path) -> None:
    messages = _problems(tmp_path, MINI.replace("    name: Only", "    nmae: Only"))
    assert messages[0] == "unknown key 'nmae' in phase 1; did you mean 'name'?"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('description: "a\\nb"\n', "description must be a single line"),
        ('preamble: "a\\nb"\n', None),
        ("task_style: fancy\n", "task_style 'fancy' is not valid; use bold, plain or bold-markers"),
        (
            "branch_prefix: Hot\n",
            "branch_prefix 'Hot' is not valid; use lowercase letters, digits, '.', '_' and '-'",
        ),
        ("title_prefix: null\n", None),
        ("folder_prefix: null\n", "folder_prefix must be text, not nothing; write a value"),
    ],
)
def test_text_fields_follow_the_schema(tmp_path: Path, line: str, message: str | None) -> None:
    text = MINI.replace("name: Mini\n", "name: Mini\n" + line)
    assert _problems(tmp_path, text) == ([message] if message else [])
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    valid = jsonschema.Draft202012Validator(schema).is_valid(yaml.safe_load(text))
    assert valid == (message is None)


def test_workflow_readme_names_every_key() -> None:
    readme = (ROOT / "workflows" / "README.md").read_text(encoding="utf-8")
    shapes = [p[3] for p in PLACES]
    missing = sorted(
        {k for s in shapes for k in s.keys if not re.search(rf"\b{re.escape(k)}\b", readme)}
    )
    assert missing == []


# --------------------------------------------------------------------------- config.yaml


def test_settings_defaults_are_the_schema_defaults() -> None:
    s = Settings()
    assert s.auto_commit is config_schema.default("auto_commit")
    assert s.fetch_interval == config_schema.default("fetch_interval")
    assert s.alert_bell is config_schema.default("alerts.bell")
    assert s.alert_desktop is config_schema.default("alerts.desktop")


def _config(tmp_path: Path, text: str) -> tuple[Settings, bool]:
    """The settings read from `text`, and whether the shipped schema accepts it."""
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    schema = json.loads(CONFIG_SCHEMA.read_text(encoding="utf-8"))
    return load_settings(path), jsonschema.Draft202012Validator(schema).is_valid(
        yaml.safe_load(text)
    )


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    assert "workflows/config.schema.json" in section.split("```", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    settings, valid = _config(tmp_path, example)
    assert settings.problems == [] and valid
    assert set(yaml.safe_load(example)) == set(config_schema.KNOWN_KEYS)
    assert set(yaml.safe_load(example)["alerts"]) == set(config_schema.ALERT_KEYS)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("theme: '  '\n", "theme: must be a theme name"),
        ("theme: 3\n", "theme: must be a theme name"),
        ("keymap: [a]\n", "keymap: must map binding ids to keys"),
        ("auto_commit: 'yes'\n", "auto_commit: must be true or false"),
        ("editor: ''\n", "editor: must be a command"),
        ("fetch_interval: -1\n", "fetch_interval: must be a number of seconds"),
        ("fetch_interval: true\n", "fetch_interval: must be a number of seconds"),
        ("run_timeout: 0\n", "run_timeout: must be a number of seconds above 0"),
        ("alerts: [bell]\n", "alerts: must be a mapping with bell, desktop and command"),
        ("alerts:\n  bell: 1\n", "alerts.bell: must be true or false"),
        ("alerts:\n  command: ' '\n", "alerts.command: must be a shell command"),
        (
            "alerts:\n  belll: true\n",
            "alerts.belll: unknown setting (known: bell, desktop, command)",
        ),
        (
            "themes: x\n",
            "themes: unknown setting (known: theme, keymap, auto_commit, advance_after_check, "
            "editor, fetch_interval, run_timeout, specify_command, alerts)",
        ),
        (
            "theme: nord\nauto_commit: true\nfetch_interval: 0\neditor: vi\n"
            "alerts: {bell: false, desktop: false, command: null}\n",
            None,
        ),
        ("theme: null\nalerts: null\n", None),
    ],
)
def test_config_checks_follow_the_schema(tmp_path: Path, text: str, problem: str | None) -> None:
    settings, valid = _config(tmp_path, text)
    if problem is None:
        assert settings.problems == [] and valid
    else:
        assert len(settings.problems) == 1 and not valid
        assert re.fullmatch(
            rf".*config\.yaml:\d+: {re.escape(problem)}.*; ignored", settings.problems[0]
        )
