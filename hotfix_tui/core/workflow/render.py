"""Render a workflow into the text of a new tasks.md."""

from __future__ import annotations

import re

from hotfix_tui.core.workflow.model import TaskDef, Workflow

PLACEHOLDER = re.compile(r"\{(title|id|severity|folder)\}")


def render_tasks_md(
    workflow: Workflow,
    *,
    title: str,
    hotfix_id: str,
    severity: str,
    input_path: str,
    folder: str | None = None,
) -> str:
    """Return tasks.md for a new incident: header fields, preamble, phases, tasks, epilogue.

    Rendering the built-in hotfix workflow with the template placeholders gives the seed file.
    """
    # A workflow imported from a template (`header` set) keeps its own header, and writes its
    # preamble, phase intros, text around tasks and epilogue verbatim, so rendering it with the
    # template's placeholders gives the template back byte for byte.
    verbatim = bool(workflow.header)
    if verbatim:
        values = {
            "title": title,
            "id": hotfix_id,
            "severity": severity,
            "folder": folder if folder is not None else input_path.rpartition("/")[0],
        }
        out = [PLACEHOLDER.sub(lambda m: values[m.group(1)], workflow.header)]
        out.append(workflow.preamble)
    else:
        out = [
            f"# {workflow.title_prefix}{title}\n",
            "\n",
            f"**Hotfix ID**: {hotfix_id}\n",
            f"**Severity**: {severity}\n",
            f"**Input**: Hotfix spec from `{input_path}`\n",
            "\n",
        ]
        if workflow.preamble:
            out += [workflow.preamble.rstrip("\n") + "\n", "\n"]
    for n, phase in enumerate(workflow.phases, workflow.first_phase):
        note = f" ({phase.note})" if phase.note else ""
        out += [f"## Phase {n}: {phase.name}{note}\n", "\n" if phase.intro is None else phase.intro]
        for task in phase.tasks:
            out += [task.before, task_line(task, workflow.task_style)]
            out += [f"  - {step.text}\n" for step in task.steps]
            out.append("\n" if task.after is None else task.after)
    if verbatim:
        out.append(workflow.epilogue)
    elif workflow.epilogue:
        out.append(workflow.epilogue.rstrip("\n") + "\n")
    return "".join(out)


def task_line(task: TaskDef, style: str = "bold") -> str:
    """`- [ ] **T001** [P] Title` (without the bold for the plain style, `**T001 [P]**` for
    bold-markers), with its newline."""
    markers = "".join(f" [{m}]" for m in task.markers)
    if style == "bold-markers":
        return f"- [ ] **{task.id}{markers}** {task.title}\n"
    tid = f"**{task.id}**" if style == "bold" else task.id
    return f"- [ ] {tid}{markers} {task.title}\n"
