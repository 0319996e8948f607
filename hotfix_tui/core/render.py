"""Render a workflow into the text of a new tasks.md."""

from __future__ import annotations

from hotfix_tui.core.model import Workflow


def render_tasks_md(workflow: Workflow, *, title: str, hotfix_id: str, severity: str,
                    input_path: str) -> str:
    """Return tasks.md for a new incident: header fields, preamble, phases, tasks, epilogue.

    Rendering the built-in hotfix workflow with the template placeholders gives the seed file.
    """
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
    for n, phase in enumerate(workflow.phases, 1):
        note = f" ({phase.note})" if phase.note else ""
        out += [f"## Phase {n}: {phase.name}{note}\n", "\n"]
        for task in phase.tasks:
            markers = "".join(f" [{m}]" for m in task.markers)
            out.append(f"- [ ] **{task.id}**{markers} {task.title}\n")
            out += [f"  - {step.text}\n" for step in task.steps]
            out.append("\n")
    if workflow.epilogue:
        out.append(workflow.epilogue.rstrip("\n") + "\n")
    return "".join(out)
