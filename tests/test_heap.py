"""The app gives freed memory back after reloads (issue 14: a day left running), at most once
every ten minutes of its clock."""

from __future__ import annotations

import sys
from datetime import timedelta

from gitfix import T0

from hotfix_tui.core import heap


def test_a_trim_is_due_at_most_once_every_ten_minutes() -> None:
    t = heap.Trimmer()
    assert t.due(T0)
    assert not t.due(T0 + timedelta(minutes=9, seconds=59))
    assert t.due(T0 + timedelta(minutes=10))
    assert not t.due(T0 + timedelta(minutes=12))
    assert t.due(T0 + timedelta(minutes=20, seconds=1))


def test_trim_returns_memory_where_glibc_has_malloc_trim() -> None:
    trimmed = heap.trim()
    assert trimmed is (heap._malloc_trim() is not None)
    if sys.platform.startswith("linux") and "musl" not in sys.version.lower():
        assert trimmed  # glibc: the call is made
