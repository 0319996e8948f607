"""A tasks.md's title, header fields and phased checkboxes, without building its document.

What `tasks_md.parse_tasks` would say of them, for the texts its fast scanner reads; else None.
"""

# Used by `list` and `stats` to summarize many copies (reports/summary_scan.py). The block
# structure is the parser's own (`tasks_md._scan_fast`); what is built on it is the part of
# `tasks_md._build` that the title, the header fields and the tasks' boxes, IDs and skip reasons
# come from, on the same patterns. A text the fast scanner leaves to markdown-it, or with line
# breaks other than `\n`, a BOM or NULs, gives None. tests/test_summary_scan.py compares both.

from __future__ import annotations

from dataclasses import dataclass

from hotfix_tui.core.markdown.tasks_md import (
    _FIELD_RE,
    _ID_RE,
    _ITEM_RE,
    _NOTE_RE,
    _OTHER_BREAKS_RE,
    _PHASE_RE,
    _TASK_RE,
    _TITLE_PREFIX_RE,
    BOM,
    _scan_fast,
)


@dataclass(frozen=True, slots=True)
class TallyTask:
    """A task of a phase: its ID, its box, and the reason of its last `**Skipped**` note."""

    id: str | None
    done: bool
    skip: str | None


@dataclass(frozen=True, slots=True)
class Tally:
    """What `TasksDoc` would say of the title, the header fields and the tasks in phases."""

    title: str
    fields: dict[str, str]  # name -> value, as TasksDoc.fields[name].value
    tasks: list[TallyTask]  # the tasks of every phase (a task outside a phase is left out)


def tally(text: str) -> Tally | None:
    """The title, fields and phased tasks of `text`; None when the full parse must decide."""
    if "\0" in text or text.startswith(BOM) or _OTHER_BREAKS_RE.search(text):
        return None
    bodies = text.split("\n")
    if bodies[-1] == "":
        bodies.pop()
    blocks = _scan_fast(bodies)
    if blocks is None:
        return None
    headings, code = blocks.headings, blocks.code
    first_h2 = next((h[0] for h in headings if h[1] >= 2), len(bodies))
    fields: dict[str, str] = {}
    for i in range(min(first_h2, len(bodies))):
        if i not in code and (m := _FIELD_RE.fullmatch(bodies[i])):
            fields.setdefault(m.group("name"), m.group("value"))
    found: list[tuple[int, str | None, bool]] = []  # each task: (line, ID, done)
    skips: dict[int, str] = {}  # task index -> the reason of its last `**Skipped**` note
    item_task: list[int] = []  # item index -> task index, or -1
    for s, parent, para in zip(blocks.starts, blocks.parents, blocks.paras, strict=True):
        body = bodies[s]
        m = _TASK_RE.fullmatch(body) if para else None
        if m is None:
            item_task.append(-1)
            direct = item_task[parent] if parent >= 0 else -1
            if direct >= 0:  # a sub-item of a task: a skip note?
                im = _ITEM_RE.fullmatch(body)
                rest = im.group("rest").strip() if im else body.strip()
                nm = _NOTE_RE.fullmatch(rest) if rest[:2] == "**" else None
                if nm and nm.group("kind") == "Skipped":
                    skips[direct] = nm.group("text").strip()
            continue
        im2 = _ID_RE.match(m.group("rest"))
        item_task.append(len(found))
        found.append((s, (im2.group("b") or im2.group("p")) if im2 else None, m.group("st") != " "))
    return Tally(_title(headings), fields, _phased(headings, found, skips))


def _title(headings: list[tuple[int, int, str]]) -> str:
    heading = next((h[2] for h in headings if h[1] == 1), "")
    return _TITLE_PREFIX_RE.sub("", heading, count=1) if heading else ""


def _phased(
    headings: list[tuple[int, int, str]],
    found: list[tuple[int, str | None, bool]],
    skips: dict[int, str],
) -> list[TallyTask]:
    """The tasks that belong to a phase, as `tasks_md._build` assigns them."""
    heads = {h[0]: (h[1], _PHASE_RE.fullmatch(h[2]) is not None and h[1] >= 2) for h in headings}
    explicit = any(is_phase for _lv, is_phase in heads.values())
    out: list[TallyTask] = []
    in_phase = not explicit
    level = 0
    lines = sorted(heads)
    h = 0
    for n, (line, tid, done) in enumerate(found):
        while h < len(lines) and lines[h] <= line:
            lv, is_phase = heads[lines[h]]
            if explicit:
                if is_phase:
                    in_phase, level = True, lv
                elif in_phase and lv <= level:
                    in_phase = False
            h += 1
        if in_phase:
            out.append(TallyTask(tid, done, skips.get(n)))
    return out
