"""A tasks.md's title, header fields and phased checkboxes, without building its document.

What `tasks_md.parse_tasks` would say of them, for the texts its fast scanner reads; else None.
"""

# Used by `list` and `stats` to summarize many copies (reports/summary_scan.py). The block
# structure is the parser's own (`tasks_md._scan_fast`); what is built on it is the part of
# `tasks_md._build` that the title, the header fields and the tasks' boxes, IDs and skip reasons
# come from, on the same patterns. A text the fast scanner leaves to markdown-it, or with line
# breaks other than `\n`, a BOM or NULs, gives None. tests/reports/test_summary_scan.py
# compares both.

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotfix_tui.core.workflow.model import Workflow

from hotfix_tui.core.frozen import frozen
from hotfix_tui.core.markdown.tasks_md import (
    _ATX_RE,
    _FIELD_RE,
    _HR_RE,
    _ITEM_RE,
    _OTHER_BREAKS_RE,
    _PHASE_RE,
    _REFDEF_RE,
    _SCAN_ITEM_RE,
    _SETEXT_RE,
    _TASK_RE,
    _TITLE_PREFIX_RE,
    BOM,
    _atx_content,
    _note,
    _scan_fast,
    _starts_block,
    choice_runs,
    inline_boxes,
    note_more,
    title_parts,
)


@frozen(slots=True)
class TallyTask:
    """A task of a phase: its ID, its box, and the reason of its last `**Skipped**` note."""

    id: str | None
    done: bool
    skip: str | None


@frozen(slots=True)
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
    # the plain lines up to a heading are read here; from that heading on, by the fast scanner
    # (after an ATX heading at column 0 it is where it starts: no open item, fence or paragraph);
    # a text with a tab is all left to it (a tab after a list marker is its own case)
    cut, headings, starts, parents = (0, [], [], []) if "\t" in text else _plain_prefix(bodies)
    code: set[int] = set()
    if cut < len(bodies):
        blocks = _scan_fast(bodies[cut:])
        if blocks is None:
            return None
        n = len(starts)
        headings += [(i + cut, lv, t) for i, lv, t in blocks.headings]
        code = {i + cut for i in blocks.code}
        starts += [i + cut for i in blocks.starts]
        parents += [p + n if p >= 0 else -1 for p in blocks.parents]
        paras = [1] * n + list(blocks.paras)
    else:
        paras = [1] * len(starts)
    first_h2 = next((h[0] for h in headings if h[1] >= 2), len(bodies))
    fields: dict[str, str] = {}
    for i in range(min(first_h2, len(bodies))):
        if i not in code and (m := _FIELD_RE.fullmatch(bodies[i])):
            fields.setdefault(m.group("name"), m.group("value"))
    found: list[tuple[int, str | None, bool]] = []  # each task: (line, ID, done)
    meta: list[tuple[int, int, int, str | None, str]] = []  # what `choice_runs` reads
    head_lines = [h[0] for h in headings]
    skips: dict[int, str] = {}  # task index -> the reason of its last `**Skipped**` note
    item_task: list[int] = []  # item index -> task index, or -1
    for s, parent, para in zip(starts, parents, paras, strict=True):
        body = bodies[s]
        m = _TASK_RE.fullmatch(body) if para and "[" in body else None
        if m is None:
            item_task.append(-1)
            direct = item_task[parent] if parent >= 0 else -1
            if direct >= 0 and "**Skipped**" in body:  # a sub-item of a task: a skip note?
                im = _ITEM_RE.fullmatch(body)
                note = _note(im.group("rest") if im else body.lstrip(" "), s)
                if note is not None and note.kind == "skip":
                    k = bisect_right(starts, s)
                    stop = starts[k] if k < len(starts) else len(bodies)
                    more = note_more(bodies, s, stop, im.end("sp") if im else 0)
                    skips[direct] = "\n".join([note.text, *more])
            continue
        tid, _markers, rest = title_parts(m.group("rest"))
        label, inline = inline_boxes(rest) if "[" in rest else (rest, [])
        k = bisect_right(head_lines, s) - 1
        meta.append((head_lines[k] if k >= 0 else -1, parent, len(m.group("ind")), tid,
                     label if inline else rest.strip()))
        item_task.append(len(found))
        found.append((s, tid, m.group("st") != " "))
    runs = choice_runs(meta)  # single-choice groups: no tasks (as `tasks_md._build` says)
    if runs:
        gone = {i for run in runs for i in run}
        keep = [i for i in range(len(found)) if i not in gone]
        skips = {n: skips[i] for n, i in enumerate(keep) if i in skips}
        found = [found[i] for i in keep]
    return Tally(_title(headings), fields, _phased(headings, found, skips))


def _plain_prefix(
    bodies: list[str],
) -> tuple[int, list[tuple[int, int, str]], list[int], list[int]]:
    """The lines before `cut` as `_scan_fast` reads them: headings, item starts and parents
    (but plain steps).

    Read here: blank lines, ATX headings, paragraphs and rules at column 0, `- ` items at
    column 0 and their `- ` sub-items at column 2; `cut` is the last heading before any other
    line (0 when there is none: the fast scanner reads it all)."""
    headings: list[tuple[int, int, str]] = []
    starts: list[int] = []
    parents: list[int] = []
    top = -1  # the open item at column 0 (its content at column 2), or -1
    in_para = False
    for i, body in enumerate(bodies):
        # the usual lines first (see below: they are what they look like). A step whose text
        # starts with a letter is neither a task nor a note and no item's parent: not kept.
        if body.startswith("  - ") and top >= 0 and body[4:5].isalpha():
            in_para = True
            continue
        if body.startswith(_BOXES):
            top, in_para = len(starts), True
            starts.append(i)
            parents.append(-1)
            continue
        text = body.lstrip(" ")
        if not text:
            in_para = False
            continue
        c = text[0]
        ind = len(body) - len(text)
        if ind == 0:
            if c == "#" and (m := _ATX_RE.match(text)):
                level = len(m.group(1))
                headings.append((i, level, _atx_content(text, level)))
                top, in_para = -1, False
                continue
            if c in "\t>`~<" or (c == "[" and not in_para and _REFDEF_RE.match(text)):
                break
            if in_para and c in "=-" and _SETEXT_RE.fullmatch(text):
                break
            if c in "*-_" and _HR_RE.fullmatch(text):
                top, in_para = -1, False
                continue
            if c in "-*+" or c.isdecimal():
                m = _SCAN_ITEM_RE.match(text)
                if m is not None:
                    if not _plain_item(m):
                        break
                    top, in_para = len(starts), True
                    starts.append(i)
                    parents.append(-1)
                    continue
            if not in_para:
                top, in_para = -1, True
            continue
        if ind == 2 and top >= 0 and c in "-*+" and not (in_para and _SETEXT_RE.fullmatch(text)):
            m = _SCAN_ITEM_RE.match(text)
            if m is not None and _plain_item(m) and not _HR_RE.fullmatch(text):
                in_para = True
                starts.append(i)
                parents.append(top)
                continue
        break
    else:
        return len(bodies), headings, starts, parents
    cut = headings[-1][0] if headings else 0
    n = next((k for k, s in enumerate(starts) if s >= cut), len(starts))
    return cut, headings[:-1], starts[:n], parents[:n]


_BOXES = ("- [ ] ", "- [x] ", "- [X] ")  # a task at column 0: its text starts no other block


def _plain_item(m: re.Match[str]) -> bool:
    """An unordered item, one space after its marker, with text that starts no other block."""
    marker, spaces, rest = m.groups()
    return (
        not marker[0].isdecimal()
        and spaces == " "
        and bool(rest.strip(" \t"))
        and not _starts_block(rest)
    )


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


def progress(doc: Tally, wf: Workflow | None, severity: str | None) -> tuple[int, int]:
    """Settled (done or skipped) and total tasks, as `Incident.progress` counts them: a task
    that does not apply to the severity counts only when it is done."""
    done = total = 0
    for t in doc.tasks:
        d = wf.task(t.id) if (wf is not None and t.id) else None
        if (d.applies_to(severity) if d else True) or t.done:
            total += 1
            done += bool(t.done or t.skip)
    return done, total
