"""Workflow data model: phases, tasks, severities, clocks, windows and status rules.

Plain dataclasses with no I/O; `workflow.py` builds them from YAML and checks them.
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property

from hotfix_tui.core.frozen import frozen

# Events are named points in time. Built-in ones map to hotfix.md timeline fields.
BUILTIN_EVENTS: dict[str, str] = {
    "incident_start": "Incident Start",
    "detection": "Detection",
    "investigation_start": "Investigation Start",
    "root_cause_identified": "Root Cause Identified",
    "fix_deployed": "Fix Deployed",
    "incident_end": "Incident End",
}
# The severities of an incident without a workflow (a plain checklist): the only default.
DEFAULT_SEVERITIES: tuple[str, ...] = ("P0", "P1", "P2")
# The roles of an incident whose workflow declares none (`roles:`): id -> what it is called.
DEFAULT_ROLES: dict[str, str] = {
    "commander": "incident commander",
    "communications": "communications lead",
}
COMMANDER = "commander"  # the role a hand-over passes on
# The status update's template when the workflow has no `update_template` ({...}: the record's
# facts, see `reports/updates.py`).
DEFAULT_UPDATE_TEMPLATE = (
    "{id} {title} ({severity}, {status})\n"
    "State of service: {status}; {progress} tasks settled\n"
    "What we know: {known}\n"
    "Next steps: {next}\n"
    "Next update at: {next_update}\n"
)


@frozen
class Step:
    """One sub-step of a task; `severities` limits it to some severities (empty: all)."""

    text: str
    severities: tuple[str, ...] = ()


@frozen
class TaskDef:
    """A task of the workflow, with the severities it applies to and what its completion does."""

    id: str
    title: str
    steps: tuple[Step, ...] = ()
    severities: tuple[str, ...] = ()  # empty: every severity
    not_applicable_reason: str = ""  # shown when the task does not apply to a severity
    events: tuple[str, ...] = ()  # events recorded when the task is done
    status: str = ""  # incident status reached when the task is done
    markers: tuple[str, ...] = ()  # e.g. ("P",) written as [P]
    line: int = 0  # 1-based line in the YAML source, 0 when unknown
    before: str = ""  # markdown written verbatim before the task line (imported templates)
    after: str | None = None  # written after the task and its steps; None: one blank line
    run: str = ""  # a runbook command with placeholders (`runcmd.PLACEHOLDERS`); '': none

    def applies_to(self, severity: str | None) -> bool:
        return not self.severities or severity is None or severity in self.severities


@frozen
class PhaseDef:
    """A phase: a `## Phase N: Name (NOTE)` heading and its tasks."""

    id: str
    name: str
    note: str = ""
    tasks: tuple[TaskDef, ...] = ()
    intro: str | None = None  # markdown between the heading and the first task; None: a blank


@frozen
class SeverityDef:
    """A severity level with its label, colour and time-to-resolution target in seconds."""

    id: str
    label: str
    target_seconds: int
    color: str = ""


@frozen
class ClockDef:
    """The resolution clock: it starts at one event, stops at another, warns at fractions."""

    starts_at: str = "incident_start"
    stops_at: str = "incident_end"
    warnings: tuple[float, ...] = (0.5, 0.75, 0.9)


@frozen
class WindowDef:
    """A time window anchored to an event, e.g. the rollback checkpoint 2 h after deployment."""

    id: str
    label: str
    anchor: str
    duration_seconds: int
    closed_by: tuple[str, ...] = ()  # task IDs whose completion closes the window
    warnings: tuple[float, ...] = (0.75, 0.9)


@frozen
class ReminderDef:
    """A recurring reminder, e.g. a stakeholder update every 30 min for P0 and 1 h for P1."""

    id: str
    label: str
    every: dict[str, int]  # severity id -> interval in seconds; others get no reminder
    task: str = ""  # the task it is about (shown with it), e.g. T002
    stops_at: str = ""  # the event after which it no longer fires ('': the clock's stops_at)

    def interval(self, severity: str | None) -> int | None:
        return self.every.get(severity or "")


@frozen
class Workflow:
    """A whole workflow definition, as loaded from one YAML file."""

    id: str
    name: str
    description: str = ""
    branch_prefix: str = "hotfix"
    folder_prefix: str = "hotfix"
    title_prefix: str = "Tasks: Hotfix - "
    preamble: str = ""  # markdown between the header fields and the first phase
    epilogue: str = ""  # markdown after the last phase (rollback procedure, criteria, footer)
    # An imported template's own header (title line and fields) with {title}, {id}, {severity}
    # and {folder} placeholders; when set, preamble and epilogue are written verbatim.
    header: str = ""
    # "bold": `- [ ] **T001** …`; "plain": `- [ ] T001 …` (spec-kit); "bold-markers":
    # `- [ ] **T001 [P]** …` (spec-kit-extensions' modify template)
    task_style: str = "bold"
    first_phase: int = 1  # the number of the first `## Phase N:` heading (0 or 1)
    severities: tuple[SeverityDef, ...] = ()
    statuses: tuple[str, ...] = ()
    initial_status: str = ""
    final_statuses: tuple[str, ...] = ()  # statuses that close the incident (empty: the last)
    clock: ClockDef = field(default_factory=ClockDef)
    events: dict[str, str] = field(default_factory=lambda: dict(BUILTIN_EVENTS))
    windows: tuple[WindowDef, ...] = ()
    phases: tuple[PhaseDef, ...] = ()
    source: str = ""  # path of the YAML file
    reminders: tuple[ReminderDef, ...] = ()
    source_sha256: str = ""  # the SHA-256 of the bytes parsed ('' when unknown)
    roles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))  # id -> label
    update_template: str = DEFAULT_UPDATE_TEMPLATE  # the status update composer's first text

    def severity(self, sid: str | None) -> SeverityDef | None:
        return next((s for s in self.severities if s.id == sid), None)

    def task(self, tid: str) -> TaskDef | None:
        return self._task_index.get(tid)

    @cached_property
    def _task_index(self) -> dict[str, TaskDef]:
        """Task definitions by ID (the first of a repeated ID), built once per workflow."""
        index: dict[str, TaskDef] = {}
        for p in self.phases:
            for t in p.tasks:
                index.setdefault(t.id, t)
        return index

    def all_tasks(self) -> list[TaskDef]:
        return [t for p in self.phases for t in p.tasks]

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of the whole definition's repr, made once per workflow (projection keys)."""
        from hotfix_tui.core.hashing import sha256

        return sha256(repr(self).encode("utf-8", errors="surrogateescape")).hexdigest()


def severity_ids(workflow: Workflow | None) -> tuple[str, ...]:
    """The workflow's severity IDs, most severe first (`DEFAULT_SEVERITIES` without one)."""
    return tuple(s.id for s in workflow.severities) if workflow else DEFAULT_SEVERITIES


def role_labels(workflow: Workflow | None) -> dict[str, str]:
    """The roles an incident has (id -> label): its workflow's, `DEFAULT_ROLES` without one."""
    return dict(workflow.roles) if workflow is not None else dict(DEFAULT_ROLES)
