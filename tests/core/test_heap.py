"""The app gives freed memory back after reloads, at most once
every two minutes of its clock."""

from __future__ import annotations

import sys
from datetime import timedelta

from gitfix import T0

from hotfix_tui.core import heap


def test_a_trim_is_due_at_most_once_every_two_minutes() -> None:
    t = heap.Trimmer()
    assert t.due(T0)
    assert not t.due(T0 + timedelta(minutes=1, seconds=59))
    assert t.due(T0 + timedelta(minutes=2))
    assert not t.due(T0 + timedelta(minutes=3))
    assert t.due(T0 + timedelta(minutes=4, seconds=1))


def test_after_a_reload_the_garbage_is_collected_then_the_heap_trimmed() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    import weakref

    c = Cycle()
    gone = weakref.ref(c)
    del c
    t = heap.Trimmer()
    assert t.after_reload(T0) is (heap._malloc_trim() is not None)
    assert gone() is None  # the cycle was collected
    assert t.after_reload(T0 + timedelta(minutes=1)) is False  # not due


def test_trim_returns_memory_where_glibc_has_malloc_trim() -> None:
    trimmed = heap.trim()
    assert trimmed is (heap._malloc_trim() is not None)
    if sys.platform.startswith("linux") and "musl" not in sys.version.lower():
        assert trimmed  # glibc: the call is made
