"""A log read again after an append: only the added lines
are parsed, the earlier events are the same objects, and any other change is read in full."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotfix_tui.core.record import events as ev

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _made(count: int, start: int = 0) -> list[ev.Event]:
    rec = ev.Recorder("c1", "Ann")
    return [
        rec.make("done", T0 + timedelta(seconds=start + i), task=f"T{start + i:03d}")
        for i in range(count)
    ]


def _text(events: list[ev.Event]) -> str:
    return "".join(e.line() for e in events)


def test_an_append_reuses_the_events_read_before() -> None:
    first, more = _made(5), _made(3, start=5)
    before, _ = ev.parse_log(_text(first), "reuse.log")
    after, problems = ev.parse_log(_text(first + more), "reuse.log")
    assert problems == [] and after == first + more
    assert all(a is b for a, b in zip(after, before, strict=False))  # not made again
    assert after is not before  # every caller gets its own list


def test_a_change_before_the_end_is_read_in_full() -> None:
    events = _made(4)
    ev.parse_log(_text(events), "edit.log")
    changed = _text(events).replace(events[1].line(), "")  # a line dropped (e.g. a reset)
    got, _ = ev.parse_log(changed, "edit.log")
    assert got == [events[0], events[2], events[3]]
    other, _ = ev.parse_log(_text(events[:2]) + "not json\n" + _text(events[2:]), "edit.log")
    assert [e.id for e in other] == [e.id for e in events]


def test_appended_lines_keep_order_dedupe_and_line_numbers_of_problems() -> None:
    events = _made(6)
    ev.parse_log(_text(events[3:]), "merge.log")
    # a union merge appends lines recorded earlier and repeats one already there
    merged = _text(events[3:]) + _text(events[:3]) + events[4].line()
    got, problems = ev.parse_log(merged, "merge.log")
    assert got == events and problems == []
    bad = merged + "garbage\n" + events[0].line()
    got, problems = ev.parse_log(bad, "merge.log")
    assert got == events
    assert problems == ["merge.log:8: not an event line (expected one JSON object)"]


def test_a_torn_line_completed_later_is_read_whole() -> None:
    events = _made(3)
    line = events[2].line()
    torn = _text(events[:2]) + line[:20]
    got, _ = ev.parse_log(torn, "torn.log")
    assert got == events[:2]
    got, problems = ev.parse_log(_text(events), "torn.log")
    assert got == events and problems == []
