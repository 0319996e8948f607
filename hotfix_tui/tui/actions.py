"""The one action registry: every action of the main screen, declared once.

Bindings, the footer, the command palette, the help screen and README's key table follow from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from hotfix_tui.core.frozen import frozen

if TYPE_CHECKING:
    from hotfix_tui.core.workflow.model import Workflow


class Acting(Protocol):
    """What an action's `unable` reads of the incident on screen (an `Incident`)."""

    @property
    def kind(self) -> str: ...

    @property
    def severities(self) -> bool: ...

    @property
    def severity(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def workflow(self) -> Workflow | None: ...

    def text(self, name: str) -> str: ...


def _what(inc: Acting) -> str:
    return f"a {inc.kind}" if inc.kind and inc.kind != "hotfix" else "this incident"


def _no_severities(inc: Acting) -> str:
    """Why the severity cannot be changed ('' when it can)."""
    if inc.severities:
        return ""
    said = f"; its record's own Severity, {inc.severity}, is shown as written" if inc.severity else ""
    return f"{_what(inc)} has no severities to choose (its workflow declares none){said}"


def _no_statuses(inc: Acting) -> str:
    """Why the status cannot be set ('' when it can)."""
    if inc.workflow is not None and inc.workflow.statuses:
        return ""
    return (f"{_what(inc)} has no statuses to set (its workflow declares none): its status, "
            f"{inc.status or 'open'}, is its record's Status box, else open until every task "
            "is settled")


def _no_postmortem(inc: Acting) -> str:
    """Why the post-mortem cannot be filled ('' when it can)."""
    return "" if inc.text("post-mortem.md") else f"{_what(inc)} has no post-mortem.md to fill"


@frozen
class Action:
    """An action: its method (`action_<name>`), its binding id and default keys (none for a
    palette-only one), its titles, where it shows, and when it cannot act (`unable`)."""

    action: str
    title: str  # short: the footer and the help screen
    id: str | None = None  # the binding id a keymap remaps (None: the palette only)
    keys: str = ""  # default keys, comma-separated (Textual key names)
    footer: bool = False  # shown in the footer
    keep: int = 0  # the footer's priority: when its keys do not fit, the highest numbers go first
    palette: str | None = None  # the command palette's title (None: not in the palette)
    help: str = ""  # the palette's help line
    doc: str = ""  # README's description
    # why it cannot act on the incident on screen ('' when it can): its key is then hidden,
    # and pressing it (or choosing it in the palette) says why
    unable: Callable[[Acting], str] | None = None


ACTIONS: tuple[Action, ...] = (
    Action("cursor_down", "Move down", id="hotfix.down", keys="down,j", doc="move down"),
    Action("cursor_up", "Move up", id="hotfix.up", keys="up,k", doc="move up"),
    Action(
        "toggle_done",
        "Done",
        id="hotfix.toggle",
        keys="space,x",
        footer=True,
        keep=1,
        palette="Toggle done",
        help="check or uncheck the task under the cursor",
        doc="toggle done",
    ),
    Action(
        "choice_next",
        "Next choice",
        id="hotfix.choice_next",
        keys="right",
        palette="Next option of the choice",
        help="set the single choice under the cursor to its next option",
        doc="set a single choice (Data loss; Yes / No / N/A) to its next option",
    ),
    Action(
        "choice_prev",
        "Previous choice",
        id="hotfix.choice_prev",
        keys="left",
        palette="Previous option of the choice",
        help="set the single choice under the cursor to its previous option",
        doc="set a single choice to its previous option",
    ),
    Action(
        "done_at",
        "Done at",
        id="hotfix.done_at",
        keys="X",
        palette="Check at a given time",
        help="check the task under the cursor at a time you give (UTC)",
        doc="check the task at a time you give",
    ),
    Action(
        "expand",
        "Expand",
        id="hotfix.expand",
        keys="enter",
        palette="Expand / collapse",
        help="show the task's steps and notes, or open/close a phase",
        doc="expand a task (steps, notes) or open/close a phase",
    ),
    Action(
        "next_phase",
        "Next phase",
        id="hotfix.next_phase",
        keys="tab,right_square_bracket",
        palette="Next phase",
        help="jump to the next phase",
        doc="next phase",
    ),
    Action(
        "prev_phase",
        "Previous phase",
        id="hotfix.prev_phase",
        keys="shift+tab,left_square_bracket",
        palette="Previous phase",
        help="jump to the previous phase",
        doc="previous phase",
    ),
    Action(
        "next_open",
        "Next open",
        id="hotfix.next_open",
        keys="g",
        footer=True,
        keep=2,
        palette="Next open task",
        help="jump to the first task still to do, from the cursor on",
        doc="next open task (the one under the cursor if it is open)",
    ),
    Action(
        "skip",
        "Skip",
        id="hotfix.skip",
        keys="s",
        footer=True,
        keep=9,
        palette="Skip task…",
        help="skip the task under the cursor with a reason",
        doc="skip with a reason (on a skipped task: unskip)",
    ),
    Action(
        "note",
        "Note",
        id="hotfix.note",
        keys="n",
        footer=True,
        keep=8,
        palette="Add note…",
        help="add a note to the task under the cursor",
        doc="note (inline input)",
    ),
    Action(
        "note_editor",
        "Note in $EDITOR",
        id="hotfix.note_editor",
        keys="N,ctrl+e",
        palette="Add note in $EDITOR…",
        help="write a note in your editor",
        doc="note in `$EDITOR`",
    ),
    Action(
        "severity",
        "Severity",
        id="hotfix.severity",
        keys="e",
        footer=True,
        keep=10,
        palette="Change severity…",
        help="change the incident severity (clocks follow)",
        doc="change severity (with confirmation)",
        unable=_no_severities,
    ),
    Action(
        "undo",
        "Undo",
        id="hotfix.undo",
        keys="u",
        footer=True,
        keep=7,
        palette="Undo last change",
        help="undo the last change made in this session",
        doc="undo the last change",
    ),
    Action(
        "redo",
        "Redo",
        id="hotfix.redo",
        keys="ctrl+r",
        palette="Redo the change undone",
        help="do again the change the last undo took back",
        doc="redo what `u` undid",
    ),
    Action(
        "filter",
        "Filter",
        id="hotfix.filter",
        keys="slash",
        footer=True,
        keep=3,
        palette="Filter tasks…",
        help="show only tasks matching a text",
        doc="filter tasks (`esc` clears)",
    ),
    Action(
        "clear_filter",
        "Clear filter / cancel",
        id="hotfix.clear",
        keys="escape",
        palette="Clear filter",
        help="show all tasks again",
        doc="clear the filter, cancel a note",
    ),
    Action("cursor_top", "First row", id="hotfix.top", keys="home", doc="first row"),
    Action("cursor_bottom", "Last row", id="hotfix.bottom", keys="end", doc="last row"),
    Action("page_down", "Page down", id="hotfix.page_down", keys="pagedown", doc="page down"),
    Action("page_up", "Page up", id="hotfix.page_up", keys="pageup", doc="page up"),
    Action(
        "commit",
        "Commit the incident folder",
        id="hotfix.commit",
        keys="c",
        palette="Commit incident",
        help="commit the incident folder only (git)",
        doc="commit the incident folder (only it)",
    ),
    Action(
        "sync",
        "Sync with the team (git remote)",
        id="hotfix.sync",
        keys="S",
        palette="Sync with the team",
        help="commit, fetch, merge the others' changes and push (git)",
        doc="sync with the team through the git remote",
    ),
    Action(
        "activity",
        "Activity (who did what, when)",
        id="hotfix.activity",
        keys="a",
        palette="Activity",
        help="the post-mortem timeline: who did what, when",
        doc="activity: who did what, when (◆ marks what arrived from others), and the folder's git history (who committed what, when)",
    ),
    Action(
        "fix_commit",
        "Pick the fix commit",
        id="hotfix.fix_commit",
        keys="f",
        palette="Pick fix commit…",
        help="record the fix's Commit SHA from the branch's commits",
        doc="pick the fix commit from the branch's recent commits",
    ),
    Action(
        "report",
        "Hand-over report",
        id="hotfix.report",
        keys="r",
        palette="Hand-over report",
        help="a status update for stakeholders and the next on-call",
        doc="hand-over report",
    ),
    Action(
        "detection",
        "Record detection (when, how)",
        id="hotfix.detection",
        keys="d",
        palette="Record detection…",
        help="when and how the incident was detected",
        doc="record how and when the incident was detected (opens with the current answer)",
    ),
    Action(
        "overview",
        "Overview: every incident, every branch",
        id="hotfix.overview",
        keys="o",
        palette="Overview of every incident",
        help="every incident and spec on every branch",
        doc="overview: every incident and spec on every branch, grouped by kind, with progress bars and live SLA clocks (`≠`: the copies on different branches hold different events, the row is their union), and spec-kit's workflow runs (first when a gate waits); `enter` opens one (another branch's copy read-only, `c` checks its branch out; a run's gate to answer), `m` stats, `F` fetch now, `R` reload",
    ),
    Action(
        "gates",
        "Workflow gate (spec-kit)",
        id="hotfix.gates",
        keys="w",
        palette="Answer a workflow gate…",
        help="the oldest spec-kit workflow run waiting at a gate: its message and options",
        doc="the oldest spec-kit workflow run waiting at a gate (`.specify/workflows/runs/`): its message and options; a confirmed choice resumes the run here in the background (`specify workflow resume`, output in `.git/hotfix-tui/runs/`); a gate without `verdict_input` shows the command to run, `y` copies it",
    ),
    Action(
        "stats",
        "SLA stats over every incident",
        id="hotfix.stats",
        keys="m",
        palette="SLA stats",
        help="compliance, time to resolve and detect, over every incident",
        doc="SLA stats: time to resolution against each target as a chart, and the table of `hotfix-tui stats`",
    ),
    Action(
        "copy",
        "Copy a command (rollback, branch)",
        id="hotfix.copy",
        keys="y",
        palette="Copy a command…",
        help="rollback and branch commands filled from the record",
        doc="copy a command filled from the record (`git revert <fix>`, `git reset --hard <before the fix>` with its warning, the branch)",
    ),
    Action(
        "reminder_sent",
        "Status update",
        id="hotfix.reminder_sent",
        keys="U",
        palette="Send a status update…",
        help="compose a status update from the workflow's template; sending it restarts the "
        "reminder and posts it",
        doc="status update: a composer prefilled from the workflow's template (state of service, "
        "what we know, next steps, next update at); `ctrl+s` sends it: recorded, the reminder "
        "restarts, posted through `alerts.command` (kind `update`); sent empty it only marks "
        "the update sent",
    ),
    Action(
        "assign",
        "Assign task",
        id="hotfix.assign",
        keys="A",
        palette="Assign task…",
        help="assign the task under the cursor to a person (empty: nobody)",
        doc="assign the task to a person (`@name` on its row; empty: unassign)",
    ),
    Action(
        "give_role",
        "Roles",
        id="hotfix.roles",
        keys="R",
        palette="Give a role…",
        help="give a role of the workflow (incident commander, communications lead) to a person",
        doc="roles: give the incident commander, communications lead (the workflow's `roles:`) "
        "to a person; the commander shows in the header",
    ),
    Action(
        "handover",
        "Hand over",
        id="hotfix.handover",
        keys="H",
        palette="Hand over the incident…",
        help="hand the commander role over with the current report; it is theirs once accepted",
        doc="hand over: the commander role is offered with the current report (posted through "
        "`alerts.command`, kind `handover`); both names show \"handing over\" until accepted",
    ),
    Action(
        "accept_handover",
        "Accept hand-over",
        id="hotfix.accept",
        keys="K",
        palette="Accept the hand-over",
        help="take over as commander: accept the hand-over waiting",
        doc="accept the hand-over waiting: its person is the commander now",
    ),
    Action(
        "run_step",
        "Run the task's command",
        id="hotfix.run_step",
        keys="exclamation_mark",
        palette="Run the task's command…",
        help="the runbook command of the task under the cursor, after a confirmation",
        doc="run the task's `run:` command (placeholders filled from the record, shown in full to confirm; a repository workflow's commands only once trusted); exit code and duration recorded, output kept under `.git/`, attached to the record with `a`; `x` then checks the task",
    ),
    Action(
        "followup",
        "Add a follow-up",
        id="hotfix.followup",
        keys="F",
        palette="Add a follow-up…",
        help="a post-mortem action item with owner and due date",
        doc="add a follow-up: a post-mortem action item (`AI-NNN`) with owner and due date",
        unable=_no_postmortem,
    ),
    Action(
        "help",
        "Help",
        id="hotfix.help",
        keys="question_mark",
        footer=True,
        keep=4,
        palette="Help: show keys",
        help="the help screen with every key binding",
        doc="help: every binding, as remapped",
    ),
    Action(
        "app.quit",
        "Quit",
        id="hotfix.quit",
        keys="q",
        footer=True,
        keep=6,
        palette="Quit",
        help="leave hotfix-tui",
        doc="quit",
    ),
    Action(
        "expand_all",
        "Expand all phases",
        palette="Expand all phases",
        help="open every phase",
        doc="open every phase",
    ),
    Action(
        "collapse_all",
        "Collapse all phases",
        palette="Collapse all phases",
        help="close every phase",
        doc="close every phase",
    ),
    Action(
        "reload",
        "Reload from disk",
        palette="Reload from disk",
        help="re-read the incident files now",
        doc="re-read the incident files now",
    ),
    Action(
        "fill_postmortem",
        "Fill post-mortem",
        palette="Fill post-mortem",
        help="fill what the record knows into post-mortem.md",
        doc="fill what the record knows into post-mortem.md",
        unable=_no_postmortem,
    ),
    Action(
        "correct_start",
        "Correct incident start",
        palette="Correct incident start…",
        help="move the Incident Start; every clock follows",
        doc="move the Incident Start; every clock follows",
    ),
    Action(
        "set_status",
        "Set status",
        palette="Set status…",
        help="move the incident to a status of its workflow",
        doc="move the incident to a status of its workflow",
        unable=_no_statuses,
    ),
)

_BY_ACTION = {a.action: a for a in ACTIONS}


def unable(action: str, incident: Acting) -> str:
    """Why `action` cannot act on `incident` ('' when it can, or for an action not declared)."""
    found = _BY_ACTION.get(action)
    return found.unable(incident) if found is not None and found.unable is not None else ""


# (id, keys, action, description, shown in footer): the main screen's bindings
MAIN_BINDINGS: list[tuple[str, str, str, str, bool]] = [
    (a.id, a.keys, a.action, a.title, a.footer) for a in ACTIONS if a.id is not None
]
# (action, title, help): what the command palette offers
PALETTE: list[tuple[str, str, str]] = [
    (a.action, a.palette, a.help) for a in ACTIONS if a.palette is not None
]
# The footer's priorities (the command palette's key among them): what does not fit the width
# goes, the highest number first (it stays bound, in ? help and in the palette).
PALETTE_KEEP = 5
FOOTER_KEEP: dict[str, int] = {
    **{a.action: a.keep for a in ACTIONS if a.footer}, "command_palette": PALETTE_KEEP,
}

KEY_NAMES = {
    "space": "space",
    "question_mark": "?",
    "slash": "/",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "escape": "esc",
    "exclamation_mark": "!",
    "enter": "enter",
}


def display_keys(keys: str) -> str:
    """Keys as people read them: `space / x`."""
    out = []
    for k in keys.split(","):
        k = k.strip()
        out.append(KEY_NAMES.get(k, k.replace("_", " ")))
    return " / ".join(out)


def readme_table() -> str:
    """README's key table (between `<!-- keys:start -->` and `<!-- keys:end -->`)."""
    rows = ["| key | action | binding id |", "| --- | --- | --- |"]
    for a in ACTIONS:
        if a.id is None:
            continue
        keys = " ".join(f"`{k.strip()}`" for k in display_keys(a.keys).split(" / "))
        rows.append(f"| {keys} | {a.doc} | `{a.id}` |")
    rows.append("| `ctrl+p` | command palette: every action below and more | |")
    extra = [a for a in ACTIONS if a.id is None and a.palette]
    rows += [f"| palette: {a.palette} | {a.doc} | |" for a in extra]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(readme_table(), end="")
