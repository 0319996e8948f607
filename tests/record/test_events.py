"""The event log: one JSON object a line, ids unique, recorded order never going back."""

from datetime import UTC, datetime

from hotfix_tui.core.record import events as ev


def test_append_read_dedupe_and_order(tmp_path):
    rec = ev.Recorder("clone1", "Ann")
    t = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    a = rec.make("done", t, task="T001")
    b = rec.make("done", t, [a], task="T001")  # same second, same person: still two events
    assert a.id != b.id and b.recorded > a.recorded
    ev.append(tmp_path, [b, a])
    ev.append(tmp_path, [a])  # a duplicate line (as a union merge can make) is read once
    got = ev.read_log(tmp_path)
    assert [e.id for e in got] == [a.id, b.id]
    assert (tmp_path / ".gitattributes").read_text().count("merge=union") == 1


def test_torn_last_line_is_ignored_and_set_aside_by_the_next_append(tmp_path):
    rec = ev.Recorder("c", "Bo")
    e1 = rec.make("note", datetime(2026, 1, 1, tzinfo=UTC), task="T002", text="hi")
    (tmp_path / ev.LOG).write_text(e1.line() + '{"id": "x", "ki')
    assert [e.id for e in ev.read_log(tmp_path)] == [e1.id]
    e2 = rec.make("note", datetime(2026, 1, 1, tzinfo=UTC), [e1], task="T002", text="again")
    said = ev.append(tmp_path, [e2])
    text = (tmp_path / ev.LOG).read_text()
    events, problems = ev.parse_log(text, "log")
    assert [e.id for e in events] == [e1.id, e2.id]
    assert problems == [] and text == e1.line() + e2.line()
    aside = ev.torn_file(tmp_path)
    assert aside.read_text() == '{"id": "x", "ki\n' and str(aside) in (said or "")


def test_a_whole_last_event_without_its_newline_stays_an_event(tmp_path):
    rec = ev.Recorder("c", "Bo")
    e1 = rec.make("note", datetime(2026, 1, 1, tzinfo=UTC), task="T002", text="hi")
    (tmp_path / ev.LOG).write_text(e1.line().rstrip("\n"))
    e2 = rec.make("note", datetime(2026, 1, 1, tzinfo=UTC), [e1], task="T002", text="again")
    assert ev.append(tmp_path, [e2]) is None
    assert (tmp_path / ev.LOG).read_text() == e1.line() + e2.line()


def test_a_line_of_json_that_is_not_an_object_is_a_problem_of_its_line():
    good = ev.Recorder("c1", "Ana").make("note", datetime(2026, 1, 1, tzinfo=UTC), task="T001",
                                         text="hi").line()
    text = good + "[1, 2]\n" + '"a string"\n' + "42\n" + '{"id": "x"} trailing\n'
    got, problems = ev.parse_log(text, "events.jsonl")
    assert [e.kind for e in got] == ["note"]
    assert problems == [
        f"events.jsonl:{n}: not an event line (expected one JSON object)" for n in (2, 3, 4, 5)
    ]
