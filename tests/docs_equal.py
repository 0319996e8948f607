"""One comparison of two parsed tasks.md documents, for the tests of derived and cached parses."""

from __future__ import annotations

from dataclasses import asdict

from hotfix_tui.core.markdown import tasks_md


def same_doc(a: tasks_md.TasksDoc, b: tasks_md.TasksDoc) -> None:
    """Assert that two documents read alike: text, lines, tasks, phases, fields and header."""
    assert a.text == b.text and a.lines == b.lines and a.line_starts == b.line_starts
    assert [asdict(t) for t in a.tasks] == [asdict(t) for t in b.tasks]
    assert [asdict(p) for p in a.phases] == [asdict(p) for p in b.phases]
    assert a.choices == b.choices
    assert (a.fields, a.title, a.heading, a.newline, a.bom) == (
        b.fields,
        b.title,
        b.heading,
        b.newline,
        b.bom,
    )
