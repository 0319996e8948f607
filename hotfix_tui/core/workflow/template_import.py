"""Turn a tasks template (spec-kit-extensions' `tasks-template.md`, or any in that shape) into
a workflow YAML whose rendering gives the template back byte for byte.

The result has phases, tasks, sub-steps, preamble and epilogue; a team adds severities, SLA
targets, windows and reminders to it.
"""

# Layout: the template's header (title line and `**Field**:` lines) is kept with {title}, {id},
# {severity} and {folder} placeholders; text between tasks is kept verbatim in `before`/`after`
# and the phase `intro`, so any spacing, sub-heading or paragraph survives. The import checks
# itself: it loads the YAML it wrote and renders it; a template that does not come back is
# refused with the first line that differs.

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.workflow.model import Workflow
from hotfix_tui.core.workflow.render import PLACEHOLDER, render_tasks_md

PHASE = re.compile(r"^## Phase (?P<n>\d+): (?P<name>.*?)(?: \((?P<note>[^()\n]*)\))?\n$")
MARKERS = r"(?P<markers>(?: \[[A-Za-z0-9][A-Za-z0-9_-]*\])*)"
BOLD_TASK = re.compile(
    r"^- \[ \] \*\*(?P<id>[A-Za-z][A-Za-z0-9_-]*)"
    + MARKERS.replace("markers", "inner") + r"\*\*" + MARKERS + r" (?P<title>\S.*)\n$"
)
PLAIN_TASK = re.compile(
    r"^- \[ \] (?P<id>[A-Z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*|TXXX)" + MARKERS + r" (?P<title>\S.*)\n$"
)
STEP = re.compile(r"^  - (?P<text>\S.*)\n$")
FIELD = re.compile(r"^\*\*(?P<name>[^*\n]+)\*\*: ?(?P<value>.*)\n$")
FOLDER = re.compile(r"specs/[^\s`/]*(?:###|\[###[^\]\s]*\])[^\s`/]*")
SLUG = re.compile(r"[^a-z0-9]+")


class TemplateError(Exception):
    """A template that cannot be turned into a workflow; the message names file and line."""


@frozen
class Imported:
    """The workflow YAML, and the values that render it back into the template."""

    yaml_text: str
    workflow: Workflow
    title: str
    hotfix_id: str
    severity: str
    folder: str


def default_id(path: Path) -> str:
    """`bugfix` for `.specify/extensions/workflows/bugfix/tasks-template.md`, else the stem."""
    stem = path.name.removesuffix(".md").removesuffix("-template").removesuffix("tasks")
    name = stem.strip("-_") or path.parent.name
    return SLUG.sub("-", name.lower()).strip("-") or "imported"


def import_template(text: str, wf_id: str, source: str = "TEMPLATE") -> Imported:
    """The workflow of a tasks template; TemplateError when it cannot give the template back."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", wf_id):
        raise TemplateError(f"--id {wf_id!r}: use lowercase letters, digits and '-'")
    if "\r" in text:
        raise TemplateError(f"{source}:1: the template has CRLF line endings; save it with LF")
    if not text.endswith("\n"):
        text += "\n"
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].startswith("# "):
        raise TemplateError(f"{source}:1: a tasks template starts with a `# Title` line")
    for i, line in enumerate(lines, 1):
        if hit := PLACEHOLDER.search(line):
            raise TemplateError(
                f"{source}:{i}: the text {hit.group(0)} would be read as a "
                "placeholder; reword it"
            )
    header, values, i = _header(lines, wf_id)
    bold = [m for ln in lines if (m := BOLD_TASK.match(ln))]
    style = ("bold-markers" if any(m["inner"] for m in bold) else "bold") if bold else "plain"
    task_re = PLAIN_TASK if style == "plain" else BOLD_TASK
    starts = [k for k in range(i, len(lines)) if PHASE.match(lines[k])]
    if not starts:
        raise TemplateError(f"{source}: no `## Phase N: Name` heading; a workflow needs a phase")
    preamble = "".join(lines[i : starts[0]])
    end = _epilogue_start(lines, starts[-1], task_re)
    phases: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    seen_phase: set[str] = set()
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else end
        m = PHASE.match(lines[start])
        assert m is not None
        pid = _unique(SLUG.sub("-", m["name"].lower()).strip("-") or f"phase-{n + 1}", seen_phase)
        phase: dict[str, Any] = {"id": pid, "name": m["name"]}
        if m["note"]:
            phase["note"] = m["note"]
        phase["tasks"] = _tasks(lines, start + 1, stop, task_re, phase, seen_ids, source)
        phases.append(phase)
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": wf_id,
        "name": wf_id.replace("-", " ").title(),
        "description": f"Imported from {Path(source).name}; add severities and SLA targets.",
        "branch_prefix": wf_id,
        "folder_prefix": wf_id,
        "title_prefix": values["prefix"],
        "header": header,
    }
    if style != "bold":
        data["task_style"] = style
    first = PHASE.match(lines[starts[0]])
    if first is not None and first["n"] == "0":
        data["first_phase"] = 0
    data["preamble"] = preamble
    data["phases"] = phases
    data["epilogue"] = "".join(lines[end:])
    yaml_text = _comment(source, values) + dump_yaml(data)
    workflow = _load(yaml_text)
    back = render_tasks_md(
        workflow,
        title=values["title"],
        hotfix_id=values["id"],
        severity=values["severity"],
        input_path="",
        folder=values["folder"],
    )
    if back != text:
        _mismatch(back, text, source)
    return Imported(
        yaml_text, workflow, values["title"], values["id"], values["severity"], values["folder"]
    )


def _header(lines: list[str], wf_id: str) -> tuple[str, dict[str, str], int]:
    """The header with placeholders, the values they stand for, and where the header ends."""
    rest = lines[0][2:].rstrip("\n")
    if " - " in rest:
        prefix, _, title = rest.rpartition(" - ")
        prefix += " - "
    elif ": " in rest:
        prefix, _, title = rest.partition(": ")
        prefix += ": "
    else:
        prefix, title = "", rest
    values = {"prefix": prefix, "title": title, "id": "", "severity": "", "folder": ""}
    out = [f"# {prefix}{{title}}\n"]
    i = 1
    while i < len(lines) and not lines[i].strip():
        out.append(lines[i])
        i += 1
    fields = 0
    while i < len(lines) and (m := FIELD.match(lines[i])):
        line, name, value = lines[i], m["name"].strip(), m["value"]
        if name.upper().endswith("ID") and value.strip() and not values["id"]:
            values["id"] = value
            line = line.replace(f"**: {value}", "**: {id}", 1)
        elif name.lower() == "severity" and value.strip() and not values["severity"]:
            values["severity"] = value
            line = line.replace(f"**: {value}", "**: {severity}", 1)
        elif (f := FOLDER.search(line)) and not values["folder"]:
            values["folder"] = f.group(0)
            line = line.replace(f.group(0), "{folder}", 1)
        out.append(line)
        fields += 1
        i += 1
    if fields and i < len(lines) and not lines[i].strip():
        out.append(lines[i])
        i += 1
    if not values["id"]:
        values["id"] = f"{wf_id}-###"
    return "".join(out), values, i


def _epilogue_start(lines: list[str], last_phase: int, task_re: re.Pattern[str]) -> int:
    """The first line of the epilogue: the first `---` or `## ` line after the last task (the
    blank lines before it stay with that task)."""
    last_task = max(
        (k for k in range(last_phase, len(lines)) if task_re.match(lines[k])), default=last_phase
    )
    for k in range(last_task + 1, len(lines)):
        if lines[k].startswith(("## ", "---")):
            return k
    return len(lines)


def _tasks(
    lines: list[str],
    start: int,
    stop: int,
    task_re: re.Pattern[str],
    phase: dict[str, Any],
    seen: dict[str, int],
    source: str,
) -> list[dict[str, Any]]:
    """The tasks of one phase (lines start..stop), with the text around them kept verbatim."""
    tasks: list[dict[str, Any]] = []
    pending: list[str] = []
    k = start
    while k < stop:
        m = task_re.match(lines[k])
        if not m:
            pending.append(lines[k])
            k += 1
            continue
        tid = m["id"]
        if tid in seen:
            raise TemplateError(
                f"{source}:{k + 1}: task {tid} is also on line {seen[tid]}; give each its own ID"
            )
        seen[tid] = k + 1
        text = "".join(pending)
        if not tasks and text != "\n":
            phase["intro"] = text
        task: dict[str, Any] = {"id": tid, "title": m["title"]}
        if tasks and text:
            task["before"] = text
        inner = m["inner"] if "inner" in m.groupdict() else ""
        markers = re.findall(r"\[([^\]]+)\]", (inner or "") + (m["markers"] or ""))
        if markers:
            task["markers"] = markers
        pending = []
        k += 1
        steps = []
        while k < stop and (s := STEP.match(lines[k])):
            steps.append(s["text"])
            k += 1
        if steps:
            task["steps"] = steps
        after: list[str] = []
        while k < stop and lines[k].strip() and not task_re.match(lines[k]):
            after.append(lines[k])  # text that continues the task's block
            k += 1
        while k < stop and not lines[k].strip():
            after.append(lines[k])
            k += 1
        if not any(task_re.match(lines[j]) for j in range(k, stop)):
            # the phase's last task keeps everything up to the next heading
            after += lines[k:stop]
            k = stop
        if "".join(after) != "\n":
            task["after"] = "".join(after)
        tasks.append(task)
    if not tasks and pending and "".join(pending) != "\n":
        phase["intro"] = "".join(pending)
    return tasks


def _unique(name: str, seen: set[str]) -> str:
    out, n = name, 2
    while out in seen:
        out, n = f"{name}-{n}", n + 1
    seen.add(out)
    return out


def _comment(source: str, v: dict[str, str]) -> str:
    return (
        f"# Imported by `hotfix-tui workflow import` from {Path(source).name}. Rendered with\n"
        f"#   title {v['title']!r}, id {v['id']!r}, severity {v['severity']!r},"
        f" folder {v['folder']!r}\n"
        "# it gives the template back byte for byte. Add severities (with targets), statuses,\n"
        "# windows and on_done events to make it an incident workflow (see the built-in\n"
        "# hotfix workflow).\n\n"
    )


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML with multi-line text as literal blocks and the keys in the order given."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def _load(yaml_text: str) -> Workflow:
    """Load YAML text through the workflow checker (the file's problems become a TemplateError)."""
    from hotfix_tui.core.workflow.loader import WorkflowError, load_workflow

    with tempfile.TemporaryDirectory(prefix="hotfix-tui-import-") as tmp:
        path = Path(tmp, "imported.yaml")
        path.write_text(yaml_text, encoding="utf-8")
        try:
            return load_workflow(path)
        except WorkflowError as exc:
            raise TemplateError("\n".join(p.message for p in exc.problems)) from exc


def _mismatch(back: str, text: str, source: str) -> None:
    a, b = back.splitlines(keepends=True), text.splitlines(keepends=True)
    for i, (x, y) in enumerate(zip(a, b, strict=False), 1):
        if x != y:
            raise TemplateError(
                f"{source}:{i}: this line would not come back from the workflow ({y.rstrip()!r} "
                f"became {x.rstrip()!r}); nothing was written"
            )
    raise TemplateError(
        f"{source}:{min(len(a), len(b)) + 1}: the workflow would not give the template back "
        "(it differs in length); nothing was written"
    )


def derive(root: Path, name: str) -> Imported | None:
    """The workflow derived from `.specify/extensions/workflows/NAME/tasks-template.md`."""
    path = specify_dir(root, name) / "tasks-template.md"
    if not path.is_file():
        return None
    try:
        text = path.read_bytes().decode("utf-8")  # line endings as they are
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template ({exc})") from exc
    return import_template(text, name, str(path))


def specify_dir(root: Path, name: str) -> Path:
    """Where spec-kit-extensions installs a workflow's templates in a repository."""
    return root / ".specify" / "extensions" / "workflows" / name


def record_templates(root: Path, name: str) -> list[Path]:
    """The workflow's other templates (`bug-report-template.md`, ...) in the repository: under
    `templates/NAME/` (today's installs), else `NAME/` (before 2026-03)."""
    for d in (specify_dir(root, "templates") / name, specify_dir(root, name)):
        try:
            found = sorted(
                p
                for p in d.iterdir()
                if p.is_file() and p.name.endswith("-template.md")
                and p.name != "tasks-template.md"
            )
        except OSError:
            continue
        if found:
            return found
    return []


def fill_record(
    text: str, *, title: str, hotfix_id: str, slug: str, prefix: str, date: str, description: str
) -> str:
    """A record template with the placeholders whose values are known filled in."""
    for old, new in (
        ("[TITLE]", title),
        (f"[{prefix}-###]", hotfix_id),
        (f"{prefix}-###", hotfix_id),
        ("[###-short-description]", slug),
        ("[DATE]", date),
        ("$ARGUMENTS", description),
    ):
        text = text.replace(old, new)
    return text
