"""The JSON the commands print: the same text whether made whole by json or piece by piece (as a
streamed `status --json` is), valid, and with every control character escaped."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from hotfix_tui.cli_output import json_chunks, to_json

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
def test_whole_and_streamed_json_are_the_same_valid_text(value):
    whole = to_json(value)
    assert whole == "".join(json_chunks(value, size=7))
    assert json.loads(whole) == value
    assert all(ch.isprintable() or ch == "\n" for ch in whole)


def test_control_characters_never_reach_the_terminal():
    text = to_json({"title": "red \x1b[31m, bidi \u202e, bell \x07, line\u2028end, é ok"})
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\u001b[31m" in text and "\\u202e" in text and "é ok" in text
    assert json.loads(text)["title"].startswith("red \x1b[31m")


def test_an_iterator_inside_is_written_as_a_list():
    rows = ({"n": i} for i in range(3))
    assert json.loads(to_json({"rows": rows, "done": True})) == {
        "rows": [{"n": 0}, {"n": 1}, {"n": 2}], "done": True,
    }
