"""Tests for workflow loading, validation, discovery and tasks.md rendering."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hotfix_tui.core.workflow import loader as wf_mod
from hotfix_tui.core.workflow.loader import (
    Problem,
    WorkflowError,
    builtin_workflow_dir,
    find_workflows,
    load_workflow,
    parse_duration,
    resolve_workflow,
    validate_file,
    validate_main,
)
from hotfix_tui.core.workflow.model import BUILTIN_EVENTS, Workflow
from hotfix_tui.core.workflow.render import render_tasks_md

ROOT = Path(__file__).resolve().parents[2]
HOTFIX_YAML = ROOT / "workflows" / "hotfix.yaml"
SCHEMA_JSON = ROOT / "workflows" / "schema.json"
README = ROOT / "workflows" / "README.md"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "workflows"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
SEED_CANDIDATES = [
    ROOT.parent / "shared" / "seed" / "hotfix-tasks-template.md",
    Path("/work/shared/seed/hotfix-tasks-template.md"),
]
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")

MINI = """\
schema_version: 1
id: mini
name: Mini
severities:
  P0: {label: Critical, target: 1h}
phases:
  - id: only
    name: Only
    tasks:
      - id: T001
        title: Do it
"""


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    cfg = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(cfg))
    return cfg


@pytest.fixture(params=["libyaml", "python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C loader (when available) and with the pure-Python loader."""
    if request.param == "libyaml" and not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(wf_mod, "USE_LIBYAML", request.param == "libyaml")
    return request.param


@pytest.fixture(scope="module")
def hotfix() -> Workflow:
    return load_workflow(HOTFIX_YAML)


# --------------------------------------------------------------------------- hotfix.yaml


def test_hotfix_yaml_is_valid(loader: str) -> None:
    assert validate_file(HOTFIX_YAML) == []


def test_hotfix_yaml_starts_with_schema_comment() -> None:
    first = HOTFIX_YAML.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schema.json"


def test_render_reproduces_seed_byte_for_byte(hotfix: Workflow) -> None:
    seed = next((p for p in SEED_CANDIDATES if p.is_file()), None)
    if seed is None:
        pytest.skip("seed template not available")
    out = render_tasks_md(hotfix, title="[INCIDENT TITLE]", hotfix_id="hotfix-###",
                          severity="[P0/P1/P2]",
                          input_path="specs/hotfix-###-description/hotfix.md")
    assert out.encode("utf-8") == seed.read_bytes()


def test_hotfix_structure(hotfix: Workflow) -> None:
    assert hotfix.id == "hotfix"
    assert [p.name for p in hotfix.phases] == [
        "Immediate Response", "Fix Implementation", "Deployment", "Monitoring",
        "Post-Incident", "Resolution"]
    assert [p.note for p in hotfix.phases] == [
        "URGENT", "FAST BUT SAFE", "URGENT", "24-48 Hours", "Within 48 Hours", ""]
    assert [t.id for t in hotfix.all_tasks()] == [f"T{n:03d}" for n in range(1, 29)]
    assert all(t.steps for t in hotfix.all_tasks())
    assert hotfix.task("T001").line > 0  # type: ignore[union-attr]


def test_hotfix_severities(hotfix: Workflow) -> None:
    got = [(s.id, s.label, s.target_seconds, s.color) for s in hotfix.severities]
    assert got == [
        ("P0", "Critical - Service Down", 3600, "red"),
        ("P1", "Major - Key Feature Broken", 4 * 3600, "orange"),
        ("P2", "Significant - Workaround Available", 8 * 3600, "yellow"),
    ]


def test_hotfix_statuses_and_clock(hotfix: Workflow) -> None:
    assert hotfix.statuses == (
        "Investigating", "Fix Deployed", "Monitoring", "Post-Mortem Complete", "Resolved")
    assert hotfix.initial_status == "Investigating"
    assert hotfix.clock.starts_at == "incident_start"
    assert hotfix.clock.stops_at == "incident_end"
    assert hotfix.clock.warnings == (0.5, 0.75, 0.9)
    assert hotfix.events == BUILTIN_EVENTS


def test_hotfix_applicability(hotfix: Workflow) -> None:
    t9, t11, t2 = hotfix.task("T009"), hotfix.task("T011"), hotfix.task("T002")
    assert t9 and t11 and t2
    assert t9.severities == ("P1", "P2")
    assert t9.not_applicable_reason == "Skip if P0 and every second counts"
    assert not t9.applies_to("P0") and t9.applies_to("P1")
    assert t11.severities == ("P1", "P2")
    assert t11.not_applicable_reason == "Staging is skipped for P0"
    step = next(s for s in t2.steps if s.text == "Notify management (if P0/P1)")
    assert step.severities == ("P0", "P1")
    others = [t for t in hotfix.all_tasks() if t.id not in ("T009", "T011")]
    assert all(t.severities == () for t in others)


def test_hotfix_on_done(hotfix: Workflow) -> None:
    rules = {t.id: (t.events, t.status) for t in hotfix.all_tasks() if t.events or t.status}
    assert rules == {
        "T001": (("investigation_start",), ""),
        "T005": (("root_cause_identified",), ""),
        "T012": (("fix_deployed",), "Fix Deployed"),
        "T013": (("incident_end",), ""),
        "T014": ((), "Monitoring"),
        "T022": ((), "Post-Mortem Complete"),
        "T027": ((), "Resolved"),
    }


def test_hotfix_windows(hotfix: Workflow) -> None:
    got = [(w.id, w.label, w.anchor, w.duration_seconds, w.closed_by) for w in hotfix.windows]
    h = 3600
    assert got == [
        ("active-monitoring", "Active monitoring", "fix_deployed", 2 * h, ("T015",)),
        ("rollback-checkpoint", "Rollback checkpoint", "fix_deployed", 2 * h, ("T017",)),
        ("extended-monitoring", "Extended monitoring", "fix_deployed", 24 * h, ("T016",)),
        ("stability", "48-hour stability", "fix_deployed", 48 * h, ("T026",)),
        ("post-incident", "Post-mortem due", "incident_end", 48 * h, ("T022",)),
    ]


def test_loading_hotfix_is_fast() -> None:
    load_workflow(HOTFIX_YAML)
    best = min(_timed(lambda: load_workflow(HOTFIX_YAML)) for _ in range(5))
    limit = 0.02 if wf_mod.USE_LIBYAML else 0.1
    assert best < limit, f"loading hotfix.yaml took {best * 1000:.1f} ms"


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def test_schema_validates_hotfix_yaml() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_JSON.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(HOTFIX_YAML.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_schema_is_json_2020_12() -> None:
    schema = json.loads(SCHEMA_JSON.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"schema_version", "id", "name", "phases"}
    assert set(schema["properties"]) == set(wf_mod._Checker.TOP)


def test_readme_example_is_valid(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    example = next(b for b in blocks if "id: db-failover" in b)
    path = tmp_path / "db-failover.yaml"
    path.write_text(example, encoding="utf-8")
    wf = load_workflow(path)
    assert wf.events["failover_done"] == "Failover Completed"
    assert wf.clock.stops_at == "failover_done"
    assert wf.task("F002").markers == ("P",)  # type: ignore[union-attr]
    assert wf.windows[0].duration_seconds == 86400


# --------------------------------------------------------------------------- rendering


def test_render_markers_notes_and_steps(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(MINI.replace("        title: Do it\n",
                                 "        title: Do it\n        markers: [P, US1]\n"
                                 "        steps: [a, {text: b, severities: [P0]}]\n")
                    .replace("name: Only\n", "name: Only\n    note: NOW\n"), encoding="utf-8")
    out = render_tasks_md(load_workflow(path), title="X", hotfix_id="hotfix-001",
                          severity="P0", input_path="specs/hotfix-001-x/hotfix.md")
    assert out == (
        "# Tasks: Hotfix - X\n\n**Hotfix ID**: hotfix-001\n**Severity**: P0\n"
        "**Input**: Hotfix spec from `specs/hotfix-001-x/hotfix.md`\n\n"
        "## Phase 1: Only (NOW)\n\n- [ ] **T001** [P] [US1] Do it\n  - a\n  - b\n\n")


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), ("2 hours", 7200),
    ("30 minutes", 1800), ("1 day", 86400), ("48h", 172800), (3600, 3600), ("3600", 3600),
    ("1 hour 30 minutes", 5400), ("1h, 30m", 5400), ("1 hour and 30 minutes", 5400),
    ("1.5h", 5400), ("2w", 1209600), (" 2H ", 7200), ("365 days", 365 * 86400),
])
def test_parse_duration(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "fragment"), [
    ("2 hourz", "did you mean 'hours'?"), ("0", "zero"), (0, "zero"), ("0h", "zero"),
    ("-2h", "negative"), (-5, "negative"), ("366 days", "more than 365 days"),
    ("10000h", "more than 365 days"), ("", "empty"), ("soon", "cannot read"),
    ("1h30", "missing unit"), ("2 parsecs", "unknown unit"), (True, "must be text"),
    ("h", "cannot read"), ("1h!!", "cannot read"),
])
def test_parse_duration_errors(text: str | int, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_duration(text)


def test_parse_duration_fuzz() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.text(alphabet="0123456789 .,-hmsdayoursw", max_size=20))
    def check(text: str) -> None:
        try:
            value = parse_duration(text)
        except ValueError:
            return
        assert 0 < value <= 365 * 86400

    check()


# --------------------------------------------------------------------------- problems


def test_problem_str() -> None:
    assert str(Problem("w.yaml", 3, 5, "bad")) == "w.yaml:3:5: bad"
    assert str(Problem("w.yaml", 0, 0, "file is empty")) == "w.yaml: file is empty"


def test_load_workflow_raises_with_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(MINI.replace("title: Do it", "tittle: Do it")
                    .replace("schema_version: 1", "schema_version: 3")
                    .replace("target: 1h", "target: 2 hourz"), encoding="utf-8")
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    messages = [p.message for p in info.value.problems]
    assert any("schema_version 3" in m for m in messages)
    assert any("did you mean 'title'" in m for m in messages)
    assert any("did you mean 'hours'" in m for m in messages)
    assert str(info.value).count(str(path)) == len(messages)


# --------------------------------------------------------------------------- corpus


def _corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.yaml") if p.name != "EXPECTED.yaml")


def test_corpus_is_complete() -> None:
    files = _corpus_files()
    assert len(files) >= 40
    assert sorted(EXPECTED) == files


@pytest.mark.parametrize("name", _corpus_files())
def test_corpus_case(name: str, loader: str) -> None:
    path = CORPUS / name
    before = path.read_bytes()
    start = time.perf_counter()
    problems = validate_file(path)
    elapsed = time.perf_counter() - start
    assert path.read_bytes() == before
    assert elapsed < 2.0
    assert problems, f"{name} should have problems"
    expected = EXPECTED[name]
    first = problems[0]
    assert expected["message"] in first.message, str(first)
    assert first.line == expected["line"], str(first)
    for problem in problems:
        text = str(problem)
        if problem.line:
            m = LOCATED.match(text)
            assert m and m["file"] == str(path), text
            assert int(m["line"]) >= 1 and int(m["col"]) >= 1
        else:
            assert text.startswith(f"{path}: ")
    with pytest.raises(WorkflowError):
        load_workflow(path)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    filler = "# " + "x" * 98 + "\n"
    path.write_text(MINI + filler * (10 * 1024 * 1024 // len(filler)), encoding="utf-8")
    start = time.perf_counter()
    problems = validate_file(path)
    assert time.perf_counter() - start < 1.0
    assert [p.message for p in problems] == [
        "file is 10.0 MB; workflow files are limited to 5 MB"]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert validate_file(tmp_path / "nope.yaml")[0].message == "no such file"
    assert "directory" in validate_file(tmp_path)[0].message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.encode())
    assert validate_file(path) == []


def test_custom_events_and_window_defaults(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(MINI + "events: {paged: Paged}\nwindows:\n"
                    "  - {id: w, label: W, anchor: paged, duration: 90, closed_by: [T001]}\n",
                    encoding="utf-8")
    wf = load_workflow(path)
    assert wf.events["paged"] == "Paged" and wf.events["fix_deployed"] == "Fix Deployed"
    assert wf.windows[0].duration_seconds == 90 and wf.windows[0].warnings == (0.75, 0.9)
    assert wf.statuses == () and wf.initial_status == ""


def test_core_workflow_does_not_import_textual() -> None:
    code = ("import sys, hotfix_tui.core.workflow.loader, hotfix_tui.core.workflow.render; "
            "sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --------------------------------------------------------------------------- discovery


def test_builtin_dir_has_hotfix() -> None:
    assert (builtin_workflow_dir() / "hotfix.yaml").is_file()


def test_find_workflows_order(
    tmp_path: Path, _isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTFIX_TUI_CONFIG_DIR")  # the platform's config folder (XDG here)
    repo = tmp_path / "repo"
    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    user = _isolated_config / "hotfix-tui" / "workflows"
    user.mkdir(parents=True)
    (repo / ".hotfix" / "workflows" / "hotfix.yaml").write_text(MINI, encoding="utf-8")
    (user / "hotfix.yaml").write_text(MINI, encoding="utf-8")
    (user / "mine.yaml").write_text(MINI, encoding="utf-8")
    found = find_workflows(repo)
    assert found["hotfix"] == repo / ".hotfix" / "workflows" / "hotfix.yaml"
    assert found["mine"] == user / "mine.yaml"
    assert find_workflows(None)["hotfix"] == user / "hotfix.yaml"
    (user / "hotfix.yaml").unlink()
    assert find_workflows(None)["hotfix"] == builtin_workflow_dir() / "hotfix.yaml"


def test_the_config_folder_override_holds_the_users_workflows(
    tmp_path: Path, _isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`HOTFIX_TUI_CONFIG_DIR` moves config.yaml and the user's workflows together."""
    portable = tmp_path / "portable"
    monkeypatch.setenv("HOTFIX_TUI_CONFIG_DIR", str(portable))
    (portable / "workflows").mkdir(parents=True)
    (portable / "workflows" / "mine.yaml").write_text(MINI, encoding="utf-8")
    platform = _isolated_config / "hotfix-tui" / "workflows"
    platform.mkdir(parents=True)
    (platform / "theirs.yaml").write_text(MINI, encoding="utf-8")
    found = find_workflows(None)
    assert found["mine"] == portable / "workflows" / "mine.yaml"
    assert "theirs" not in found


def test_resolve_workflow(tmp_path: Path) -> None:
    assert resolve_workflow(None, None).id == "hotfix"
    assert resolve_workflow("hotfix", tmp_path) is resolve_workflow(None, tmp_path)  # cached
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    assert resolve_workflow(str(path), None).id == "mini"
    with pytest.raises(WorkflowError, match="unknown workflow 'hotfx'; did you mean 'hotfix'"):
        resolve_workflow("hotfx", tmp_path)


def test_resolve_workflow_reloads_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    assert resolve_workflow(str(path), None).name == "Mini"
    path.write_text(MINI.replace("name: Mini", "name: Changed mini"), encoding="utf-8")
    assert resolve_workflow(str(path), None).name == "Changed mini"


# --------------------------------------------------------------------------- validate_main


def test_validate_main_ok_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(MINI, encoding="utf-8")
    bad = CORPUS / "unknown_task_key.yaml"
    assert validate_main([str(good)]) == 0
    out = capsys.readouterr()
    assert out.out == f"{good}: ok\n" and out.err == ""
    assert validate_main([str(good), str(bad), str(tmp_path / "missing.yaml")]) == 2
    out = capsys.readouterr()
    assert out.out == f"{good}: ok\n"
    assert f"{bad}:21:9: unknown key 'tittle' in task T002; did you mean 'title'?" in out.err
    assert f"{tmp_path / 'missing.yaml'}: no such file" in out.err


def test_validate_main_without_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".hotfix" / "workflows").mkdir(parents=True)
    (repo / ".hotfix" / "workflows" / "team.yaml").write_text(MINI, encoding="utf-8")
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    assert validate_main([]) == 0
    out = capsys.readouterr().out
    assert "team.yaml: ok" in out and "hotfix.yaml: ok" in out
    (repo / ".hotfix" / "workflows" / "broken.yaml").write_text("id: [", encoding="utf-8")
    assert validate_main([]) == 2
    assert "broken.yaml:1:6: YAML syntax error" in capsys.readouterr().err


def test_too_many_values_is_refused_quickly(tmp_path: Path, loader: str) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(MINI + "x:\n" + "- a\n" * 300_000, encoding="utf-8")
    start = time.perf_counter()
    problems = validate_file(path)
    assert time.perf_counter() - start < 10.0
    assert [p.message for p in problems] == ["document has more than 100000 values; refusing it"]
    assert problems[0].line > 1
