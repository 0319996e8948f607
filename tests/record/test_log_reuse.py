"""parse_log keeps the last log text it read: a log that only grew is parsed from where it ended,
and any other change is parsed whole; either way the result equals a fresh parse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotfix_tui.core.record import events as evlog

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def lines(n: int, start: int = 0, who: str = "Ana") -> str:
    rec = evlog.Recorder("c1", who)
    return "".join(
        rec.make("done", T0 + timedelta(seconds=start + i), task=f"T{i:03d}").line()
        for i in range(n)
    )


def fresh(text: str, path: str = "events.jsonl"):
    evlog._LAST = None
    return evlog.parse_log(text, path)


@pytest.fixture(autouse=True)
def _forget():
    evlog._LAST = None
    yield
    evlog._LAST = None


def test_a_grown_log_parses_only_its_tail_and_equals_a_fresh_parse(monkeypatch):
    base = lines(5) + "not json\n"
    grown = (
        base + "junk\n" + lines(3, start=100) + base.splitlines(keepends=True)[0]
    )  # a repeated id
    first = evlog.parse_log(base, "events.jsonl")
    decoded: list[str] = []
    real = evlog._scan
    monkeypatch.setattr(evlog, "_scan", lambda s, i: decoded.append(s) or real(s, i))
    again = evlog.parse_log(grown, "events.jsonl")
    assert len(decoded) == 5  # the tail only
    monkeypatch.undo()
    assert again == fresh(grown)
    assert again[1] == [
        f"events.jsonl:{n}: not an event line (expected one JSON object)" for n in (6, 7)
    ]
    assert [e.id for e in again[0]] == [e.id for e in fresh(grown)[0]]
    assert len(again[0]) == len(first[0]) + 3


def test_a_rewritten_or_other_log_is_parsed_whole():
    text = lines(4)
    evlog.parse_log(text, "a/events.jsonl")
    rewritten = lines(2, who="Bo")  # e.g. a merge or a hand edit: not the old text plus more
    assert evlog.parse_log(rewritten, "a/events.jsonl") == fresh(rewritten, "a/events.jsonl")
    evlog.parse_log(text, "a/events.jsonl")
    assert evlog.parse_log(text, "b/events.jsonl")[0] == fresh(text, "b/events.jsonl")[0]


def test_a_torn_line_completed_later_is_read():
    full = lines(3)
    torn = full[:-20]  # a write cut short: the last line has no newline
    got, problems = evlog.parse_log(torn, "events.jsonl")
    assert len(got) == 2 and problems == []
    assert evlog.parse_log(full, "events.jsonl") == fresh(full)
    assert len(fresh(full)[0]) == 3
